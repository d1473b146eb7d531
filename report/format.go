package report

import (
	"bytes"
	"cmp"
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

// Options say how Write writes a report.
type Options struct {
	Format string         // "table", "csv" or "json"
	Loc    *time.Location // times are shown in it; nil means UTC
	// Now is when the report is made; the summary judges follow-ups as of
	// then (see Summarize).
	Now time.Time
	By  Grouping // what the summary groups by besides type; "" is ByCohort
	// Summary asks for the summary alone. Without it csv has the referrals
	// alone (one table per file, so a spreadsheet reads either), while table
	// and json have both.
	Summary bool
}

// Write writes rows (sorted by Received) and their summary as opt says.
// Any other format than table, csv or json is an error naming the accepted
// ones. rows itself is left in its order.
//
// The table rounds durations to the minute, or to the second under a
// minute, and shows the WithinTarget share as a whole percentage; csv and
// json give durations in whole seconds. A value with nothing to measure (no
// accepted rows, no arrivals, no hand-offs to count, no follow-up recorded,
// no ETA given, lateness unknown) and a zero time are "-" in the table, empty
// in csv and null in json; LATE is yes or no, true or false in json. In
// csv, a text cell starting with =, +, -, @, a tab or a carriage return gets
// a leading apostrophe, so a spreadsheet shows it rather than runs it.
func Write(w io.Writer, rows []Row, opt Options) error {
	var write func(io.Writer, []Row, []group, Options) error
	switch opt.Format {
	case "table":
		write = writeTable
	case "csv":
		write = writeCSV
	case "json":
		write = writeJSON
	default:
		return fmt.Errorf("report: unknown format %q (want table, csv or json)", opt.Format)
	}
	by, err := ParseGrouping(string(opt.By))
	if err != nil {
		return err
	}
	opt.By = by
	if opt.Loc == nil {
		opt.Loc = time.UTC
	}
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b Row) int { return a.Received.Compare(b.Received) })
	if err := write(w, sorted, summarize(rows, opt.Now, by), opt); err != nil {
		return fmt.Errorf("report: write %s: %w", opt.Format, err)
	}
	return nil
}

// referralColumns and summaryColumns are the csv and json names of the
// cells; the table shows them upper case. The summary's first column is
// the grouping's name.
var referralColumns = []string{"code", "type", "cohort", "received", "accepted", "arrived", "closed", "outcome",
	"accepted_by", "steps", "follow_up_due", "followed_up", "agency", "eta_min", "late", "nudges", "check_ins", "sos"}

func summaryColumns(by Grouping) []string {
	return []string{string(by), "type", "count", "accepted", "median_accept_s", "p90_accept_s",
		"arrived", "median_arrive_s", "p90_arrive_s", "within_30m", "unanswered",
		"follow_ups_due", "followed_on_time", "median_follow_up_s",
		"open", "cancelled", "engaged", "refused", "gone", "expired", "arrived_late", "sos"}
}

// cellStyle is how one text format renders each kind of value.
type cellStyle struct {
	text  func(string) string
	time  func(time.Time) string // a time that is set
	dur   func(time.Duration) string
	share func(float64) string
	none  string // a time, duration, share, ETA or lateness that is absent
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
	if l, known := r.Late(); known {
		late = map[bool]string{true: "yes", false: "no"}[l]
	}
	return []string{
		st.text(r.Code), st.text(r.Type), st.text(r.Cohort),
		at(r.Received), at(r.Accepted), at(r.Arrived), at(r.Closed),
		st.text(r.Outcome), st.text(r.AcceptedBy), strconv.Itoa(r.Steps),
		at(r.FollowUpDue), at(r.FollowedUp), st.text(r.Agency),
		eta, late, strconv.Itoa(r.Nudges), strconv.Itoa(r.CheckIns), strconv.Itoa(r.SOSes),
	}
}

func (st cellStyle) summary(g group) []string {
	dur := func(n int, d time.Duration) string {
		if n == 0 {
			return st.none
		}
		return st.dur(d)
	}
	share, late := st.none, st.none
	if g.eligible > 0 {
		share = st.share(g.WithinTarget)
	}
	if g.timed > 0 {
		late = st.share(g.ArrivedLate)
	}
	return []string{
		st.text(cmp.Or(g.Cohort, g.Agency)), st.text(g.Type), strconv.Itoa(g.Count),
		strconv.Itoa(g.Accepted), dur(g.Accepted, g.MedianAccept), dur(g.Accepted, g.P90Accept),
		strconv.Itoa(g.Arrived), dur(g.Arrived, g.MedianArrive), dur(g.Arrived, g.P90Arrive),
		share, strconv.Itoa(g.Unanswered),
		strconv.Itoa(g.FollowUpsDue), strconv.Itoa(g.FollowedOnTime), dur(g.followed, g.MedianFollowUp),
		strconv.Itoa(g.Open), strconv.Itoa(g.Cancelled), strconv.Itoa(g.Engaged), strconv.Itoa(g.Refused), strconv.Itoa(g.Gone),
		strconv.Itoa(g.Expired), late, strconv.Itoa(g.SOS),
	}
}

// tableStyle is how the table, and the console, show values.
func tableStyle(loc *time.Location) cellStyle {
	return cellStyle{
		text:  tableText,
		time:  func(t time.Time) string { return t.In(loc).Format("2006-01-02 15:04") },
		dur:   Duration,
		share: func(s float64) string { return strconv.Itoa(int(math.Round(s*100))) + "%" },
		none:  "-",
	}
}

// SummaryTable is the summary of rows as the table shows it: its column
// heads and one line of cells per group. The console's dashboard shows it,
// so its figures are the report's.
func SummaryTable(rows []Row, now time.Time, by Grouping) (header []string, lines [][]string) {
	st := tableStyle(time.UTC)
	for _, g := range summarize(rows, now, by) {
		lines = append(lines, st.summary(g))
	}
	return tableHeader(summaryColumns(by)), lines
}

