package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/report"
)

// dashboardRoles may open the response-time dashboard; each sees the
// cohorts they see on the board, the program manager the whole program.
var dashboardRoles = []program.Role{program.CaseManager, program.Supervisor, program.ProgramManager}

// MaxPeriod is the longest period the dashboard reports on at once.
const MaxPeriod = 366 * 24 * time.Hour

// period is the dashboard's chosen days, both inclusive, in the program's zone.
type period struct {
	From, To string // YYYY-MM-DD as the form has them
	By       report.Grouping
	from, to time.Time // [from, to): midnight of From, midnight after To
}

// query is the period as the download links carry it.
func (p period) query() string {
	return url.Values{"from": {p.From}, "to": {p.To}, "by": {string(p.By)}}.Encode()
}

// readPeriod reads from, to and by; without them the last 30 days to today.
func (s *Server) readPeriod(c echo.Context) (period, error) {
	loc := s.prog.TimeZone
	today := s.now().In(loc)
	p := period{From: c.QueryParam("from"), To: c.QueryParam("to")}
	if p.To == "" {
		p.To = today.Format(time.DateOnly)
	}
	if p.From == "" {
		p.From = today.AddDate(0, 0, -29).Format(time.DateOnly)
	}
	var err error
	if p.By, err = report.ParseGrouping(c.QueryParam("by")); err != nil {
		return p, errors.New("Group by cohort or by agency.")
	}
	if p.from, err = time.ParseInLocation(time.DateOnly, p.From, loc); err != nil {
		return p, errors.New("Enter the first day as a date, like 2026-11-01.")
	}
	last, err := time.ParseInLocation(time.DateOnly, p.To, loc)
	if err != nil {
		return p, errors.New("Enter the last day as a date, like 2026-11-30.")
	}
	p.to = last.AddDate(0, 0, 1)
	switch {
	case !p.to.After(p.from):
		return p, errors.New("The last day is before the first.")
	case p.to.Sub(p.from) > MaxPeriod:
		return p, errors.New("Choose a period of at most a year.")
	}
	return p, nil
}

// rows are the period's report rows of the cohorts v sees: for the program
// manager the very rows `leadline report` reads.
func (s *Server) rows(c echo.Context, v *Viewer, p period) ([]report.Row, error) {
	rows, err := report.Load(c.Request().Context(), s.rdb, s.keys, s.prog, p.from, p.to)
	if err != nil || v.AllCohorts() {
		return rows, err
	}
	names := make([]string, len(v.Cohorts))
	for i, id := range v.Cohorts {
		names[i] = s.prog.CohortName(id)
	}
	return slices.DeleteFunc(rows, func(r report.Row) bool { return !slices.Contains(names, r.Cohort) }), nil
}

type dashboardData struct {
	Period     period
	Query      string
	Error      string
	Scope      string // whose referrals: "the whole program" or the viewer's cohorts
	Header     []string
	Lines      [][]string
	All        []string // the last line: every referral in the period
	Community  int
	Weeks      []week
	Buckets    []bucket
	WeeksJSON  string // the charts' data, read by dashboard.js
	BucketJSON string
}

func (s *Server) dashboard(c echo.Context) error {
	v := ViewerOf(c)
	p, err := s.readPeriod(c)
	if err != nil {
		return s.Render(c, http.StatusUnprocessableEntity, "dashboard", "Response times",
			dashboardData{Period: p, Error: err.Error()})
	}
	rows, err := s.rows(c, v, p)
	if err != nil {
		return err
	}
	if err := s.audit.Record(c.Request().Context(), Entry{Person: v.Person.ID, Role: v.Person.Role,
		Action: ActionDashboardView, From: c.RealIP()}); err != nil {
		return err
	}
	d := dashboardData{Period: p, Query: p.query(), Scope: "the whole program"}
	if !v.AllCohorts() {
		d.Scope = "your cohorts"
	}
	d.Header, d.Lines = report.SummaryTable(rows, s.now(), p.By)
	d.All, d.Lines = d.Lines[len(d.Lines)-1], d.Lines[:len(d.Lines)-1]
	for _, r := range rows {
		if r.Type == "community" {
			d.Community++
		}
	}
	d.Weeks = weekly(rows, p, s.prog.TimeZone)
	d.Buckets = acceptBuckets(rows)
	wj, _ := json.Marshal(d.Weeks)
	bj, _ := json.Marshal(d.Buckets)
	d.WeeksJSON, d.BucketJSON = string(wj), string(bj)
	return s.Render(c, http.StatusOK, "dashboard", "Response times", d)
}

// reportDownload is the dashboard's file: byte for byte what `leadline
// report --format csv|json [--summary] [--by …]` prints for the same days
// at the same time (for the program manager; others get their cohorts).
func (s *Server) reportDownload(c echo.Context) error {
	v := ViewerOf(c)
	p, err := s.readPeriod(c)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	format := c.Param("format")
	summary := c.QueryParam("summary") == "1"
	rows, err := s.rows(c, v, p)
	if err != nil {
		return err
	}
	if err := s.audit.Record(c.Request().Context(), Entry{Person: v.Person.ID, Role: v.Person.Role,
		Action: ActionReportExport, From: c.RealIP()}); err != nil {
		return err
	}
	name := "leadline-report-" + p.From + "-to-" + p.To
	if summary {
		name += "-summary"
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json"}[format])
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	c.Response().WriteHeader(http.StatusOK)
	return report.Write(c.Response(), rows, report.Options{Format: format, Loc: s.prog.TimeZone, Now: s.now(),
		By: p.By, Summary: summary})
}

// reportFormat lets only csv and json through to the download.
func reportFormat(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if f := c.Param("format"); f != "csv" && f != "json" {
			return echo.NewHTTPError(http.StatusNotFound, "There is no such file.")
		}
		return next(c)
	}
}

// SeesDashboard reports whether the viewer may open the dashboard.
func (v *Viewer) SeesDashboard() bool { return v.Is(dashboardRoles...) }
