package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
)

// Write writes rows (sorted by Received) and their summary in format "table", "csv" or
// "json", with times in loc. Any other format is an error naming the accepted ones.
// A nil loc means UTC. rows itself is left in its order. now is when the report
// is made; the summary judges follow-ups as of then (see Summarize).
//
// The table rounds durations to the minute and shows the WithinTarget share
// as a whole percentage; csv and json give durations in whole seconds. A
// value with nothing to measure (no accepted rows, no arrivals, no hand-offs
// to count, no follow-up recorded) and a zero time are "-" in the table,
// empty in csv and null in json. In csv, a text cell starting with =,
// +, -, @, a tab or a carriage return gets a leading apostrophe, so a
// spreadsheet shows it rather than runs it.
func Write(w io.Writer, format string, rows []Row, loc *time.Location, now time.Time) error {
	var write func(io.Writer, []Row, []group, *time.Location) error
	switch format {
	case "table":
		write = writeTable
	case "csv":
		write = writeCSV
	case "json":
		write = writeJSON
	default:
		return fmt.Errorf("report: unknown format %q (want table, csv or json)", format)
	}
	if loc == nil {
		loc = time.UTC
	}
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b Row) int { return a.Received.Compare(b.Received) })
	if err := write(w, sorted, summarize(rows, now), loc); err != nil {
		return fmt.Errorf("report: write %s: %w", format, err)
	}
	return nil
}

// cellStyle is how one text format renders each kind of value.
type cellStyle struct {
	text  func(string) string
	time  func(time.Time) string // a time that is set
	dur   func(time.Duration) string
	share func(float64) string
	none  string // a time, duration or share that is absent
}

func (st cellStyle) referral(r Row) []string {
	at := func(t time.Time) string {
		if t.IsZero() {
			return st.none
		}
		return st.time(t)
	}
	eta, late := st.none, st.none
	if r.ETA > 0 {
		eta = strconv.Itoa(r.ETA)
	}
	if d, ok := r.Late(); ok {
		late = st.dur(d)
	}
	return []string{
		st.text(r.Code), st.text(r.Type), st.text(r.Cohort),
		at(r.Received), at(r.Accepted), at(r.Arrived), at(r.Closed),
		st.text(r.Outcome), st.text(r.AcceptedBy), strconv.Itoa(r.Steps),
		at(r.FollowUpDue), at(r.FollowedUp),
		eta, late, strconv.Itoa(r.Nudges), strconv.Itoa(r.CheckIns), strconv.Itoa(r.SOS),
	}
}

func (st cellStyle) summary(g group) []string {
	dur := func(n int, d time.Duration) string {
		if n == 0 {
			return st.none
		}
		return st.dur(d)
	}
	share := st.none
	if g.eligible > 0 {
		share = st.share(g.WithinTarget)
	}
	return []string{
		st.text(g.Cohort), st.text(g.Type), strconv.Itoa(g.Count),
		strconv.Itoa(g.Accepted), dur(g.Accepted, g.MedianAccept), dur(g.Accepted, g.P90Accept),
		strconv.Itoa(g.Arrived), dur(g.Arrived, g.MedianArrive), dur(g.Arrived, g.P90Arrive),
		share, strconv.Itoa(g.Unanswered),
		strconv.Itoa(g.FollowUpsDue), strconv.Itoa(g.FollowedOnTime), dur(g.followed, g.MedianFollowUp),
	}
}

