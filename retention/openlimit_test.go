package retention_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/report"
	"github.com/leadline/leadline/retention"
)

// noticesTo are the open-limit notices a person was sent so far, read or
// not: other texts (nudges, follow-up reminders) come and go meanwhile.
func noticesTo(w *e2e.World, id string) []string {
	w.Svc.Wait()
	var out []string
	for _, m := range w.Sim.Messages() {
		if m.To == w.PhoneOf(id) && strings.Contains(m.Body, "has been open") {
			out = append(out, m.Body)
		}
	}
	return out
}

// A referral nobody closes is closed at retention.open and loses its
// details then, its supervisors told once a day before; one closed in time
// keeps its details for retention.details, as any other.
func TestReferralLeftOpenIsToldThenPurged(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
		p.Retention.Open, p.Retention.OpenNotice = 3*24*time.Hour, 24*time.Hour
	})
	w2 := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	ctx := context.Background()

	done := w.HandedOff("SC", "closed in time")
	open := w.AcceptedReferral("AD", "never closed")

	w.After(30 * time.Minute) // the nudge and its alarm come and go
	w.After(10 * time.Minute)
	w.Clock.Set(e2e.Start.Add(2*24*time.Hour - time.Minute))
	e2e.FireTogether(t, w, w2)
	if n := noticesTo(w, "msup"); len(n) != 0 {
		t.Fatalf("supervisors told early: %q", n)
	}
	w.Clock.Set(e2e.Start.Add(2 * 24 * time.Hour).Add(time.Minute))
	e2e.FireTogether(t, w, w2)
	e2e.FireTogether(t, w, w2)
	n := noticesTo(w, "msup")
	if len(n) != 1 {
		t.Fatalf("supervisors told %d times, want once: %q", len(n), n)
	}
	if want := open + " has been open 2 days. Unless it is closed first, in 23 hours it is closed and its details removed."; n[0] != want {
		t.Errorf("notice = %q, want %q", n[0], want)
	}
	if strings.Contains(n[0], "never closed") || strings.Contains(n[0], e2e.NorthPoint) {
		t.Errorf("the notice names the referral's details: %q", n[0])
	}
	if r := w.Referral(open); !r.Open() || r.Notes != "never closed" {
		t.Fatalf("touched at the notice: state %s, notes %q", r.State, r.Notes)
	}
	if h := w.History(open); h[len(h)-1].What != referral.EvOpenNotice || h[len(h)-1].Who != "msup" {
		t.Errorf("the notice is not in the history: %v", h[len(h)-1])
	}

	w.Clock.Set(e2e.Start.Add(3*24*time.Hour - 2*time.Minute))
	e2e.FireTogether(t, w, w2)
	if r := w.Referral(open); !r.Open() || r.Notes != "never closed" {
		t.Fatalf("closed before its limit: state %s, notes %q", r.State, r.Notes)
	}
	w.Clock.Set(e2e.Start.Add(3 * 24 * time.Hour))
	e2e.FireTogether(t, w, w2)
	r := w.Referral(open)
	if r.State != referral.Closed || r.Outcome != referral.OutcomeExpired || r.ClosedAt.IsZero() {
		t.Errorf("at the limit: state %s, outcome %q", r.State, r.Outcome)
	}
	if r.Notes != "" || r.Location != "" || r.Officer != "" || r.Lat != 0 || len(r.PagedList) != 0 {
		t.Errorf("details kept past the open limit: %+v", r)
	}
	if len(w.History(open)) != 0 {
		t.Error("the history was kept")
	}
	if n := noticesTo(w, "msup"); len(n) != 1 {
		t.Errorf("supervisors told %d times in all, want once", len(n))
	}

	// The report counts it, as ended, by its outcome.
	rows, err := report.Load(ctx, w.Redis, e2e.Keys(), w.Prog, e2e.Start, e2e.Start.Add(24*time.Hour))
	if err != nil || len(rows) != 2 {
		t.Fatalf("report rows %v, %v", rows, err)
	}
	for _, row := range rows {
		if row.Code == open && (row.Outcome != referral.OutcomeExpired || row.Nudges != 1) {
			t.Errorf("report row: outcome %q, nudges %d; want expired, 1", row.Outcome, row.Nudges)
		}
	}
	all := report.Summarize(rows, w.Clock.Now(), report.ByCohort)
	if got := all[len(all)-1]; got.Expired != 1 || got.Engaged != 1 || got.Open != 0 {
		t.Errorf("summary: expired %d, engaged %d, open %d; want 1, 1, 0", got.Expired, got.Engaged, got.Open)
	}

	// The one closed in time is untouched.
	if d := w.Referral(done); d.Notes != "closed in time" || d.Outcome != "engaged" || d.Officer != "osmith" {
		t.Errorf("a referral closed in time changed: %+v", d)
	}
	for _, e := range w.Events(done) {
		if e == referral.EvOpenNotice || e == referral.EvOpenLimit {
			t.Errorf("history of the referral closed in time: %v", w.Events(done))
		}
	}
}

