package escalation_test

import (
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/program"
)

// refer has the officer send a North referral of kind with notes (each
// referral its own person, so none is a resend) and returns its code.
func refer(w *e2e.World, kind, notes string) string {
	w.T.Helper()
	w.Text("osmith", kind+" "+e2e.NorthPoint+" / "+notes)
	return e2e.CodeIn(w.T, w.Expect("osmith", "Paging"))
}

// A case manager who texts OFF is skipped at once, as an empty step is: the
// next in the rotation gets the first page, with no wait. ON, or the time
// running out, puts them back.
func TestOffIsSkippedAtOnceAndOnPagesAgain(t *testing.T) {
	w := e2e.New(t, e2e.Start) // Mon 23 Nov, 9:00 AM in Pittsburgh; Jo is on call for North
	w.Text("jrivera", "OFF 2h")
	w.Expect("jrivera", "You are off until Mon 23 Nov, 11:00 AM: no pages till then. Text ON when back.")

	code := refer(w, "AD", "red jacket")
	w.Expect("aklein", "LEAD page "+code)
	w.Quiet("jrivera", "msup")
	w.Text("aklein", "1")
	w.Expect("aklein", "You accepted "+code)
	w.Expect("osmith", "accepted by Ana")
	w.Text("aklein", "DONE engaged")
	w.Expect("aklein", "closed")

	w.Text("jrivera", "ON")
	w.Expect("jrivera", "You are on: pages reach you again.")
	code = refer(w, "SC", "blue hat")
	w.Expect("jrivera", "LEAD page "+code)
	w.Quiet("aklein")
	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted")
	w.Expect("osmith", "accepted by Jo")

	w.Text("jrivera", "DONE engaged")
	w.Expect("jrivera", "closed")
	w.Text("jrivera", "ON")
	w.Expect("jrivera", "You were not off: pages reach you.")

	// OFF for 30 minutes: over by itself.
	w.Text("jrivera", "off 30m")
	w.Expect("jrivera", "You are off until Mon 23 Nov, 9:30 AM")
	w.After(30 * time.Minute)
	code = refer(w, "SC", "green scarf")
	w.Expect("jrivera", "LEAD page "+code)
	w.Quiet("aklein", "msup")
}

// OFF with no time lasts until the person's next shift starts; someone
// with no coming shift is asked for a time.
func TestOffUntilTheNextShift(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	// East hands over every Monday 09:00: Chidi now, Bao next, Chidi again.
	w.Text("cobi", "OFF")
	w.Expect("cobi", "You are off until Mon 7 Dec, 9:00 AM")
	w.Text("jrivera", "OFF") // North has no shifts: Jo stays on call
	w.Expect("jrivera", "You have no coming shift: say for how long, OFF 2h")
	w.Text("jrivera", "OFF 31d")
	w.Expect("jrivera", "OFF is for 30 days at most.")
	w.Text("jrivera", "OFF later")
	w.Expect("jrivera", "Not understood.")
	code := refer(w, "SC", "grey coat")
	w.Expect("jrivera", "LEAD page "+code) // none of that made Jo off
	w.Quiet("cobi")
}

