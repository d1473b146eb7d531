package appointment_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// noFollowUps keeps the case manager's follow-up reminders out of tests
// about participants.
func noFollowUps(p *program.Program) { p.FollowUps = nil }

const day = 24 * time.Hour

func TestConsentRemindersConfirmAndReschedule(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.HandedOff("AD")
	// Monday 09:00: the appointment is Friday 27 Nov at 14:30.
	w.Text("jrivera", "APPT "+code+" 412-555-0177 11/27 2:30pm @ 123 Center Ave")
	w.Expect("jrivera", code+": appointment Fri 27 Nov, 2:30 PM @ 123 Center Ave saved. Asked +1412***0177 to agree to reminders")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Consent(participant.English))
	w.Quiet(e2e.ParticipantPhone)
	if r := w.Referral(code); r.Participant != e2e.ParticipantPhone || r.ApptPlace != "123 Center Ave" || r.ApptVer != 1 {
		t.Errorf("stored appointment: %+v", r)
	}

	// Nothing but the consent request goes before YES.
	w.At("2026-11-23 14:30")
	w.Quiet(e2e.ParticipantPhone)
	w.Text(e2e.ParticipantPhone, "yes")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().ConsentThanks(participant.English))
	w.Expect("jrivera", code+": the participant agreed to appointment reminders.")

	// The 3-day reminder (Tue) gives way: with the consent request on
	// Monday it would make four texts in a week, and the later reminders
	// matter more.
	w.At("2026-11-24 14:30")
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-11-26 14:30")
	at := time.Date(2026, 11, 27, 14, 30, 0, 0, w.Prog.TimeZone)
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(participant.English, at, "123 Center Ave"))
	w.Text(e2e.ParticipantPhone, "C")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Confirmed(participant.English, at))
	w.Expect("jrivera", code+": the participant confirmed Fri 27 Nov, 2:30 PM.")
	w.At("2026-11-27 12:30")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(participant.English, at, "123 Center Ave"))
	w.Text(e2e.ParticipantPhone, "R")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reschedule(participant.English))
	w.Expect("jrivera", code+": the participant asks to reschedule Fri 27 Nov, 2:30 PM. Text APPT "+code+" MOVE")
	if r := w.Referral(code); r.ApptState != "reschedule" {
		t.Errorf("appointment state %q, want reschedule", r.ApptState)
	}
	w.Quiet(e2e.ParticipantPhone, "jrivera")
}

func TestMoveAndCancelRequeueReminders(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) { noFollowUps(p); p.Participants.Window.PerWeek = 7 })
	code := w.HandedOff("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/30 10am") // Monday next week
	w.At("2026-11-27 10:00")                                // three days before
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(participant.English, time.Date(2026, 11, 30, 10, 0, 0, 0, w.Prog.TimeZone), ""))

	w.At("2026-11-28 09:00")
	w.Text("jrivera", "APPT "+code+" MOVE 12/2 3pm @ 5 Main St")
	w.Expect("jrivera", code+": appointment moved to Wed 2 Dec, 3:00 PM. The participant is told")
	moved := time.Date(2026, 12, 2, 15, 0, 0, 0, w.Prog.TimeZone)
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Moved(participant.English, moved, "5 Main St"))

	// The old reminders (Sun 10:00, Mon 08:00) are gone; the new ones come.
	w.At("2026-11-29 10:00")
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-11-29 15:00")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(participant.English, moved, "5 Main St"))
	w.At("2026-11-30 08:00")
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-12-01 15:00")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(participant.English, moved, "5 Main St"))

	w.At("2026-12-01 16:00")
	w.Text("jrivera", "APPT "+code+" CANCEL")
	w.Expect("jrivera", code+": appointment Wed 2 Dec, 3:00 PM cancelled; no more reminders. The participant is told.")
	// One text a day: the notice waits for Wednesday morning.
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-12-02 08:00")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Cancelled(participant.English, moved))
	w.At("2026-12-02 13:00")
	w.Quiet(e2e.ParticipantPhone)
	if r := w.Referral(code); r.ApptState != "cancelled" || r.ApptVer != 3 {
		t.Errorf("after cancel: state %q version %d", r.ApptState, r.ApptVer)
	}
	w.Text("jrivera", "APPT "+code+" CANCEL")
	w.Expect("jrivera", "No appointment for "+code)
}

func TestOptOut(t *testing.T) {
	texts := participant.Texts{Sender: "Allegheny Care Team", Callback: "+14125550199"}
	for _, tc := range []struct {
		body  string
		reply string // "" when Twilio answers its own keyword
	}{
		{"STOP", ""},
		{"unsubscribe", ""},
		{"Stop texting me", texts.Stopped(participant.English)},
		{"no more texts please", texts.Stopped(participant.English)},
		{"PARA", texts.Stopped(participant.Spanish)},
		{"No más mensajes", texts.Stopped(participant.Spanish)},
	} {
		t.Run(tc.body, func(t *testing.T) {
			w := e2e.NewWith(t, e2e.Start, noFollowUps)
			code := w.HandedOff("AD")
			w.Appointment(code, e2e.ParticipantPhone, "11/27 2:30pm")
			w.Text(e2e.ParticipantPhone, tc.body)
			if tc.reply != "" {
				w.Expect(e2e.ParticipantPhone, tc.reply)
			}
			w.Expect("jrivera", code+": the participant opted out of texts")
			w.At("2026-11-26 14:30")
			w.At("2026-11-27 12:30")
			w.Quiet(e2e.ParticipantPhone, "jrivera")
			// Anything but START and HELP is not answered.
			w.Text(e2e.ParticipantPhone, "C")
			w.Quiet(e2e.ParticipantPhone)
		})
	}
}

