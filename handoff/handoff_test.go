package handoff_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
)

// At East's Monday 09:00 handoff the incoming case manager is told until
// when, and the outgoing one what of theirs is still open: once, though
// two instances are running. Pages follow the new on-call person.
func TestHandoffTextsOnceAcrossInstances(t *testing.T) {
	a := e2e.New(t, e2e.Start)
	b := e2e.NewInstance(t, a.Prog, a.Redis, a.Sim, a.Clock)
	b.Text("osmith", "SC 105")
	code := e2e.CodeIn(t, b.Expect("osmith", "East"))
	b.Expect("cobi", "LEAD page "+code)
	b.Text("cobi", "1")
	b.Expect("cobi", "You accepted")
	b.Expect("osmith", "accepted by Chidi O.")

	a.Clock.Advance(7*24*time.Hour - time.Minute)
	a.Handoffs()
	a.Quiet("bnguyen", "cobi")

	a.Clock.Advance(time.Minute)
	var wg sync.WaitGroup
	for _, inst := range []*e2e.World{a, b} {
		wg.Go(func() {
			if _, err := inst.OnCall.FireHandoffs(context.Background(), inst.Svc.Handoff); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a.Svc.Wait()
	b.Svc.Wait()
	a.Expect("bnguyen", "You are on call for East until Mon 7 Dec, 9:00 AM.")
	a.Expect("cobi", "Your East on-call shift has ended. Still open: "+code+" (accepted).")
	a.Quiet("bnguyen", "cobi")

	b.Text("tlee", "AD 105")
	b.Expect("bnguyen", "LEAD page")
	b.Quiet("cobi")
}

// The weekly summary lists each cohort's coming week to its members only.
func TestWeeklySummary(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	// Sunday 29 November, 18:00 in Pittsburgh.
	at := time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)
	if err := w.Svc.WeeklySummary(context.Background(), at); err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	// Texts to one person may arrive in any order.
	got := func(id string, n int) string {
		var all []string
		for range n {
			all = append(all, w.Expect(id))
		}
		slices.Sort(all)
		return strings.Join(all, "\n")
	}
	if g := got("bnguyen", 2); g != "East on call, week of Mon 30 Nov: Chidi O. until Mon 9:00 AM, Bao N. from Mon 9:00 AM.\n"+
		"West on call, week of Mon 30 Nov: Erin W. all week." {
		t.Errorf("Bao's summary:\n%s", g)
	}
	if g := got("jrivera", 2); !strings.Contains(g, "North on call, week of Mon 30 Nov: Jo R. all week.") || !strings.Contains(g, "South on call") {
		t.Errorf("Jo's summary:\n%s", g)
	}
	w.Quiet("osmith", "tlee", "jrivera", "bnguyen")
}
