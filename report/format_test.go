package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/report"
)

func newYork(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	return loc
}

// write writes rows as if at fixtureNow.
func write(t *testing.T, format string, rows []report.Row, loc *time.Location) string {
	t.Helper()
	return writeWith(t, rows, report.Options{Format: format, Loc: loc})
}

// writeWith writes rows with opt, as if at fixtureNow.
func writeWith(t *testing.T, rows []report.Row, opt report.Options) string {
	t.Helper()
	var buf bytes.Buffer
	opt.Now = fixtureNow
	if err := report.Write(&buf, rows, opt); err != nil {
		t.Fatalf("Write %s: %v", opt.Format, err)
	}
	return buf.String()
}

// The fixture as each format should show it in New York, sorted by Received.
var (
	csvReferralHeader = []string{"code", "type", "cohort", "received", "accepted", "arrived", "closed", "outcome", "accepted_by", "steps",
		"follow_up_due", "followed_up", "agency", "eta_min", "late", "nudges", "check_ins", "sos"}
	csvReferrals = [][]string{
		{"A8", "social", "Westside", "2025-01-15T18:50:00-05:00", "2025-01-15T19:10:00-05:00", "2025-01-15T20:00:00-05:00", "2025-01-15T20:50:00-05:00", "gone", "Ana Cruz", "1", "", "", "", "", "", "0", "0", "0"},
		{"A1", "arrest", "Eastside", "2025-03-10T10:00:00-04:00", "2025-03-10T10:05:00-04:00", "2025-03-10T10:20:00-04:00", "2025-03-10T11:00:00-04:00", "engaged", "Jordan Rivera", "0", "2025-04-09T10:05:00-04:00", "2025-03-13T10:05:00-04:00", "", "15", "no", "0", "0", "0"},
		{"A6", "arrest", "Westside", "2025-03-10T10:30:00-04:00", "", "", "2025-03-10T10:40:00-04:00", "cancelled", "", "0", "", "", "", "", "", "0", "0", "0"},
		{"A2", "arrest", "Eastside", "2025-03-10T11:00:00-04:00", "2025-03-10T11:12:00-04:00", "2025-03-10T11:45:00-04:00", "2025-03-10T12:30:00-04:00", "refused", "Sam Lee", "1", "", "", "", "20", "yes", "1", "0", "0"},
		{"A7", "arrest", "Westside", "2025-03-10T11:30:00-04:00", "2025-03-10T11:32:00-04:00", "2025-03-10T12:00:00-04:00", "2025-03-10T12:45:00-04:00", "engaged", "Ana Cruz", "2", "2025-04-09T11:32:00-04:00", "", "", "30", "no", "0", "0", "1"},
		{"A3", "arrest", "Eastside", "2025-03-10T12:00:00-04:00", "2025-03-10T12:08:00-04:00", "", "2025-03-10T12:50:00-04:00", "cancelled", "Jordan Rivera", "0", "", "", "", "", "", "0", "0", "0"},
		{"A4", "social", "Eastside", "2025-03-10T13:00:00-04:00", "", "", "2025-03-10T13:30:00-04:00", "unanswered", "", "3", "", "", "", "", "", "0", "0", "0"},
		{"A5", "social", "Eastside", "2025-03-10T14:00:00-04:00", "2025-03-10T14:03:00-04:00", "2025-03-10T14:25:00-04:00", "2025-03-10T15:00:00-04:00", "engaged", "Sam Lee", "0", "2025-03-13T14:03:00-04:00", "2025-03-13T22:03:00-04:00", "", "", "", "0", "2", "0"},
		{"A9", "social", "Westside", "2025-03-10T15:00:00-04:00", "2025-03-10T15:04:00-04:00", "", "", "open", "Ana Cruz", "0", "2025-03-13T15:04:00-04:00", "", "", "10", "", "1", "0", "0"},
		{"A10", "social", "Northside", "2025-03-10T16:00:00-04:00", "", "", "2025-03-10T16:05:00-04:00", "cancelled", "", "0", "", "", "", "", "", "0", "0", "0"},
	}
	csvSummaryHeader = []string{"cohort", "type", "count", "accepted", "median_accept_s", "p90_accept_s",
		"arrived", "median_arrive_s", "p90_arrive_s", "within_30m", "unanswered",
		"follow_ups_due", "followed_on_time", "median_follow_up_s",
		"open", "cancelled", "engaged", "refused", "gone", "expired", "arrived_late", "sos"}
	csvSummary = [][]string{
		{"Eastside", "arrest", "3", "3", "480", "720", "2", "1200", "2700", "0.333", "0", "1", "1", "259200", "0", "1", "1", "1", "0", "0", "0.500", "0"},
		{"Eastside", "social", "2", "1", "180", "180", "1", "1500", "1500", "0.500", "1", "1", "0", "288000", "0", "0", "1", "0", "0", "0", "", "0"},
		{"Northside", "social", "1", "0", "", "", "0", "", "", "", "0", "0", "0", "", "0", "1", "0", "0", "0", "0", "", "0"},
		{"Westside", "arrest", "2", "1", "120", "120", "1", "1800", "1800", "1.000", "0", "0", "0", "", "0", "1", "1", "0", "0", "0", "0.000", "1"},
		{"Westside", "social", "2", "2", "240", "1200", "1", "4200", "4200", "0.000", "0", "1", "0", "", "1", "0", "0", "0", "1", "0", "", "0"},
		{"All", "all", "10", "7", "300", "1200", "5", "1800", "4200", "0.429", "1", "3", "1", "259200", "1", "3", "3", "1", "1", "0", "0.333", "1"},
	}

	tableReferralHeader = []string{"CODE", "TYPE", "COHORT", "RECEIVED", "ACCEPTED", "ARRIVED", "CLOSED", "OUTCOME", "ACCEPTED_BY", "STEPS",
		"FOLLOW_UP_DUE", "FOLLOWED_UP", "AGENCY", "ETA_MIN", "LATE", "NUDGES", "CHECK_INS", "SOS"}
	tableReferrals = [][]string{
		{"A8", "social", "Westside", "2025-01-15 18:50", "2025-01-15 19:10", "2025-01-15 20:00", "2025-01-15 20:50", "gone", "Ana Cruz", "1", "-", "-", "-", "-", "-", "0", "0", "0"},
		{"A1", "arrest", "Eastside", "2025-03-10 10:00", "2025-03-10 10:05", "2025-03-10 10:20", "2025-03-10 11:00", "engaged", "Jordan Rivera", "0", "2025-04-09 10:05", "2025-03-13 10:05", "-", "15", "no", "0", "0", "0"},
		{"A6", "arrest", "Westside", "2025-03-10 10:30", "-", "-", "2025-03-10 10:40", "cancelled", "-", "0", "-", "-", "-", "-", "-", "0", "0", "0"},
		{"A2", "arrest", "Eastside", "2025-03-10 11:00", "2025-03-10 11:12", "2025-03-10 11:45", "2025-03-10 12:30", "refused", "Sam Lee", "1", "-", "-", "-", "20", "yes", "1", "0", "0"},
		{"A7", "arrest", "Westside", "2025-03-10 11:30", "2025-03-10 11:32", "2025-03-10 12:00", "2025-03-10 12:45", "engaged", "Ana Cruz", "2", "2025-04-09 11:32", "-", "-", "30", "no", "0", "0", "1"},
		{"A3", "arrest", "Eastside", "2025-03-10 12:00", "2025-03-10 12:08", "-", "2025-03-10 12:50", "cancelled", "Jordan Rivera", "0", "-", "-", "-", "-", "-", "0", "0", "0"},
		{"A4", "social", "Eastside", "2025-03-10 13:00", "-", "-", "2025-03-10 13:30", "unanswered", "-", "3", "-", "-", "-", "-", "-", "0", "0", "0"},
		{"A5", "social", "Eastside", "2025-03-10 14:00", "2025-03-10 14:03", "2025-03-10 14:25", "2025-03-10 15:00", "engaged", "Sam Lee", "0", "2025-03-13 14:03", "2025-03-13 22:03", "-", "-", "-", "0", "2", "0"},
		{"A9", "social", "Westside", "2025-03-10 15:00", "2025-03-10 15:04", "-", "-", "open", "Ana Cruz", "0", "2025-03-13 15:04", "-", "-", "10", "-", "1", "0", "0"},
		{"A10", "social", "Northside", "2025-03-10 16:00", "-", "-", "2025-03-10 16:05", "cancelled", "-", "0", "-", "-", "-", "-", "-", "0", "0", "0"},
	}
	tableSummaryHeader = []string{"COHORT", "TYPE", "COUNT", "ACCEPTED", "MEDIAN_ACCEPT", "P90_ACCEPT",
		"ARRIVED", "MEDIAN_ARRIVE", "P90_ARRIVE", "WITHIN_30M", "UNANSWERED",
		"FOLLOW_UPS_DUE", "FOLLOWED_ON_TIME", "MEDIAN_FOLLOW_UP",
		"OPEN", "CANCELLED", "ENGAGED", "REFUSED", "GONE", "EXPIRED", "ARRIVED_LATE", "SOS"}
	tableSummary = [][]string{
		{"Eastside", "arrest", "3", "3", "8m", "12m", "2", "20m", "45m", "33%", "0", "1", "1", "72h00m", "0", "1", "1", "1", "0", "0", "50%", "0"},
		{"Eastside", "social", "2", "1", "3m", "3m", "1", "25m", "25m", "50%", "1", "1", "0", "80h00m", "0", "0", "1", "0", "0", "0", "-", "0"},
		{"Northside", "social", "1", "0", "-", "-", "0", "-", "-", "-", "0", "0", "0", "-", "0", "1", "0", "0", "0", "0", "-", "0"},
		{"Westside", "arrest", "2", "1", "2m", "2m", "1", "30m", "30m", "100%", "0", "0", "0", "-", "0", "1", "1", "0", "0", "0", "0%", "1"},
		{"Westside", "social", "2", "2", "4m", "20m", "1", "1h10m", "1h10m", "0%", "0", "1", "0", "-", "1", "0", "0", "0", "1", "0", "-", "0"},
		{"All", "all", "10", "7", "5m", "20m", "5", "30m", "1h10m", "43%", "1", "3", "1", "72h00m", "1", "3", "3", "1", "1", "0", "33%", "1"},
	}
)

