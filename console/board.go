package console

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// HandoffTarget is the program's hand-off target: a case manager on scene
// within 30 minutes of the referral. The board colours each row against it.
const HandoffTarget = 30 * time.Minute

// handoffWarn is when an open referral is marked "due soon".
const handoffWarn = 20 * time.Minute

// BoardLookBack is how far back the board looks for open referrals: one
// received earlier that is still open (never closed by DONE) is not on it.
const BoardLookBack = 30 * 24 * time.Hour

// boardFilter is the board's GET form: a cohort, a type and a state, each
// "" for all. Values the viewer may not use are dropped, never trusted.
type boardFilter struct {
	Cohort, Type, State string
}

// openStates are the states the board lists as open, in the order the
// state filter offers them.
var openStates = []referral.State{referral.Paging, referral.Accepted, referral.OnScene}

// closedFilter is the state filter's value for "closed today" alone.
const closedFilter = "ended"

func (s *Server) parseFilter(c echo.Context, v *Viewer) boardFilter {
	f := boardFilter{Cohort: c.QueryParam("cohort"), Type: c.QueryParam("type"), State: c.QueryParam("state")}
	if !v.Sees(f.Cohort) {
		f.Cohort = ""
	}
	if !slices.Contains([]referral.Type{referral.Arrest, referral.Social, referral.Community}, referral.Type(f.Type)) {
		f.Type = ""
	}
	if !slices.Contains(openStates, referral.State(f.State)) && f.State != closedFilter {
		f.State = ""
	}
	return f
}

