package phone_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/phone"
)

// formRecorder stands in for Twilio's Calls.json: it keeps each request's
// form and answers with a queued call, so a test sees exactly the fields
// Twilio would receive.
type formRecorder struct {
	mu    sync.Mutex
	forms []url.Values
}

func (f *formRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.forms = append(f.forms, r.PostForm)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write([]byte(`{"sid": "CA00000000000000000000000000000042", "status": "queued"}`))
}

func (f *formRecorder) got() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.forms...)
}

func TestCallSendsTwilioFields(t *testing.T) {
	tests := []struct {
		name string
		call phone.Call
		want url.Values
	}{
		{
			name: "all fields",
			call: phone.Call{From: program, To: jo, URL: "https://lead.example.org/twilio/voice?page=KX7P",
				StatusCallback: "https://lead.example.org/twilio/status", Ring: 25 * time.Second},
			want: url.Values{"From": {program}, "To": {jo}, "Url": {"https://lead.example.org/twilio/voice?page=KX7P"},
				"Method": {"POST"}, "StatusCallback": {"https://lead.example.org/twilio/status"},
				"StatusCallbackMethod": {"POST"}, "Timeout": {"25"}},
		},
		{
			name: "no callback, default ring",
			call: phone.Call{From: program, To: jo, URL: "https://lead.example.org/twilio/voice"},
			want: url.Values{"From": {program}, "To": {jo}, "Url": {"https://lead.example.org/twilio/voice"},
				"Method": {"POST"}},
		},
		{
			name: "ring rounded up to whole seconds",
			call: phone.Call{From: program, To: jo, URL: "https://lead.example.org/twilio/voice", Ring: 1500 * time.Millisecond},
			want: url.Values{"From": {program}, "To": {jo}, "Url": {"https://lead.example.org/twilio/voice"},
				"Method": {"POST"}, "Timeout": {"2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &formRecorder{}
			hs := httptest.NewServer(rec)
			t.Cleanup(hs.Close)
			c := phone.NewClient(phone.ClientConfig{AccountSID: accountSID, AuthToken: authToken, APIURL: hs.URL})

			sid, err := c.Call(context.Background(), tt.call)
			if err != nil {
				t.Fatalf("Call: %v", err)
			}
			if sid != "CA00000000000000000000000000000042" {
				t.Errorf("sid = %q, want the one Twilio returned", sid)
			}
			forms := rec.got()
			if len(forms) != 1 {
				t.Fatalf("Twilio got %d requests, want 1", len(forms))
			}
			got := forms[0]
			for k := range tt.want {
				if got.Get(k) != tt.want.Get(k) {
					t.Errorf("%s = %q, want %q", k, got.Get(k), tt.want.Get(k))
				}
			}
			for k := range got {
				if _, ok := tt.want[k]; !ok {
					t.Errorf("unexpected field %s = %q", k, got.Get(k))
				}
			}
		})
	}
}

func TestCallIsRecorded(t *testing.T) {
	sim := newSim(t)
	c := newClient(sim, phone.ClientConfig{})
	call := phone.Call{From: program, To: jo, URL: "https://lead.example.org/twilio/voice",
		StatusCallback: "https://lead.example.org/twilio/status", Ring: 20 * time.Second}
	sid, err := c.Call(context.Background(), call)
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := sim.NextCall(ctx, jo)
	if err != nil {
		t.Fatalf("NextCall: %v", err)
	}
	if got.SID != sid || got.From != program || got.URL != call.URL || got.StatusCallback != call.StatusCallback || got.Ring != call.Ring {
		t.Errorf("recorded %+v, want %+v with sid %s", got, call, sid)
	}
}

func TestCallFailures(t *testing.T) {
	tests := []struct {
		name         string
		n            int // FailSends count; <0 forever
		status, code int
		wantAttempts int
		wantSent     bool
		wantIs       error
	}{
		{name: "429 then placed", n: 1, status: 429, code: 20429, wantAttempts: 2, wantSent: true},
		{name: "503 forever", n: -1, status: 503, code: 20503, wantAttempts: 3},
		{name: "invalid To is final", n: -1, status: 400, code: 21211, wantAttempts: 1, wantIs: phone.ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			sim.FailSends(jo, tt.n, tt.status, tt.code)
			c := newClient(sim, phone.ClientConfig{MaxAttempts: 3})
			sid, err := c.Call(context.Background(), phone.Call{From: program, To: jo, URL: "https://lead.example.org/twilio/voice"})

			if got := sim.Attempts(jo); got != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", got, tt.wantAttempts)
			}
			if tt.wantSent {
				if err != nil {
					t.Fatalf("Call: %v", err)
				}
				if got := sim.Calls(); len(got) != 1 || got[0].SID != sid {
					t.Errorf("recorded %+v, want one call %s", got, sid)
				}
				return
			}
			if err == nil {
				t.Fatal("Call succeeded, want an error")
			}
			var se *phone.SendError
			if !errors.As(err, &se) || se.Status != tt.status || se.Code != tt.code {
				t.Errorf("err = %v, want a *phone.SendError with status %d code %d", err, tt.status, tt.code)
			}
			if got, want := phone.IsFinal(err), tt.wantIs != nil; got != want {
				t.Errorf("IsFinal = %v, want %v", got, want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			assertNoNumber(t, err)
			if n := len(sim.Calls()); n != 0 {
				t.Errorf("recorded %d calls, want none", n)
			}
		})
	}
}

func TestCallMissingURLIsFinal(t *testing.T) {
	sim := newSim(t)
	c := newClient(sim, phone.ClientConfig{})
	_, err := c.Call(context.Background(), phone.Call{From: program, To: jo})
	var se *phone.SendError
	if !errors.As(err, &se) || se.Code != 21205 || !se.Final {
		t.Fatalf("err = %v, want a final SendError with code 21205", err)
	}
	if got := err.Error(); got != "phone: call: twilio status 400, code 21205" {
		t.Errorf("err = %q, want it to name the call and the code only", got)
	}
}

func TestCallInvalidConfig(t *testing.T) {
	c := phone.NewClient(phone.ClientConfig{AccountSID: accountSID})
	_, err := c.Call(context.Background(), phone.Call{From: program, To: jo, URL: "https://lead.example.org/twilio/voice"})
	if err == nil || !phone.IsFinal(err) {
		t.Errorf("err = %v, want a final error", err)
	}
}
