// Package report turns referral records into the response-time report a
// program sends to its funders: one row per referral and a summary per cohort and type.
//
// A report holds only what a Row holds: codes, types, cohorts, times, outcomes,
// escalation steps and the accepting case manager's name. Officer notes and
// phone numbers are not part of a Row, so they cannot reach a report.
package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Row is one referral. Zero times mean the state was never reached.
type Row struct {
	Code   string
	Type   string // "arrest", "social" or "community"
	Cohort string // cohort display name
	// Agency is the referring officer's agency, kept in the de-identified
	// record when the officer is removed; "" for a community referral.
	Agency   string
	Received time.Time
	Accepted time.Time
	Arrived  time.Time // on scene
	Closed   time.Time // closed, cancelled or unanswered: when it ended
	// Outcome is "engaged", "refused", "gone", "cancelled", "unanswered",
	// "expired" (closed at retention.open, never closed by anyone), or "open".
	Outcome    string
	AcceptedBy string // case manager's name, "" if nobody
	Steps      int    // escalation steps taken after the first page
	// FollowUpDue is when the intake or first follow-up is due; zero when none
	// is owed (no plan for the type, never accepted, refused, gone or cancelled).
	FollowUpDue time.Time
	FollowedUp  time.Time // when the follow-up was recorded
	// Assigned: a community referral staff assigned to a case manager for
	// follow-up, paging nobody. Accepted is when; it counts in Count and
	// the follow-up columns, and in no response time or hand-off share.
	Assigned bool
	// After the accept: the latest ETA the case manager gave, in minutes (0
	// for none), and when it said they would be there (zero for none); how
	// often they were nudged on the way and checked on at the scene, and the
	// SOS pages they sent.
	ETA                     int
	ArriveBy                time.Time
	Nudges, CheckIns, SOSes int
}

// Late reports whether the case manager arrived after the ETA they gave;
// known is false when they gave none or never arrived.
func (r Row) Late() (late, known bool) {
	if r.ArriveBy.IsZero() || r.Arrived.IsZero() {
		return false, false
	}
	return r.Arrived.After(r.ArriveBy), true
}

// Summary is one cohort (or agency) and type.
type Summary struct {
	// Cohort is set when grouped ByCohort, Agency when ByAgency; the final
	// group over every row has "All" in it.
	Cohort, Agency, Type    string
	Count                   int
	Accepted                int
	MedianAccept, P90Accept time.Duration // over rows with Accepted set; 0 when none
	Arrived                 int
	MedianArrive, P90Arrive time.Duration // time from Received to Arrived
	// WithinTarget is the share (0..1) of hand-offs within Target: rows that arrived
	// within Target of Received, over Count minus rows cancelled before anyone
	// accepted and minus rows still open that have not arrived (Open counts
	// those apart: their hand-off is not decided yet). 0 when the denominator is 0.
	WithinTarget float64
	Unanswered   int
	// Open counts rows still open; Cancelled, Engaged, Refused, Gone and
	// Expired count rows by how they ended.
	Open, Cancelled, Engaged, Refused, Gone, Expired int
	// FollowUpsDue counts the follow-ups that can be judged: owed (FollowUpDue
	// set) and either past due at the report's time or already recorded.
	// FollowedOnTime counts those recorded no later than FollowUpDue.
	FollowUpsDue, FollowedOnTime int
	// MedianFollowUp is the median time from Accepted to FollowedUp over rows
	// with both set; 0 when none.
	MedianFollowUp time.Duration
	// ArrivedLate is the share (0..1) of rows whose lateness is known (see
	// Row.Late) that arrived after their ETA; 0 when none is known.
	ArrivedLate float64
	// SOS counts the SOS pages of the group's rows.
	SOS int
}

// Target is the warm hand-off LEAD asks for.
const Target = 30 * time.Minute

// Outcomes the summary counts on.
const (
	outcomeCancelled  = "cancelled"
	outcomeUnanswered = "unanswered"
	outcomeOpen       = "open"
	outcomeEngaged    = "engaged"
	outcomeRefused    = "refused"
	outcomeGone       = "gone"
	outcomeExpired    = "expired"
)

