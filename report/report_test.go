package report_test

import (
	"math"
	"testing"
	"time"

	"github.com/leadline/leadline/report"
)

// t0 is 10:00 in New York (EDT, UTC-4), the day after clocks went forward.
var t0 = time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC)

// winter is 18:50 in New York (EST, UTC-5) and already the next day in UTC.
var winter = time.Date(2025, 1, 15, 23, 50, 0, 0, time.UTC)

func at(base time.Time, minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

// fixture is a night of referrals in three cohorts, out of order. The
// comments give minutes after Received.
func fixture() []report.Row {
	return []report.Row{
		// Accepted 5, arrived 20: within target.
		{Code: "A1", Type: "arrest", Cohort: "Eastside", Received: t0, Accepted: at(t0, 5), Arrived: at(t0, 20),
			Closed: at(t0, 60), Outcome: "engaged", AcceptedBy: "Jordan Rivera"},
		// Accepted 12, arrived 45: late.
		{Code: "A2", Type: "arrest", Cohort: "Eastside", Received: at(t0, 60), Accepted: at(t0, 72), Arrived: at(t0, 105),
			Closed: at(t0, 150), Outcome: "refused", AcceptedBy: "Sam Lee", Steps: 1},
		// Accepted 8, cancelled before arriving: counts against the target.
		{Code: "A3", Type: "arrest", Cohort: "Eastside", Received: at(t0, 120), Accepted: at(t0, 128),
			Closed: at(t0, 170), Outcome: "cancelled", AcceptedBy: "Jordan Rivera"},
		// Nobody answered: counts against the target.
		{Code: "A4", Type: "social", Cohort: "Eastside", Received: at(t0, 180),
			Closed: at(t0, 210), Outcome: "unanswered", Steps: 3},
		// Accepted 3, arrived 25.
		{Code: "A5", Type: "social", Cohort: "Eastside", Received: at(t0, 240), Accepted: at(t0, 243), Arrived: at(t0, 265),
			Closed: at(t0, 300), Outcome: "engaged", AcceptedBy: "Sam Lee"},
		// Cancelled before anyone accepted: left out of the target's denominator.
		{Code: "A6", Type: "arrest", Cohort: "Westside", Received: at(t0, 30),
			Closed: at(t0, 40), Outcome: "cancelled"},
		// Accepted 2, arrived exactly at 30: within target.
		{Code: "A7", Type: "arrest", Cohort: "Westside", Received: at(t0, 90), Accepted: at(t0, 92), Arrived: at(t0, 120),
			Closed: at(t0, 165), Outcome: "engaged", AcceptedBy: "Ana Cruz", Steps: 2},
		// In winter: accepted 20, arrived 70.
		{Code: "A8", Type: "social", Cohort: "Westside", Received: winter, Accepted: at(winter, 20), Arrived: at(winter, 70),
			Closed: at(winter, 120), Outcome: "gone", AcceptedBy: "Ana Cruz", Steps: 1},
		// Still open: accepted 4, not arrived, not closed.
		{Code: "A9", Type: "social", Cohort: "Westside", Received: at(t0, 300), Accepted: at(t0, 304),
			Outcome: "open", AcceptedBy: "Ana Cruz"},
		// The cohort's only referral, cancelled before anyone accepted: no share.
		{Code: "A10", Type: "social", Cohort: "Northside", Received: at(t0, 360),
			Closed: at(t0, 365), Outcome: "cancelled"},
	}
}

const m = time.Minute

// fixtureSummary is fixture's summary, worked by hand.
var fixtureSummary = []report.Summary{
	// Accept [5 8 12]: median rank 2, p90 rank 3. Arrive [20 45]: ranks 1 and 2. Within 1 of 3.
	{Cohort: "Eastside", Type: "arrest", Count: 3, Accepted: 3, MedianAccept: 8 * m, P90Accept: 12 * m,
		Arrived: 2, MedianArrive: 20 * m, P90Arrive: 45 * m, WithinTarget: 1.0 / 3},
	{Cohort: "Eastside", Type: "social", Count: 2, Accepted: 1, MedianAccept: 3 * m, P90Accept: 3 * m,
		Arrived: 1, MedianArrive: 25 * m, P90Arrive: 25 * m, WithinTarget: 0.5, Unanswered: 1},
	{Cohort: "Northside", Type: "social", Count: 1},
	// A6 is out of the denominator, so 1 of 1.
	{Cohort: "Westside", Type: "arrest", Count: 2, Accepted: 1, MedianAccept: 2 * m, P90Accept: 2 * m,
		Arrived: 1, MedianArrive: 30 * m, P90Arrive: 30 * m, WithinTarget: 1},
	{Cohort: "Westside", Type: "social", Count: 2, Accepted: 2, MedianAccept: 4 * m, P90Accept: 20 * m,
		Arrived: 1, MedianArrive: 70 * m, P90Arrive: 70 * m, WithinTarget: 0},
	// Accept [2 3 4 5 8 12 20]: median rank 4, p90 rank 7. Arrive [20 25 30 45 70]:
	// ranks 3 and 5. Within: A1, A5, A7 over 10 - 2 cancelled before accepting.
	{Cohort: "All", Type: "all", Count: 10, Accepted: 7, MedianAccept: 5 * m, P90Accept: 20 * m,
		Arrived: 5, MedianArrive: 30 * m, P90Arrive: 70 * m, WithinTarget: 3.0 / 8, Unanswered: 1},
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name string
		rows []report.Row
		want []report.Summary
	}{
		{"fixture", fixture(), fixtureSummary},
		{"no rows", nil, []report.Summary{{Cohort: "All", Type: "all"}}},
		{"only cancelled before accepting", []report.Row{
			{Code: "C1", Type: "arrest", Cohort: "Eastside", Received: t0, Closed: at(t0, 5), Outcome: "cancelled"},
		}, []report.Summary{
			{Cohort: "Eastside", Type: "arrest", Count: 1},
			{Cohort: "All", Type: "all", Count: 1},
		}},
		{"arrival one second late", []report.Row{
			{Code: "L1", Type: "social", Cohort: "Eastside", Received: t0, Accepted: at(t0, 1),
				Arrived: t0.Add(report.Target + time.Second), Outcome: "engaged"},
		}, []report.Summary{
			{Cohort: "Eastside", Type: "social", Count: 1, Accepted: 1, MedianAccept: m, P90Accept: m,
				Arrived: 1, MedianArrive: 30*m + time.Second, P90Arrive: 30*m + time.Second},
			{Cohort: "All", Type: "all", Count: 1, Accepted: 1, MedianAccept: m, P90Accept: m,
				Arrived: 1, MedianArrive: 30*m + time.Second, P90Arrive: 30*m + time.Second},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.Summarize(tt.rows)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d groups, want %d:\n%+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if math.Abs(g.WithinTarget-w.WithinTarget) > 1e-9 {
					t.Errorf("%s/%s: WithinTarget = %v, want %v", w.Cohort, w.Type, g.WithinTarget, w.WithinTarget)
				}
				g.WithinTarget = w.WithinTarget
				if g != w {
					t.Errorf("group %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestSummarizePercentiles(t *testing.T) {
	tests := []struct {
		name        string
		minutes     []int // accept times, in no order
		median, p90 time.Duration
	}{
		{"n=1", []int{7}, 7 * m, 7 * m},
		{"n=2", []int{20, 10}, 10 * m, 20 * m},                            // ranks ceil(1)=1, ceil(1.8)=2
		{"n=3", []int{9, 1, 5}, 5 * m, 9 * m},                             // ranks ceil(1.5)=2, ceil(2.7)=3
		{"n=10", []int{10, 3, 7, 1, 9, 2, 8, 5, 4, 6}, 5 * m, 9 * m},      // ranks 5, 9
		{"n=11", []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6 * m, 10 * m}, // ranks ceil(5.5)=6, ceil(9.9)=10
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []report.Row
			for i, n := range tt.minutes {
				rcv := at(t0, 60*i)
				rows = append(rows, report.Row{Type: "arrest", Cohort: "Eastside", Received: rcv,
					Accepted: at(rcv, n), Arrived: at(rcv, 2*n), Outcome: "engaged"})
			}
			all := report.Summarize(rows)
			if len(all) != 2 {
				t.Fatalf("got %d groups, want 2", len(all))
			}
			for _, s := range all {
				if s.MedianAccept != tt.median || s.P90Accept != tt.p90 {
					t.Errorf("%s: accept median, p90 = %v, %v; want %v, %v", s.Cohort, s.MedianAccept, s.P90Accept, tt.median, tt.p90)
				}
				if s.MedianArrive != 2*tt.median || s.P90Arrive != 2*tt.p90 {
					t.Errorf("%s: arrive median, p90 = %v, %v; want %v, %v", s.Cohort, s.MedianArrive, s.P90Arrive, 2*tt.median, 2*tt.p90)
				}
			}
		})
	}
}