func TestOptOutByCarrierAndStart(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.HandedOff("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/30 10am")
	// The participant texted STOP somewhere Leadline never saw it: Twilio
	// refuses the next text with 21610.
	w.Sim.FailSends(e2e.ParticipantPhone, 1, 400, 21610)
	w.At("2026-11-27 10:00")
	w.Expect("jrivera", code+": the participant opted out of texts")
	tries := w.Sim.Attempts(e2e.ParticipantPhone)
	w.At("2026-11-29 10:00")
	w.Quiet(e2e.ParticipantPhone)
	if got := w.Sim.Attempts(e2e.ParticipantPhone); got != tries {
		t.Errorf("%d more sends tried to an opted-out number", got-tries)
	}
	w.Text(e2e.ParticipantPhone, "START")
	w.Expect("jrivera", code+": the participant opted back in to texts.")
	w.Quiet(e2e.ParticipantPhone) // Twilio confirms START itself
	w.At("2026-11-30 08:00")
	w.Expect(e2e.ParticipantPhone, "Reply C")
}

func TestSpanishAndHelp(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.AcceptedReferral("AD")
	w.Text("jrivera", "LANG "+code+" es")
	w.Expect("jrivera", code+": participant texts in Spanish.")
	w.Text("jrivera", "APPT "+code+" (412) 555-0177 11/27 14:30")
	w.Expect("jrivera", "saved")
	es := participant.Spanish
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Consent(es))
	w.Text(e2e.ParticipantPhone, "Sí")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().ConsentThanks(es))
	w.Expect("jrivera", "agreed")
	w.Text(e2e.ParticipantPhone, "HELP")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Help(es), "412-555-0199")
	w.Text(e2e.ParticipantPhone, "👍")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Usage(es))
	w.At("2026-11-26 14:30")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Reminder(es, time.Date(2026, 11, 27, 14, 30, 0, 0, w.Prog.TimeZone), ""))
}

func TestAppointmentInputIsCheckedAndChangesNothing(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.AcceptedReferral("AD")
	for _, tc := range []struct{ body, want string }{
		{"APPT " + code + " 412-555-0177 11/27 2:30", "AM or PM"},
		{"APPT " + code + " 412-555-0177 11/27 2:30pm @ Police HQ", "may not say"},
		{"APPT " + code + " 412-555-0121 11/27 2:30pm", "not a participant's"},
		{"APPT " + code + " hello", "Send APPT " + code},
		{"APPT ZZZZ 412-555-0177 11/27 2:30pm", "No referral ZZZZ of yours."},
	} {
		w.Text("jrivera", tc.body)
		w.Expect("jrivera", tc.want)
	}
	// Another case manager cannot touch jrivera's referral.
	w.Text("aklein", "APPT "+code+" 412-555-0177 11/27 2:30pm")
	w.Expect("aklein", "No referral "+code+" of yours.")
	if r := w.Referral(code); r.Participant != "" || r.ApptVer != 0 {
		t.Errorf("a refused APPT stored something: %+v", r)
	}
	w.Quiet(e2e.ParticipantPhone)
	// A number nobody made an appointment for is a stranger.
	w.Text(e2e.ParticipantPhone, "C")
	w.Expect(e2e.ParticipantPhone, "This number does not accept messages.")
}

func TestQuietHoursAcrossMidnight(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) { noFollowUps(p); p.Participants.Reminders = []time.Duration{10 * time.Hour} })
	code := w.HandedOff("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/25 9am")
	w.At("2026-11-24 23:00") // ten hours before: night
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-11-25 07:59")
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-11-25 08:00")
	w.Expect(e2e.ParticipantPhone, "Reply C")

	// One at 07:30 has no morning slot before it: its reminder is dropped.
	other := w.HandedOff("AD")
	w.Appointment(other, "+14125550178", "11/27 7:30am")
	w.At("2026-11-26 21:30")
	w.At("2026-11-27 08:00")
	w.Quiet("+14125550178")
}

func TestQuietHoursAcrossDST(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) { noFollowUps(p); p.Participants.Reminders = []time.Duration{11 * time.Hour} })
	w.Clock.Set(time.Date(2026, 10, 29, 13, 0, 0, 0, time.UTC)) // Thu 09:00 EDT
	code := w.AcceptedReferral("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/1 9am") // Sunday, the clocks went back at 02:00
	// Eleven hours before is Saturday 22:00 EDT: it waits for 08:00 EST,
	// which is 13:00 UTC, not 12:00.
	w.Clock.Set(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC))
	w.Fire()
	w.Clock.Set(time.Date(2026, 11, 1, 12, 59, 0, 0, time.UTC))
	w.Fire()
	w.Quiet(e2e.ParticipantPhone)
	w.Clock.Set(time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC))
	w.Fire()
	w.Expect(e2e.ParticipantPhone, "Reply C")
}