// checkRecords compares a section cell by cell.
func checkRecords(t *testing.T, section string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d rows, want %d:\n%q", section, len(got), len(want), got)
		return
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Errorf("%s row %d: got %d cells %q, want %d", section, i, len(got[i]), got[i], len(want[i]))
			continue
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("%s row %d cell %d: got %q, want %q", section, i, j, got[i][j], want[i][j])
			}
		}
	}
}

func TestWriteTable(t *testing.T) {
	out := write(t, "table", fixture(), newYork(t))
	if !strings.HasSuffix(out, "\n") {
		t.Error("table does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		if strings.TrimRight(l, " ") != l {
			t.Errorf("line %d has trailing spaces: %q", i, l)
		}
	}
	// Referrals, header, rows, blank, Summary, header, rows.
	nr, ns := len(tableReferrals), len(tableSummary)
	if len(lines) != 2+nr+1+2+ns {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), 2+nr+1+2+ns, out)
	}
	if lines[0] != "Referrals" || lines[2+nr] != "" || lines[3+nr] != "Summary" {
		t.Errorf("headings: got %q, %q, %q", lines[0], lines[2+nr], lines[3+nr])
	}
	header, rows := tableSection(t, lines[1:2+nr])
	checkRecords(t, "referral header", [][]string{header}, [][]string{tableReferralHeader})
	checkRecords(t, "referrals", rows, tableReferrals)
	header, rows = tableSection(t, lines[4+nr:])
	checkRecords(t, "summary header", [][]string{header}, [][]string{tableSummaryHeader})
	checkRecords(t, "summary", rows, tableSummary)
}