func TestSpan(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{30 * time.Second, "1 minute"}, {90 * time.Minute, "90 minutes"}, {2 * time.Hour, "2 hours"},
		{47*time.Hour + 59*time.Minute, "47 hours"}, {48 * time.Hour, "2 days"}, {180*24*time.Hour - time.Minute, "179 days"},
	} {
		if got := retention.Span(c.d); got != c.want {
			t.Errorf("Span(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// A referral stored before the open limit existed gets one when an
// instance starts (every instance runs it; one sets it), and its
// supervisors still hear a day before it is closed, even if it is past
// its limit already.
func TestEarlierReferralGetsItsLimitOnce(t *testing.T) {
	w := e2e.NewWith(t, e2e.Start, func(p *program.Program) {
		p.Retention.Open, p.Retention.OpenNotice = 3*24*time.Hour, 24*time.Hour
	})
	w2 := e2e.NewInstance(t, w.Prog, w.Redis, w.Sim, w.Clock)
	ctx := context.Background()
	code := w.AcceptedReferral("AD", "stored long ago")
	// As stored before this release: no limit.
	if !w.TimerSet(referral.TimerOpenLimit, code) {
		t.Fatal("no open limit set when the referral was stored")
	}
	w.Redis.HDel(ctx, "leadline:{dispatch}:referral:"+code, string(referral.FOpenLimit))
	w.Redis.ZRem(ctx, "leadline:{dispatch}:timers:due", referral.TimerOpenLimit.ID(code))
	if w.TimerSet(referral.TimerOpenLimit, code) {
		t.Fatal("the limit is still set")
	}

	w.Clock.Set(e2e.Start.Add(4 * 24 * time.Hour)) // past its limit
	var wg sync.WaitGroup
	for _, x := range []*e2e.World{w, w2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := x.Svc.LimitOpen(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	e2e.FireTogether(t, w, w2)
	e2e.FireTogether(t, w, w2)
	n := noticesTo(w, "msup")
	if len(n) != 1 || n[0] != code+" has been open 4 days. Unless it is closed first, in 24 hours it is closed and its details removed." {
		t.Fatalf("notices: %q", n)
	}
	if r := w.Referral(code); !r.Open() || r.Notes != "stored long ago" {
		t.Fatalf("closed without the notice's day: state %s", r.State)
	}
	w.Clock.Advance(24 * time.Hour)
	e2e.FireTogether(t, w, w2)
	if r := w.Referral(code); r.State != referral.Closed || r.Outcome != referral.OutcomeExpired || r.Notes != "" {
		t.Errorf("a day after the notice: state %s, outcome %q, notes %q", r.State, r.Outcome, r.Notes)
	}
	if err := w.Svc.LimitOpen(ctx); err != nil || w.TimerSet(referral.TimerOpenLimit, code) {
		t.Errorf("a closed referral got a limit again (err %v)", err)
	}
}
