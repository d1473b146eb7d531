package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Actions is what the console's action forms call: the supervisor's
// actions on a referral and the community-referral form. The service
// implements it (the console never changes a referral itself); while
// Config.Actions is nil the forms are not offered and their paths are 404.
// by is the signed-in person's ID. An error is shown on the form: say what
// to do next.
type Actions interface {
	// Cancel cancels an open referral, with the reason given.
	Cancel(ctx context.Context, code, by, reason string) error
	// PageNow pages person for the referral at once, outside the chain.
	PageNow(ctx context.Context, code, by, person string) error
	// Close closes the referral with outcome, one of referral.Outcomes.
	Close(ctx context.Context, code, by, outcome string) error
	// FollowedUp records the referral's intake or first follow-up as done.
	FollowedUp(ctx context.Context, code, by string) error
	// Community stores a community referral entered by staff and returns
	// its code.
	Community(ctx context.Context, c CommunityReferral) (code string, err error)
}

// CommunityReferral is a referral staff enter for someone the community
// brought to the program: no officer, no paging on the spot.
type CommunityReferral struct {
	By       string // the person entering it
	Cohort   string
	Location string // where the person can be found, as typed
	Name     string // how the referred person is known
	Contact  string // how to reach them or the one who referred them
	Notes    string
}

// Form limits, in characters.
const (
	maxReason = 300
	maxNotes  = 1000
	maxLine   = 200
)

type actionData struct {
	R        *referral.Referral
	Action   string // cancel, page, close, followed
	Heading  string
	People   []*program.Person // whom page-now may page
	Outcomes []string
	Values   map[string]string
	Error    string
}

type communityData struct {
	Cohorts []string
	Values  map[string]string
	Error   string
	Code    string
}

// mayAct is who may use the supervisor actions: supervisors and program
// managers of the referral's cohort (loadFor has checked the cohort).
var actors = []program.Role{program.Supervisor, program.ProgramManager}