// tableSection cuts each line into cells at the columns where the header's
// words start, so cells may hold spaces.
func tableSection(t *testing.T, lines []string) (header []string, rows [][]string) {
	t.Helper()
	head := []rune(lines[0])
	var starts []int
	for i, r := range head {
		if r != ' ' && (i == 0 || head[i-1] == ' ') {
			starts = append(starts, i)
		}
	}
	cut := func(line string) []string {
		rs := []rune(line)
		cells := make([]string, len(starts))
		for k, s := range starts {
			if s > 0 && s < len(rs) && rs[s-1] != ' ' {
				t.Errorf("column %d does not start at %d in %q", k, s, line)
			}
			end := len(rs)
			if k+1 < len(starts) {
				end = min(starts[k+1], len(rs))
			}
			if s < end {
				cells[k] = strings.TrimSpace(string(rs[s:end]))
			}
		}
		return cells
	}
	for _, l := range lines[1:] {
		rows = append(rows, cut(l))
	}
	return cut(lines[0]), rows
}

// Each csv file is one table a spreadsheet reads: the referrals, or with
// Summary the summary; never two joined by an empty line.
func TestWriteCSV(t *testing.T) {
	for i, tt := range []struct {
		summary bool
		want    [][]string
	}{
		{false, append([][]string{csvReferralHeader}, csvReferrals...)},
		{true, append([][]string{csvSummaryHeader}, csvSummary...)},
	} {
		out := writeWith(t, fixture(), report.Options{Format: "csv", Loc: newYork(t), Summary: tt.summary})
		if strings.Contains(out, "\n\n") {
			t.Errorf("summary=%v: an empty line in the file:\n%s", tt.summary, out)
		}
		got, err := csv.NewReader(strings.NewReader(out)).ReadAll() // every record as wide as the header
		if err != nil {
			t.Fatalf("file %d: %v", i, err)
		}
		checkRecords(t, "csv file "+strconv.Itoa(i), got, tt.want)
	}
}

