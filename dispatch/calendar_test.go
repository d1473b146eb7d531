package dispatch_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/leadline/leadline/program"
)

// The same conversation, from a referral to the weekly handoff, holds on
// any date: years before and after the others' e2e.Start, on a leap day,
// across both clock changes and over a new year. Only the calendar moves;
// every expectation is worked out from the program's own zone.
func TestConversationOnAnyDate(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, at string }{
		{"leap day", "2028-02-29 10:00"},
		{"clocks go forward before the handoff", "2027-03-13 14:00"},
		{"clocks go back, years ago", "2019-11-02 14:00"},
		{"new year's eve", "2030-12-31 23:50"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			at, err := time.ParseInLocation("2006-01-02 15:04", tt.at, ny)
			if err != nil {
				t.Fatal(err)
			}
			w := e2e.NewWith(t, at, func(p *program.Program) {
				// East hands over every Monday at 09:00 since 2010.
				i := slices.IndexFunc(p.Cohorts, func(c program.Cohort) bool { return c.ID == "east" })
				p.Cohorts[i].Shift = &program.Shift{Every: 7 * 24 * time.Hour, First: time.Date(2010, 1, 4, 9, 0, 0, 0, ny)}
			})
			ctx := context.Background()
			now, err := w.OnCall.At(ctx, "east", at)
			if err != nil {
				t.Fatal(err)
			}
			// The next Monday 09:00, and the one after, by the calendar.
			days := (int(time.Monday) - int(at.Weekday()) + 7) % 7
			if days == 0 && at.Hour() >= 9 {
				days = 7
			}
			handoff := time.Date(at.Year(), at.Month(), at.Day()+days, 9, 0, 0, 0, ny)
			until := time.Date(handoff.Year(), handoff.Month(), handoff.Day()+7, 9, 0, 0, 0, ny)
			if !now.To.Equal(handoff) {
				t.Fatalf("%s is on call until %v, want until the next Monday 09:00, %v", now.Person, now.To, handoff)
			}

			w.Text("osmith", "SC 105")
			code := e2e.CodeIn(t, w.Expect("osmith", "East", "Paging"))
			w.Expect(now.Person, "LEAD page "+code)
			w.After(5 * time.Minute)
			w.Call(now.Person)
			w.Text(now.Person, "1 "+code)
			w.Expect(now.Person, "You accepted "+code)
			w.Expect("osmith", code+" accepted by")
			r := w.Referral(code)
			if !r.Received.Equal(at) || r.AcceptedAt.Sub(r.Received) != 5*time.Minute {
				t.Errorf("received %v, accepted %v after; want %v and 5m", r.Received, r.AcceptedAt.Sub(r.Received), at)
			}

			w.Clock.Set(handoff.Add(-time.Minute))
			w.Handoffs()
			w.Quiet("bnguyen", "cobi")
			w.Clock.Set(handoff)
			w.Handoffs()
			next := map[string]string{"bnguyen": "cobi", "cobi": "bnguyen"}[now.Person]
			w.Expect(next, "You are on call for East until "+until.Format("Mon 2 Jan, 3:04 PM")+".")
			w.Expect(now.Person, "Your East on-call shift has ended. Still open: "+code+" (accepted).")

			w.Text("osmith", "AD 105")
			w.Expect("osmith", "East")
			w.Expect(next, "LEAD page")
			w.Quiet(now.Person, "osmith")
		})
	}
}