// When everyone who pages for a cohort is off, its supervisors are told
// once, however many instances take the OFFs; pages go straight to them,
// and WHO shows who is off until when.
func TestWholeCohortOffTellsSupervisorsOnce(t *testing.T) {
	a := e2e.New(t, e2e.Start)
	b := e2e.NewInstance(t, a.Prog, a.Redis, a.Sim, a.Clock)
	a.Text("jrivera", "OFF 2h")
	a.Expect("jrivera", "You are off")
	a.Quiet("msup")

	// Ana and Chidi, North's last two, go off at the same moment, each
	// through another instance.
	var wg sync.WaitGroup
	for _, x := range []struct {
		w    *e2e.World
		id   string
		span string
	}{{a, "aklein", "1h"}, {b, "cobi", "3h"}} {
		wg.Go(func() {
			if _, err := x.w.Sim.Text(t.Context(), x.w.PhoneOf(x.id), x.w.Prog.Phone, "OFF "+x.span); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a.Expect("aklein", "You are off until Mon 23 Nov, 10:00 AM")
	a.Expect("cobi", "You are off until Mon 23 Nov, 12:00 PM")
	a.Expect("msup", "North: no case manager is available until Mon 23 Nov, 10:00 AM (all texted OFF). Pages go to the supervisors.")
	a.Quiet("msup")

	// OFF again changes nothing for the supervisors.
	a.Text("aklein", "OFF 90m")
	a.Expect("aklein", "You are off until Mon 23 Nov, 10:30 AM")
	a.Quiet("msup")

	a.Text("msup", "WHO")
	a.Expect("msup", "Off: Jo R. until Mon 23 Nov, 11:00 AM, Ana K. until Mon 23 Nov, 10:30 AM, Chidi O. until Mon 23 Nov, 12:00 PM.")

	code := refer(a, "AD", "by the bridge")
	a.Expect("msup", "LEAD page "+code) // at once: every step before the supervisors' is empty
	a.Quiet("jrivera", "aklein", "cobi")

	// Someone back, and off again: a new time with nobody, told again.
	a.Text("aklein", "ON")
	a.Expect("aklein", "You are on")
	a.Text("aklein", "OFF 1h")
	a.Expect("aklein", "You are off")
	a.Expect("msup", "North: no case manager is available until Mon 23 Nov, 10:00 AM")
}

// A case manager with a referral in progress is paged after the rest of
// the rotation for a new one, where the cohort's busy is "last" (the
// default); once it is DONE they are paged first again.
func TestBusyCaseManagerPagedLast(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
		c, _ := p.Cohort("north")
		c.Busy = program.BusyLast
	})
	first := w.AcceptedReferral("SC", "first person")

	code := refer(w, "SC", "second person")
	w.Expect("aklein", "LEAD page "+code)
	w.Quiet("jrivera")
	w.Text("aklein", "2")
	w.Expect("aklein", "Declined")
	w.Expect("jrivera", "LEAD page "+code) // at once, by the chain's "next" step
	w.Expect("osmith")                     // told the chain moved on
	w.Text("jrivera", "1 "+code)
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", "accepted by Jo")

	// Done with both: first in turn again.
	for _, c := range []string{first, code} {
		w.Text("jrivera", "DONE "+c+" engaged")
		w.Expect("jrivera", c+" closed")
	}
	code = refer(w, "SC", "third person")
	w.Expect("jrivera", "LEAD page "+code)
	w.Quiet("aklein")
}

// A case manager whose caseload is at the target is paged last for arrest
// diversions, which add an intake, and in turn for social contacts.
// Recording an intake brings them under it again.
func TestCaseloadTargetPagesLastForArrests(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) { p.CaseloadTarget = 2 })
	var codes []string
	for _, notes := range []string{"one", "two"} {
		c := w.AcceptedReferral("AD", notes)
		w.Text("jrivera", "DONE "+c+" engaged") // an intake still owed
		w.Expect("jrivera", c+" closed")
		codes = append(codes, c)
	}

	code := refer(w, "AD", "three")
	w.Expect("aklein", "LEAD page "+code)
	w.Quiet("jrivera")
	w.Text("aklein", "1")
	w.Expect("aklein", "You accepted")
	w.Expect("osmith", "accepted by Ana")

	code = refer(w, "SC", "four")
	w.Expect("jrivera", "LEAD page "+code) // a social contact adds no intake
	w.Quiet("aklein")
	w.Text("jrivera", "2")
	w.Expect("jrivera", "Declined")
	w.Expect("aklein", "LEAD page "+code)
	w.Expect("osmith")

	w.Text("jrivera", "INTAKE "+codes[0])
	w.Expect("jrivera", "intake recorded")
	code = refer(w, "AD", "five")
	w.Expect("jrivera", "LEAD page "+code)
}
