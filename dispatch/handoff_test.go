package dispatch_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// At East's Monday 09:00 handoff the incoming case manager is told until
// when, and the outgoing one what of theirs is still open: once, though
// two instances are running. Pages follow the new on-call person.
func TestHandoffTextsOnceAcrossInstances(t *testing.T) {
	a := newWorld(t, start)
	b := newInstance(t, a.prog, a.rdb, a.sim, a.clock)
	b.text("osmith", "SC 105")
	code := codeIn(t, b.expect("osmith", "East"))
	b.expect("cobi", "LEAD page "+code)
	b.text("cobi", "1")
	b.expect("cobi", "You accepted")
	b.expect("osmith", "accepted by Chidi O.")

	a.clock.Advance(7*24*time.Hour - time.Minute)
	a.handoffs()
	a.quiet("bnguyen", "cobi")

	a.clock.Advance(time.Minute)
	var wg sync.WaitGroup
	for _, inst := range []*world{a, b} {
		wg.Go(func() {
			if _, err := inst.oncall.FireHandoffs(context.Background(), inst.svc.Handoff); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a.svc.Wait()
	b.svc.Wait()
	a.expect("bnguyen", "You are on call for East until Mon 7 Dec 09:00.")
	a.expect("cobi", "Your East on-call shift has ended. Still open: "+code+" (accepted).")
	a.quiet("bnguyen", "cobi")

	b.text("tlee", "AD 105")
	b.expect("bnguyen", "LEAD page")
	b.quiet("cobi")
}

// The weekly summary lists each cohort's coming week to its members only.
func TestWeeklySummary(t *testing.T) {
	w := newWorld(t, start)
	// Sunday 29 November, 18:00 in Pittsburgh.
	at := time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)
	if err := w.svc.WeeklySummary(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	w.svc.Wait()
	// Texts to one person may arrive in any order.
	got := func(id string, n int) string {
		var all []string
		for range n {
			all = append(all, w.expect(id))
		}
		slices.Sort(all)
		return strings.Join(all, "\n")
	}
	if g := got("bnguyen", 2); g != "East on call, week of Mon 30 Nov: Chidi O. until Mon 09:00, Bao N. from Mon 09:00.\n"+
		"West on call, week of Mon 30 Nov: Erin W. all week." {
		t.Errorf("Bao's summary:\n%s", g)
	}
	if g := got("jrivera", 2); !strings.Contains(g, "North on call, week of Mon 30 Nov: Jo R. all week.") || !strings.Contains(g, "South on call") {
		t.Errorf("Jo's summary:\n%s", g)
	}
	w.quiet("osmith", "tlee", "jrivera", "bnguyen")
}
