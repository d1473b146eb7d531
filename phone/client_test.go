package phone_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/twiliosim"
)

const (
	accountSID = "AC00000000000000000000000000000001"
	authToken  = "secrettoken42"
	program    = "+14125550100"
	jo         = "+14125550111"
)

// simStart is when the simulator's clock reads.
var simStart = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

func newSim(t *testing.T) *twiliosim.Server {
	t.Helper()
	sim := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken, Clock: clocktest.New(simStart).Now})
	t.Cleanup(sim.Close)
	return sim
}

func newClient(sim *twiliosim.Server, cfg phone.ClientConfig) *phone.Client {
	cfg.AccountSID, cfg.AuthToken, cfg.APIURL = accountSID, authToken, sim.URL()
	if cfg.RetryBase == 0 {
		cfg.RetryBase = time.Millisecond
	}
	return phone.NewClient(cfg)
}

func TestSendSMSIsRecorded(t *testing.T) {
	sim := newSim(t)
	c := newClient(sim, phone.ClientConfig{})
	sid, err := c.SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: "KX7P: you're paged",
		StatusCallback: "https://lead.example.org/twilio/status"})
	if err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	got := sim.Messages()
	if len(got) != 1 {
		t.Fatalf("recorded %d messages, want 1", len(got))
	}
	m := got[0]
	if m.SID != sid || m.From != program || m.To != jo || m.Body != "KX7P: you're paged" || m.Via != "rest" ||
		m.StatusCallback != "https://lead.example.org/twilio/status" {
		t.Errorf("recorded %+v, want sid %s from %s to %s", m, sid, program, jo)
	}
}

func TestSendSMSNoStatusCallback(t *testing.T) {
	sim := newSim(t)
	c := newClient(sim, phone.ClientConfig{})
	if _, err := c.SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: "hi"}); err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	if cb := sim.Messages()[0].StatusCallback; cb != "" {
		t.Errorf("StatusCallback = %q, want none", cb)
	}
}

func TestSendSMSFailures(t *testing.T) {
	tests := []struct {
		name         string
		n            int // FailSends count; <0 forever
		status, code int
		noBody       bool
		wantAttempts int
		wantSent     bool
		wantFinal    bool
		wantIs       error
	}{
		{name: "429 twice then sent", n: 2, status: 429, code: 20429, wantAttempts: 3, wantSent: true},
		{name: "503 once then sent", n: 1, status: 503, code: 20503, wantAttempts: 2, wantSent: true},
		{name: "500 forever", n: -1, status: 500, code: 20500, wantAttempts: 4},
		{name: "429 forever", n: -1, status: 429, code: 20429, wantAttempts: 4},
		{name: "opted out", n: -1, status: 400, code: 21610, wantAttempts: 1, wantFinal: true, wantIs: phone.ErrOptedOut},
		{name: "invalid To", n: -1, status: 400, code: 21211, wantAttempts: 1, wantFinal: true, wantIs: phone.ErrUnreachable},
		{name: "landline", n: -1, status: 400, code: 21614, wantAttempts: 1, wantFinal: true, wantIs: phone.ErrUnreachable},
		{name: "not reachable via SMS", n: -1, status: 400, code: 21612, wantAttempts: 1, wantFinal: true, wantIs: phone.ErrUnreachable},
		{name: "country not enabled", n: -1, status: 400, code: 21408, wantAttempts: 1, wantFinal: true, wantIs: phone.ErrUnreachable},
		{name: "other bad request", noBody: true, wantAttempts: 1, wantFinal: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t)
			if tt.n != 0 {
				sim.FailSends(jo, tt.n, tt.status, tt.code)
			}
			body := "hello"
			if tt.noBody {
				body = ""
			}
			c := newClient(sim, phone.ClientConfig{MaxAttempts: 4})
			sid, err := c.SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: body})

			if got := sim.Attempts(jo); got != tt.wantAttempts {
				t.Errorf("attempts = %d, want %d", got, tt.wantAttempts)
			}
			if tt.wantSent {
				if err != nil {
					t.Fatalf("SendSMS: %v", err)
				}
				if got := sim.Messages(); len(got) != 1 || got[0].SID != sid {
					t.Errorf("recorded %+v, want one message %s", got, sid)
				}
				return
			}
			if err == nil {
				t.Fatal("SendSMS succeeded, want an error")
			}
			if got := phone.IsFinal(err); got != tt.wantFinal {
				t.Errorf("IsFinal = %v, want %v (err %v)", got, tt.wantFinal, err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.wantIs)
			}
			var se *phone.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *phone.SendError", err)
			}
			if tt.n != 0 && (se.Status != tt.status || se.Code != tt.code) {
				t.Errorf("SendError status %d code %d, want %d %d", se.Status, se.Code, tt.status, tt.code)
			}
			assertNoNumber(t, err)
			if n := len(sim.Messages()); n != 0 {
				t.Errorf("recorded %d messages, want none", n)
			}
		})
	}
}