// pageable are the staff of a cohort a supervisor may page now: its
// rotation, backups and supervisors.
func (s *Server) pageable(cohort string) []*program.Person {
	c, ok := s.prog.Cohort(cohort)
	if !ok {
		return nil
	}
	var out []*program.Person
	for _, id := range slices.Concat(c.Rotation, c.Backup, s.prog.Supervisors(cohort)) {
		if p, ok := s.prog.Person(id); ok && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

var actionHeadings = map[string]string{"cancel": "Cancel referral", "page": "Page someone now",
	"close": "Close referral", "followed": "Mark followed up"}

func (s *Server) actionForm(c echo.Context) error {
	r, err := s.loadFor(c)
	if err != nil {
		return err
	}
	a := c.Param("action")
	return s.Render(c, http.StatusOK, "action", actionHeadings[a]+" "+r.Code,
		actionData{R: r, Action: a, Heading: actionHeadings[a], People: s.pageable(r.Cohort), Outcomes: referral.Outcomes})
}

func (s *Server) actionSubmit(c echo.Context) error {
	v := ViewerOf(c)
	r, err := s.loadFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	a := c.Param("action")
	d := actionData{R: r, Action: a, Heading: actionHeadings[a], People: s.pageable(r.Cohort), Outcomes: referral.Outcomes,
		Values: map[string]string{}}
	switch a {
	case "cancel":
		reason := strings.TrimSpace(c.FormValue("reason"))
		d.Values["reason"] = reason
		if reason == "" || len([]rune(reason)) > maxReason {
			d.Error = "Give the reason, in 300 characters at most."
		} else {
			err = s.actions.Cancel(ctx, r.Code, v.Person.ID, reason)
		}
	case "page":
		who := c.FormValue("person")
		d.Values["person"] = who
		if !slices.ContainsFunc(d.People, func(p *program.Person) bool { return p.ID == who }) {
			d.Error = "Choose someone of this cohort to page."
		} else {
			err = s.actions.PageNow(ctx, r.Code, v.Person.ID, who)
		}
	case "close":
		out := c.FormValue("outcome")
		d.Values["outcome"] = out
		if !slices.Contains(referral.Outcomes, out) {
			d.Error = "Choose the outcome."
		} else {
			err = s.actions.Close(ctx, r.Code, v.Person.ID, out)
		}
	case "followed":
		err = s.actions.FollowedUp(ctx, r.Code, v.Person.ID)
	}
	if err != nil {
		d.Error = err.Error()
	}
	if d.Error != "" {
		return s.Render(c, http.StatusUnprocessableEntity, "action", d.Heading+" "+r.Code, d)
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionReferralUpdate,
		Referral: r.Code, From: c.RealIP()}); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/referrals/"+r.Code+"?done="+a)
}

// community is who may enter community referrals: intake, supervisors and
// program managers.
var community = []program.Role{program.Intake, program.Supervisor, program.ProgramManager}

// cohortsFor are the cohorts a person may enter a community referral for:
// every cohort for intake staff, else their own.
func (s *Server) cohortsFor(v *Viewer) []string {
	if v.Is(program.Intake) {
		out := make([]string, 0, len(s.prog.Cohorts))
		for _, c := range s.prog.Cohorts {
			out = append(out, c.ID)
		}
		return out
	}
	return v.Cohorts
}

func (s *Server) communityForm(c echo.Context) error {
	return s.Render(c, http.StatusOK, "community", "Community referral",
		communityData{Cohorts: s.cohortsFor(ViewerOf(c)), Values: map[string]string{}})
}

func (s *Server) communitySubmit(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	in := CommunityReferral{By: v.Person.ID, Cohort: c.FormValue("cohort"),
		Location: strings.TrimSpace(c.FormValue("location")), Name: strings.TrimSpace(c.FormValue("name")),
		Contact: strings.TrimSpace(c.FormValue("contact")), Notes: strings.TrimSpace(c.FormValue("notes"))}
	d := communityData{Cohorts: s.cohortsFor(v), Values: map[string]string{"cohort": in.Cohort, "location": in.Location,
		"name": in.Name, "contact": in.Contact, "notes": in.Notes}}
	switch {
	case !slices.Contains(d.Cohorts, in.Cohort):
		d.Error = "Choose the cohort."
	case in.Location == "" || len([]rune(in.Location)) > maxLine:
		d.Error = "Say where the person can be found, in 200 characters at most."
	case len([]rune(in.Name)) > maxLine || len([]rune(in.Contact)) > maxLine || len([]rune(in.Notes)) > maxNotes:
		d.Error = "Keep the name and contact to 200 characters and the notes to 1000."
	}
	if d.Error == "" {
		code, err := s.actions.Community(ctx, in)
		if err != nil {
			d.Error = err.Error()
		} else if !referralPattern.MatchString(code) {
			d.Error = "The referral was not stored: the service gave no code. Try again."
		} else {
			if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionReferralCreate,
				Referral: code, From: c.RealIP()}); err != nil {
				return err
			}
			return s.Render(c, http.StatusOK, "community", "Community referral",
				communityData{Cohorts: d.Cohorts, Values: map[string]string{}, Code: code})
		}
	}
	return s.Render(c, http.StatusUnprocessableEntity, "community", "Community referral", d)
}

// actionAllowed refuses unknown actions and those the viewer's role may
// not take; the followed-up mark is also the accepting case manager's.
func (s *Server) actionAllowed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		a := c.Param("action")
		if _, ok := actionHeadings[a]; !ok {
			return echo.NewHTTPError(http.StatusNotFound, "No such page.")
		}
		v := ViewerOf(c)
		if v.Is(actors...) {
			return next(c)
		}
		if a == "followed" && v.Is(program.CaseManager) {
			r, err := s.loadFor(c)
			if err != nil {
				return err
			}
			if r.AcceptedBy == v.Person.ID {
				return next(c)
			}
		}
		return echo.NewHTTPError(http.StatusForbidden, "This action is not open to your role.")
	}
}
