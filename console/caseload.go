package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// caseloadRoles may open the caseloads: supervisors and the program
// manager see the case managers of their cohorts, a case manager their own.
var caseloadRoles = []program.Role{program.CaseManager, program.Supervisor, program.ProgramManager}

// ApptWeek is how far ahead the caseloads count appointments: today and
// the six days after it.
const ApptWeek = 7

// Appointments lists the appointments a case manager made (package
// appointment's Book, read as the daily digest reads it): from `from`, the
// codes of those before `to` ("<code> <time>"), and of those whose
// participant has not answered the consent request.
type Appointments interface {
	DigestLines(ctx context.Context, person string, from, to time.Time) (within, waiting, unreachable []string, err error)
}

// caseload is one case manager's work as the caseload pages show it.
type caseload struct {
	Person  *program.Person
	Count   int // followup.Plans.Caseload: follow-ups owed
	Target  int // caseload.target; 0 for none
	Room    string
	Full    bool // at or over the target
	Overdue int
	NextDue string // the earliest follow-up not yet overdue, "" for none
	Appts   int
	Waiting int
	// For the per-person view.
	FollowUps []followUpLine
	Hidden    int // follow-ups in cohorts the viewer does not see
	ApptLines []apptLine
	Awaiting  []string // referral codes
}

type followUpLine struct {
	Code, Type, Cohort, Due, Left string
	Overdue                       bool
}

type apptLine struct {
	Code, When string
	at         time.Time
}

type caseloadCohort struct {
	Cohort string
	People []*caseload
}

type caseloadsData struct {
	Today   string
	Target  int
	Cohorts []caseloadCohort
	Week    string // "Mon 23 Nov to Sun 29 Nov"
}

type caseloadData struct {
	Today string
	Week  string
	C     *caseload
	Own   bool
}

// errNotYourCaseload is the one answer to a caseload the viewer may not
// open, whether or not the person exists.
var errNotYourCaseload = echo.NewHTTPError(http.StatusForbidden, "This caseload is not in your cohorts.")

// caseloads is GET /caseloads: for supervisors and the program manager,
// the case managers of each cohort they see with their follow-ups,
// appointments, consents awaited and caseload against the target; for a
// case manager, their own list.
func (s *Server) caseloads(c echo.Context) error {
	v := ViewerOf(c)
	if v.Is(program.CaseManager) {
		return s.caseloadOf(c, v, v.Person)
	}
	ctx := c.Request().Context()
	now := s.now()
	d := caseloadsData{Today: s.prog.Times.Day(now), Target: s.prog.CaseloadTarget, Week: s.week(now)}
	seen := map[string]*caseload{}
	for _, id := range v.Cohorts {
		cc := caseloadCohort{Cohort: id}
		for _, pid := range s.prog.CaseManagers(id) {
			p, ok := s.prog.Person(pid)
			if !ok {
				continue
			}
			cl, ok := seen[pid]
			if !ok {
				var err error
				if cl, err = s.caseload(ctx, v, p, now); err != nil {
					return err
				}
				seen[pid] = cl
			}
			cc.People = append(cc.People, cl)
		}
		d.Cohorts = append(d.Cohorts, cc)
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionCaseloadView,
		From: c.RealIP()}); err != nil {
		return err
	}
	return s.Render(c, http.StatusOK, "caseloads", "Caseloads", d)
}

// caseloadPerson is GET /caseloads/:person: one case manager's list, for
// the viewer whose caseloads page shows them (a case manager: only
// themselves). Anyone else gets the same 403 whether or not the person is.
func (s *Server) caseloadPerson(c echo.Context) error {
	v := ViewerOf(c)
	id := c.Param("person")
	p, ok := s.prog.Person(id)
	switch {
	case v.Is(program.CaseManager):
		if id != v.Person.ID {
			return errNotYourCaseload
		}
	case !ok && v.AllCohorts():
		return echo.NewHTTPError(http.StatusNotFound, "Nobody in the program has this ID.")
	case !ok || !s.showsCaseload(v, id):
		return errNotYourCaseload
	}
	return s.caseloadOf(c, v, p)
}

// showsCaseload reports whether person is a case manager of a cohort v sees.
func (s *Server) showsCaseload(v *Viewer, person string) bool {
	for _, id := range v.Cohorts {
		if slices.Contains(s.prog.CaseManagers(id), person) {
			return true
		}
	}
	return false
}

