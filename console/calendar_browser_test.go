package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/browsertest"
	"github.com/leadline/leadline/oncall"
)

// The on-call calendar: each cohort the viewer sees, who is on call now on
// top, four weeks of shifts from the schedule (East's weekly Monday
// handoffs) and an override made through the admin API's code, each with
// its backup; a case manager sees only their cohorts; each view audited.
func TestBrowserOnCallCalendar(t *testing.T) {
	s := newService(t, 1)
	inst := s.inst[0]
	now := s.clock.Now() // Mon 23 Nov 2026 09:00 EST
	store := oncall.New(s.rdb, s.prog, s.clock.Now, nil)
	if _, err := store.AddOverride(context.Background(), "north", "aklein", now.Add(9*time.Hour), now.Add(23*time.Hour)); err != nil {
		t.Fatal(err)
	}

	b := browsertest.Start(t)
	tab := b.NewTab(t)
	s.signIn(tab, inst, "msup")
	if st := tab.Open(inst.url + "/oncall"); st != http.StatusOK {
		t.Fatalf("calendar: %d", st)
	}
	contains(t, "North now", tab.Text("#now-north"), "On call now: Jo Rivera until Mon 23 Nov 2026 18:00 EST")
	contains(t, "East now", tab.Text("#now-east"), "On call now: Chidi Obi until Mon 30 Nov 2026 09:00 EST")
	east := tab.Text("#cal-east + p + .table-wrap")
	contains(t, "East's four weeks", east,
		"Mon 23 Nov 2026 09:00 EST\tMon 30 Nov 2026 09:00 EST\tChidi Obi\tBao Nguyen",
		"Mon 30 Nov 2026 09:00 EST\tMon 7 Dec 2026 09:00 EST\tBao Nguyen\tChidi Obi",
		"Mon 14 Dec 2026 09:00 EST\tMon 21 Dec 2026 09:00 EST\tBao Nguyen\tChidi Obi")
	if strings.Contains(east, "Mon 21 Dec 2026 09:00 EST\tMon 28 Dec") {
		t.Errorf("East shows a shift past four weeks:\n%s", east)
	}
	north := tab.Text("#cal-north + p + .table-wrap")
	contains(t, "North with the override", north,
		"-\tMon 23 Nov 2026 18:00 EST\tJo Rivera\tChidi Obi",
		"Mon 23 Nov 2026 18:00 EST\tTue 24 Nov 2026 08:00 EST\tAna Klein (override)\tChidi Obi",
		"Tue 24 Nov 2026 08:00 EST\tuntil further notice\tJo Rivera\tChidi Obi")
	tab.CheckAxe("calendar")
	tab.Screenshots(screenshotDir(t), "calendar")
	noCSPRefusals(t, tab)

	cm := b.NewTab(t)
	s.signIn(cm, inst, "bnguyen") // East and West
	cm.Open(inst.url + "/oncall")
	page := cm.Text("main")
	contains(t, "bnguyen's calendar", page, "East", "West")
	if strings.Contains(page, "North") || strings.Contains(page, "South") {
		t.Errorf("bnguyen sees another cohort's calendar:\n%s", page)
	}

	views := 0
	err := inst.console.Audit().Each(context.Background(), func(e console.Entry) error {
		if e.Action == console.ActionCalendarView {
			views++
		}
		return nil
	})
	if err != nil || views != 2 {
		t.Errorf("calendar views audited: %d, %v", views, err)
	}
}
