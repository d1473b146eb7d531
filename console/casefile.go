package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// MaySeeDetails reports whether v may see a referral's details (location,
// notes, officer, the participant's appointment): supervisors and program
// managers of its cohort, and the case managers it paged or who accepted it.
func MaySeeDetails(v *Viewer, r *referral.Referral) bool {
	if !v.Sees(r.Cohort) {
		return false
	}
	if v.Is(program.Supervisor, program.ProgramManager) {
		return true
	}
	return v.Is(program.CaseManager) && (r.AcceptedBy == v.Person.ID || slices.Contains(r.PagedList, v.Person.ID))
}

type timelineLine struct {
	At   time.Time
	Text string
}

type referralData struct {
	R        *referral.Referral
	Details  bool
	Officer  *program.Person
	Timeline []timelineLine
	Row      boardRow
	Map      bool
	Tiles    string
	Attrib   string
	Area     string // the cohort outline's URL
	Lat, Lon string
	FollowUp time.Time
	Actions  []string // the actions offered to the viewer
	Done     string
	// ActionNames are the actions' button labels.
	ActionNames map[string]string
}

// errNotYours is the one answer to a referral the viewer may not see, or
// that does not exist (to anyone not seeing the whole program), so that
// the answer tells nothing of it.
var errNotYours = echo.NewHTTPError(http.StatusForbidden, "This referral is not in your cohorts.")

// loadFor loads a referral the viewer may see.
func (s *Server) loadFor(c echo.Context) (*referral.Referral, error) {
	v := ViewerOf(c)
	code := strings.ToUpper(c.Param("code"))
	if !referralPattern.MatchString(code) {
		return nil, errNotYours
	}
	r, err := s.referrals.Load(c.Request().Context(), code)
	switch {
	case errors.Is(err, referral.ErrNotFound) && v.AllCohorts():
		return nil, echo.NewHTTPError(http.StatusNotFound, "No referral has this code.")
	case errors.Is(err, referral.ErrNotFound):
		return nil, errNotYours
	case err != nil:
		return nil, err
	case !v.Sees(r.Cohort):
		return nil, errNotYours
	}
	return r, nil
}

