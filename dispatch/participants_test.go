package dispatch_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

const participantPhone = "+14125550177"

// noFollowUps keeps the case manager's follow-up reminders out of tests
// about participants.
func noFollowUps(p *program.Program) { p.FollowUps = nil }

func (w *world) texts() participant.Texts {
	return participant.Texts{Sender: w.prog.Participants.Sender, Callback: w.prog.SupportPhone}
}

// appointment has jrivera make an appointment for code's participant and
// the participant agree to reminders; it returns when all that is read.
func (w *world) appointment(code, number, when string) {
	w.t.Helper()
	w.text("jrivera", "APPT "+code+" "+number+" "+when)
	w.expect("jrivera", "saved", "Asked")
	w.expect(number, w.texts().Consent(participant.English))
	w.text(number, "YES")
	w.expect(number, w.texts().ConsentThanks(participant.English))
	w.expect("jrivera", code+": the participant agreed to appointment reminders.")
}

func TestConsentRemindersConfirmAndReschedule(t *testing.T) {
	w := newWorldWith(t, start, noFollowUps)
	code := w.acceptedReferral("AD")
	// Monday 09:00: the appointment is Friday 27 Nov at 14:30.
	w.text("jrivera", "APPT "+code+" 412-555-0177 11/27 2:30pm @ 123 Center Ave")
	w.expect("jrivera", code+": appointment Fri 27 Nov 2:30 PM @ 123 Center Ave saved. Asked +1412***0177 to agree to reminders")
	w.expect(participantPhone, w.texts().Consent(participant.English))
	w.quiet(participantPhone)
	if r := w.referral(code); r.Participant != participantPhone || r.ApptPlace != "123 Center Ave" || r.ApptVer != 1 {
		t.Errorf("stored appointment: %+v", r)
	}

	// Nothing but the consent request goes before YES.
	w.at("2026-11-23 14:30")
	w.quiet(participantPhone)
	w.text(participantPhone, "yes")
	w.expect(participantPhone, w.texts().ConsentThanks(participant.English))
	w.expect("jrivera", code+": the participant agreed to appointment reminders.")

	// The 3-day reminder (Tue) gives way: with the consent request on
	// Monday it would make four texts in a week, and the later reminders
	// matter more.
	w.at("2026-11-24 14:30")
	w.quiet(participantPhone)
	w.at("2026-11-26 14:30")
	at := time.Date(2026, 11, 27, 14, 30, 0, 0, w.prog.TimeZone)
	w.expect(participantPhone, w.texts().Reminder(participant.English, at, "123 Center Ave"))
	w.text(participantPhone, "C")
	w.expect(participantPhone, w.texts().Confirmed(participant.English, at))
	w.expect("jrivera", code+": the participant confirmed Fri 27 Nov 2:30 PM.")
	w.at("2026-11-27 12:30")
	w.expect(participantPhone, w.texts().Reminder(participant.English, at, "123 Center Ave"))
	w.text(participantPhone, "R")
	w.expect(participantPhone, w.texts().Reschedule(participant.English))
	w.expect("jrivera", code+": the participant asks to reschedule Fri 27 Nov 2:30 PM. Text APPT "+code+" MOVE")
	if r := w.referral(code); r.ApptState != "reschedule" {
		t.Errorf("appointment state %q, want reschedule", r.ApptState)
	}
	w.quiet(participantPhone, "jrivera")
}

