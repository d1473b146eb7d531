package report_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/report"
)

// t0 is 10:00 in New York (EDT, UTC-4), the day after clocks went forward.
var t0 = time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC)

// winter is 18:50 in New York (EST, UTC-5) and already the next day in UTC.
var winter = time.Date(2025, 1, 15, 23, 50, 0, 0, time.UTC)

func at(base time.Time, minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

const day = 24 * time.Hour

// fixtureNow is when the fixture's report is made: ten days after t0.
var fixtureNow = t0.Add(10 * day)

// fixture is a night of referrals in three cohorts, out of order. The
// comments give minutes after Received. Follow-ups are due 30 days after an
// arrest diversion is accepted and 72 hours after a social contact is.
func fixture() []report.Row {
	return []report.Row{
		// Accepted 5, arrived 20: within target. Intake 3 days after the accept: on time.
		{Code: "A1", Type: "arrest", Cohort: "Eastside", Received: t0, Accepted: at(t0, 5), Arrived: at(t0, 20),
			Closed: at(t0, 60), Outcome: "engaged", AcceptedBy: "Jordan Rivera", ETA: 15, ArriveBy: at(t0, 20),
			FollowUpDue: at(t0, 5).Add(30 * day), FollowedUp: at(t0, 5).Add(3 * day)},
		// Accepted 12, arrived 45: late.
		{Code: "A2", Type: "arrest", Cohort: "Eastside", Received: at(t0, 60), Accepted: at(t0, 72), Arrived: at(t0, 105),
			Closed: at(t0, 150), Outcome: "refused", AcceptedBy: "Sam Lee", Steps: 1, ETA: 20, ArriveBy: at(t0, 92), Nudges: 1},
		// Accepted 8, cancelled before arriving: counts against the target.
		{Code: "A3", Type: "arrest", Cohort: "Eastside", Received: at(t0, 120), Accepted: at(t0, 128),
			Closed: at(t0, 170), Outcome: "cancelled", AcceptedBy: "Jordan Rivera"},
		// Nobody answered: counts against the target.
		{Code: "A4", Type: "social", Cohort: "Eastside", Received: at(t0, 180),
			Closed: at(t0, 210), Outcome: "unanswered", Steps: 3},
		// Accepted 3, arrived 25. Followed up 80 hours after the accept: late.
		{Code: "A5", Type: "social", Cohort: "Eastside", Received: at(t0, 240), Accepted: at(t0, 243), Arrived: at(t0, 265),
			Closed: at(t0, 300), Outcome: "engaged", AcceptedBy: "Sam Lee", CheckIns: 2,
			FollowUpDue: at(t0, 243).Add(72 * time.Hour), FollowedUp: at(t0, 243).Add(80 * time.Hour)},
		// Cancelled before anyone accepted: left out of the target's denominator.
		{Code: "A6", Type: "arrest", Cohort: "Westside", Received: at(t0, 30),
			Closed: at(t0, 40), Outcome: "cancelled"},
		// Accepted 2, arrived exactly at 30: within target. Intake not due yet at fixtureNow.
		{Code: "A7", Type: "arrest", Cohort: "Westside", Received: at(t0, 90), Accepted: at(t0, 92), Arrived: at(t0, 120),
			Closed: at(t0, 165), Outcome: "engaged", AcceptedBy: "Ana Cruz", Steps: 2, ETA: 30, ArriveBy: at(t0, 122), SOSes: 1,
			FollowUpDue: at(t0, 92).Add(30 * day)},
		// In winter: accepted 20, arrived 70.
		{Code: "A8", Type: "social", Cohort: "Westside", Received: winter, Accepted: at(winter, 20), Arrived: at(winter, 70),
			Closed: at(winter, 120), Outcome: "gone", AcceptedBy: "Ana Cruz", Steps: 1},
		// Still open: accepted 4, not arrived, not closed. Follow-up overdue at fixtureNow.
		{Code: "A9", Type: "social", Cohort: "Westside", Received: at(t0, 300), Accepted: at(t0, 304),
			Outcome: "open", AcceptedBy: "Ana Cruz", ETA: 10, ArriveBy: at(t0, 314), Nudges: 1, FollowUpDue: at(t0, 304).Add(72 * time.Hour)},
		// The cohort's only referral, cancelled before anyone accepted: no share.
		{Code: "A10", Type: "social", Cohort: "Northside", Received: at(t0, 360),
			Closed: at(t0, 365), Outcome: "cancelled"},
	}
}

const m = time.Minute

// fixtureSummary is fixture's summary at fixtureNow, worked by hand.
var fixtureSummary = []report.Summary{
	// Accept [5 8 12]: median rank 2, p90 rank 3. Arrive [20 45]: ranks 1 and 2. Within 1 of 3.
	// A1's intake was on time; A2 refused and A3 was cancelled, so they owe none.
	{Cohort: "Eastside", Type: "arrest", Count: 3, Accepted: 3, MedianAccept: 8 * m, P90Accept: 12 * m,
		Arrived: 2, MedianArrive: 20 * m, P90Arrive: 45 * m, WithinTarget: 1.0 / 3,
		FollowUpsDue: 1, FollowedOnTime: 1, MedianFollowUp: 3 * day, Cancelled: 1, Engaged: 1, Refused: 1,
		ArrivedLate: 0.5}, // A1 on its ETA, A2 after it; A3 gave none
	// A5 followed up late.
	{Cohort: "Eastside", Type: "social", Count: 2, Accepted: 1, MedianAccept: 3 * m, P90Accept: 3 * m,
		Arrived: 1, MedianArrive: 25 * m, P90Arrive: 25 * m, WithinTarget: 0.5, Unanswered: 1,
		FollowUpsDue: 1, MedianFollowUp: 80 * time.Hour, Engaged: 1},
	{Cohort: "Northside", Type: "social", Count: 1, Cancelled: 1},
	// A6 is out of the denominator, so 1 of 1. A7's intake is not due yet.
	{Cohort: "Westside", Type: "arrest", Count: 2, Accepted: 1, MedianAccept: 2 * m, P90Accept: 2 * m,
		Arrived: 1, MedianArrive: 30 * m, P90Arrive: 30 * m, WithinTarget: 1, Cancelled: 1, Engaged: 1,
		SOS: 1}, // A7 arrived before its ETA: 0 of 1 late
	// A8 is gone; A9's follow-up is overdue. A9 is still open and not on
	// scene: counted apart, not as a missed hand-off, so 0 of 1.
	{Cohort: "Westside", Type: "social", Count: 2, Accepted: 2, MedianAccept: 4 * m, P90Accept: 20 * m,
		Arrived: 1, MedianArrive: 70 * m, P90Arrive: 70 * m, WithinTarget: 0,
		FollowUpsDue: 1, Open: 1, Gone: 1},
	// Accept [2 3 4 5 8 12 20]: median rank 4, p90 rank 7. Arrive [20 25 30 45 70]:
	// ranks 3 and 5. Within: A1, A5, A7 over 10 - 2 cancelled before accepting
	// - 1 still open (A9).
	// Follow-ups judged: A1, A5, A9; [72h 80h] has its median at rank 1.
	{Cohort: "All", Type: "all", Count: 10, Accepted: 7, MedianAccept: 5 * m, P90Accept: 20 * m,
		Arrived: 5, MedianArrive: 30 * m, P90Arrive: 70 * m, WithinTarget: 3.0 / 7, Unanswered: 1,
		FollowUpsDue: 3, FollowedOnTime: 1, MedianFollowUp: 3 * day,
		Open: 1, Cancelled: 3, Engaged: 3, Refused: 1, Gone: 1,
		ArrivedLate: 1.0 / 3, SOS: 1}, // late: A2 of A1, A2, A7 (A9 has not arrived)
}

// followUpNow is when followUpRows are judged: 31 days after t0.
var followUpNow = t0.Add(31 * day)

// followUpRows are referrals after the hand-off, each accepted 5 minutes
// after it was received; the comments say how each stands at followUpNow.
func followUpRows() []report.Row {
	acc := func(rcv time.Time) time.Time { return at(rcv, 5) }
	r1, r2, r3, r4 := t0, at(t0, 60), t0.Add(3*day), t0.Add(4*day)
	r5, r6, r7 := t0.Add(20*day), t0.Add(21*day), t0.Add(22*day)
	return []report.Row{
		// Intake 2 days after the accept: on time.
		{Code: "F1", Type: "arrest", Cohort: "Eastside", Received: r1, Accepted: acc(r1), Outcome: "engaged",
			FollowUpDue: acc(r1).Add(30 * day), FollowedUp: acc(r1).Add(2 * day)},
		// Due a day before followUpNow, not recorded: overdue.
		{Code: "F2", Type: "arrest", Cohort: "Eastside", Received: r2, Accepted: acc(r2), Outcome: "engaged",
			FollowUpDue: acc(r2).Add(30 * day)},
		// Due 2 days after followUpNow, not recorded: not judged yet.
		{Code: "F3", Type: "arrest", Cohort: "Eastside", Received: r3, Accepted: acc(r3), Outcome: "open",
			FollowUpDue: acc(r3).Add(30 * day)},
		// Not due until after followUpNow but already recorded: judged, on time.
		{Code: "F4", Type: "arrest", Cohort: "Eastside", Received: r4, Accepted: acc(r4), Outcome: "engaged",
			FollowUpDue: acc(r4).Add(30 * day), FollowedUp: acc(r4).Add(16 * day)},
		// Followed up 5 days after the accept, 2 days late.
		{Code: "F5", Type: "social", Cohort: "Eastside", Received: r5, Accepted: acc(r5), Outcome: "engaged",
			FollowUpDue: acc(r5).Add(72 * time.Hour), FollowedUp: acc(r5).Add(5 * day)},
		// Refused: no follow-up owed.
		{Code: "F6", Type: "social", Cohort: "Eastside", Received: r6, Accepted: acc(r6), Closed: at(r6, 30),
			Outcome: "refused"},
		// Followed up exactly at the due time: on time.
		{Code: "F7", Type: "social", Cohort: "Eastside", Received: r7, Accepted: acc(r7), Outcome: "engaged",
			FollowUpDue: acc(r7).Add(72 * time.Hour), FollowedUp: acc(r7).Add(72 * time.Hour)},
	}
}

func TestSummarize(t *testing.T) {
	tests := []struct {
		name string
		rows []report.Row
		now  time.Time
		want []report.Summary
	}{
		{"fixture", fixture(), fixtureNow, fixtureSummary},
		{"no rows", nil, t0, []report.Summary{{Cohort: "All", Type: "all"}}},
		{"only cancelled before accepting", []report.Row{
			{Code: "C1", Type: "arrest", Cohort: "Eastside", Received: t0, Closed: at(t0, 5), Outcome: "cancelled"},
		}, t0, []report.Summary{
			{Cohort: "Eastside", Type: "arrest", Count: 1, Cancelled: 1},
			{Cohort: "All", Type: "all", Count: 1, Cancelled: 1},
		}},
		{"arrival one second late", []report.Row{
			{Code: "L1", Type: "social", Cohort: "Eastside", Received: t0, Accepted: at(t0, 1),
				Arrived: t0.Add(report.Target + time.Second), Outcome: "engaged"},
		}, t0, []report.Summary{
			{Cohort: "Eastside", Type: "social", Count: 1, Accepted: 1, MedianAccept: m, P90Accept: m,
				Arrived: 1, MedianArrive: 30*m + time.Second, P90Arrive: 30*m + time.Second, Engaged: 1},
			{Cohort: "All", Type: "all", Count: 1, Accepted: 1, MedianAccept: m, P90Accept: m,
				Arrived: 1, MedianArrive: 30*m + time.Second, P90Arrive: 30*m + time.Second, Engaged: 1},
		}},
		// Judged: arrest F1, F2, F4 (F3 not due yet), social F5, F7 (F6 refused).
		// Time to follow up: arrest [2d 16d], median rank 1; social [3d 5d],
		// rank 1; all [2d 3d 5d 16d], rank 2.
		{"follow-ups", followUpRows(), followUpNow, []report.Summary{
			{Cohort: "Eastside", Type: "arrest", Count: 4, Accepted: 4, MedianAccept: 5 * m, P90Accept: 5 * m,
				FollowUpsDue: 3, FollowedOnTime: 2, MedianFollowUp: 2 * day, Engaged: 3, Open: 1},
			{Cohort: "Eastside", Type: "social", Count: 3, Accepted: 3, MedianAccept: 5 * m, P90Accept: 5 * m,
				FollowUpsDue: 2, FollowedOnTime: 1, MedianFollowUp: 3 * day, Engaged: 2, Refused: 1},
			{Cohort: "All", Type: "all", Count: 7, Accepted: 7, MedianAccept: 5 * m, P90Accept: 5 * m,
				FollowUpsDue: 5, FollowedOnTime: 3, MedianFollowUp: 3 * day, Engaged: 5, Open: 1, Refused: 1},
		}},
		// A follow-up due at the report's very time is not yet late.
		{"due exactly now", followUpRows()[1:2], followUpRows()[1].FollowUpDue, []report.Summary{
			{Cohort: "Eastside", Type: "arrest", Count: 1, Accepted: 1, MedianAccept: 5 * m, P90Accept: 5 * m, Engaged: 1},
			{Cohort: "All", Type: "all", Count: 1, Accepted: 1, MedianAccept: 5 * m, P90Accept: 5 * m, Engaged: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.Summarize(tt.rows, tt.now, report.ByCohort)
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
			all := report.Summarize(rows, t0, report.ByCohort)
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

// Community referrals have a group of their own. One assigned for
// follow-up paged nobody: it counts, and its follow-up counts, but it
// takes no part in the response times or the hand-off share.
func TestSummarizeCommunity(t *testing.T) {
	rows := []report.Row{
		{Code: "C1", Type: "community", Cohort: "Eastside", Received: t0, Accepted: at(t0, 4), Arrived: at(t0, 20),
			Closed: at(t0, 60), Outcome: "engaged"},
		{Code: "C2", Type: "community", Cohort: "Eastside", Received: t0, Accepted: t0, Assigned: true, Outcome: "open",
			FollowUpDue: t0.Add(7 * day), FollowedUp: t0.Add(2 * day)},
	}
	all := report.Summarize(rows, fixtureNow, report.ByCohort)
	if len(all) != 2 || all[0].Type != "community" {
		t.Fatalf("groups: %+v", all)
	}
	for _, s := range all {
		if s.Count != 2 || s.Accepted != 1 || s.MedianAccept != 4*m || s.Arrived != 1 || s.WithinTarget != 1 ||
			s.FollowUpsDue != 1 || s.FollowedOnTime != 1 || s.MedianFollowUp != 2*day {
			t.Errorf("%s %s: %+v", s.Cohort, s.Type, s)
		}
	}
}

// LATE is known only when an ETA was given and the case manager arrived;
// arriving at the ETA is on time.
func TestLate(t *testing.T) {
	for _, tt := range []struct {
		name            string
		arriveBy, there time.Time
		late, known     bool
		csv             string
	}{
		{"no ETA", time.Time{}, at(t0, 20), false, false, ""},
		{"not arrived", at(t0, 20), time.Time{}, false, false, ""},
		{"before", at(t0, 20), at(t0, 19), false, true, "no"},
		{"at the ETA", at(t0, 20), at(t0, 20), false, true, "no"},
		{"a second after", at(t0, 20), at(t0, 20).Add(time.Second), true, true, "yes"},
	} {
		r := report.Row{Code: "L1", Type: "arrest", Cohort: "Eastside", Received: t0, Accepted: at(t0, 1),
			Arrived: tt.there, ArriveBy: tt.arriveBy, Outcome: "open"}
		if late, known := r.Late(); late != tt.late || known != tt.known {
			t.Errorf("%s: Late() = %v, %v; want %v, %v", tt.name, late, known, tt.late, tt.known)
		}
		cells := strings.Split(strings.Split(write(t, "csv", []report.Row{r}, time.UTC), "\n")[1], ",")
		if got := cells[14]; got != tt.csv {
			t.Errorf("%s: csv late = %q, want %q", tt.name, got, tt.csv)
		}
	}
}

// A referral closed at the open limit is counted as expired, and SOS
// pages add up over the group.
func TestSummaryCountsExpiredAndSOS(t *testing.T) {
	rows := []report.Row{
		{Code: "E1", Type: "arrest", Cohort: "Eastside", Received: t0, Accepted: at(t0, 2), Closed: t0.Add(180 * day),
			Outcome: "expired", SOSes: 2},
		{Code: "E2", Type: "arrest", Cohort: "Eastside", Received: at(t0, 5), Accepted: at(t0, 6), Arrived: at(t0, 30),
			ArriveBy: at(t0, 26), Closed: at(t0, 60), Outcome: "engaged", SOSes: 1},
	}
	all := report.Summarize(rows, t0.Add(200*day), report.ByCohort)[1]
	if all.Expired != 1 || all.Engaged != 1 || all.SOS != 3 || all.ArrivedLate != 1 {
		t.Errorf("expired %d, engaged %d, sos %d, arrived late %v; want 1, 1, 3, 1", all.Expired, all.Engaged, all.SOS, all.ArrivedLate)
	}
}
