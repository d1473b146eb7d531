package redaction_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// logged is Twilio's record of a text, as the simulator keeps it.
func logged(t *testing.T, w *e2e.World, sid string) twiliosim.Record {
	t.Helper()
	r, ok := w.Sim.Record(sid)
	if !ok {
		t.Fatalf("Twilio has no record of %s", sid)
	}
	return r
}

func delivered(t *testing.T, w *e2e.World, sid, status string) {
	t.Helper()
	if err := w.Sim.MessageStatus(context.Background(), sid, status, 0); err != nil {
		t.Fatal(err)
	}
	w.Fire()
}

// pageTo is the page text a case manager was sent.
func pageTo(t *testing.T, w *e2e.World, id string) twiliosim.Message {
	t.Helper()
	for _, m := range w.Sim.Messages() {
		if m.To == w.PhoneOf(id) && strings.HasPrefix(m.Body, "LEAD page") {
			return m
		}
	}
	t.Fatalf("no page to %s", id)
	return twiliosim.Message{}
}

// A participant's reminder, once delivered, is emptied in Twilio's log
// (the phone still has it); a repeated callback redacts nothing more; the
// case manager's page stays as it was, staff texts being kept by default.
func TestDeliveredParticipantTextIsRedacted(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/30 10am")
	w.At("2026-11-27 10:00")
	reminder := w.ExpectMessage(e2e.ParticipantPhone,
		w.ParticipantTexts().Reminder(participant.English, time.Date(2026, 11, 30, 10, 0, 0, 0, w.Prog.TimeZone), ""))
	if r := logged(t, w, reminder.SID); r.Body != reminder.Body {
		t.Fatalf("redacted before delivery: %+v", r)
	}
	delivered(t, w, reminder.SID, "delivered")
	if r := logged(t, w, reminder.SID); r.Body != "" || !r.Redacted || r.Status != "delivered" {
		t.Errorf("a delivered reminder in Twilio's log: %+v", r)
	}
	delivered(t, w, reminder.SID, "delivered") // Twilio repeats itself
	if n := w.Sim.Redactions(); n != 1 {
		t.Errorf("%d redactions, want 1", n)
	}

	page := pageTo(t, w, "jrivera")
	delivered(t, w, page.SID, "delivered")
	if r := logged(t, w, page.SID); r.Body != page.Body || r.Redacted {
		t.Errorf("a staff page was redacted by default: %+v", r)
	}
	if n := w.Sim.Redactions(); n != 1 {
		t.Errorf("%d redactions, want 1", n)
	}
}

// A text reported only "sent" (a carrier that sends no receipts) is
// redacted an hour later. One Twilio has not finished with refuses the
// redaction (20009): it is tried again a minute later, by the timer queue,
// not by the instance that heard the callback.
func TestRedactionWaitsForTwilio(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("AD")
	w.Text("jrivera", "APPT "+code+" "+e2e.ParticipantPhone+" 11/30 10am")
	w.Expect("jrivera", "saved")
	consent := w.ExpectMessage(e2e.ParticipantPhone, w.ParticipantTexts().Consent(participant.English))
	delivered(t, w, consent.SID, "sent")
	w.After(59 * time.Minute)
	if r := logged(t, w, consent.SID); r.Redacted {
		t.Fatalf("redacted before the hour: %+v", r)
	}
	w.After(time.Minute)
	if r := logged(t, w, consent.SID); !r.Redacted || r.Body != "" {
		t.Errorf("a sent text an hour on: %+v", r)
	}

	// A delivered callback for a text Twilio still has queued.
	w.Text(e2e.ParticipantPhone, "YES")
	thanks := w.ExpectMessage(e2e.ParticipantPhone, w.ParticipantTexts().ConsentThanks(participant.English))
	status, body := w.Post("/twilio/status", url.Values{"MessageSid": {thanks.SID}, "To": {thanks.To}, "MessageStatus": {"delivered"},
		"AccountSid": {e2e.SID}})
	if status != http.StatusOK && status != http.StatusNoContent {
		t.Fatalf("status callback: %d %s", status, body)
	}
	w.Fire()
	if r := logged(t, w, thanks.SID); r.Redacted {
		t.Fatalf("Twilio redacted a queued text: %+v", r)
	}
	delivered(t, w, thanks.SID, "delivered")
	w.After(time.Minute)
	if r := logged(t, w, thanks.SID); !r.Redacted {
		t.Errorf("not redacted on the second try: %+v", r)
	}
}

// The switches: staff texts redacted when the program asks, participants'
// kept when it says so.
func TestRedactionSwitches(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
		p.RedactStaffTexts, p.Participants.RedactAfterDelivery = true, false
	})
	code := w.AcceptedReferral("AD")
	w.Text("jrivera", "APPT "+code+" "+e2e.ParticipantPhone+" 11/30 10am")
	w.Expect("jrivera", "saved")
	consent := w.ExpectMessage(e2e.ParticipantPhone, w.ParticipantTexts().Consent(participant.English))
	delivered(t, w, consent.SID, "delivered")
	if r := logged(t, w, consent.SID); r.Redacted {
		t.Errorf("participant text redacted with redact_after_delivery off: %+v", r)
	}
	page := pageTo(t, w, "jrivera")
	delivered(t, w, page.SID, "delivered")
	if r := logged(t, w, page.SID); !r.Redacted || r.Body != "" {
		t.Errorf("staff page with redact_staff_texts on: %+v", r)
	}
}