func writeTable(w io.Writer, rows []Row, groups []group, loc *time.Location) error {
	st := cellStyle{
		text:  tableText,
		time:  func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
		dur:   roundedMinutes,
		share: func(s float64) string { return strconv.Itoa(int(math.Round(s*100))) + "%" },
		none:  "-",
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	line("Referrals")
	line("CODE", "TYPE", "COHORT", "RECEIVED", "ACCEPTED", "ARRIVED", "CLOSED", "OUTCOME", "ACCEPTED_BY", "STEPS",
		"FOLLOW_UP_DUE", "FOLLOWED_UP", "ETA_MIN", "LATE", "NUDGES", "CHECK_INS", "SOS")
	for _, r := range rows {
		line(st.referral(r)...)
	}
	line()
	line("Summary")
	line("COHORT", "TYPE", "COUNT", "ACCEPTED", "MEDIAN_ACCEPT", "P90_ACCEPT",
		"ARRIVED", "MEDIAN_ARRIVE", "P90_ARRIVE", "WITHIN_30M", "UNANSWERED",
		"FOLLOW_UPS_DUE", "FOLLOWED_ON_TIME", "MEDIAN_FOLLOW_UP")
	for _, g := range groups {
		line(st.summary(g)...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// tableText keeps a cell on its line and in its column, and shows "" as "-".
func tableText(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// roundedMinutes is d rounded to the minute, as "12m" or "1h05m".
func roundedMinutes(d time.Duration) string {
	m := int64(d.Round(time.Minute) / time.Minute)
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	if m < 60 {
		return fmt.Sprintf("%s%dm", sign, m)
	}
	return fmt.Sprintf("%s%dh%02dm", sign, m/60, m%60)
}

func writeCSV(w io.Writer, rows []Row, groups []group, loc *time.Location) error {
	st := cellStyle{
		text:  spreadsheetSafe,
		time:  func(t time.Time) string { return t.In(loc).Format(time.RFC3339) },
		dur:   func(d time.Duration) string { return strconv.FormatInt(wholeSeconds(d), 10) },
		share: func(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) },
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"code", "type", "cohort", "received", "accepted", "arrived", "closed", "outcome", "accepted_by", "steps",
		"follow_up_due", "followed_up", "eta_min", "late_s", "nudges", "check_ins", "sos"})
	for _, r := range rows {
		cw.Write(st.referral(r))
	}
	cw.Write(nil) // the empty line between the sections
	cw.Write([]string{"cohort", "type", "count", "accepted", "median_accept_s", "p90_accept_s",
		"arrived", "median_arrive_s", "p90_arrive_s", "within_30m", "unanswered",
		"follow_ups_due", "followed_on_time", "median_follow_up_s"})
	for _, g := range groups {
		cw.Write(st.summary(g))
	}
	cw.Flush() // Error reports the first error of any Write or Flush
	return cw.Error()
}

// spreadsheetSafe guards against formula injection: a cell a spreadsheet would
// read as a formula gets a leading apostrophe, which makes it plain text.
func spreadsheetSafe(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

func wholeSeconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

type jsonReport struct {
	Referrals []jsonReferral `json:"referrals"`
	Summary   []jsonSummary  `json:"summary"`
}

type jsonReferral struct {
	Code        string  `json:"code"`
	Type        string  `json:"type"`
	Cohort      string  `json:"cohort"`
	Received    *string `json:"received"`
	Accepted    *string `json:"accepted"`
	Arrived     *string `json:"arrived"`
	Closed      *string `json:"closed"`
	Outcome     string  `json:"outcome"`
	AcceptedBy  string  `json:"accepted_by"`
	Steps       int     `json:"steps"`
	FollowUpDue *string `json:"follow_up_due"`
	FollowedUp  *string `json:"followed_up"`
	ETAMin      *int    `json:"eta_min"`
	LateS       *int64  `json:"late_s"`
	Nudges      int     `json:"nudges"`
	CheckIns    int     `json:"check_ins"`
	SOS         int     `json:"sos"`
}

type jsonSummary struct {
	Cohort          string   `json:"cohort"`
	Type            string   `json:"type"`
	Count           int      `json:"count"`
	Accepted        int      `json:"accepted"`
	MedianAcceptS   *int64   `json:"median_accept_s"`
	P90AcceptS      *int64   `json:"p90_accept_s"`
	Arrived         int      `json:"arrived"`
	MedianArriveS   *int64   `json:"median_arrive_s"`
	P90ArriveS      *int64   `json:"p90_arrive_s"`
	Within30m       *float64 `json:"within_30m"`
	Unanswered      int      `json:"unanswered"`
	FollowUpsDue    int      `json:"follow_ups_due"`
	FollowedOnTime  int      `json:"followed_on_time"`
	MedianFollowUpS *int64   `json:"median_follow_up_s"`
}

func writeJSON(w io.Writer, rows []Row, groups []group, loc *time.Location) error {
	at := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.In(loc).Format(time.RFC3339)
		return &s
	}
	secs := func(n int, d time.Duration) *int64 {
		if n == 0 {
			return nil
		}
		s := wholeSeconds(d)
		return &s
	}
	rep := jsonReport{Referrals: make([]jsonReferral, 0, len(rows)), Summary: make([]jsonSummary, 0, len(groups))}
	for _, r := range rows {
		rep.Referrals = append(rep.Referrals, jsonReferral{
			Code: r.Code, Type: r.Type, Cohort: r.Cohort,
			Received: at(r.Received), Accepted: at(r.Accepted), Arrived: at(r.Arrived), Closed: at(r.Closed),
			Outcome: r.Outcome, AcceptedBy: r.AcceptedBy, Steps: r.Steps,
			FollowUpDue: at(r.FollowUpDue), FollowedUp: at(r.FollowedUp),
			ETAMin: etaOf(r), LateS: lateOf(r), Nudges: r.Nudges, CheckIns: r.CheckIns, SOS: r.SOS,
		})
	}
	for _, g := range groups {
		s := jsonSummary{
			Cohort: g.Cohort, Type: g.Type, Count: g.Count,
			Accepted: g.Accepted, MedianAcceptS: secs(g.Accepted, g.MedianAccept), P90AcceptS: secs(g.Accepted, g.P90Accept),
			Arrived: g.Arrived, MedianArriveS: secs(g.Arrived, g.MedianArrive), P90ArriveS: secs(g.Arrived, g.P90Arrive),
			Unanswered:   g.Unanswered,
			FollowUpsDue: g.FollowUpsDue, FollowedOnTime: g.FollowedOnTime, MedianFollowUpS: secs(g.followed, g.MedianFollowUp),
		}
		if g.eligible > 0 {
			share := g.WithinTarget
			s.Within30m = &share
		}
		rep.Summary = append(rep.Summary, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep) // Encode ends with a newline
}

func etaOf(r Row) *int {
	if r.ETA == 0 {
		return nil
	}
	return &r.ETA
}

func lateOf(r Row) *int64 {
	d, ok := r.Late()
	if !ok {
		return nil
	}
	s := wholeSeconds(d)
	return &s
}
