package console_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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

// A supervisor adds an override on the calendar (Bao covers North from
// now to 13:00): the handoff texts follow, and the next referral an officer
// texts pages Bao, not North's rotation. An overlapping override is refused
// with the reason on the page and changes nothing; removing the override
// puts the rotation back. Each change is in the audit log.
func TestBrowserOverrideOnCalendar(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	ctx := context.Background()
	store := oncall.New(s.rdb, s.prog, s.clock.Now, nil)
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	s.signIn(tab, in, "msup")
	tab.Open(in.url + "/oncall") // Mon 23 Nov 2026 09:00 EST

	tab.Do(chromedp.SetValue(chromedp.CSS("#person-north"), "bnguyen"))
	tab.Do(chromedp.SetValue(chromedp.CSS("#to-north"), "2026-11-23T13:00"))
	tab.Submit("#add-north button")
	contains(t, "after adding", tab.Text("#done"), "Override added")
	contains(t, "North now", tab.Text("#now-north"), "On call now: Bao Nguyen until Mon 23 Nov 2026 13:00 EST (override).")
	tab.CheckAxe("calendar with overrides")
	tab.Screenshots(screenshotDir(t), "calendar-overrides")
	noCSPRefusals(t, tab)

	if _, err := store.FireHandoffs(ctx, in.svc.Handoff); err != nil {
		t.Fatal(err)
	}
	s.expectText("bnguyen", "You are on call for North until")

	tab.Do(chromedp.SetValue(chromedp.CSS("#person-north"), "aklein"))
	tab.Do(chromedp.SetValue(chromedp.CSS("#from-north"), "2026-11-23T12:00"))
	tab.Do(chromedp.SetValue(chromedp.CSS("#to-north"), "2026-11-23T15:00"))
	if st := tab.Submit("#add-north button"); st != 422 {
		t.Errorf("an overlapping override: %d", st)
	}
	contains(t, "the refusal", tab.Text("#form-error-north"),
		"Not added: it overlaps another override north-", "(bnguyen, Mon 23 Nov, 9:00 AM to Mon 23 Nov, 1:00 PM). Remove that one first")
	overrides, err := store.Overrides(ctx, "north")
	if err != nil || len(overrides) != 1 || overrides[0].Person != "bnguyen" {
		t.Fatalf("North's overrides after the refusal: %+v %v", overrides, err)
	}

	s.text("osmith", "AD 40.4473,-80.0076 / blue coat")
	code := s.latest()
	s.expectText("bnguyen", "LEAD page "+code)
	if r, _ := in.svc.Lookup(ctx, code); strings.Join(r.PagedList, " ") != "bnguyen" {
		t.Errorf("paged %v; want Bao only", r.PagedList)
	}

	id := overrides[0].Override
	tab.Open(in.url + "/oncall")
	tab.Submit("#o-" + id + " button")
	contains(t, "after removing", tab.Text("#done"), "Override removed")
	contains(t, "North now", tab.Text("#now-north"), "On call now: Jo Rivera.")

	var changes []string
	if err := in.console.Audit().Each(ctx, func(e console.Entry) error {
		if e.Override != "" {
			changes = append(changes, string(e.Action)+" "+e.Override+" "+e.Person)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"override_add " + id + " msup", "override_remove " + id + " msup"}; !slices.Equal(changes, want) {
		t.Errorf("audited %q; want %q", changes, want)
	}
}

// Case managers see the calendar but no override form, and a POST of
// theirs is refused and changes nothing; a supervisor cannot change a
// cohort they do not supervise, and a POST without its CSRF token is
// refused.
func TestOverrideRefusals(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	w := &world{t: t, prog: s.prog, rdb: s.rdb, sim: s.sim, clock: s.clock}
	cm := w.client(in.url)
	s.signInClient(cm, "bnguyen")
	_, _, page := cm.get("/oncall")
	if strings.Contains(page, "Add an override") || strings.Contains(page, "/oncall/overrides") {
		t.Errorf("a case manager is offered the override form")
	}
	form := url.Values{"csrf": {cm.token("/oncall")}, "cohort": {"east"}, "person": {"bnguyen"}, "to": {"2026-11-23T13:00"}}
	if st, _, _ := cm.post("/oncall/overrides", form); st != http.StatusForbidden {
		t.Errorf("a case manager's override: %d", st)
	}

	sup := w.client(in.url)
	s.signInClient(sup, "msup")
	form.Set("csrf", "")
	if st, _, _ := sup.post("/oncall/overrides", form); st != http.StatusForbidden {
		t.Errorf("an override without its CSRF token: %d", st)
	}
	form.Set("csrf", sup.token("/oncall"))
	form.Set("cohort", "mars")
	if st, _, _ := sup.post("/oncall/overrides", form); st != http.StatusForbidden {
		t.Errorf("an override of an unknown cohort: %d", st)
	}
	for _, tt := range []struct{ to, want string }{
		{"", "Say when the override ends."},
		{"tomorrow", `Not added: to &#34;tomorrow&#34;: want an RFC 3339 time`},
		{"2026-11-23T08:00", "Not added: an override must end after it starts."},
		{"2028-01-01T00:00", "Not added: an override must start no more than a day ago and end within a year"},
	} {
		form.Set("cohort", "east")
		form.Set("to", tt.to)
		if st, _, body := sup.post("/oncall/overrides", form); st != http.StatusUnprocessableEntity || !strings.Contains(body, tt.want) {
			t.Errorf("to %q: %d; want 422 saying %q", tt.to, st, tt.want)
		}
	}
	for _, c := range []string{"north", "east"} {
		if o, err := oncall.New(s.rdb, s.prog, s.clock.Now, nil).Overrides(context.Background(), c); err != nil || len(o) != 0 {
			t.Errorf("%s has overrides after refusals: %v %v", c, o, err)
		}
	}
}
