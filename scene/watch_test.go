package scene_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/referral"
)

// hasEvents checks that code's history holds each of want, in that order.
func hasEvents(t *testing.T, w *e2e.World, code string, want ...referral.Event) {
	t.Helper()
	got := w.Events(code)
	i := 0
	for _, e := range got {
		if i < len(want) && e == want[i] {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("history of %s = %v, want %v among it in order", code, got, want)
	}
}

func answer(t *testing.T, w *e2e.World, id string) []string {
	t.Helper()
	s, err := w.Sim.Answer(context.Background(), w.Call(id).SID)
	if err != nil {
		t.Fatal(err)
	}
	return s.Said()
}

func TestLateWithNoETANudgedThenSupervisorsAndOfficerTold(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("AD") // no ETA: the nudge comes 30 min after the accept
	w.After(29 * time.Minute)
	w.Quiet("jrivera", "msup", "osmith")

	w.After(time.Minute)
	w.Expect("jrivera", code+": are you on your way? Reply ETA <min> or ARRIVED.")
	w.After(9 * time.Minute)
	w.Quiet("jrivera", "msup", "osmith")

	w.After(time.Minute)
	w.Expect("msup", code+" (North): Jo R. accepted at", "has not arrived and does not answer",
		e2e.NorthPoint, "https://maps.google.com/?q=", "Jo R.: +14125550111", "Officer Sam S.: +14125550121")
	w.Expect("osmith", code+": Jo R. is delayed. Their supervisor has been told.")
	w.After(time.Hour)
	w.Quiet("jrivera", "msup", "osmith", "aklein")

	// Arriving at last: the supervisors, who were worried, hear of it.
	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene noted", "We check in after 60 min")
	w.Expect("osmith", code+": Jo R. has arrived.")
	w.Expect("msup", code+": Jo R. has arrived.")
	hasEvents(t, w, code, referral.EvAccepted, referral.EvNudged, referral.EvDelayed, referral.EvArrived)
	if r := w.Referral(code); r.Nudges != 1 {
		t.Errorf("nudges = %d, want 1", r.Nudges)
	}
	w.Quiet("jrivera", "msup", "osmith")
}

func TestETAMovesTheNudgeAndArrivalCancelsIt(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "SC "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page")
	w.Text("jrivera", "1 15")
	w.Expect("jrivera", "You accepted")
	w.Expect("osmith", "ETA 15 min")

	w.After(15 * time.Minute) // the ETA passes
	w.Expect("jrivera", code+": are you on your way?")
	w.Text("jrivera", "ETA 10")
	w.Expect("jrivera", "ETA sent")
	w.Expect("osmith", "Jo R. ETA 10 min")
	w.After(9 * time.Minute) // the answer moved the nudge: no alarm at 10 min
	w.Quiet("jrivera", "msup", "osmith")
	w.After(time.Minute)
	w.Expect("jrivera", code+": are you on your way?")

	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene noted")
	w.Expect("osmith", "has arrived")
	if w.TimerSet(referral.TimerNudge, code) {
		t.Error("the nudge is still set after ARRIVED")
	}
	w.After(59 * time.Minute)
	w.Quiet("jrivera", "msup", "osmith")
	if r := w.Referral(code); r.Nudges != 2 {
		t.Errorf("nudges = %d, want 2", r.Nudges)
	}
}

func TestCheckInThenCallThenSupervisors(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("SC")
	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene noted")
	w.Expect("osmith", "has arrived")

	w.After(60 * time.Minute)
	w.Expect("jrivera", code+": all OK? Reply OK, or DONE")
	w.Text("jrivera", "OK")
	w.Expect("jrivera", "Thanks. Next check-in in 60 min.")
	w.After(59 * time.Minute)
	w.Quiet("jrivera", "msup")

	w.After(time.Minute)
	w.Expect("jrivera", code+": all OK?")
	w.After(10 * time.Minute) // no answer: a call
	if said := strings.Join(answer(t, w, "jrivera"), " "); !strings.Contains(said, "Text OK if all is well") {
		t.Errorf("the check-in call says %q", said)
	}
	w.NoCalls("msup")
	w.Quiet("msup")
	w.After(10 * time.Minute) // still nothing: the supervisors, with the place
	w.Expect("msup", code+" (North): Jo Rivera, on scene since", "does not answer a check-in or a call",
		e2e.NorthPoint, "Jo R.: +14125550111", "Officer Sam S.")
	w.After(time.Hour)
	w.Quiet("jrivera", "msup", "osmith")

	w.Text("jrivera", "OK")
	w.Expect("jrivera", "Thanks")
	w.Expect("msup", code+": Jo R. answered: all OK.")
	hasEvents(t, w, code, referral.EvArrived, referral.EvCheckIn, referral.EvOK, referral.EvCheckIn,
		referral.EvCheckInCall, referral.EvCheckInAlarm, referral.EvOK)

	w.Text("jrivera", "DONE ENGAGED")
	w.Expect("jrivera", "closed")
	if w.TimerSet(referral.TimerCheckIn, code) {
		t.Error("the check-in is still set after DONE")
	}
	w.After(3 * time.Hour)
	w.Quiet("jrivera", "msup", "osmith")
	w.NoCalls("jrivera", "msup")
}

func TestCancelledByStaffEndsTheWatch(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("AD")
	if !w.TimerSet(referral.TimerNudge, code) {
		t.Fatal("no nudge set by the accept")
	}
	if err := w.Svc.Cancel(context.Background(), code, "msup", "duplicate"); err != nil {
		t.Fatal(err)
	}
	w.Expect("jrivera", "cancelled")
	w.Expect("osmith", "cancelled")
	if w.TimerSet(referral.TimerNudge, code) {
		t.Error("the nudge is still set after the cancel")
	}
	w.After(2 * time.Hour)
	w.Quiet("jrivera", "msup", "osmith")
}

func TestSOSPagesSupervisorsAtOnce(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("aklein", "SOS")
	w.Expect("aklein", "no open referral")

	code := w.AcceptedReferral("AD")
	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene noted")
	w.Expect("osmith", "has arrived")
	w.Text("jrivera", "help me")
	w.Expect("jrivera", "SOS "+code+": your supervisors are being texted and called.")
	w.Expect("msup", "SOS "+code+" (North): Jo Rivera asks for help.", e2e.NorthPoint,
		"Jo R.: +14125550111", "Officer Sam S.: +14125550121")
	if said := strings.Join(answer(t, w, "msup"), " "); !strings.Contains(said, "asked for help") {
		t.Errorf("the SOS call says %q", said)
	}
	w.Fire() // the SOS timer finds its page sent
	w.Quiet("msup", "osmith", "aklein")
	w.NoCalls("msup")
	hasEvents(t, w, code, referral.EvSOS, referral.EvSOS)
	if r := w.Referral(code); r.SOSes != 1 {
		t.Errorf("soses = %d, want 1", r.SOSes)
	}

	// A second SOS pages again.
	w.Clock.Advance(time.Minute)
	w.Text("jrivera", "SOS "+code)
	w.Expect("jrivera", "SOS "+code)
	w.Expect("msup", "SOS "+code)
	w.Call("msup")
}

func TestRestartMidCheckInLosesNothing(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("SC")
	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene noted")
	w.Expect("osmith", "has arrived")
	w.After(60 * time.Minute)
	w.Expect("jrivera", code+": all OK?")

	// The instance is gone; a new one starts on the same Redis.
	w2 := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	w2.After(10 * time.Minute)
	w2.Call("jrivera")
	w2.After(10 * time.Minute)
	w2.Expect("msup", code+" (North): Jo Rivera, on scene since")
	w2.Quiet("jrivera", "msup")
}

func TestTwoInstancesSendEachNudgeOnce(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w2 := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	code := w.AcceptedReferral("AD")
	for _, step := range []time.Duration{30 * time.Minute, 10 * time.Minute} {
		w.Clock.Advance(step)
		e2e.FireTogether(t, w, w2)
	}
	w.Expect("jrivera", code+": are you on your way?")
	w.Expect("msup", "has not arrived")
	w.Expect("osmith", "is delayed")
	w.Quiet("jrivera", "msup", "osmith")
	if got := w.Events(code); countOf(got, referral.EvNudged) != 1 || countOf(got, referral.EvDelayed) != 1 {
		t.Errorf("history %v: want one nudge and one delay", got)
	}
}

func countOf(es []referral.Event, e referral.Event) int {
	n := 0
	for _, x := range es {
		if x == e {
			n++
		}
	}
	return n
}

// A check-in call that cannot be placed reaches a person all the same: the
// supervisors are texted at once, with the place and whom to phone.
func TestFailedCheckInCallTellsTheSupervisors(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code := w.AcceptedReferral("SC")
	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene noted")
	w.Expect("osmith", "has arrived")
	w.After(60 * time.Minute)
	w.Expect("jrivera", code+": all OK?")

	w.Sim.FailSends(w.PhoneOf("jrivera"), 1, 400, 21211) // the call is refused
	w.After(10 * time.Minute)
	w.Expect("msup", code+" (North): the check-in call to Jo R., on scene since", "could not be placed. Please check on them.",
		e2e.NorthPoint, "Jo R.: +14125550111", "Officer Sam S.")
	w.NoCalls("jrivera")
	w.Quiet("msup", "jrivera")

	w.After(10 * time.Minute) // and the watch goes on
	w.Expect("msup", code+" (North): Jo Rivera, on scene since", "does not answer a check-in or a call")
	w.Quiet("msup", "jrivera")
}
