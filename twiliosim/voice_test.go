package twiliosim_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/leadline/leadline/twiliosim"
)

// ringing places a call to jo whose TwiML is pages["/twilio/voice"] and
// whose status goes to /twilio/status, and returns the hook and CallSid.
func ringing(t *testing.T, srv *twiliosim.Server, pages map[string]string) (*hook, string) {
	t.Helper()
	pages["/twilio/status"] = ""
	h, base := startHook(t, pages)
	res, err := placeCall(restClient(srv, accountSID, authToken), jo, base+"/twilio/voice", base+"/twilio/status")
	if err != nil {
		t.Fatalf("place call: %v", err)
	}
	return h, *res.Sid
}

// voiceFields are what every voice webhook of the call sid must carry.
func voiceFields(sid string) map[string]string {
	return map[string]string{
		"CallSid": sid, "AccountSid": accountSID, "From": program, "To": jo,
		"CallStatus": "in-progress", "Direction": "outbound-api", "ApiVersion": "2010-04-01",
	}
}

const page = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say language="en-US" voice="Polly.Joanna">
    KX7P: arrest diversion, North.
  </Say>
  <Gather timeout="10" numDigits="1" input="dtmf" action="gather?page=KX7P" method="POST">
    <Say>Press 1 to accept, 2 to decline.</Say>
    <Pause length="1"/>
  </Gather>
  <Say>We did not get an answer.</Say>
  <Redirect method="POST">/twilio/voice/retry</Redirect>
