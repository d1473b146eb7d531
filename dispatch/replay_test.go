package dispatch_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
)

// A captured signed request replayed long after Twilio stopped retrying
// changes nothing: inbound MessageSids and CallSids are kept as long as a
// referral's details may be (retention open + details), not a day.
// Redis's own clock cannot be moved, so the test reads the records' expiry
// and lets a call's 24-hour state lapse by deleting it, as Redis would.
func TestReplaysChangeNothingWhileDetailsAreKept(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	kept := w.Prog.Retention.Kept()
	referrals := func() int64 { return w.Redis.ZCard(ctx, "leadline:{dispatch}:referrals").Val() }

	text := url.Values{"From": {w.PhoneOf("osmith")}, "To": {w.Prog.Phone}, "Body": {"AD " + e2e.NorthPoint},
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}}
	if status, _ := w.Post("/twilio/sms", text); status != http.StatusOK {
		t.Fatalf("text: %d", status)
	}
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+code)
	if ttl := w.Redis.TTL(ctx, "leadline:{dispatch}:sms:"+text.Get("MessageSid")).Val(); ttl < kept-time.Minute {
		t.Errorf("the MessageSid is kept %s, want %s: a replay after that pages again", ttl, kept)
	}

	call := url.Values{"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "From": {w.PhoneOf("osmith")}, "To": {w.Prog.Phone}}
	steps := []struct{ path, digits string }{{"", ""}, {"/line/type", "2"}, {"/line/where", "105"}, {"/line/confirm", "1"}}
	post := func() string {
		var last string
		for _, st := range steps {
			form := url.Values{"CallSid": call["CallSid"], "From": call["From"], "To": call["To"], "Digits": {st.digits}}
			_, last = w.Post("/twilio/voice"+st.path, form)
		}
		return last
	}
	if body := post(); !strings.Contains(body, "<Dial") {
		t.Fatalf("the call was not connected: %s", body)
	}
	if n := referrals(); n != 2 {
		t.Fatalf("%d referrals after a text and a call, want 2", n)
	}
	w.Expect("osmith", "Paging")
	if ttl := w.Redis.TTL(ctx, "leadline:{dispatch}:callsid:"+call.Get("CallSid")).Val(); ttl < kept-time.Minute {
		t.Errorf("the CallSid is kept %s, want %s", ttl, kept)
	}

	// 30 days on: the call's own state has lapsed (24 h).
	w.Clock.Advance(30 * 24 * time.Hour)
	w.Redis.Del(ctx, "leadline:{dispatch}:line:"+call.Get("CallSid"))
	if status, _ := w.Post("/twilio/sms", text); status != http.StatusOK {
		t.Errorf("replayed text: %d", status)
	}
	if body := post(); strings.Contains(body, "<Dial") {
		t.Errorf("the replayed call was connected: %s", body)
	}
	if n := referrals(); n != 2 {
		t.Errorf("%d referrals after the replays, want 2", n)
	}
	w.Quiet("osmith", "jrivera")
}