func TestWriteJSON(t *testing.T) {
	out := write(t, "json", fixture(), newYork(t))
	if !strings.HasPrefix(out, "{\n  \"referrals\": [\n    {\n      \"code\": \"A8\",") || !strings.HasSuffix(out, "\n}\n") {
		t.Errorf("not indented by two spaces with a trailing newline:\n%s", out)
	}
	var got map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("got keys %v, want referrals and summary", slices.Collect(maps.Keys(got)))
	}
	checkJSON(t, "referrals", got["referrals"], csvReferralHeader, csvReferrals, "received", "accepted", "arrived", "closed",
		"follow_up_due", "followed_up")
	checkJSON(t, "summary", got["summary"], csvSummaryHeader, csvSummary)
	// The share is not rounded in JSON.
	if s := got["summary"][0]["within_30m"]; s != 1.0/3 {
		t.Errorf("Eastside arrest within_30m = %v, want %v", s, 1.0/3)
	}
}

// checkJSON compares JSON objects with the CSV records they should match, key
// for header: text stays text, times are text, numbers are numbers, and an
// empty time, duration or share is null.
func checkJSON(t *testing.T, section string, got []map[string]any, header []string, want [][]string, times ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d objects, want %d", section, len(got), len(want))
	}
	text := []string{"code", "type", "cohort", "outcome", "accepted_by", "agency"}
	for i, rec := range want {
		if len(got[i]) != len(header) {
			t.Errorf("%s %d: got keys %v, want %v", section, i, slices.Sorted(maps.Keys(got[i])), header)
		}
		for j, key := range header {
			g, ok := got[i][key]
			if !ok {
				t.Errorf("%s %d: no key %q", section, i, key)
				continue
			}
			cell := rec[j]
			switch {
			case key == "late" && cell != "":
				if g != (cell == "yes") {
					t.Errorf("%s %d late: got %#v, want %q", section, i, g, cell)
				}
			case slices.Contains(text, key) || slices.Contains(times, key) && cell != "":
				if g != cell {
					t.Errorf("%s %d %s: got %#v, want %q", section, i, key, g, cell)
				}
			case cell == "":
				if g != nil {
					t.Errorf("%s %d %s: got %#v, want null", section, i, key, g)
				}
			default:
				w, _ := strconv.ParseFloat(cell, 64)
				f, ok := g.(float64)
				if !ok || math.Abs(f-w) > 0.0005 {
					t.Errorf("%s %d %s: got %#v, want %v", section, i, key, g, w)
				}
			}
		}
	}
}