func (s *Server) caseloadOf(c echo.Context, v *Viewer, p *program.Person) error {
	ctx := c.Request().Context()
	now := s.now()
	cl, err := s.caseload(ctx, v, p, now)
	if err != nil {
		return err
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionCaseloadView,
		Caseload: p.ID, From: c.RealIP()}); err != nil {
		return err
	}
	title := "Caseload of " + p.Name
	if p.ID == v.Person.ID {
		title = "Your caseload"
	}
	return s.Render(c, http.StatusOK, "caseload", title,
		caseloadData{Today: s.prog.Times.Day(now), Week: s.week(now), C: cl, Own: p.ID == v.Person.ID})
}

// week is the appointments' week in words: "Mon 23 Nov to Sun 29 Nov".
func (s *Server) week(now time.Time) string {
	day := s.startOfDay(now)
	return s.prog.Times.Day(day) + " to " + s.prog.Times.Day(day.AddDate(0, 0, ApptWeek-1))
}

// caseload reads person's follow-ups owed (followup.Plans, the very
// referrals the paging order counts) and appointments. Only referrals of
// cohorts v sees are listed; the count is the whole caseload.
func (s *Server) caseload(ctx context.Context, v *Viewer, p *program.Person, now time.Time) (*caseload, error) {
	owed, err := s.plans.Owed(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	cl := &caseload{Person: p, Count: len(owed), Target: s.prog.CaseloadTarget}
	cl.Room, cl.Full = room(cl.Count, cl.Target)
	slices.SortFunc(owed, func(a, b *referral.Referral) int {
		return a.FollowUpDue(s.prog).Compare(b.FollowUpDue(s.prog))
	})
	for _, r := range owed {
		due := r.FollowUpDue(s.prog)
		late := due.Before(now)
		if late {
			cl.Overdue++
		} else if cl.NextDue == "" {
			cl.NextDue = s.daysLeft(due, now)
		}
		if !v.Sees(r.Cohort) {
			cl.Hidden++
			continue
		}
		cl.FollowUps = append(cl.FollowUps, followUpLine{Code: r.Code, Type: r.Type.Label(), Cohort: s.prog.CohortName(r.Cohort),
			Due: s.prog.Times.DateTime(due), Left: s.daysLeft(due, now), Overdue: late})
	}
	if s.appts == nil {
		return cl, nil
	}
	from := s.startOfDay(now)
	within, waiting, _, err := s.appts.DigestLines(ctx, p.ID, from, from.AddDate(0, 0, ApptWeek))
	if err != nil {
		return nil, fmt.Errorf("console: caseload of %s: %w", p.ID, err)
	}
	cl.Appts, cl.Waiting = len(within), len(waiting)
	codes := make([]string, len(within))
	for i, l := range within {
		codes[i], _, _ = strings.Cut(l, " ")
	}
	rs, err := s.referrals.LoadMany(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("console: caseload of %s: %w", p.ID, err)
	}
	for _, r := range rs {
		if r != nil && v.Sees(r.Cohort) {
			cl.ApptLines = append(cl.ApptLines, apptLine{Code: r.Code, When: s.prog.Times.DateTime(r.Appt), at: r.Appt})
		}
	}
	slices.SortStableFunc(cl.ApptLines, func(a, b apptLine) int { return a.at.Compare(b.at) })
	for _, code := range waiting {
		if r, err := s.referrals.Load(ctx, code); err == nil && v.Sees(r.Cohort) {
			cl.Awaiting = append(cl.Awaiting, code)
		}
	}
	return cl, nil
}

// room is a caseload against the target in words, and whether it is full.
func room(n, target int) (string, bool) {
	switch {
	case target == 0:
		return "no target set", false
	case n < target:
		return fmt.Sprintf("room for %d", target-n), false
	case n == target:
		return "at target", true
	}
	return fmt.Sprintf("%d over target", n-target), true
}

// daysLeft is how far due is from now in the program's days: "due today",
// "1 day left", "overdue by 3 days".
func (s *Server) daysLeft(due, now time.Time) string {
	d0, d1 := s.startOfDay(now), s.startOfDay(due)
	days := int(d1.Sub(d0).Round(24*time.Hour) / (24 * time.Hour)) // a DST day is 23 or 25 hours
	plural := func(n int) string {
		if n == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", n)
	}
	switch {
	case due.Before(now) && days >= 0:
		return "overdue since today"
	case due.Before(now):
		return "overdue by " + plural(-days)
	case days == 0:
		return "due today"
	}
	return plural(days) + " left"
}

// SeesCaseloads reports whether the viewer may open the caseloads and the
// map (their own caseload, for a case manager).
func (v *Viewer) SeesCaseloads() bool { return v.Is(caseloadRoles...) }