func writeTable(w io.Writer, rows []Row, groups []group, opt Options) error {
	st := tableStyle(opt.Loc)
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	line := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	if !opt.Summary {
		line("Referrals")
		line(tableHeader(referralColumns)...)
		for _, r := range rows {
			line(st.referral(r)...)
		}
		line()
	}
	line("Summary")
	line(tableHeader(summaryColumns(opt.By))...)
	for _, g := range groups {
		line(st.summary(g)...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// tableHeader is the csv column names as the table heads them: upper case,
// without the "_s" of seconds, and WITHIN_30M.
func tableHeader(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = strings.ToUpper(strings.TrimSuffix(c, "_s"))
	}
	return out
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

// Duration is d as the table and the console show it: rounded to the
// second under a minute ("45s"), else to the minute ("12m", "1h05m").
func Duration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	if s := wholeSeconds(d); s < 60 {
		return fmt.Sprintf("%s%ds", sign, s)
	}
	m := int64(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%s%dm", sign, m)
	}
	return fmt.Sprintf("%s%dh%02dm", sign, m/60, m%60)
}

func writeCSV(w io.Writer, rows []Row, groups []group, opt Options) error {
	st := cellStyle{
		text:  spreadsheetSafe,
		time:  func(t time.Time) string { return t.In(opt.Loc).Format(time.RFC3339) },
		dur:   func(d time.Duration) string { return strconv.FormatInt(wholeSeconds(d), 10) },
		share: func(s float64) string { return strconv.FormatFloat(s, 'f', 3, 64) },
	}
	cw := csv.NewWriter(w)
	if opt.Summary {
		cw.Write(summaryColumns(opt.By))
		for _, g := range groups {
			cw.Write(st.summary(g))
		}
	} else {
		cw.Write(referralColumns)
		for _, r := range rows {
			cw.Write(st.referral(r))
		}
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
	Referrals *[]jsonReferral `json:"referrals,omitempty"` // nil with Options.Summary
	Summary   []jsonSummary   `json:"summary"`
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
	Agency      string  `json:"agency"`
	ETAMin      *int    `json:"eta_min"` // null: no ETA given
	Late        *bool   `json:"late"`    // null: no ETA, or never arrived
	Nudges      int     `json:"nudges"`
	CheckIns    int     `json:"check_ins"`
	SOS         int     `json:"sos"`
}

// jsonSummary has "cohort" or "agency", whichever it is grouped by.
type jsonSummary struct {
	Cohort          *string  `json:"cohort,omitempty"`
	Agency          *string  `json:"agency,omitempty"`
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
	Open            int      `json:"open"`
	Cancelled       int      `json:"cancelled"`
	Engaged         int      `json:"engaged"`
	Refused         int      `json:"refused"`
	Gone            int      `json:"gone"`
	Expired         int      `json:"expired"`
	ArrivedLate     *float64 `json:"arrived_late"`
	SOS             int      `json:"sos"`
}

func writeJSON(w io.Writer, rows []Row, groups []group, opt Options) error {
	at := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.In(opt.Loc).Format(time.RFC3339)
		return &s
	}
	secs := func(n int, d time.Duration) *int64 {
		if n == 0 {
			return nil
		}
		s := wholeSeconds(d)
		return &s
	}
	rep := jsonReport{Summary: make([]jsonSummary, 0, len(groups))}
	if !opt.Summary {
		refs := make([]jsonReferral, 0, len(rows))
		for _, r := range rows {
			var eta *int
			if r.ETA > 0 {
				eta = &r.ETA
			}
			var late *bool
			if l, known := r.Late(); known {
				late = &l
			}
			refs = append(refs, jsonReferral{
				Code: r.Code, Type: r.Type, Cohort: r.Cohort,
				Received: at(r.Received), Accepted: at(r.Accepted), Arrived: at(r.Arrived), Closed: at(r.Closed),
				Outcome: r.Outcome, AcceptedBy: r.AcceptedBy, Steps: r.Steps,
				FollowUpDue: at(r.FollowUpDue), FollowedUp: at(r.FollowedUp), Agency: r.Agency,
				ETAMin: eta, Late: late, Nudges: r.Nudges, CheckIns: r.CheckIns, SOS: r.SOSes,
			})
		}
		rep.Referrals = &refs
	}
	for _, g := range groups {
		s := jsonSummary{
			Type: g.Type, Count: g.Count,
			Accepted: g.Accepted, MedianAcceptS: secs(g.Accepted, g.MedianAccept), P90AcceptS: secs(g.Accepted, g.P90Accept),
			Arrived: g.Arrived, MedianArriveS: secs(g.Arrived, g.MedianArrive), P90ArriveS: secs(g.Arrived, g.P90Arrive),
			Unanswered:   g.Unanswered,
			FollowUpsDue: g.FollowUpsDue, FollowedOnTime: g.FollowedOnTime, MedianFollowUpS: secs(g.followed, g.MedianFollowUp),
			Open: g.Open, Cancelled: g.Cancelled, Engaged: g.Engaged, Refused: g.Refused, Gone: g.Gone,
			Expired: g.Expired, SOS: g.SOS,
		}
		name := cmp.Or(g.Cohort, g.Agency)
		if opt.By == ByAgency {
			s.Agency = &name
		} else {
			s.Cohort = &name
		}
		if g.eligible > 0 {
			share := g.WithinTarget
			s.Within30m = &share
		}
		if g.timed > 0 {
			late := g.ArrivedLate
			s.ArrivedLate = &late
		}
		rep.Summary = append(rep.Summary, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep) // Encode ends with a newline
}