func TestWriteEmpty(t *testing.T) {
	if got, want := write(t, "json", nil, nil), `{
  "referrals": [],
  "summary": [
    {
      "cohort": "All",
      "type": "all",
      "count": 0,
      "accepted": 0,
      "median_accept_s": null,
      "p90_accept_s": null,
      "arrived": 0,
      "median_arrive_s": null,
      "p90_arrive_s": null,
      "within_30m": null,
      "unanswered": 0,
      "follow_ups_due": 0,
      "followed_on_time": 0,
      "median_follow_up_s": null,
      "open": 0,
      "cancelled": 0,
      "engaged": 0,
      "refused": 0,
      "gone": 0,
      "expired": 0,
      "arrived_late": null,
      "sos": 0
    }
  ]
}
`; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := write(t, "csv", nil, nil), strings.Join(csvReferralHeader, ",")+"\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := writeWith(t, nil, report.Options{Format: "csv", Summary: true}),
		strings.Join(csvSummaryHeader, ",")+"\nAll,all,0,0,,,0,,,,0,0,0,,0,0,0,0,0,0,,0\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteNilLocationIsUTC(t *testing.T) {
	out := write(t, "csv", fixture()[7:8], nil)
	if !strings.Contains(out, "\nA8,social,Westside,2025-01-15T23:50:00Z,2025-01-16T00:10:00Z,") {
		t.Errorf("times not in UTC:\n%s", out)
	}
}

func TestWriteLeavesRowsInOrder(t *testing.T) {
	rows := fixture()
	write(t, "table", rows, time.UTC)
	if !slices.EqualFunc(rows, fixture(), func(a, b report.Row) bool { return a == b }) {
		t.Error("Write reordered the caller's rows")
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	for _, format := range []string{"xml", "", "TABLE", "csv "} {
		var buf bytes.Buffer
		err := report.Write(&buf, fixture(), report.Options{Format: format, Loc: time.UTC, Now: fixtureNow})
		if err == nil {
			t.Errorf("%q: no error", format)
			continue
		}
		for _, name := range []string{strconv.Quote(format), "table", "csv", "json"} {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("%q: error %q does not name %s", format, err, name)
			}
		}
		if buf.Len() != 0 {
			t.Errorf("%q: wrote %q", format, buf.String())
		}
	}
}

var errDiskFull = errors.New("disk full")

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteReportsWriterError(t *testing.T) {
	for _, format := range []string{"table", "csv", "json"} {
		if err := report.Write(failingWriter{}, fixture(), report.Options{Format: format, Now: fixtureNow}); !errors.Is(err, errDiskFull) {
			t.Errorf("%s: got %v, want %v", format, err, errDiskFull)
		}
	}
}

func TestWriteCSVEscapesFormulas(t *testing.T) {
	rows := []report.Row{{
		Code: "=HYPERLINK(\"http://x\")", Type: "+arrest", Cohort: "-Eastside", Received: t0,
		Outcome: "@SUM(A1)", AcceptedBy: "\tSam", Steps: 1,
	}, {
		Code: "B2", Type: "social", Cohort: "East=side", Received: at(t0, 1),
		Outcome: "open", AcceptedBy: "\rAna",
	}}
	got, err := csv.NewReader(strings.NewReader(write(t, "csv", rows, time.UTC))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, "referrals", got[1:], [][]string{
		{"'=HYPERLINK(\"http://x\")", "'+arrest", "'-Eastside", "2025-03-10T14:00:00Z", "", "", "", "'@SUM(A1)", "'\tSam", "1", "", "", "", "", "", "0", "0", "0"},
		{"B2", "social", "East=side", "2025-03-10T14:01:00Z", "", "", "", "open", "'\rAna", "0", "", "", "", "", "", "0", "0", "0"},
	})
	summary := writeWith(t, rows, report.Options{Format: "csv", Summary: true})
	if !strings.Contains(summary, "\n'-Eastside,'+arrest,1,") {
		t.Errorf("summary cells not escaped:\n%s", summary)
	}
	// JSON is not for spreadsheets: it keeps the text as it is.
	if out := write(t, "json", rows, time.UTC); !strings.Contains(out, `"code": "=HYPERLINK(\"http://x\")"`) {
		t.Errorf("json changed the text:\n%s", out)
	}
}

