package console

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
)

// CalendarWeeks is how far ahead the on-call calendar looks.
const CalendarWeeks = 4

// calendarShift is one shift on the calendar: who is on call, from when to
// when, and who backs them up (the cohort's backups, or else the next
// shift's person, whom the chain's `next` step pages).
type calendarShift struct {
	oncall.Shift
	Backup []string
	Now    bool // under way now
}

type cohortCalendar struct {
	Cohort string
	Now    *calendarShift // who is on call now; nil for nobody
	Shifts []calendarShift
	// For a viewer who may change overrides: the cohort's overrides not
	// yet over, and the add form's refusal and values after a POST.
	Overrides []oncall.Shift
	Error     string
	Values    map[string]string
}

type calendarData struct {
	Until    time.Time
	Calendar []cohortCalendar
	// Editor: the viewer may add and remove overrides (overrideEditors);
	// People are whom they may put on call.
	Editor bool
	People []*program.Person
	Done   string // "added" or "removed", after a change
}

// overrideEditors may add and remove overrides on the calendar of the
// cohorts they see: supervisors and the program manager. Case managers
// see the calendar only.
var overrideEditors = []program.Role{program.Supervisor, program.ProgramManager}

// calendar is GET /oncall: each cohort the viewer sees, its shifts from now
// to four weeks ahead from the schedules and overrides, who is on call now
// on top.
func (s *Server) calendar(c echo.Context) error {
	v := ViewerOf(c)
	d, err := s.calendarData(c, v)
	if err != nil {
		return err
	}
	if done := c.QueryParam("done"); done == "added" || done == "removed" {
		d.Done = done
	}
	if err := s.audit.Record(c.Request().Context(), Entry{Person: v.Person.ID, Role: v.Person.Role,
		Action: ActionCalendarView, From: c.RealIP()}); err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "calendar", "On call", d)
}

func (s *Server) calendarData(c echo.Context, v *Viewer) (calendarData, error) {
	now := s.now()
	until := now.Add(CalendarWeeks * 7 * 24 * time.Hour)
	d := calendarData{Until: until, Editor: v.Is(overrideEditors...)}
	for _, id := range v.Cohorts {
		cal, err := s.cohortCalendar(c, id, now, until)
		if err != nil {
			return d, err
		}
		if d.Editor {
			if cal.Overrides, err = s.comingOverrides(c, id, now); err != nil {
				return d, err
			}
		}
		d.Calendar = append(d.Calendar, cal)
	}
	if d.Editor {
		d.People = s.coverers()
	}
	return d, nil
}

// calendarShiftsMax bounds one cohort's shifts over the four weeks (shifts
// of an hour, or many short overrides).
const calendarShiftsMax = 4 * 7 * 24

func (s *Server) cohortCalendar(c echo.Context, cohort string, now, until time.Time) (cohortCalendar, error) {
	cal := cohortCalendar{Cohort: cohort}
	shifts, err := s.oncall.Upcoming(c.Request().Context(), cohort, now, calendarShiftsMax)
	if err != nil {
		return cal, err
	}
	backups := s.prog.Backups(cohort)
	for i, sh := range shifts {
		if !sh.From.Before(until) {
			break
		}
		cs := calendarShift{Shift: sh, Backup: backups, Now: !sh.From.After(now) && (sh.To.IsZero() || now.Before(sh.To))}
		if len(backups) == 0 && i+1 < len(shifts) && shifts[i+1].Person != sh.Person && shifts[i+1].Person != "" {
			cs.Backup = []string{shifts[i+1].Person}
		}
		cal.Shifts = append(cal.Shifts, cs)
	}
	if len(cal.Shifts) > 0 && cal.Shifts[0].Now && cal.Shifts[0].Person != "" {
		cal.Now = &cal.Shifts[0]
	}
	return cal, nil
}

// comingOverrides are a cohort's overrides that are not over at now.
func (s *Server) comingOverrides(c echo.Context, cohort string, now time.Time) ([]oncall.Shift, error) {
	all, err := s.oncall.Overrides(c.Request().Context(), cohort)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(o oncall.Shift) bool { return !o.To.After(now) }), nil
}

// coverers are whom an override may put on call, by name: the program's
// case managers (a case manager of one cohort may cover another).
func (s *Server) coverers() []*program.Person {
	var out []*program.Person
	for i := range s.prog.People {
		if p := &s.prog.People[i]; p.Role == program.CaseManager {
			out = append(out, p)
		}
	}
	slices.SortStableFunc(out, func(a, b *program.Person) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// overrideAdd is POST /oncall/overrides: cohort, person, from (empty for
// now) and to, the times as the browser's date-time fields send them
// (program time). It goes through oncall.Store.Request, as the admin API
// does: a refusal (an overlap, a period already over) is shown on the
// calendar above the cohort's form, and nothing changes.
func (s *Server) overrideAdd(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	f := func(name string) string { return strings.TrimSpace(c.FormValue(name)) }
	req := oncall.OverrideRequest{Cohort: f("cohort"), Person: f("person"), From: f("from"), To: f("to")}
	if !v.Sees(req.Cohort) {
		return echo.NewHTTPError(http.StatusForbidden, "You do not supervise that cohort.")
	}
	var problem string
	if req.To == "" {
		problem = "Say when the override ends."
	} else {
		o, err := s.oncall.Request(ctx, req)
		switch {
		case errors.Is(err, oncall.ErrOverlap):
			problem = "Not added: it " + err.Error() + ". Remove that one first, or choose another time."
		case errors.Is(err, oncall.ErrInvalid):
			problem = "Not added: " + strings.TrimSuffix(err.Error(), ".") + "."
		case err != nil:
			return err
		default:
			if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionOverrideAdd,
				Override: o.Override, From: c.RealIP()}); err != nil {
				return err
			}
			return c.Redirect(http.StatusSeeOther, "/oncall?done=added#cal-"+o.Cohort)
		}
	}
	d, err := s.calendarData(c, v)
	if err != nil {
		return err
	}
	for i := range d.Calendar {
		if d.Calendar[i].Cohort == req.Cohort {
			d.Calendar[i].Error = problem
			d.Calendar[i].Values = map[string]string{"person": req.Person, "from": req.From, "to": req.To}
		}
	}
	return s.Render(c, http.StatusUnprocessableEntity, "calendar", "On call", d)
}

// overrideRemove is POST /oncall/overrides/:id/remove, through
// oncall.Store.DeleteOverride as the admin API's DELETE.
func (s *Server) overrideRemove(c echo.Context) error {
	v := ViewerOf(c)
	id := c.Param("id")
	cohort, _, _ := strings.Cut(id, "-")
	if !v.Sees(cohort) {
		return echo.NewHTTPError(http.StatusNotFound, "No such override.")
	}
	ctx := c.Request().Context()
	err := s.oncall.DeleteOverride(ctx, id)
	switch {
	case errors.Is(err, oncall.ErrNoOverride):
		return echo.NewHTTPError(http.StatusNotFound, "No such override: it may have been removed already.")
	case err != nil:
		return err
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionOverrideRemove,
		Override: id, From: c.RealIP()}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/oncall?done=removed#cal-"+cohort)
}
