// Package report turns referral records into the response-time report a
// program sends to its funders: one row per referral and a summary per cohort and type.
//
// A report holds only what a Row holds: codes, types, cohorts, times, outcomes,
// escalation steps and the accepting case manager's name. Officer notes and
// phone numbers are not part of a Row, so they cannot reach a report.
package report

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// Row is one referral. Zero times mean the state was never reached.
type Row struct {
	Code       string
	Type       string // "arrest" or "social"
	Cohort     string // cohort display name
	Received   time.Time
	Accepted   time.Time
	Arrived    time.Time // on scene
	Closed     time.Time // closed, cancelled or unanswered: when it ended
	Outcome    string    // "engaged", "refused", "gone", "cancelled", "unanswered", or "open"
	AcceptedBy string    // case manager's name, "" if nobody
	Steps      int       // escalation steps taken after the first page
	// FollowUpDue is when the intake or first follow-up is due; zero when none
	// is owed (no plan for the type, never accepted, refused, gone or cancelled).
	FollowUpDue time.Time
	FollowedUp  time.Time // when the follow-up was recorded
	// After the accept: the latest ETA given (minutes, 0 for none), when it
	// said the case manager would arrive (zero for none), and how often
	// they were nudged on the way, checked on on scene, and asked for help.
	ETA              int
	ArriveBy         time.Time
	Nudges, CheckIns int
	SOS              int
}

// Late is how long after the ETA given the case manager arrived (negative:
// early); ok is false without an ETA or an arrival.
func (r Row) Late() (d time.Duration, ok bool) {
	if r.ArriveBy.IsZero() || r.Arrived.IsZero() {
		return 0, false
	}
	return r.Arrived.Sub(r.ArriveBy), true
}

// Summary is one cohort and type.
type Summary struct {
	Cohort, Type            string
	Count                   int
	Accepted                int
	MedianAccept, P90Accept time.Duration // over rows with Accepted set; 0 when none
	Arrived                 int
	MedianArrive, P90Arrive time.Duration // time from Received to Arrived
	// WithinTarget is the share (0..1) of hand-offs within Target: rows that arrived
	// within Target of Received, over Count minus rows cancelled before anyone accepted.
	// 0 when the denominator is 0.
	WithinTarget float64
	Unanswered   int
	// FollowUpsDue counts the follow-ups that can be judged: owed (FollowUpDue
	// set) and either past due at the report's time or already recorded.
	// FollowedOnTime counts those recorded no later than FollowUpDue.
	FollowUpsDue, FollowedOnTime int
	// MedianFollowUp is the median time from Accepted to FollowedUp over rows
	// with both set; 0 when none.
	MedianFollowUp time.Duration
}

// Target is the warm hand-off LEAD asks for.
const Target = 30 * time.Minute

// Outcomes the summary counts on.
const (
	outcomeCancelled  = "cancelled"
	outcomeUnanswered = "unanswered"
)

// Summarize groups rows by cohort and type (sorted by cohort then type) and adds a final
// group with Cohort "All" and Type "all" over every row. Percentiles use the
// nearest-rank method on the sorted durations (p-th percentile = value at rank
// ceil(p/100*n)); the median is the 50th percentile by the same rule.
//
// A row arrives within Target when Arrived - Received <= Target. A row
// cancelled before anyone accepted counts in neither part of WithinTarget.
// now is when the report is made: a follow-up not yet recorded counts in
// FollowUpsDue only once its due time is before now.
func Summarize(rows []Row, now time.Time) []Summary {
	groups := summarize(rows, now)
	out := make([]Summary, len(groups))
	for i, g := range groups {
		out[i] = g.Summary
	}
	return out
}

// group is a Summary with the denominator of its WithinTarget share and the
// count behind MedianFollowUp, so the formats can tell "nothing to count"
// from "none within Target" or a zero median.
type group struct {
	Summary
	eligible int
	followed int
}

type groupKey struct{ cohort, typ string }

func summarize(rows []Row, now time.Time) []group {
	by := make(map[groupKey][]Row)
	for _, r := range rows {
		k := groupKey{r.Cohort, r.Type}
		by[k] = append(by[k], r)
	}
	keys := slices.SortedFunc(maps.Keys(by), func(a, b groupKey) int {
		return cmp.Or(cmp.Compare(a.cohort, b.cohort), cmp.Compare(a.typ, b.typ))
	})
	out := make([]group, 0, len(keys)+1)
	for _, k := range keys {
		out = append(out, summarizeGroup(k.cohort, k.typ, by[k], now))
	}
	return append(out, summarizeGroup("All", "all", rows, now))
}

func summarizeGroup(cohort, typ string, rows []Row, now time.Time) group {
	g := group{Summary: Summary{Cohort: cohort, Type: typ, Count: len(rows)}}
	var accept, arrive, follow []time.Duration
	within := 0
	for _, r := range rows {
		if !r.Accepted.IsZero() {
			accept = append(accept, r.Accepted.Sub(r.Received))
			if !r.FollowedUp.IsZero() {
				follow = append(follow, r.FollowedUp.Sub(r.Accepted))
			}
		}
		if !r.FollowUpDue.IsZero() && (r.FollowUpDue.Before(now) || !r.FollowedUp.IsZero()) {
			g.FollowUpsDue++
			if !r.FollowedUp.IsZero() && !r.FollowedUp.After(r.FollowUpDue) {
				g.FollowedOnTime++
			}
		}
		if r.Outcome == outcomeUnanswered {
			g.Unanswered++
		}
		eligible := r.Outcome != outcomeCancelled || !r.Accepted.IsZero()
		if eligible {
			g.eligible++
		}
		if r.Arrived.IsZero() {
			continue
		}
		d := r.Arrived.Sub(r.Received)
		arrive = append(arrive, d)
		if eligible && d <= Target {
			within++
		}
	}
	slices.Sort(accept)
	slices.Sort(arrive)
	slices.Sort(follow)
	g.followed, g.MedianFollowUp = len(follow), percentile(follow, 50)
	g.Accepted, g.MedianAccept, g.P90Accept = len(accept), percentile(accept, 50), percentile(accept, 90)
	g.Arrived, g.MedianArrive, g.P90Arrive = len(arrive), percentile(arrive, 50), percentile(arrive, 90)
	if g.eligible > 0 {
		g.WithinTarget = float64(within) / float64(g.eligible)
	}
	return g
}

// percentile is the p-th percentile of sorted by nearest rank: the value at
// rank ceil(p/100*n), counting from 1. It is 0 when sorted is empty.
func percentile(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100 // ceil(p*n/100) in integers, free of rounding error
	return sorted[max(rank, 1)-1]
}
