package appointment_test

import (
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// Every kind of participant text (the consent request, the answer to
// their reply, a case manager's MSG, a reminder) goes out from the
// participants' sender: their own number (participants.phone), their
// Messaging Service (participants.messaging_service, from its number), or
// the program number when they have neither; staff texts stay on the
// program number (e2e checks each From).
func TestParticipantTextsComeFromTheirSender(t *testing.T) {
	const own, mg = "+14125550101", "MG0123456789abcdef0123456789abcdef"
	tests := []struct {
		name          string
		phone, svc    string
		from, service string
	}{
		{"the program number", "", "", "+14125550100", ""},
		{"participants.phone", own, "", own, ""},
		{"messaging_service", "", mg, e2e.ServiceNumber, mg},
		{"both: the service, sending from their number", own, mg, own, mg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
				noFollowUps(p)
				p.Participants.Window.PerWeek = 7
				p.Participants.Phone, p.Participants.MessagingService = tt.phone, tt.svc
			})
			sentBy := func(kind string, m twiliosim.Message) {
				t.Helper()
				if m.From != tt.from || m.Via != "rest" || m.Service != tt.service {
					t.Errorf("%s went from %s (service %q, via %s), want %s (service %q)", kind, m.From, m.Service, m.Via, tt.from, tt.service)
				}
			}
			texts := w.ParticipantTexts()
			code := w.HandedOff("AD")
			w.Text("jrivera", "APPT "+code+" 412-555-0177 11/27 2:30pm")
			w.Expect("jrivera", "saved")
			sentBy("the consent request", w.ExpectMessage(e2e.ParticipantPhone, texts.Consent(participant.English)))
			w.Text(e2e.ParticipantPhone, "yes")
			sentBy("the answer to their reply", w.ExpectMessage(e2e.ParticipantPhone, texts.ConsentThanks(participant.English)))
			w.Expect("jrivera", "agreed")
			w.At("2026-11-26 14:30")
			at := time.Date(2026, 11, 27, 14, 30, 0, 0, w.Prog.TimeZone)
			sentBy("a reminder", w.ExpectMessage(e2e.ParticipantPhone, texts.Reminder(participant.English, at, "")))
			w.Text(e2e.ParticipantPhone, "where is it?")
			sentBy("the answer to their question", w.ExpectMessage(e2e.ParticipantPhone, texts.Relayed(participant.English)))
			w.Expect("jrivera", `the participant wrote "where is it?"`)
			w.Text("jrivera", "MSG "+code+" Room 4.")
			w.Expect("jrivera", code+": sent to the participant.")
			sentBy("a case manager's MSG", w.ExpectMessage(e2e.ParticipantPhone, "Room 4."))
			w.Quiet(e2e.ParticipantPhone)
		})
	}
}