// Grouping is what a summary is grouped by besides type.
type Grouping string

// The groupings: by cohort (the default) or by the referring agency.
const (
	ByCohort Grouping = "cohort"
	ByAgency Grouping = "agency"
)

// ParseGrouping reads "cohort" or "agency"; "" is ByCohort.
func ParseGrouping(s string) (Grouping, error) {
	switch Grouping(s) {
	case "", ByCohort:
		return ByCohort, nil
	case ByAgency:
		return ByAgency, nil
	}
	return "", fmt.Errorf("report: unknown grouping %q (want cohort or agency)", s)
}

// Summarize groups rows by cohort (or agency) and type (sorted by it then type) and adds a final
// group with "All" and Type "all" over every row. Percentiles use the
// nearest-rank method on the sorted durations (p-th percentile = value at rank
// ceil(p/100*n)); the median is the 50th percentile by the same rule.
//
// A row arrives within Target when Arrived - Received <= Target. A row
// cancelled before anyone accepted counts in neither part of WithinTarget.
// now is when the report is made: a follow-up not yet recorded counts in
// FollowUpsDue only once its due time is before now.
func Summarize(rows []Row, now time.Time, by Grouping) []Summary {
	groups := summarize(rows, now, by)
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
	timed    int // rows whose lateness is known: ArrivedLate's denominator
}

type groupKey struct{ name, typ string }

func summarize(rows []Row, now time.Time, by Grouping) []group {
	groups := make(map[groupKey][]Row)
	for _, r := range rows {
		k := groupKey{r.Cohort, r.Type}
		if by == ByAgency {
			k.name = r.Agency
		}
		groups[k] = append(groups[k], r)
	}
	keys := slices.SortedFunc(maps.Keys(groups), func(a, b groupKey) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.typ, b.typ))
	})
	out := make([]group, 0, len(keys)+1)
	for _, k := range keys {
		out = append(out, summarizeGroup(by, k, groups[k], now))
	}
	return append(out, summarizeGroup(by, groupKey{"All", "all"}, rows, now))
}

func summarizeGroup(by Grouping, k groupKey, rows []Row, now time.Time) group {
	g := group{Summary: Summary{Cohort: k.name, Type: k.typ, Count: len(rows)}}
	if by == ByAgency {
		g.Cohort, g.Agency = "", k.name
	}
	var accept, arrive, follow []time.Duration
	within := 0
	for _, r := range rows {
		if !r.Accepted.IsZero() && !r.FollowedUp.IsZero() {
			follow = append(follow, r.FollowedUp.Sub(r.Accepted))
		}
		if !r.Accepted.IsZero() && !r.Assigned {
			accept = append(accept, r.Accepted.Sub(r.Received))
		}
		if !r.FollowUpDue.IsZero() && (r.FollowUpDue.Before(now) || !r.FollowedUp.IsZero()) {
			g.FollowUpsDue++
			if !r.FollowedUp.IsZero() && !r.FollowedUp.After(r.FollowUpDue) {
				g.FollowedOnTime++
			}
		}
		g.countOutcome(r.Outcome)
		g.SOS += r.SOSes
		if late, known := r.Late(); known {
			g.timed++
			if late {
				g.ArrivedLate++
			}
		}
		eligible := !r.Assigned && (r.Outcome != outcomeCancelled || !r.Accepted.IsZero()) &&
			(r.Outcome != outcomeOpen || !r.Arrived.IsZero())
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
	if g.timed > 0 {
		g.ArrivedLate /= float64(g.timed)
	}
	return g
}

func (g *group) countOutcome(outcome string) {
	switch outcome {
	case outcomeUnanswered:
		g.Unanswered++
	case outcomeOpen:
		g.Open++
	case outcomeCancelled:
		g.Cancelled++
	case outcomeEngaged:
		g.Engaged++
	case outcomeRefused:
		g.Refused++
	case outcomeGone:
		g.Gone++
	case outcomeExpired:
		g.Expired++
	}
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