// Query is the filter as a URL query ("" for none), for the live stream.
func (f boardFilter) Query() string {
	var q []string
	for _, kv := range [][2]string{{"cohort", f.Cohort}, {"type", f.Type}, {"state", f.State}} {
		if kv[1] != "" {
			q = append(q, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(q, "&")
}

// boardRow is one referral on the board: nothing of its details
// (location, notes, officer), which only its page shows, and audits.
type boardRow struct {
	Code, Type, State, StateLabel string
	Cohort                        string
	Received                      time.Time
	AgeMS                         int64 // at render, by the service's clock; the page's script ticks it on
	Age                           string
	Step                          string // "step 2 of 8: calling Jo R."
	AcceptedBy                    string
	ETA                           string
	Arrived                       string
	Ended                         time.Time
	Outcome                       string
	Target                        string // ok, soon, late: the row's colour
	TargetLabel                   string // the same in words
	Running                       bool   // the age still counts towards the target
}

type boardGroup struct {
	Cohort, Name string
	Rows         []boardRow
}

type boardData struct {
	Filter  boardFilter
	Cohorts []string // the viewer's, for the filter
	States  []referral.State
	Groups  []boardGroup
	Closed  []boardRow
	Open    int
	Since   string // the stream position the board was drawn at, for the live stream
	Live    bool
	Today   time.Time
}

// StateLabel is a state in words.
func StateLabel(st referral.State) string {
	switch st {
	case referral.OnScene:
		return "on scene"
	case referral.Unanswered:
		return "unanswered"
	}
	return string(st)
}

// startOfDay is local midnight of t's day in the program's zone.
func (s *Server) startOfDay(t time.Time) time.Time {
	l := t.In(s.prog.TimeZone)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.prog.TimeZone)
}

// onBoard reports whether r belongs on a board drawn at now: open, or
// ended today.
func (s *Server) onBoard(r *referral.Referral, now time.Time) bool {
	return r.Open() || !r.Ended().Before(s.startOfDay(now))
}

func minutes(d time.Duration) string {
	m := int(d / time.Minute)
	if m == 1 {
		return "1 min"
	}
	return fmt.Sprintf("%d min", m)
}

// Age is how long ago in words: "4 min", "2 h 05 min", "3 d".
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under 1 min"
	case d < time.Hour:
		return minutes(d)
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

// target is a referral against the hand-off target: its colour class, the
// same in words, and whether it still runs.
func target(r *referral.Referral, now time.Time) (string, string, bool) {
	if !r.OnSceneAt.IsZero() {
		d := r.OnSceneAt.Sub(r.Received)
		if d <= HandoffTarget {
			return "ok", "handed off in " + minutes(d), false
		}
		return "late", "handed off late, in " + minutes(d), false
	}
	if r.AssignedBy != "" {
		return "none", "for follow-up", false // nobody was paged: no hand-off to time
	}
	if !r.Open() {
		return "none", "not handed off", false
	}
	age := now.Sub(r.Received)
	switch {
	case age >= HandoffTarget:
		return "late", "over 30 min", true
	case age >= handoffWarn:
		return "soon", "due in " + minutes(HandoffTarget-age+time.Minute-1), true
	}
	return "ok", "on track", true
}

// stepText says where escalation stands: "step 2 of 8: calling Jo R.".
func (s *Server) stepText(r *referral.Referral) string {
	if r.State != referral.Paging {
		return ""
	}
	if r.Step < 0 {
		return "about to page"
	}
	c, ok := s.prog.Cohort(r.Cohort)
	if !ok {
		return fmt.Sprintf("step %d", r.Step+1)
	}
	steps := c.Escalation.Steps
	verb := "paging"
	if r.Step < len(steps) {
		verb = map[program.Channel]string{program.SMS: "texting", program.Call: "calling"}[steps[r.Step].By]
	}
	who := make([]string, 0, len(r.Paged))
	for _, id := range r.Paged {
		who = append(who, s.shortName(id))
	}
	if len(who) == 0 {
		return fmt.Sprintf("step %d of %d", r.Step+1, len(steps))
	}
	return fmt.Sprintf("step %d of %d: %s %s", r.Step+1, len(steps), verb, strings.Join(who, ", "))
}

// shortName is "Jo R.", or the ID of someone who left the config.
func (s *Server) shortName(id string) string {
	if p, ok := s.prog.Person(id); ok {
		return p.ShortName()
	}
	return id
}

func (s *Server) row(r *referral.Referral, now time.Time) boardRow {
	b := boardRow{Code: r.Code, Cohort: r.Cohort, Type: r.Type.Label(), State: string(r.State), StateLabel: StateLabel(r.State),
		Received: r.Received, AgeMS: now.Sub(r.Received).Milliseconds(), Age: Age(now.Sub(r.Received)),
		Step: s.stepText(r), Ended: r.Ended(), Outcome: r.Outcome}
	if r.AcceptedBy != "" {
		b.AcceptedBy = s.shortName(r.AcceptedBy)
	}
	if r.ETAMinutes > 0 && r.OnSceneAt.IsZero() && r.Open() {
		b.ETA = fmt.Sprintf("%d min (by %s)", r.ETAMinutes,
			r.AcceptedAt.Add(time.Duration(r.ETAMinutes)*time.Minute).In(s.prog.TimeZone).Format("15:04"))
	}
	if !r.OnSceneAt.IsZero() {
		b.Arrived = r.OnSceneAt.In(s.prog.TimeZone).Format("15:04")
	}
	b.Target, b.TargetLabel, b.Running = target(r, now)
	return b
}

// boardFor draws the board of v from the referrals on it: only the
// cohorts v sees, then the filter.
func (s *Server) boardFor(v *Viewer, f boardFilter, refs []*referral.Referral, now time.Time) boardData {
	d := boardData{Filter: f, Cohorts: v.Cohorts, States: openStates, Today: now}
	byCohort := map[string][]boardRow{}
	for _, r := range refs {
		if !v.Sees(r.Cohort) || (f.Cohort != "" && r.Cohort != f.Cohort) || (f.Type != "" && string(r.Type) != f.Type) ||
			!s.onBoard(r, now) {
			continue
		}
		if r.Open() {
			st := r.State
			if st == referral.New {
				st = referral.Paging // about to page: shown, and filtered, as paging
			}
			if f.State == closedFilter || (f.State != "" && string(st) != f.State) {
				continue
			}
			byCohort[r.Cohort] = append(byCohort[r.Cohort], s.row(r, now))
			d.Open++
		} else if f.State == "" || f.State == closedFilter {
			d.Closed = append(d.Closed, s.row(r, now))
		}
	}
	for _, id := range v.Cohorts {
		if f.Cohort != "" && id != f.Cohort {
			continue
		}
		rows := byCohort[id]
		sort.Slice(rows, func(i, j int) bool { return rows[i].Received.Before(rows[j].Received) })
		d.Groups = append(d.Groups, boardGroup{Cohort: id, Name: s.prog.CohortName(id), Rows: rows})
	}
	sort.Slice(d.Closed, func(i, j int) bool { return d.Closed[i].Ended.After(d.Closed[j].Ended) })
	return d
}

// board is GET /: the open referrals of the viewer's cohorts, and today's
// ended ones.
func (s *Server) board(c echo.Context) error {
	v := ViewerOf(c)
	if err := s.feed.refresh(c.Request().Context()); err != nil {
		return err
	}
	refs, since, err := s.feed.snapshot(c.Request().Context())
	if err != nil {
		return err
	}
	d := s.boardFor(v, s.parseFilter(c, v), refs, s.now())
	d.Since, d.Live = s.feed.visibleSince(v, since), s.Live()
	return s.Render(c, http.StatusOK, "board", "Board", d)
}
