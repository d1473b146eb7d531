package escalation_test

import (
	"sync"
	"testing"

	"github.com/leadline/leadline/internal/e2e"
)

// Page texts to a case manager whose number no longer takes them (Twilio:
// 21211) move the chain on at once, and the next morning the supervisors
// are told, once, however many pages failed and instances run.
func TestFailedPagesToldToSupervisorsNextMorningOnce(t *testing.T) {
	w := e2e.New(t, e2e.Start) // Mon 09:00
	b := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	w.Sim.FailSends(w.PhoneOf("jrivera"), -1, 400, 21211)
	var first string
	for _, notes := range []string{"one", "two"} {
		code := refer(w, "SC", notes)
		if first == "" {
			first = code
		}
		w.Expect("aklein", "LEAD page "+code) // at once: Jo cannot be reached
		w.Expect("osmith")                    // told the chain moved on
		w.Text("aklein", "1 "+code)
		w.Expect("aklein", "You accepted "+code)
		w.Expect("osmith", "accepted by Ana")
		w.Text("aklein", "ARRIVED "+code)
		w.Expect("aklein", "On scene noted")
		w.Expect("osmith", "arrived")
		w.Text("aklein", "DONE "+code+" engaged")
		w.Expect("aklein", "closed")
	}
	w.Quiet("msup")

	w.At("2026-11-24 07:59")
	w.Quiet("msup")
	w.Clock.Set(w.Clock.Now().Add(60e9))
	var wg sync.WaitGroup
	for _, inst := range []*e2e.World{w, b} {
		wg.Go(inst.Fire)
	}
	wg.Wait()
	w.Svc.Wait()
	b.Svc.Wait()
	w.Expect("msup", "Page texts to Jo R. at +1412***0111 fail since Mon 23 Nov, 9:00 AM ("+first+"): the number may have changed.")
	w.Quiet("msup", "aklein", "jrivera")
	w.At("2026-11-25 08:00")
	w.Quiet("msup")
}
