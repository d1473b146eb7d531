package twiliosim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/leadline/leadline/twiliosim"
)

// calling has jo call the program number, whose voice webhook serves pages,
// and returns the hook and the call.
func calling(t *testing.T, srv *twiliosim.Server, pages map[string]string) (*hook, *twiliosim.Session) {
	t.Helper()
	h, base := startHook(t, pages)
	srv.SetWebhookBase(base)
	sess, err := srv.PlaceCall(context.Background(), jo, program)
	if err != nil {
		t.Fatalf("PlaceCall: %v", err)
	}
	return h, sess
}

// inboundFields are what every webhook of jo's call sid to the program
// number must carry.
func inboundFields(sid, status string) map[string]string {
	return map[string]string{
		"CallSid": sid, "AccountSid": accountSID, "From": jo, "To": program, "Caller": jo, "Called": program,
		"CallStatus": status, "Direction": "inbound", "ApiVersion": "2010-04-01",
	}
}

const greeting = `<Response>
  <Gather input="dtmf speech" numDigits="1" action="/twilio/voice/menu" hints="accept, decline">
    <Say>Leadline. Press 1 or say accept.</Say>
  </Gather>
  <Say>Goodbye.</Say>
</Response>`

func TestPlaceCallPostsInboundFields(t *testing.T) {
	srv := newServer(t)
	h, sess := calling(t, srv, map[string]string{
		"/twilio/voice":      greeting,
		"/twilio/voice/menu": `<Response><Say>Accepted.</Say><Hangup/></Response>`,
	})
	if got, want := sess.Said(), []string{"Leadline. Press 1 or say accept."}; !slices.Equal(got, want) {
		t.Errorf("Said = %q, want %q", got, want)
	}
	if !sess.Gathering() {
		t.Error("Gathering = false, want the greeting's Gather")
	}
	got := h.to("/twilio/voice")
	if len(got) != 1 {
		t.Fatalf("voice webhook got %d requests, want 1", len(got))
	}
	sid := got[0].form.Get("CallSid")
	if !strings.HasPrefix(sid, "CA") || len(sid) != 34 {
		t.Fatalf("CallSid = %q, want CA and 32 hex digits", sid)
	}
	checkForm(t, got[0].form, inboundFields(sid, "ringing"))

	calls := srv.Calls()
	if len(calls) != 1 {
		t.Fatalf("Calls = %+v, want the inbound call", calls)
	}
	if c := calls[0]; c.SID != sid || c.From != jo || c.To != program || c.URL != h.base+"/twilio/voice" {
		t.Errorf("Calls()[0] = %+v, want SID %s from %s to %s at %s", c, sid, jo, program, h.base+"/twilio/voice")
	}

	if err := sess.Press(context.Background(), "1"); err != nil {
		t.Fatalf("Press: %v", err)
	}
	menu := h.to("/twilio/voice/menu")
	if len(menu) != 1 {
		t.Fatalf("menu got %d requests, want 1", len(menu))
	}
	want := inboundFields(sid, "in-progress")
	want["Digits"] = "1"
	checkForm(t, menu[0].form, want)
	if !sess.HungUp() {
		t.Error("HungUp = false after <Hangup/>")
	}
}

func TestPlaceCallRedirectIsInProgress(t *testing.T) {
	srv := newServer(t)
	h, sess := calling(t, srv, map[string]string{
		"/twilio/voice":      `<Response><Redirect>/twilio/voice/menu</Redirect></Response>`,
		"/twilio/voice/menu": `<Response><Say>Menu.</Say><Gather/></Response>`,
	})
	got := h.requests()
	if len(got) != 2 {
		t.Fatalf("webhooks got %d requests, want 2", len(got))
	}
	sid := got[0].form.Get("CallSid")
	checkForm(t, got[0].form, inboundFields(sid, "ringing"))
	checkForm(t, got[1].form, inboundFields(sid, "in-progress"))
	if got, want := sess.Said(), []string{"Menu."}; !slices.Equal(got, want) {
		t.Errorf("Said = %q, want %q", got, want)
	}
}

func TestPlaceCallErrors(t *testing.T) {
	srv := newServer(t)
	if _, err := srv.PlaceCall(context.Background(), jo, program); err == nil || !strings.Contains(err.Error(), "SetWebhookBase") {
		t.Errorf("PlaceCall without a webhook: err = %v, want one naming SetWebhookBase", err)
	}
	_, base := startHook(t, map[string]string{})
	srv.SetWebhookBase(base)
	if _, err := srv.PlaceCall(context.Background(), jo, program); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("PlaceCall to a missing webhook: err = %v, want one naming 404", err)
	}
}