</Response>`

func TestAnswerSaysAndGathers(t *testing.T) {
	srv := newServer(t)
	h, sid := ringing(t, srv, map[string]string{"/twilio/voice": page})

	sess, err := srv.Answer(context.Background(), sid)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	want := []string{"KX7P: arrest diversion, North.", "Press 1 to accept, 2 to decline."}
	if got := sess.Said(); !slices.Equal(got, want) {
		t.Errorf("Said = %q, want %q", got, want)
	}
	if !sess.Gathering() || sess.HungUp() || len(sess.Dialled()) != 0 {
		t.Errorf("Gathering %v HungUp %v Dialled %q, want waiting in the Gather", sess.Gathering(), sess.HungUp(), sess.Dialled())
	}
	got := h.to("/twilio/voice")
	if len(got) != 1 {
		t.Fatalf("voice webhook got %d requests, want 1", len(got))
	}
	checkForm(t, got[0].form, voiceFields(sid))
	if _, err := srv.Answer(context.Background(), sid); err == nil {
		t.Error("answering the call twice: no error")
	}
}

func TestPressPostsDigits(t *testing.T) {
	const thanks = `<Response><Say>Accepted.</Say><Gather/></Response>`
	tests := []struct {
		name       string
		gather     string // the Gather element in /twilio/voice
		press      string
		wantURI    string
		wantDigits string
	}{
		{name: "relative action", gather: `<Gather action="gather?page=KX7P" numDigits="1"/>`, press: "1",
			wantURI: "/twilio/gather?page=KX7P", wantDigits: "1"},
		{name: "absolute path action", gather: `<Gather method="post" action="/twilio/accept"></Gather>`, press: "2",
			wantURI: "/twilio/accept", wantDigits: "2"},
		{name: "no action posts to the same URL", gather: `<Gather numDigits="1"/>`, press: "1",
			wantURI: "/twilio/voice", wantDigits: "1"},
		{name: "numDigits stops collecting", gather: `<Gather numDigits="1" action="/twilio/accept"/>`, press: "12",
			wantURI: "/twilio/accept", wantDigits: "1"},
		{name: "finish key is not sent", gather: `<Gather action="/twilio/accept"/>`, press: "42#7",
			wantURI: "/twilio/accept", wantDigits: "42"},
		{name: "other finish key", gather: `<Gather finishOnKey="*" action="/twilio/accept"/>`, press: "4#*",
			wantURI: "/twilio/accept", wantDigits: "4#"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			first := `<Response><Say>Paged.</Say>` + tt.gather + `</Response>`
			pages := map[string]string{"/twilio/voice": first, "/twilio/gather?page=KX7P": thanks, "/twilio/accept": thanks}
			h, sid := ringing(t, srv, pages)
			ctx := context.Background()
			sess, err := srv.Answer(ctx, sid)
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			if err := sess.Press(ctx, tt.press); err != nil {
				t.Fatalf("Press: %v", err)
			}
			got := h.to(tt.wantURI)
			last := got[len(got)-1]
			want := voiceFields(sid)
			want["Digits"] = tt.wantDigits
			checkForm(t, last.form, want)
			wantSaid := []string{"Accepted."}
			if tt.wantURI == "/twilio/voice" {
				// The same page again.
				wantSaid = []string{"Paged."}
			}
			if said := sess.Said(); !slices.Equal(said, wantSaid) {
				t.Errorf("Said after Press = %q, want only the new step's %q", said, wantSaid)
			}
			if !sess.Gathering() {
				t.Error("Gathering = false, want the new step's Gather")
			}
		})
	}
}

func TestSilence(t *testing.T) {
	tests := []struct {
		name     string
		pages    map[string]string
		wantSaid []string
		wantURI  string // the webhook Silence posts to
		wantHung bool
	}{
		{
			name: "continues after the Gather and follows the Redirect",
			pages: map[string]string{
				"/twilio/voice":       page,
				"/twilio/voice/retry": `<Response><Say>Calling the next case manager.</Say><Hangup/><Say>never</Say></Response>`,
			},
			wantSaid: []string{"We did not get an answer.", "Calling the next case manager."},
			wantURI:  "/twilio/voice/retry",
			wantHung: true,
		},
		{
			name: "actionOnEmptyResult posts to the action",
			pages: map[string]string{
				"/twilio/voice": `<Response><Gather action="/twilio/empty" actionOnEmptyResult="true"><Say>Press 1.</Say></Gather><Say>not this</Say></Response>`,
				"/twilio/empty": `<Response><Say>Still there?</Say><Redirect>next</Redirect></Response>`,
				"/twilio/next":  `<Response><Gather/></Response>`,
			},
			wantSaid: []string{"Still there?"},
			wantURI:  "/twilio/empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			h, sid := ringing(t, srv, tt.pages)
			ctx := context.Background()
			sess, err := srv.Answer(ctx, sid)
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			if err := sess.Silence(ctx); err != nil {
				t.Fatalf("Silence: %v", err)
			}
			if got := sess.Said(); !slices.Equal(got, tt.wantSaid) {
				t.Errorf("Said = %q, want %q", got, tt.wantSaid)
			}
			got := h.to(tt.wantURI)
			if len(got) != 1 {
				t.Fatalf("%s got %d requests, want 1", tt.wantURI, len(got))
			}
			checkForm(t, got[0].form, voiceFields(sid))
			if _, ok := got[0].form["Digits"]; ok {
				t.Errorf("Silence posted Digits %q", got[0].form.Get("Digits"))
			}
			if sess.HungUp() != tt.wantHung || sess.Gathering() == tt.wantHung {
				t.Errorf("HungUp %v Gathering %v, want hung up %v", sess.HungUp(), sess.Gathering(), tt.wantHung)
			}
		})
	}
}

func TestHangupPostsCompleted(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC))
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken, Clock: clk.Now})
	t.Cleanup(srv.Close)
	h, sid := ringing(t, srv, map[string]string{
		"/twilio/voice":            page,
		"/twilio/gather":           `<Response><Say>Thank you.</Say><Hangup/></Response>`,
		"/twilio/gather?page=KX7P": `<Response><Say>Thank you.</Say><Hangup/></Response>`,
	})
	ctx := context.Background()
	sess, err := srv.Answer(ctx, sid)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	clk.Advance(42 * time.Second)
	if err := sess.Press(ctx, "1"); err != nil {
		t.Fatalf("Press: %v", err)
	}
	if !sess.HungUp() || sess.Gathering() {
		t.Errorf("HungUp %v Gathering %v, want the call over", sess.HungUp(), sess.Gathering())
	}
	got := h.to("/twilio/status")
	if len(got) != 1 {
		t.Fatalf("status callback got %d requests, want 1", len(got))
	}
	want := voiceFields(sid)
	want["CallStatus"], want["CallDuration"] = "completed", "42"
	checkForm(t, got[0].form, want)

	if err := sess.Press(ctx, "1"); err == nil || !strings.Contains(err.Error(), "ended") {
		t.Errorf("Press after hangup: err = %v, want the call ended", err)
	}
	if err := sess.Silence(ctx); err == nil {
		t.Error("Silence after hangup: no error")
	}
}

func TestCallEnds(t *testing.T) {
	tests := []struct {
		name        string
		pages       map[string]string
		wantSaid    []string
		wantDialled []string
		wantErr     string // from Answer; empty for none
		wantURIs    []string
	}{
		{
			name:     "running out of verbs",
			pages:    map[string]string{"/twilio/voice": `<Response><Say>Bye.</Say><Play>https://x.test/a.mp3</Play></Response>`},
			wantSaid: []string{"Bye."},
			wantURIs: []string{"/twilio/voice", "/twilio/status"},
		},
		{
			name: "dial numbers",
			pages: map[string]string{"/twilio/voice": `<Response><Say>Connecting.</Say><Dial callerId="` + program + `">
				<Number>` + ana + `</Number></Dial><Dial> +14125550113 </Dial></Response>`},
			wantSaid:    []string{"Connecting."},
			wantDialled: []string{ana, "+14125550113"},
			wantURIs:    []string{"/twilio/voice", "/twilio/status"},
		},
		{
			name: "dial action",
			pages: map[string]string{
				"/twilio/voice":   `<Response><Dial action="dialled">` + ana + `</Dial><Say>not this</Say></Response>`,
				"/twilio/dialled": `<Response><Say>Done.</Say></Response>`,
			},
			wantSaid:    []string{"Done."},
			wantDialled: []string{ana},
			wantURIs:    []string{"/twilio/voice", "/twilio/dialled", "/twilio/status"},
		},
		{
			name:     "webhook error",
			pages:    map[string]string{},
			wantErr:  "404",
			wantURIs: []string{"/twilio/voice", "/twilio/status"},
		},
		{
			name:     "invalid TwiML",
			pages:    map[string]string{"/twilio/voice": `<Response><Say>`},
			wantErr:  "invalid TwiML",
			wantURIs: []string{"/twilio/voice", "/twilio/status"},
		},
		{
			name:     "verb not simulated",
			pages:    map[string]string{"/twilio/voice": `<Response><Record/></Response>`},
			wantErr:  "<Record>",
			wantURIs: []string{"/twilio/voice", "/twilio/status"},
		},
		{
			name:     "redirect loop",
			pages:    map[string]string{"/twilio/voice": `<Response><Redirect>voice</Redirect></Response>`},
			wantErr:  "Redirect loop",
			wantURIs: append(slices.Repeat([]string{"/twilio/voice"}, 20), "/twilio/status"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			h, sid := ringing(t, srv, tt.pages)
			sess, err := srv.Answer(context.Background(), sid)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Answer: err = %v, want one containing %q", err, tt.wantErr)
				}
			} else {
				if err != nil {
					t.Fatalf("Answer: %v", err)
				}
				if !sess.HungUp() {
					t.Error("HungUp = false, want the call over")
				}
				if got := sess.Said(); !slices.Equal(got, tt.wantSaid) {
					t.Errorf("Said = %q, want %q", got, tt.wantSaid)
				}
				if got := sess.Dialled(); !slices.Equal(got, tt.wantDialled) {
					t.Errorf("Dialled = %q, want %q", got, tt.wantDialled)
				}
			}
			var uris []string
			for _, r := range h.requests() {
				uris = append(uris, r.uri)
			}
			if !slices.Equal(uris, tt.wantURIs) {
				t.Errorf("webhooks posted %q, want %q", uris, tt.wantURIs)
			}
			if got := h.to("/twilio/status"); len(got) == 1 && got[0].form.Get("CallStatus") != "completed" {
				t.Errorf("CallStatus = %q, want completed", got[0].form.Get("CallStatus"))
			}
		})
	}
}