func TestCapsOneADayThreeAWeek(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
		noFollowUps(p)
		p.Participants.Reminders = []time.Duration{6 * day, 5 * day, 4 * day, 3 * day, 2 * day, 1 * day, 3 * time.Hour, time.Hour}
	})
	code := w.AcceptedReferral("AD")
	w.Appointment(code, e2e.ParticipantPhone, "12/1 3pm") // asked Mon 23 Nov: one of this week's three
	var got []string
	for d := 25; d <= 31; d++ {
		date := fmt.Sprintf("2026-11-%02d", d)
		if d > 30 {
			date = "2026-12-01"
		}
		for _, hm := range []string{"08:00", "12:00", "14:00", "15:00"} {
			w.At(date + " " + hm)
			for range w.Sim.Unread(e2e.ParticipantPhone) {
				w.Expect(e2e.ParticipantPhone, "Reply C") // the rules are checked by expect
				got = append(got, w.Clock.Now().In(w.Prog.TimeZone).Format("Mon 15:04"))
			}
		}
	}
	// Sent: consent (Mon 23), then on at most one day in each run of
	// seven, three at most, the latest reminders first in importance.
	want := []string{"Sun 15:00", "Mon 15:00", "Tue 14:00"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("reminders went %v, want %v", got, want)
	}
}

func TestTwoInstancesSendEachReminderOnce(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	b := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	var numbers []string
	for i := range 8 {
		// Eight people (their notes differ), so none is taken for a resend.
		code := w.AcceptedReferral("AD", fmt.Sprintf("person %d", i))
		n := fmt.Sprintf("+1412555016%d", i)
		w.Appointment(code, n, "11/27 2:30pm")
		numbers = append(numbers, n)
	}
	w.Clock.Set(time.Date(2026, 11, 26, 19, 30, 0, 0, time.UTC)) // Thu 14:30 EST
	var wg sync.WaitGroup
	for _, inst := range []*e2e.World{w, b} {
		wg.Go(func() {
			if _, err := inst.Svc.FireTimers(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	w.Svc.Wait()
	b.Svc.Wait()
	for _, n := range numbers {
		if un := w.Sim.Unread(n); len(un) != 1 {
			t.Errorf("%s got %d reminders, want 1", n, len(un))
		}
	}
}

func TestParticipantNumberIsForgotten(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.AcceptedReferral("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/27 2:30pm")
	w.Text("jrivera", "DONE ENGAGED "+code)
	w.Expect("jrivera", "closed")
	w.Text("jrivera", "INTAKE "+code)
	w.Expect("jrivera", "recorded")
	// Kept 30 days past the appointment.
	w.At("2026-12-27 14:00")
	if r := w.Referral(code); r.Participant != e2e.ParticipantPhone {
		t.Fatalf("number dropped too soon")
	}
	w.At("2026-12-27 14:31")
	r := w.Referral(code)
	if r.Participant != "" || r.ApptPlace != "" {
		t.Errorf("participant still stored: %+v", r)
	}
	if r.State != referral.Closed || r.Appt.IsZero() {
		t.Errorf("the record should stay: %+v", r)
	}
	if keys := w.Redis.Keys(context.Background(), "leadline:{dispatch}:participant:*").Val(); len(keys) != 0 {
		t.Errorf("participant records left: %v", keys)
	}
	w.Quiet(e2e.ParticipantPhone)
	w.Text(e2e.ParticipantPhone, "C")
	w.Expect(e2e.ParticipantPhone, "This number does not accept messages.")
}

func TestConsentDeclinedThenGiven(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.HandedOff("AD")
	w.Text("jrivera", "APPT "+code+" 412 555 0177 11/27 2:30pm")
	w.Expect("jrivera", "Asked")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().Consent(participant.English))
	w.Text(e2e.ParticipantPhone, "no thanks")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().ConsentDeclined(participant.English))
	w.Expect("jrivera", code+": the participant declined appointment reminders; none will go.")
	w.At("2026-11-24 14:30")
	w.Quiet(e2e.ParticipantPhone)
	// A second appointment does not ask again.
	w.Text("jrivera", "APPT "+code+" MOVE 11/28 10am")
	w.Expect("jrivera", "They declined reminders: none will go.")
	w.Quiet(e2e.ParticipantPhone)
	w.At("2026-11-25 09:00")
	w.Text(e2e.ParticipantPhone, "YES")
	w.Expect(e2e.ParticipantPhone, w.ParticipantTexts().ConsentThanks(participant.English))
	w.Expect("jrivera", code+": the participant agreed")
	w.At("2026-11-27 10:00")
	w.Expect(e2e.ParticipantPhone, "Reply C")
}