func TestMoveAndCancelRequeueReminders(t *testing.T) {
	w := newWorldWith(t, start, func(p *program.Program) { noFollowUps(p); p.Participants.Window.PerWeek = 7 })
	code := w.acceptedReferral("AD")
	w.appointment(code, participantPhone, "11/30 10am") // Monday next week
	w.at("2026-11-27 10:00")                            // three days before
	w.expect(participantPhone, w.texts().Reminder(participant.English, time.Date(2026, 11, 30, 10, 0, 0, 0, w.prog.TimeZone), ""))

	w.at("2026-11-28 09:00")
	w.text("jrivera", "APPT "+code+" MOVE 12/2 3pm @ 5 Main St")
	w.expect("jrivera", code+": appointment moved to Wed 2 Dec 3:00 PM. The participant is told")
	moved := time.Date(2026, 12, 2, 15, 0, 0, 0, w.prog.TimeZone)
	w.expect(participantPhone, w.texts().Moved(participant.English, moved, "5 Main St"))

	// The old reminders (Sun 10:00, Mon 08:00) are gone; the new ones come.
	w.at("2026-11-29 10:00")
	w.quiet(participantPhone)
	w.at("2026-11-29 15:00")
	w.expect(participantPhone, w.texts().Reminder(participant.English, moved, "5 Main St"))
	w.at("2026-11-30 08:00")
	w.quiet(participantPhone)
	w.at("2026-12-01 15:00")
	w.expect(participantPhone, w.texts().Reminder(participant.English, moved, "5 Main St"))

	w.at("2026-12-01 16:00")
	w.text("jrivera", "APPT "+code+" CANCEL")
	w.expect("jrivera", code+": appointment Wed 2 Dec 3:00 PM cancelled; no more reminders. The participant is told.")
	// One text a day: the notice waits for Wednesday morning.
	w.quiet(participantPhone)
	w.at("2026-12-02 08:00")
	w.expect(participantPhone, w.texts().Cancelled(participant.English, moved))
	w.at("2026-12-02 13:00")
	w.quiet(participantPhone)
	if r := w.referral(code); r.ApptState != "cancelled" || r.ApptVer != 3 {
		t.Errorf("after cancel: state %q version %d", r.ApptState, r.ApptVer)
	}
	w.text("jrivera", "APPT "+code+" CANCEL")
	w.expect("jrivera", "No appointment for "+code)
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
			w := newWorldWith(t, start, noFollowUps)
			code := w.acceptedReferral("AD")
			w.appointment(code, participantPhone, "11/27 2:30pm")
			w.text(participantPhone, tc.body)
			if tc.reply != "" {
				w.expect(participantPhone, tc.reply)
			}
			w.expect("jrivera", code+": the participant opted out of texts")
			w.at("2026-11-26 14:30")
			w.at("2026-11-27 12:30")
			w.quiet(participantPhone, "jrivera")
			// Anything but START and HELP is not answered.
			w.text(participantPhone, "C")
			w.quiet(participantPhone)
		})
	}
}

func TestOptOutByCarrierAndStart(t *testing.T) {
	w := newWorldWith(t, start, noFollowUps)
	code := w.acceptedReferral("AD")
	w.appointment(code, participantPhone, "11/30 10am")
	// The participant texted STOP somewhere Leadline never saw it: Twilio
	// refuses the next text with 21610.
	w.sim.FailSends(participantPhone, 1, 400, 21610)
	w.at("2026-11-27 10:00")
	w.expect("jrivera", code+": the participant opted out of texts")
	tries := w.sim.Attempts(participantPhone)
	w.at("2026-11-29 10:00")
	w.quiet(participantPhone)
	if got := w.sim.Attempts(participantPhone); got != tries {
		t.Errorf("%d more sends tried to an opted-out number", got-tries)
	}
	w.text(participantPhone, "START")
	w.expect("jrivera", code+": the participant opted back in to texts.")
	w.quiet(participantPhone) // Twilio confirms START itself
	w.at("2026-11-30 08:00")
	w.expect(participantPhone, "Reply C")
}

func TestSpanishAndHelp(t *testing.T) {
	w := newWorldWith(t, start, noFollowUps)
	code := w.acceptedReferral("AD")
	w.text("jrivera", "LANG "+code+" es")
	w.expect("jrivera", code+": participant texts in Spanish.")
	w.text("jrivera", "APPT "+code+" (412) 555-0177 11/27 14:30")
	w.expect("jrivera", "saved")
	es := participant.Spanish
	w.expect(participantPhone, w.texts().Consent(es))
	w.text(participantPhone, "Sí")
	w.expect(participantPhone, w.texts().ConsentThanks(es))
	w.expect("jrivera", "agreed")
	w.text(participantPhone, "HELP")
	w.expect(participantPhone, w.texts().Help(es), "412-555-0199")
	w.text(participantPhone, "what?")
	w.expect(participantPhone, w.texts().Usage(es))
	w.at("2026-11-26 14:30")
	w.expect(participantPhone, w.texts().Reminder(es, time.Date(2026, 11, 27, 14, 30, 0, 0, w.prog.TimeZone), ""))
}

