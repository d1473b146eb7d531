package appointment_test

import (
	"context"
	"slices"
	"testing"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/referral"
)

// A reminder the carrier reports undeliverable for good (30006: a
// landline) is told to the case manager once, with what to do; no more
// reminders go to that number, the digest lists it, and APPT <code> NUMBER
// <new> moves the participant to a new number, which is asked for consent
// and then gets the reminders.
func TestFailedReminderReportedOnceAndNumberChanged(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	code := w.HandedOff("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/30 10am") // Monday 30 Nov
	w.Sim.FailDelivery(e2e.ParticipantPhone, -1, 30006)

	w.At("2026-11-27 10:00") // the 3-day reminder
	w.Expect(e2e.ParticipantPhone, "Reply C")
	w.Expect("jrivera", code+": the number 412-…-0177 cannot receive texts; no reminders will reach it. Send APPT "+
		code+" NUMBER <new> to change it.")
	w.Quiet("jrivera", "msup")

	w.At("2026-11-28 08:00")
	if err := w.Svc.DailyDigest(context.Background(), w.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	w.Expect("jrivera", "Cannot be texted (APPT <code> NUMBER <new>): "+code+" (412-…-0177).")

	tries := w.Sim.Attempts(e2e.ParticipantPhone)
	w.At("2026-11-29 10:00") // the 1-day reminder: not tried
	w.Quiet(e2e.ParticipantPhone, "jrivera")
	if got := w.Sim.Attempts(e2e.ParticipantPhone); got != tries {
		t.Errorf("%d more sends tried to a number that cannot get texts", got-tries)
	}
	if n := count(w.Events(code), referral.EvUnreachable); n != 1 {
		t.Errorf("history has %d unreachable lines, want 1: %v", n, w.Events(code))
	}

	// A bad number changes nothing.
	for _, bad := range []string{"12", "412-555-0188 tomorrow", "412-555-0111"} {
		w.Text("jrivera", "APPT "+code+" NUMBER "+bad)
		w.Expect("jrivera", "not a")
	}
	if r := w.Referral(code); r.Participant != e2e.ParticipantPhone {
		t.Fatalf("participant %s after bad numbers", r.Participant)
	}

	const newNumber = "+14125550188"
	w.Text("jrivera", "APPT "+code+" NUMBER 412 555 0188")
	w.Expect("jrivera", code+": the participant's number is now 412-…-0188. Asked it to agree to reminders; you will hear their answer.")
	w.Expect(newNumber, w.ParticipantTexts().Consent(participant.English))
	w.Text(newNumber, "YES")
	w.Expect(newNumber, w.ParticipantTexts().ConsentThanks(participant.English))
	w.Expect("jrivera", code+": the participant agreed to appointment reminders.")
	w.At("2026-11-30 08:00") // the 2-hour reminder, to the new number
	w.Expect(newNumber, "Reply C")
	w.Quiet(e2e.ParticipantPhone, newNumber, "jrivera")
	if r := w.Referral(code); r.Participant != newNumber {
		t.Errorf("participant %s, want %s", r.Participant, newNumber)
	}
}

// A reminder Twilio refuses outright (21614: not a mobile number) is told
// once too, though both the send's result and a second failure see it.
func TestRefusedReminderReportedOnce(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, noFollowUps)
	b := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	code := w.HandedOff("AD")
	w.Appointment(code, e2e.ParticipantPhone, "11/30 10am")
	w.Sim.FailSends(e2e.ParticipantPhone, -1, 400, 21614)
	w.At("2026-11-27 10:00")
	b.Fire()
	w.Expect("jrivera", code+": the number 412-…-0177 cannot receive texts")
	w.At("2026-11-29 10:00")
	b.Fire()
	w.Quiet("jrivera")
	// Giving the same number again tries it again.
	w.Sim.FailSends(e2e.ParticipantPhone, 0, 0, 0)
	w.Text("jrivera", "APPT "+code+" NUMBER 412-555-0177")
	w.Expect("jrivera", code+": the number is already 412-…-0177; texts to it will be tried again.")
	w.At("2026-11-30 08:00")
	w.Expect(e2e.ParticipantPhone, "Reply C")
}

func count(es []referral.Event, e referral.Event) int {
	return len(slices.DeleteFunc(slices.Clone(es), func(x referral.Event) bool { return x != e }))
}
