package dispatch_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/twiliosim"
)

// Requests that do not come from Twilio are refused before anything reads
// or remembers them: no referral, no text, no MessageSid record.
func TestUnsignedRequestsChangeNothing(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	form := url.Values{"From": {w.PhoneOf("osmith")}, "To": {w.Prog.Phone},
		"Body": {"AD " + e2e.NorthPoint}, "MessageSid": {"SM00000000000000000000000000000001"}}
	for _, tt := range []struct {
		name, sig string
	}{
		{"no signature", ""},
		{"garbage", "bm90IGEgc2lnbmF0dXJl"},
		{"signed for another URL", twiliosim.Signature(e2e.Token, "https://evil.example/twilio/sms", form)},
		{"signed with another token", twiliosim.Signature("ffffffffffffffffffffffffffffffff", w.URL+"/twilio/sms", form)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if status := post(t, w.URL+"/twilio/sms", form, tt.sig); status != http.StatusForbidden {
				t.Errorf("status %d, want 403", status)
			}
		})
	}
	// A body changed after signing is refused too.
	sig := twiliosim.Signature(e2e.Token, w.URL+"/twilio/sms", form)
	tampered := url.Values{}
	for k, v := range form {
		tampered[k] = v
	}
	tampered.Set("Body", "CANCEL ABCD")
	if status := post(t, w.URL+"/twilio/sms", tampered, sig); status != http.StatusForbidden {
		t.Errorf("tampered body: status %d, want 403", status)
	}

	w.Quiet("osmith", "jrivera")
	for _, k := range w.Redis.Keys(context.Background(), "leadline:{dispatch}:*").Val() {
		t.Errorf("a refused request left %s", k)
	}
	// The same request, signed, goes through.
	if status := post(t, w.URL+"/twilio/sms", form, sig); status != http.StatusOK {
		t.Errorf("signed request: status %d, want 200", status)
	}
	w.Expect("jrivera", "LEAD page")
}

func TestOversizedRequestRefused(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	form := url.Values{"From": {w.PhoneOf("osmith")}, "Body": {"AD " + e2e.NorthPoint + " / " + strings.Repeat("x", 70_000)},
		"MessageSid": {"SM00000000000000000000000000000002"}}
	if status := post(t, w.URL+"/twilio/sms", form, twiliosim.Signature(e2e.Token, w.URL+"/twilio/sms", form)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", status)
	}
	w.Quiet("osmith", "jrivera")
}

func TestHealthAndReadiness(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(w.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
	// Redis gone: alive, but not ready.
	w.Redis.Shutdown(context.Background())
	resp, err := http.Get(w.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz without Redis: %d, want 503", resp.StatusCode)
	}
	// An officer texting now is told it was not recorded; a stranger is
	// told nothing, not even the support line.
	w.Text("osmith", "AD "+e2e.NorthPoint)
	w.Expect("osmith", "not recorded", "+14125550199")
	// (The webhook answers 500, so Twilio retries it later; Twilio tells
	// the sender nothing of that.)
	w.Sim.Text(context.Background(), w.PhoneOf("stranger"), w.Prog.Phone, "hello?")
	if un := w.Sim.Unread(w.PhoneOf("stranger")); len(un) > 0 {
		t.Errorf("a stranger learned something while Redis was down: %q", e2e.Bodies(un))
	}
}

func post(t *testing.T, u string, form url.Values, sig string) int {
	t.Helper()
	status, _ := send(t, u, form, sig)
	return status
}

// postBody posts a signed request that must succeed, and returns its body.
func postBody(t *testing.T, u string, form url.Values, sig string) string {
	t.Helper()
	status, body := send(t, u, form, sig)
	if status != http.StatusOK {
		t.Fatalf("%s: status %d", u, status)
	}
	return body
}

func send(t *testing.T, u string, form url.Values, sig string) (int, string) {
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
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// Status callbacks and voice steps are refused unsigned like texts, and a
// signed voice step for a call that is not ours learns nothing.
func TestStatusAndVoiceNeedSignatures(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	page := w.ExpectMessage("jrivera", code)
	w.Svc.Wait()

	status := url.Values{"MessageSid": {page.SID}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}}
	if got := post(t, w.URL+"/twilio/status", status, ""); got != http.StatusForbidden {
		t.Errorf("unsigned status callback: %d, want 403", got)
	}
	step := url.Values{"CallSid": {"CA00000000000000000000000000000001"}, "Digits": {"1"}}
	if got := post(t, w.URL+"/twilio/voice/page/answer", step, ""); got != http.StatusForbidden {
		t.Errorf("unsigned voice step: %d, want 403", got)
	}
	w.NoCalls("jrivera")
	if r := w.Referral(code); r.State != referral.Paging || r.Step != 0 || len(r.Missed) != 0 {
		t.Errorf("an unsigned request changed the referral: %+v", r)
	}

	// Signed, but for no call of ours: a goodbye, and nothing accepted.
	resp := postBody(t, w.URL+"/twilio/voice/page/answer", step, twiliosim.Signature(e2e.Token, w.URL+"/twilio/voice/page/answer", step))
	if !strings.Contains(resp, "<Hangup") || strings.Contains(resp, code) || strings.Contains(resp, "North") {
		t.Errorf("unknown call answered %s", resp)
	}
	if r := w.Referral(code); r.State != referral.Paging {
		t.Errorf("a stranger's call changed the referral: %+v", r)
	}
	// An inbound call learns nothing about the program either.
	in := url.Values{"CallSid": {"CA00000000000000000000000000000002"}, "From": {"+14125550999"}}
	resp = postBody(t, w.URL+"/twilio/voice", in, twiliosim.Signature(e2e.Token, w.URL+"/twilio/voice", in))
	for _, leak := range []string{"LEAD", "Leadline", "referral", "police"} {
		if strings.Contains(resp, leak) {
			t.Errorf("an inbound call hears %q: %s", leak, resp)
		}
	}
}
