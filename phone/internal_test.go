package phone

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		base     time.Duration
		attempt  int
		min, max time.Duration
	}{
		{250 * time.Millisecond, 1, 125 * time.Millisecond, 250 * time.Millisecond},
		{250 * time.Millisecond, 2, 250 * time.Millisecond, 500 * time.Millisecond},
		{250 * time.Millisecond, 3, 500 * time.Millisecond, time.Second},
		{250 * time.Millisecond, 5, 2 * time.Second, 4 * time.Second},
		{250 * time.Millisecond, 6, 2500 * time.Millisecond, 5 * time.Second},
		{250 * time.Millisecond, 60, 2500 * time.Millisecond, 5 * time.Second},
		{10 * time.Second, 3, 5 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := backoff(tt.base, tt.attempt); d < tt.min || d > tt.max {
				t.Errorf("backoff(%s, %d) = %s, want within [%s, %s]", tt.base, tt.attempt, d, tt.min, tt.max)
				break
			}
		}
	}
}

func TestClassify(t *testing.T) {
	rest := func(status, code int) error {
		return &client.TwilioRestError{Status: status, Code: code, Message: "The 'To' number +14125550111 is bad"}
	}
	tests := []struct {
		name      string
		err       error
		wantFinal bool
		wantIs    error
	}{
		{"opted out", rest(400, 21610), true, ErrOptedOut},
		{"invalid To", rest(400, 21211), true, ErrUnreachable},
		{"landline", rest(400, 21614), true, ErrUnreachable},
		{"unreachable", rest(400, 21612), true, ErrUnreachable},
		{"region off", rest(400, 21408), true, ErrUnreachable},
		{"missing body", rest(400, 21602), true, nil},
		{"auth", rest(401, 20003), true, nil},
		{"not found", rest(404, 20404), true, nil},
		{"rate limited", rest(429, 20429), false, nil},
		{"server error", rest(500, 20500), false, nil},
		{"bad gateway", rest(502, 0), false, nil},
		{"no status", rest(0, 0), false, nil},
		{"transport", &url.Error{Op: "Post", URL: "https://api.twilio.com/", Err: io.ErrUnexpectedEOF}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := classify(tt.err)
			if se.Final != tt.wantFinal {
				t.Errorf("Final = %v, want %v", se.Final, tt.wantFinal)
			}
			if tt.wantIs != nil && !errors.Is(se, tt.wantIs) {
				t.Errorf("%v is not %v", se, tt.wantIs)
			}
			if strings.Contains(se.Error(), "5550111") {
				t.Errorf("Error() = %q shows the number", se)
			}
		})
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		base, in, want string
	}{
		{"http://127.0.0.1:4567", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
			"http://127.0.0.1:4567/2010-04-01/Accounts/AC1/Messages.json"},
		{"http://127.0.0.1:4567/", "https://api.dublin.ie1.twilio.com/2010-04-01/Accounts/AC1/Messages.json",
			"http://127.0.0.1:4567/2010-04-01/Accounts/AC1/Messages.json"},
		{"https://sim.test/twilio", "https://messaging.twilio.com/v1/Services?PageSize=5",
			"https://sim.test/twilio/v1/Services?PageSize=5"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			base, err := parseAPIURL(tt.base)
			if err != nil {
				t.Fatal(err)
			}
			var got *http.Request
			rt := rewrite{base: base, next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got = r
				return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
			})}
			req, _ := http.NewRequest(http.MethodPost, tt.in, nil)
			if _, err := rt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if got.URL.String() != tt.want {
				t.Errorf("sent to %s, want %s", got.URL, tt.want)
			}
			if req.URL.String() != tt.in {
				t.Errorf("caller's request changed to %s", req.URL)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A bad LEADLINE_TWILIO_API_URL is refused with what is wrong, and the error
// never shows a password it holds, even where the URL cannot be read.
func TestAPIURLErrorsHidePasswords(t *testing.T) {
	for _, in := range []string{
		"ftp://user:s3cret@sim.example:8080",
		"http://user:s3cret@sim.example:8080/?q=1",
		"http://user:s3c%zzret@sim.example",
		"http://us er:s3cret@sim example",
	} {
		_, err := parseAPIURL(in)
		if err == nil {
			t.Errorf("%s: accepted", in)
			continue
		}
		if strings.Contains(err.Error(), "s3c") {
			t.Errorf("%s: error shows the password: %v", in, err)
		}
		if !strings.Contains(err.Error(), "twilio API URL") {
			t.Errorf("%s: error does not say what: %v", in, err)
		}
	}
}
