package console

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/oncall"
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
}

type calendarData struct {
	Until    time.Time
	Calendar []cohortCalendar
}

// calendar is GET /oncall: each cohort the viewer sees, its shifts from now
// to four weeks ahead from the schedules and overrides, who is on call now
// on top.
func (s *Server) calendar(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	now := s.now()
	until := now.Add(CalendarWeeks * 7 * 24 * time.Hour)
	d := calendarData{Until: until}
	for _, id := range v.Cohorts {
		cal, err := s.cohortCalendar(c, id, now, until)
		if err != nil {
			return err
		}
		d.Calendar = append(d.Calendar, cal)
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionCalendarView,
		From: c.RealIP()}); err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "calendar", "On call", d)
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