func TestSendSMSWrongCredentialsIsFinal(t *testing.T) {
	sim := newSim(t)
	c := phone.NewClient(phone.ClientConfig{AccountSID: accountSID, AuthToken: "wrongtoken", APIURL: sim.URL(), RetryBase: time.Millisecond})
	_, err := c.SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: "hi"})
	var se *phone.SendError
	if !errors.As(err, &se) || se.Status != 401 || !se.Final {
		t.Fatalf("err = %v, want a final 401 SendError", err)
	}
}

func TestSendSMSTransportErrorIsRetried(t *testing.T) {
	sim := newSim(t)
	url := sim.URL()
	sim.Close()
	c := phone.NewClient(phone.ClientConfig{AccountSID: accountSID, AuthToken: authToken, APIURL: url,
		MaxAttempts: 3, RetryBase: time.Millisecond})
	_, err := c.SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: "hi"})
	if err == nil || phone.IsFinal(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("err = %v, want it to say it tried 3 times", err)
	}
}

func TestSendSMSCancelledDuringBackoff(t *testing.T) {
	sim := newSim(t)
	sim.FailSends(jo, -1, 500, 20500)
	c := newClient(sim, phone.ClientConfig{RetryBase: 10 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for sim.Attempts(jo) == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()

	start := time.Now() // wall clock: times the real return after cancel
	_, err := c.SendSMS(ctx, phone.SMS{From: program, To: jo, Body: "hi"})
	if d := time.Since(start); d > 2*time.Second { // wall clock: as above
		t.Errorf("SendSMS returned %s after cancel, want promptly", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if phone.IsFinal(err) {
		t.Errorf("IsFinal(%v) = true, want false", err)
	}
	var se *phone.SendError
	if !errors.As(err, &se) || se.Status != 500 {
		t.Errorf("err = %v, want it to carry the last attempt's 500", err)
	}
	if n := sim.Attempts(jo); n != 1 {
		t.Errorf("attempts = %d, want 1", n)
	}
}

func TestSendSMSDoneContextSendsNothing(t *testing.T) {
	sim := newSim(t)
	c := newClient(sim, phone.ClientConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.SendSMS(ctx, phone.SMS{From: program, To: jo, Body: "hi"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := sim.Attempts(jo); n != 0 {
		t.Errorf("attempts = %d, want 0", n)
	}
}

func TestSendSMSInvalidConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  phone.ClientConfig
	}{
		{"no token", phone.ClientConfig{AccountSID: accountSID}},
		{"token twilio-go refuses", phone.ClientConfig{AccountSID: accountSID, AuthToken: "test-auth-token"}},
		{"API URL without scheme", phone.ClientConfig{AccountSID: accountSID, AuthToken: authToken, APIURL: "127.0.0.1:4567"}},
		{"API URL ftp", phone.ClientConfig{AccountSID: accountSID, AuthToken: authToken, APIURL: "ftp://127.0.0.1"}},
		{"API URL with query", phone.ClientConfig{AccountSID: accountSID, AuthToken: authToken, APIURL: "http://127.0.0.1/?x=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cfg.Validate() == nil {
				t.Error("Validate accepted it")
			}
			_, err := phone.NewClient(tt.cfg).SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: "hi"})
			if err == nil || !phone.IsFinal(err) {
				t.Errorf("SendSMS err = %v, want a final error", err)
			}
		})
	}
}

// assertNoNumber fails if err's text shows any digits of the recipient's
// number beyond what Mask shows.
func assertNoNumber(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{jo, jo[1:], "5550111", "hello"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q contains %q", err, s)
		}
	}
}

func TestSendErrorText(t *testing.T) {
	tests := []struct {
		status, code int
		want         string
	}{
		{400, 21610, "phone: send SMS: twilio status 400, code 21610: recipient opted out"},
		{400, 21614, "phone: send SMS: twilio status 400, code 21614: number cannot receive SMS"},
		{400, 21211, "phone: send SMS: twilio status 400, code 21211: number cannot receive SMS"},
		{500, 20500, "phone: send SMS: gave up after 2 attempts: twilio status 500, code 20500"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			sim := newSim(t)
			sim.FailSends(jo, -1, tt.status, tt.code)
			c := newClient(sim, phone.ClientConfig{MaxAttempts: 2})
			_, err := c.SendSMS(context.Background(), phone.SMS{From: program, To: jo, Body: "hello"})
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