func TestAppointmentInputIsCheckedAndChangesNothing(t *testing.T) {
	w := newWorldWith(t, start, noFollowUps)
	code := w.acceptedReferral("AD")
	for _, tc := range []struct{ body, want string }{
		{"APPT " + code + " 412-555-0177 11/27 2:30", "AM or PM"},
		{"APPT " + code + " 412-555-0177 11/27 2:30pm @ Police HQ", "may not say"},
		{"APPT " + code + " 412-555-0121 11/27 2:30pm", "not a participant's"},
		{"APPT " + code + " hello", "Send APPT " + code},
		{"APPT ZZZZ 412-555-0177 11/27 2:30pm", "No referral ZZZZ of yours."},
	} {
		w.text("jrivera", tc.body)
		w.expect("jrivera", tc.want)
	}
	// Another case manager cannot touch jrivera's referral.
	w.text("aklein", "APPT "+code+" 412-555-0177 11/27 2:30pm")
	w.expect("aklein", "No referral "+code+" of yours.")
	if r := w.referral(code); r.Participant != "" || r.ApptVer != 0 {
		t.Errorf("a refused APPT stored something: %+v", r)
	}
	w.quiet(participantPhone)
	// A number nobody made an appointment for is a stranger.
	w.text(participantPhone, "C")
	w.expect(participantPhone, "This number does not accept messages.")
}

func TestQuietHoursAcrossMidnight(t *testing.T) {
	w := newWorldWith(t, start, func(p *program.Program) { noFollowUps(p); p.Participants.Reminders = []time.Duration{10 * time.Hour} })
	code := w.acceptedReferral("AD")
	w.appointment(code, participantPhone, "11/25 9am")
	w.at("2026-11-24 23:00") // ten hours before: night
	w.quiet(participantPhone)
	w.at("2026-11-25 07:59")
	w.quiet(participantPhone)
	w.at("2026-11-25 08:00")
	w.expect(participantPhone, "Reply C")

	// One at 07:30 has no morning slot before it: its reminder is dropped.
	other := w.acceptedReferral("AD")
	w.appointment(other, "+14125550178", "11/27 7:30am")
	w.at("2026-11-26 21:30")
	w.at("2026-11-27 08:00")
	w.quiet("+14125550178")
}

func TestQuietHoursAcrossDST(t *testing.T) {
	w := newWorldWith(t, start, func(p *program.Program) { noFollowUps(p); p.Participants.Reminders = []time.Duration{11 * time.Hour} })
	w.clock.Set(time.Date(2026, 10, 29, 13, 0, 0, 0, time.UTC)) // Thu 09:00 EDT
	code := w.acceptedReferral("AD")
	w.appointment(code, participantPhone, "11/1 9am") // Sunday, the clocks went back at 02:00
	// Eleven hours before is Saturday 22:00 EDT: it waits for 08:00 EST,
	// which is 13:00 UTC, not 12:00.
	w.clock.Set(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC))
	w.fire()
	w.clock.Set(time.Date(2026, 11, 1, 12, 59, 0, 0, time.UTC))
	w.fire()
	w.quiet(participantPhone)
	w.clock.Set(time.Date(2026, 11, 1, 13, 0, 0, 0, time.UTC))
	w.fire()
	w.expect(participantPhone, "Reply C")
}