func TestDialActionFields(t *testing.T) {
	srv := newServer(t)
	h, sid := ringing(t, srv, map[string]string{
		"/twilio/voice":   `<Response><Dial action="/twilio/dialled"><Number>` + ana + `</Number></Dial></Response>`,
		"/twilio/dialled": `<Response><Hangup/></Response>`,
	})
	if _, err := srv.Answer(context.Background(), sid); err != nil {
		t.Fatalf("Answer: %v", err)
	}
	got := h.to("/twilio/dialled")
	if len(got) != 1 {
		t.Fatalf("Dial action got %d requests, want 1", len(got))
	}
	want := voiceFields(sid)
	want["DialCallStatus"] = "completed"
	checkForm(t, got[0].form, want)
	if d := got[0].form.Get("DialCallSid"); !strings.HasPrefix(d, "CA") || d == sid {
		t.Errorf("DialCallSid = %q, want a new CA SID", d)
	}
}

func TestAnswerUnknownCall(t *testing.T) {
	srv := newServer(t)
	if _, err := srv.Answer(context.Background(), "CA00000000000000000000000000000000"); err == nil {
		t.Error("Answer of an unknown call: no error")
	}
}

func TestEndCall(t *testing.T) {
	srv := newServer(t)
	h, sid := ringing(t, srv, map[string]string{"/twilio/voice": page})
	ctx := context.Background()

	if err := srv.EndCall(ctx, sid, "no-answer"); err != nil {
		t.Fatalf("EndCall: %v", err)
	}
	got := h.requests()
	if len(got) != 1 || got[0].uri != "/twilio/status" {
		t.Fatalf("webhooks got %+v, want just the status callback", got)
	}
	want := voiceFields(sid)
	want["CallStatus"], want["CallDuration"] = "no-answer", "0"
	checkForm(t, got[0].form, want)

	if _, err := srv.Answer(ctx, sid); err == nil {
		t.Error("Answer after EndCall: no error")
	}
	if err := srv.EndCall(ctx, sid, "no-answer"); err != nil {
		t.Errorf("EndCall again: %v, want the callback repeated", err)
	}
	if n := len(h.to("/twilio/status")); n != 2 {
		t.Errorf("status callback got %d requests, want 2", n)
	}
	if err := srv.EndCall(ctx, sid, "ringing"); err == nil {
		t.Error("EndCall with a status a call does not end with: no error")
	}
	if err := srv.EndCall(ctx, "CA00000000000000000000000000000000", "busy"); err == nil {
		t.Error("EndCall of an unknown call: no error")
	}

	res, err := placeCall(restClient(srv, accountSID, authToken), jo, "https://lead.test/twilio/voice", "")
	if err != nil {
		t.Fatalf("place call: %v", err)
	}
	if err := srv.EndCall(ctx, *res.Sid, "busy"); err == nil || !strings.Contains(err.Error(), "StatusCallback") {
		t.Errorf("EndCall without a StatusCallback: err = %v, want one naming StatusCallback", err)
	}
}

