package appointment_test

import (
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/participant"
)

// setUp is a referral of jrivera's with an appointment on Fri 27 Nov at
// 14:30 whose participant agreed to reminders, in lang.
func setUp(t *testing.T, lang participant.Lang) (*e2e.World, string, time.Time) {
	t.Helper()
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.HandedOff("AD") // an encounter closed, so no nudge asks where jrivera is
	if lang == participant.Spanish {
		w.Text("jrivera", "LANG "+code+" es")
		w.Expect("jrivera", "Spanish")
	}
	w.Text("jrivera", "APPT "+code+" "+e2e.ParticipantPhone+" 11/27 2:30pm")
	w.Expect("jrivera", "saved")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Consent(lang))
	w.Text(e2e.ParticipantPhone, "YES")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().ConsentThanks(lang))
	w.Expect("jrivera", "agreed")
	return w, code, time.Date(2026, 11, 27, 14, 30, 0, 0, w.Prog.TimeZone)
}

// A message that uses "stop" otherwise is no opt-out: the participant is
// asked to reply STOP if they meant it, the case manager reads what they
// wrote, and the reminders still go.
func TestStopByIsNotAnOptOut(t *testing.T) {
	for _, tc := range []struct {
		lang participant.Lang
		body string
	}{
		{participant.English, "can I stop by earlier?"},
		{participant.Spanish, "¿puedo hacer un stop en la oficina antes?"},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			w, code, at := setUp(t, tc.lang)
			w.Text(e2e.ParticipantPhone, tc.body)
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().StopAsk(tc.lang))
			w.Expect("jrivera", code+`: the participant wrote "`+tc.body+`". They were asked to reply STOP`)
			w.At("2026-11-26 14:30")
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(tc.lang, at, ""))
			// A plain request is an opt-out, confirmed in the participant's words' language.
			w.Text(e2e.ParticipantPhone, map[participant.Lang]string{
				participant.English: "stop texting me", participant.Spanish: "no más mensajes"}[tc.lang])
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Stopped(tc.lang))
			w.Expect("jrivera", code+": the participant opted out of texts")
			w.At("2026-11-27 12:30")
			w.Quiet(e2e.ParticipantPhone, "jrivera")
		})
	}
}

// A participant's question reaches the case manager from the program
// number; the case manager's MSG reaches the participant, signed with the
// sender, uncapped as an answer, within the participant's hours.
func TestQuestionRelayedAndAnswered(t *testing.T) {
	for _, tc := range []struct {
		lang             participant.Lang
		question, answer string
	}{
		{participant.English, "where is it?", "It is at 123 Center Ave, room 4. See you Friday."},
		{participant.Spanish, "es para mañana?", "No, es el viernes a las 2:30 PM en 123 Center Ave."},
	} {
		t.Run(string(tc.lang), func(t *testing.T) {
			w, code, at := setUp(t, tc.lang)
			// Thursday: the day's one capped text is the reminder.
			w.At("2026-11-26 14:30")
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(tc.lang, at, ""))
			w.Text(e2e.ParticipantPhone, tc.question)
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Relayed(tc.lang))
			m := w.ExpectMessage("jrivera", code+`: the participant wrote "`+tc.question+`". Answer with MSG `+code+" <text>.")
			if m.From != w.Prog.Phone {
				t.Errorf("the question came from %s, not the program number", m.From)
			}
			w.Text("jrivera", "MSG "+code+" "+tc.answer)
			w.Expect("jrivera", code+": sent to the participant.")
			w.Expect(e2e.ParticipantPhone, w.Prog.Participants.Sender+": "+tc.answer)

			// Words a participant text may not carry are refused, and nothing goes.
			w.Text("jrivera", "MSG "+code+" Come to the police station instead.")
			w.Expect("jrivera", `Not sent: "police" may not be in a participant text.`)
			w.Quiet(e2e.ParticipantPhone)

			// An answer after 21:00 waits for 08:00.
			w.At("2026-11-26 21:30")
			w.Text("jrivera", "MSG "+code+" Bring your ID.")
			w.Expect("jrivera", code+": the participant's hours hold your message until Fri 27 Nov, 8:00 AM.")
			w.Quiet(e2e.ParticipantPhone)
			w.At("2026-11-27 08:00")
			w.Expect(e2e.ParticipantPhone, w.Prog.Participants.Sender+": Bring your ID.")
			w.At("2026-11-27 12:30")
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(tc.lang, at, ""))

			// Days after the question, a MSG is no answer: the caps hold it
			// (the consent request and two reminders make three this week).
			w.At("2026-11-27 15:00")
			w.Text("jrivera", "MSG "+code+" How did it go?")
			w.Expect("jrivera", code+": the participant's hours and limit of texts hold your message until Mon 30 Nov, 8:00 AM.")
			w.At("2026-11-29 12:00")
			w.Quiet(e2e.ParticipantPhone)
			w.At("2026-11-30 08:00")
			w.Expect(e2e.ParticipantPhone, w.Prog.Participants.Sender+": How did it go?")
			w.Quiet(e2e.ParticipantPhone, "jrivera")
		})
	}
}

// A reply about an appointment that has passed, or when none is coming,
// says so, in the participant's language, and offers no menu.
func TestReplyWithNoAppointmentAhead(t *testing.T) {
	for _, lang := range []participant.Lang{participant.English, participant.Spanish} {
		t.Run(string(lang), func(t *testing.T) {
			w, code, at := setUp(t, lang)
			w.At("2026-11-27 16:00")
			w.Text(e2e.ParticipantPhone, "C")
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Passed(lang, at))
			if r := w.Referral(code); r.ApptState != "set" {
				t.Errorf("a reply after the appointment changed it: %q", r.ApptState)
			}
			w.Text("jrivera", "APPT "+code+" CANCEL")
			w.Expect("jrivera", "cancelled")
			w.Text(e2e.ParticipantPhone, "R")
			w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().NoAppointment(lang))
			w.Quiet(e2e.ParticipantPhone, "jrivera")
		})
	}
}

// The menu answers in the language the participant writes in.
func TestMenuInTheParticipantsLanguage(t *testing.T) {
	w, _, _ := setUp(t, participant.English)
	w.Text(e2e.ParticipantPhone, "hola")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Usage(participant.Spanish))
	w.Text(e2e.ParticipantPhone, "hello")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Usage(participant.English))
	w.Quiet(e2e.ParticipantPhone)
}