func TestCapsOneADayThreeAWeek(t *testing.T) {
	w := newWorldWith(t, start, func(p *program.Program) {
		noFollowUps(p)
		p.Participants.Reminders = []time.Duration{6 * day, 5 * day, 4 * day, 3 * day, 2 * day, 1 * day, 3 * time.Hour, time.Hour}
	})
	code := w.acceptedReferral("AD")
	w.appointment(code, participantPhone, "12/1 3pm") // asked Mon 23 Nov: one of this week's three
	var got []string
	for d := 25; d <= 31; d++ {
		date := fmt.Sprintf("2026-11-%02d", d)
		if d > 30 {
			date = "2026-12-01"
		}
		for _, hm := range []string{"08:00", "12:00", "14:00", "15:00"} {
			w.at(date + " " + hm)
			for range w.sim.Unread(participantPhone) {
				w.expect(participantPhone, "Reply C") // the rules are checked by expect
				got = append(got, w.clock.Now().In(w.prog.TimeZone).Format("Mon 15:04"))
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
	w := newWorldWith(t, start, noFollowUps)
	b := newInstance(t, w.prog, w.rdb, w.sim, w.clock)
	var numbers []string
	for i := range 8 {
		code := w.acceptedReferral("AD")
		n := fmt.Sprintf("+1412555016%d", i)
		w.appointment(code, n, "11/27 2:30pm")
		numbers = append(numbers, n)
	}
	w.clock.Set(time.Date(2026, 11, 26, 19, 30, 0, 0, time.UTC)) // Thu 14:30 EST
	var wg sync.WaitGroup
	for _, inst := range []*world{w, b} {
		wg.Go(func() {
			if _, err := inst.svc.FireTimers(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	w.svc.Wait()
	b.svc.Wait()
	for _, n := range numbers {
		if un := w.sim.Unread(n); len(un) != 1 {
			t.Errorf("%s got %d reminders, want 1", n, len(un))
		}
	}
}

func TestParticipantNumberIsForgotten(t *testing.T) {
	w := newWorldWith(t, start, noFollowUps)
	code := w.acceptedReferral("AD")
	w.appointment(code, participantPhone, "11/27 2:30pm")
	w.text("jrivera", "DONE ENGAGED "+code)
	w.expect("jrivera", "closed")
	w.text("jrivera", "INTAKE "+code)
	w.expect("jrivera", "recorded")
	// Kept 30 days past the appointment.
	w.at("2026-12-27 14:00")
	if r := w.referral(code); r.Participant != participantPhone {
		t.Fatalf("number dropped too soon")
	}
	w.at("2026-12-27 14:31")
	r := w.referral(code)
	if r.Participant != "" || r.ApptPlace != "" {
		t.Errorf("participant still stored: %+v", r)
	}
	if r.State != referral.Closed || r.Appt.IsZero() {
		t.Errorf("the record should stay: %+v", r)
	}
	if keys := w.rdb.Keys(context.Background(), "leadline:{dispatch}:participant:*").Val(); len(keys) != 0 {
		t.Errorf("participant records left: %v", keys)
	}
	w.quiet(participantPhone)
	w.text(participantPhone, "C")
	w.expect(participantPhone, "This number does not accept messages.")
}

func TestConsentDeclinedThenGiven(t *testing.T) {
	w := newWorldWith(t, start, noFollowUps)
	code := w.acceptedReferral("AD")
	w.text("jrivera", "APPT "+code+" 412 555 0177 11/27 2:30pm")
	w.expect("jrivera", "Asked")
	w.expect(participantPhone, w.texts().Consent(participant.English))
	w.text(participantPhone, "no thanks")
	w.expect(participantPhone, w.texts().ConsentDeclined(participant.English))
	w.expect("jrivera", code+": the participant declined appointment reminders; none will go.")
	w.at("2026-11-24 14:30")
	w.quiet(participantPhone)
	// A second appointment does not ask again.
	w.text("jrivera", "APPT "+code+" MOVE 11/28 10am")
	w.expect("jrivera", "They declined reminders: none will go.")
	w.quiet(participantPhone)
	w.at("2026-11-25 09:00")
	w.text(participantPhone, "YES")
	w.expect(participantPhone, w.texts().ConsentThanks(participant.English))
	w.expect("jrivera", code+": the participant agreed")
	w.at("2026-11-27 10:00")
	w.expect(participantPhone, "Reply C")
}