// referralPage is GET /referrals/<code>: the referral's timeline, and its
// details and map for those who may see them. Every view is audited.
func (s *Server) referralPage(c echo.Context) error {
	v := ViewerOf(c)
	r, err := s.loadFor(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	hist, err := s.referrals.History(ctx, r.Code)
	if err != nil {
		return err
	}
	if err := s.audit.Record(ctx, Entry{Person: v.Person.ID, Role: v.Person.Role, Action: ActionReferralView,
		Referral: r.Code, From: c.RealIP()}); err != nil {
		return err
	}
	d := referralData{R: r, Details: MaySeeDetails(v, r), Row: s.row(r, s.now()), FollowUp: r.FollowUpDue(s.prog),
		Done: doneNotice(c.QueryParam("done")), ActionNames: actionHeadings}
	if s.actions != nil && r.Open() && v.Is(actors...) {
		d.Actions = []string{"page", "cancel", "close"}
	}
	if s.actions != nil && r.OwesFollowUp(s.prog) && (v.Is(actors...) || r.AcceptedBy == v.Person.ID) {
		d.Actions = append(d.Actions, "followed")
	}
	for _, l := range hist {
		if t := s.eventText(l, d.Details); t != "" {
			d.Timeline = append(d.Timeline, timelineLine{At: l.At, Text: t})
		}
	}
	if d.Details {
		d.Officer, _ = s.prog.Person(r.Officer)
		if (r.Lat != 0 || r.Lon != 0) && s.prog.Areas.Has(r.Cohort) {
			d.Map, d.Tiles, d.Attrib = true, s.tiles, s.tileAttribution
			d.Area = "/areas/" + url.PathEscape(r.Cohort) + ".geojson"
			d.Lat, d.Lon = strconv.FormatFloat(r.Lat, 'f', 6, 64), strconv.FormatFloat(r.Lon, 'f', 6, 64)
			s.allowTiles(c)
		}
	}
	return s.Render(c, http.StatusOK, "referral", "Referral "+r.Code, d)
}

// allowTiles lets a page with a map load the configured tiles.
func (s *Server) allowTiles(c echo.Context) {
	if s.tileOrigin != "" {
		c.Response().Header().Set("Content-Security-Policy", cspWithImages(s.tileOrigin))
	}
}

// cspWithImages is the console's policy with map tiles allowed from origin.
func cspWithImages(origin string) string {
	return strings.Replace(contentSecurityPolicy, "img-src 'self' data:;", "img-src 'self' data: "+origin+";", 1)
}

// tileOrigin checks a tile URL template ("https://tile.example.org/{z}/{x}/{y}.png")
// and returns its origin, the one host the referral page's policy adds.
func tileOrigin(tiles string) (string, error) {
	if tiles == "" {
		return "", nil
	}
	u, err := url.Parse(strings.NewReplacer("{z}", "0", "{x}", "0", "{y}", "0", "{s}", "a", "{r}", "").Replace(tiles))
	if err != nil || u.Scheme != "https" || u.Host == "" || strings.ContainsAny(u.Host, "{}") {
		return "", fmt.Errorf("console: MapTiles %q must be an https URL like https://tile.example.org/{z}/{x}/{y}.png", tiles)
	}
	if strings.Contains(tiles, "{s}") {
		return "", fmt.Errorf("console: MapTiles %q: name one host, not {s} subdomains, so the page's policy allows just it", tiles)
	}
	return u.Scheme + "://" + u.Host, nil
}

// areaGeoJSON is GET /areas/<cohort>.geojson: the outline of a cohort the
// viewer sees or may enter a community referral for, for the maps of the
// referral page and the community form.
func (s *Server) areaGeoJSON(c echo.Context) error {
	v := ViewerOf(c)
	id, ok := strings.CutSuffix(c.Param("file"), ".geojson")
	if !ok || !(v.Sees(id) || slices.Contains(s.cohortsFor(v), id)) || !s.prog.Areas.Has(id) {
		return echo.NewHTTPError(http.StatusNotFound, "No such area.")
	}
	for _, a := range s.prog.Areas.Cohorts() {
		if a.ID == id {
			b, err := json.Marshal(map[string]any{"type": "FeatureCollection", "features": []any{map[string]any{
				"type": "Feature", "properties": map[string]string{"cohort": id, "name": s.prog.CohortName(id)},
				"geometry": map[string]any{"type": "MultiPolygon", "coordinates": a.Area}}}})
			if err != nil {
				return err
			}
			return c.Blob(http.StatusOK, "application/geo+json", b)
		}
	}
	return echo.NewHTTPError(http.StatusNotFound, "No such area.")
}

func doneNotice(what string) string {
	return map[string]string{"cancel": "The referral was cancelled.", "page": "The page was sent.",
		"close": "The referral was closed.", "followed": "The follow-up was recorded."}[what]
}

// stepLine is an escalation step in words: "Step 2 after no answer:
// Called Jo R. (call same)".
func (s *Server) stepLine(l referral.Line) string {
	f := strings.Split(l.Detail, "/")
	if len(f) < 4 {
		return "Escalation step"
	}
	n, _ := strconv.Atoi(f[0])
	why := map[string]string{"timeout": " after no answer", "declined": " after a decline", "missed": " after a missed page",
		"failed": " after a failed page"}[f[3]]
	var names []string
	for _, id := range strings.Split(l.Who, ",") {
		if id != "" {
			names = append(names, s.shortName(id))
		}
	}
	by := map[string]string{"sms": "Texted", "call": "Called"}[f[1]]
	if by == "" {
		by = "Paged"
	}
	if len(names) == 0 {
		return fmt.Sprintf("Step %d (%s %s) skipped: nobody to page", n+1, f[1], f[2])
	}
	return fmt.Sprintf("Step %d%s: %s %s (%s %s)", n+1, why, by, strings.Join(names, ", "), f[1], f[2])
}

// EventText is one line of a referral's history in words, for the
// timeline; details says whether the reader may see who the officer is.
// It is "" for a line with nothing to say.
func (s *Server) eventText(l referral.Line, details bool) string {
	who := s.shortName(l.Who)
	switch l.What {
	case referral.EvCreated:
		p, ok := s.prog.Person(l.Who)
		switch {
		case ok && p.Role != program.Officer:
			return "Entered by " + who + " for " + s.prog.CohortName(l.Detail)
		case ok && details:
			return fmt.Sprintf("Received from Officer %s (%s) for %s", p.Name, p.Agency, s.prog.CohortName(l.Detail))
		}
		return "Received for " + s.prog.CohortName(l.Detail)
	case referral.EvAssigned:
		return "Assigned to " + who + " for follow-up by " + s.shortName(l.Detail) + "; nobody paged"
	case referral.EvStep:
		return s.stepLine(l)
	case referral.EvPagedByStaff:
		return "Paged " + who + " at " + s.shortName(l.Detail) + "'s request"
	case referral.EvMissed:
		return fmt.Sprintf("%s not reached by %s", who, map[string]string{"sms": "text", "call": "call"}[l.Detail])
	case referral.EvDeclined:
		return "Declined by " + who
	case referral.EvAccepted:
		if eta, _ := strconv.Atoi(l.Detail); eta > 0 {
			return fmt.Sprintf("Accepted by %s, ETA %d min", who, eta)
		}
		return "Accepted by " + who
	case referral.EvDialled:
		return who + " answered the officer's call, and so accepted"
	case referral.EvETA:
		return fmt.Sprintf("ETA %s min from %s", l.Detail, who)
	case referral.EvArrived:
		return who + " arrived on scene"
	case referral.EvNudged:
		return who + " was asked whether on the way"
	case referral.EvDelayed:
		return who + " did not answer: the supervisors and the officer were told of the delay"
	case referral.EvCheckIn:
		return who + " was asked whether all is OK"
	case referral.EvCheckInCall:
		return who + " did not answer the check-in: called"
	case referral.EvCheckInAlarm:
		return who + " did not answer the check-in or the call: the supervisors were told"
	case referral.EvOK:
		return who + " answered: all OK"
	case referral.EvSOS:
		if l.Detail == "paged" {
			return "SOS: the supervisors were texted and called"
		}
		return "SOS from " + who
	case referral.EvClosed:
		return fmt.Sprintf("Closed by %s: %s", who, l.Detail)
	case referral.EvCancelled:
		if p, ok := s.prog.Person(l.Who); ok && p.Role != program.Officer {
			return "Cancelled by " + who
		}
		return "Cancelled by the officer"
	case referral.EvMoved:
		return "Location corrected by the officer"
	case referral.EvUnanswered:
		return "Nobody accepted: the officer was told to proceed as usual"
	case referral.EvOverdue:
		return "Follow-up overdue: reported to " + who + " and the supervisors"
	case referral.EvFollowed:
		return "Follow-up recorded by " + who
	case referral.EvApptSet:
		return "Appointment made by " + who
	case referral.EvApptMoved:
		return "Appointment moved by " + who
	case referral.EvApptCancelled:
		return "Appointment cancelled by " + who
	case referral.EvApptConfirmed:
		return "The participant confirmed the appointment"
	case referral.EvApptReschedule:
		return "The participant asked to reschedule"
	case referral.EvConsent:
		return "The participant answered the reminders request: " + l.Detail
	case referral.EvOptedOut:
		return "The participant opted out of texts"
	case referral.EvParticipantForgotten:
		return "The participant's number was removed"
	case referral.EvUnreachable:
		if l.Detail != "" {
			return "The participant's number cannot receive texts (Twilio error " + l.Detail + ")"
		}
		return "The participant's number cannot receive texts"
	case referral.EvNumberChanged:
		return "The participant's number was changed by " + who
	case referral.EvOpenNotice:
		return "Open a long time: the supervisors were told it will be closed and its details removed"
	case referral.EvOpenLimit:
		return "Closed after " + l.Detail + " open; its details removed"
	}
	if kind, ok := strings.CutPrefix(string(l.What), string(referral.EvParticipantText)); ok {
		return "Text to the participant: " + map[string]string{"ask": "the reminders request", "reminder": "a reminder",
			"note": "a notice of the change"}[kind]
	}
	return string(l.What)
}