// Programs report referrals by the referring agency: the summary groups by
// it (community referrals, which have none, apart), in every format.
func TestWriteByAgency(t *testing.T) {
	rows := []report.Row{
		{Code: "G1", Type: "arrest", Cohort: "Eastside", Agency: "Ross Township PD", Received: t0,
			Accepted: at(t0, 2), Arrived: at(t0, 20), Closed: at(t0, 50), Outcome: "engaged"},
		{Code: "G2", Type: "arrest", Cohort: "Westside", Agency: "Ross Township PD", Received: at(t0, 60),
			Accepted: at(t0, 61), Closed: at(t0, 70), Outcome: "cancelled"},
		{Code: "G3", Type: "social", Cohort: "Eastside", Agency: "City PD", Received: at(t0, 90),
			Closed: at(t0, 120), Outcome: "unanswered"},
		{Code: "G4", Type: "community", Cohort: "Eastside", Received: at(t0, 100),
			Accepted: at(t0, 100).Add(40 * time.Second), Outcome: "open"},
	}
	got, err := csv.NewReader(strings.NewReader(writeWith(t, rows,
		report.Options{Format: "csv", By: report.ByAgency, Summary: true}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := append([]string{"agency"}, csvSummaryHeader[1:]...)
	checkRecords(t, "by agency", got, [][]string{header,
		{"", "community", "1", "1", "40", "40", "0", "", "", "", "0", "0", "0", "", "1", "0", "0", "0", "0", "0", "", "0"},
		{"City PD", "social", "1", "0", "", "", "0", "", "", "0.000", "1", "0", "0", "", "0", "0", "0", "0", "0", "0", "", "0"},
		{"Ross Township PD", "arrest", "2", "2", "60", "120", "1", "1200", "1200", "0.500", "0", "0", "0", "", "0", "1", "1", "0", "0", "0", "", "0"},
		{"All", "all", "4", "3", "60", "120", "1", "1200", "1200", "0.333", "1", "0", "0", "", "1", "1", "1", "0", "0", "0", "", "0"},
	})
	var doc map[string][]map[string]any
	out := writeWith(t, rows, report.Options{Format: "json", By: report.ByAgency, Summary: true})
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc["referrals"]; ok || len(doc["summary"]) != 4 {
		t.Fatalf("json summary alone:\n%s", out)
	}
	if g := doc["summary"][2]; g["agency"] != "Ross Township PD" || g["cohort"] != nil {
		t.Errorf("json group: %v", g)
	}
	table := writeWith(t, rows, report.Options{Format: "table", By: report.ByAgency, Summary: true})
	if strings.Contains(table, "Referrals") || !strings.Contains(table, "AGENCY") || !strings.Contains(table, "Ross Township PD") {
		t.Errorf("table summary by agency:\n%s", table)
	}
	// Under a minute the table shows seconds, not "0m".
	if !strings.Contains(table, "community  1      1         40s") {
		t.Errorf("40 seconds to accept not shown as 40s:\n%s", table)
	}
	if err := report.Write(io.Discard, rows, report.Options{Format: "csv", By: "officer"}); err == nil ||
		!strings.Contains(err.Error(), "cohort or agency") {
		t.Errorf("unknown grouping: %v", err)
	}
}
