package dispatch_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadline/leadline/twiliosim"
)

// Requests that do not come from Twilio are refused before anything reads
// or remembers them: no referral, no text, no MessageSid record.
func TestUnsignedRequestsChangeNothing(t *testing.T) {
	w := newWorld(t)
	form := url.Values{"From": {w.phoneOf("osmith")}, "To": {w.prog.Phone},
		"Body": {"AD " + northPoint}, "MessageSid": {"SM00000000000000000000000000000001"}}
	for _, tt := range []struct {
		name, sig string
	}{
		{"no signature", ""},
		{"garbage", "bm90IGEgc2lnbmF0dXJl"},
		{"signed for another URL", twiliosim.Signature(testToken, "https://evil.example/twilio/sms", form)},
		{"signed with another token", twiliosim.Signature("ffffffffffffffffffffffffffffffff", w.url+"/twilio/sms", form)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if status := post(t, w.url+"/twilio/sms", form, tt.sig); status != http.StatusForbidden {
				t.Errorf("status %d, want 403", status)
			}
		})
	}
	// A body changed after signing is refused too.
	sig := twiliosim.Signature(testToken, w.url+"/twilio/sms", form)
	tampered := url.Values{}
	for k, v := range form {
		tampered[k] = v
	}
	tampered.Set("Body", "CANCEL ABCD")
	if status := post(t, w.url+"/twilio/sms", tampered, sig); status != http.StatusForbidden {
		t.Errorf("tampered body: status %d, want 403", status)
	}

	w.quiet("osmith", "jrivera")
	for _, k := range w.rdb.Keys(context.Background(), "leadline:{dispatch}:*").Val() {
		t.Errorf("a refused request left %s", k)
	}
	// The same request, signed, goes through.
	if status := post(t, w.url+"/twilio/sms", form, sig); status != http.StatusOK {
		t.Errorf("signed request: status %d, want 200", status)
	}
	w.expect("jrivera", "LEAD page")
}

func TestOversizedRequestRefused(t *testing.T) {
	w := newWorld(t)
	form := url.Values{"From": {w.phoneOf("osmith")}, "Body": {"AD " + northPoint + " / " + strings.Repeat("x", 70_000)},
		"MessageSid": {"SM00000000000000000000000000000002"}}
	if status := post(t, w.url+"/twilio/sms", form, twiliosim.Signature(testToken, w.url+"/twilio/sms", form)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", status)
	}
	w.quiet("osmith", "jrivera")
}

func TestHealthAndReadiness(t *testing.T) {
	w := newWorld(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(w.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	// Redis gone: alive, but not ready.
	w.rdb.Shutdown(context.Background())
	resp, err := http.Get(w.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz without Redis: %d, want 503", resp.StatusCode)
	}
	// An officer texting now is told it was not recorded.
	w.text("osmith", "AD "+northPoint)
	w.expect("osmith", "not recorded", "+14125550199")
}

func post(t *testing.T, u string, form url.Values, sig string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