func TestEndCallHangsUpSession(t *testing.T) {
	srv := newServer(t)
	h, sid := ringing(t, srv, map[string]string{"/twilio/voice": page})
	ctx := context.Background()
	sess, err := srv.Answer(ctx, sid)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	if err := srv.EndCall(ctx, sid, "completed"); err != nil {
		t.Fatalf("EndCall: %v", err)
	}
	if !sess.HungUp() || sess.Gathering() {
		t.Errorf("HungUp %v Gathering %v, want the call over", sess.HungUp(), sess.Gathering())
	}
	if err := sess.Press(ctx, "1"); err == nil {
		t.Error("Press after the callee hung up: no error")
	}
	if n := len(h.to("/twilio/status")); n != 1 {
		t.Errorf("status callback got %d requests, want 1", n)
	}
}

func TestSessionConcurrentUse(t *testing.T) {
	srv := newServer(t)
	h, sid := ringing(t, srv, map[string]string{
		"/twilio/voice": `<Response><Say>Paged.</Say><Gather/></Response>`,
	})
	ctx := context.Background()
	sess, err := srv.Answer(ctx, sid)
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	const presses = 8
	errs := make(chan error, presses)
	for range presses {
		go func() {
			_ = sess.Said()
			_, _ = sess.Gathering(), sess.HungUp()
			errs <- sess.Press(ctx, "1")
		}()
	}
	for range presses {
		if err := <-errs; err != nil {
			t.Errorf("Press: %v", err)
		}
	}
	if n := len(h.to("/twilio/voice")); n != 1+presses {
		t.Errorf("voice webhook got %d requests, want %d: one per step", n, 1+presses)
	}
}
