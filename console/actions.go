package console

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/phone"
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
// brought to the program: no officer is waiting. The console has checked
// every field before the service sees it.
type CommunityReferral struct {
	By       string // the person entering it
	Cohort   string
	Location string // where the person can be found, as typed
	Name     string // how the referred person is known
	Notes    string
	// Who referred them: ReferrerKind is one of ReferrerKinds; Callback is
	// their number (E.164) or "".
	ReferrerKind, ReferrerName, Callback string
	// TextReferrer: Callback is a mobile that gets the referral's code and
	// how its paging goes.
	TextReferrer bool
	// CaseManager, when set, is the case manager of Cohort the referral is
	// assigned to for follow-up, paging nobody; "" dispatches it now.
	CaseManager string
}

// ReferrerKinds are who may refer someone, as the form offers them.
var ReferrerKinds = []string{"community member", "service provider", "other"}

// AllNotes are the referral's notes as stored: who referred (kind, name,
// callback), how the person is known, then the notes typed, so a case
// manager's page or assignment text carries all a call back needs.
func (c CommunityReferral) AllNotes() string {
	by := "Referred by a " + c.ReferrerKind
	if c.ReferrerKind == "other" {
		by = "Referred by someone else"
	}
	for _, v := range []string{c.ReferrerName, c.Callback} {
		if v != "" {
			by += ", " + v
		}
	}
	parts := []string{by}
	if c.Name != "" {
		parts = append(parts, "Known as "+c.Name)
	}
	if c.Notes != "" {
		parts = append(parts, c.Notes)
	}
	return strings.Join(parts, ". ")
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
	Kinds   []string
	Staff   []assignee // whom a referral may be assigned to, by cohort
	Values  map[string]string
	Error   string
	Code    string
	// Tiles and Attrib are the map's tiles, if configured: the form's map
	// sets the place by a click.
	Tiles, Attrib string
}

// assignee is a case manager offered for follow-up, with their cohort.
type assignee struct {
	Cohort string
	Person *program.Person
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

// communityData is the form for v: the cohorts they may enter a referral
// for, and those cohorts' case managers.
func (s *Server) communityData(v *Viewer, values map[string]string) communityData {
	d := communityData{Cohorts: s.cohortsFor(v), Kinds: ReferrerKinds, Values: values, Tiles: s.tiles, Attrib: s.tileAttribution}
	for _, c := range d.Cohorts {
		for _, id := range s.prog.CaseManagers(c) {
			if p, ok := s.prog.Person(id); ok {
				d.Staff = append(d.Staff, assignee{Cohort: c, Person: p})
			}
		}
	}
	return d
}

func (s *Server) communityForm(c echo.Context) error {
	s.allowTiles(c)
	return s.Render(c, http.StatusOK, "community", "Community referral",
		s.communityData(ViewerOf(c), map[string]string{"route": "dispatch"}))
}

// communityInput reads the form into in and its values; it returns what is
// wrong with it, or "".
func (s *Server) communityInput(c echo.Context, d communityData) (CommunityReferral, string) {
	f := func(name string) string { d.Values[name] = strings.TrimSpace(c.FormValue(name)); return d.Values[name] }
	in := CommunityReferral{By: ViewerOf(c).Person.ID, Cohort: f("cohort"), Location: f("location"), Name: f("name"),
		Notes: f("notes"), ReferrerKind: f("kind"), ReferrerName: f("referrer"), TextReferrer: f("texts") == "on"}
	callback, route, cm := f("callback"), f("route"), f("case_manager")
	switch {
	case !slices.Contains(d.Cohorts, in.Cohort):
		return in, "Choose the cohort."
	case !slices.Contains(ReferrerKinds, in.ReferrerKind):
		return in, "Say who referred the person: a community member, a service provider or other."
	case in.Location == "" || len([]rune(in.Location)) > maxLine:
		return in, "Say where the person can be found, in 200 characters at most."
	case len([]rune(in.Name)) > maxLine || len([]rune(in.ReferrerName)) > maxLine || len([]rune(in.Notes)) > maxNotes:
		return in, "Keep the names to 200 characters and the notes to 1000."
	case route != "dispatch" && route != "followup":
		return in, "Choose whether to dispatch now or assign for follow-up."
	case in.TextReferrer && callback == "":
		return in, "Give the referrer's mobile number to text them, or leave texts off."
	}
	if callback != "" {
		n, err := phone.Parse(callback, phone.Region(s.prog.Phone))
		if err != nil {
			return in, "The callback number is not a phone number: write it like 412-555-0100 or +14125550100."
		}
		in.Callback = n
	}
	if route == "followup" {
		if !slices.Contains(s.prog.CaseManagers(in.Cohort), cm) {
			return in, "Choose a case manager of " + s.prog.CohortName(in.Cohort) + " to follow it up."
		}
		in.CaseManager = cm
	}
	return in, ""
}

func (s *Server) communitySubmit(c echo.Context) error {
	v := ViewerOf(c)
	ctx := c.Request().Context()
	d := s.communityData(v, map[string]string{})
	in, problem := s.communityInput(c, d)
	d.Error = problem
	if d.Error == "" {
		code, err := s.actions.Community(ctx, in)
		switch {
		case err != nil:
			d.Error = sentence(err.Error())
		case !referralPattern.MatchString(code):
			d.Error = "The referral was not stored: the service gave no code. Try again."
		default:
			if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionReferralCreate,
				Referral: code, From: c.RealIP()}); err != nil {
				return err
			}
			done := s.communityData(v, map[string]string{"route": "dispatch"})
			done.Code = code
			return s.Render(c, http.StatusOK, "community", "Community referral", done)
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

// sentence is an error as a sentence on a form: capital first, full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
