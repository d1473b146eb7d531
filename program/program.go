// Package program holds a LEAD program's configuration: who its people are,
// which cohorts it serves, where they are and how each escalates. It is
// loaded once at start-up from YAML and validated as a whole, so a bad file
// fails before anyone relies on it.
package program

import (
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/timetext"
)

// Role is what a person does in the program.
type Role string

// The roles a person may have.
const (
	CaseManager Role = "case_manager"
	Supervisor  Role = "supervisor"
	Officer     Role = "officer"
	// ProgramManager oversees the whole program: every cohort, the audit
	// log.
	ProgramManager Role = "program_manager"
	// Intake staff enter community referrals; they see no cohort's board.
	Intake Role = "intake"
)

// Staff reports whether people with the role may sign in to the console:
// everyone but officers (who only text and call).
func (r Role) Staff() bool {
	switch r {
	case CaseManager, Supervisor, ProgramManager, Intake:
		return true
	}
	return false
}

// withArticle is the role's label after "a" or "an" ("an officer").
func (r Role) withArticle() string {
	if r == Intake {
		return "intake staff"
	}
	l := r.Label()
	if l == "" {
		return "without a role"
	}
	if strings.ContainsRune("aeiou", rune(l[0])) {
		return "an " + l
	}
	return "a " + l
}

// Label is the role as people read it ("case manager").
func (r Role) Label() string { return strings.ReplaceAll(string(r), "_", " ") }

// DefaultAckTimeout is how long a page waits for an answer when a cohort
// does not say.
const DefaultAckTimeout = 5 * time.Minute

// Person is anyone who may text the program number.
type Person struct {
	ID     string
	Name   string
	Phone  string // E.164
	Role   Role
	Badge  string   // officers
	Agency string   // officers
	Cohort []string // supervisors: the cohorts they cover
	// PINHash is the bcrypt hash of an officer's voice-line PIN; "" for
	// none (they can call only from their registered phone).
	PINHash string
	// Email, if set, is how single sign-on (OIDC) finds the person: staff
	// only, lower-case, unique.
	Email string
}

// ShortName is the first name and last initial ("Jo R."): all an officer is
// told about a case manager.
func (p *Person) ShortName() string {
	f := strings.Fields(p.Name)
	switch len(f) {
	case 0:
		return p.ID
	case 1:
		return f[0]
	}
	last := []rune(f[len(f)-1])
	return f[0] + " " + string(last[0]) + "."
}

// Escalation is a cohort's paging policy.
type Escalation struct {
	AckTimeout time.Duration // the default wait of each step
	Steps      []Step
}

// Cohort is a named service area with its own rotation.
type Cohort struct {
	ID         string
	Name       string
	Rotation   []string // person IDs in rotation order
	Escalation Escalation
	// Shift is how the rotation hands over; nil keeps the first member on
	// call.
	Shift *Shift
	// Backup case managers are paged by the chain's "backup" steps.
	Backup []string
	// SupervisorIDs, if set, are the cohort's supervisors; otherwise every
	// supervisor whose cohorts include it.
	SupervisorIDs []string
	// Busy is where the chain pages a case manager with a referral in
	// progress: last (after the rest of the rotation) or in turn.
	Busy Busy
}

// Voice is the voice line's config (voice: in the YAML).
type Voice struct {
	// RequirePIN asks every caller for badge and PIN, a registered
	// officer's number too: caller ID can be spoofed.
	RequirePIN bool
	// Lockout is when failed PINs, across calls, lock a badge and the
	// number that called.
	Lockout Lockout
}

// Lockout locks a badge and the calling number for First after After
// failed PINs within Window, across calls; each lock within Longest of the
// last one's end lasts twice the one before, up to Longest.
type Lockout struct {
	After   int
	Window  time.Duration
	First   time.Duration
	Longest time.Duration
}

// The lockout's defaults: five failed PINs within an hour lock for 15
// minutes, then 30, 60… up to a day.
var DefaultLockout = Lockout{After: 5, Window: time.Hour, First: 15 * time.Minute, Longest: 24 * time.Hour}

// Program is a validated configuration. It is read-only after Load.
type Program struct {
	File     string
	Name     string
	TimeZone *time.Location
	// Times writes dates and times for people: the program's zone, and
	// the clock of its region or of time_format.
	Times        timetext.Style
	Phone        string // E.164; officers text it, and outgoing texts come from it
	SupportPhone string
	Fallback     string // told to an officer when nobody answers
	Retention    Retention
	// Voice is how the officers' voice line signs callers in.
	Voice Voice
	// WeeklySummary is when members get next week's shifts.
	WeeklySummary WeeklySummary
	// DailyDigest is when case managers get their open follow-ups and
	// today's appointments.
	DailyDigest DailyDigest
	// RedactStaffTexts empties staff texts' bodies in Twilio's log once
	// delivered (participants' are by Participants.RedactAfterDelivery).
	RedactStaffTexts bool
	// MaxMessagesPerSecond caps texts from the program number; 0 for no cap.
	MaxMessagesPerSecond float64
	FollowUps            map[string]FollowUp // by referral type
	Participants         Participants
	Safety               Safety // after_accept: nudges and check-ins
	// CaseloadTarget is the caseload (follow-ups owed) at which a case
	// manager is paged last for arrest diversions; 0 for no target.
	CaseloadTarget int
	Region         string // default region for numbers written without a country code
	Areas          *geo.Areas
	Places         *geo.Places
	Addresses      *geo.Addresses // nil without address_points
	// Tolerance is how far outside a cohort, in metres, a point in no
	// other still counts as the cohort's (0 for not at all).
	Tolerance float64
	Geocoder  GeocoderConfig // zero for none
	// Units is how distances are written to people (miles in the US).
	Units geo.Units
	// PageAnywayLimit is how far outside every cohort, in metres, an
	// officer may still page the nearest one with YES.
	PageAnywayLimit float64
	// ResendWindow is how long the same officer's same referral at the
	// same place is a resend (answered with the first code); 0 for never.
	ResendWindow time.Duration
	// NetworkLookups allows following short map links (maps.app.goo.gl)
	// to where they lead, a request to the link's host.
	NetworkLookups bool
	Cohorts        []Cohort
	People         []Person

	byPhone  map[string]*Person
	byID     map[string]*Person
	byEmail  map[string]*Person
	byCohort map[string]*Cohort
}

// PersonByEmail finds a person by e-mail address, ignoring case.
func (p *Program) PersonByEmail(email string) (*Person, bool) {
	x, ok := p.byEmail[strings.ToLower(strings.TrimSpace(email))]
	return x, ok
}

// CohortsOf lists, in config order, the cohorts whose work a person sees:
// every cohort for a program manager; for a supervisor, those in their
// cohorts list and those that name them as supervisor; for a case manager,
// those whose rotation or backup includes them; none for intake staff,
// officers and unknown IDs.
func (p *Program) CohortsOf(id string) []string {
	x, ok := p.byID[id]
	if !ok {
		return nil
	}
	var out []string
	for _, c := range p.Cohorts {
		var in bool
		switch x.Role {
		case ProgramManager:
			in = true
		case Supervisor:
			in = slices.Contains(x.Cohort, c.ID) || slices.Contains(c.SupervisorIDs, id)
		case CaseManager:
			in = slices.Contains(c.Rotation, id) || slices.Contains(c.Backup, id)
		}
		if in {
			out = append(out, c.ID)
		}
	}
	return out
}

// PersonByPhone finds a person by E.164 number.
func (p *Program) PersonByPhone(phone string) (*Person, bool) {
	x, ok := p.byPhone[phone]
	return x, ok
}

// Person finds a person by ID.
func (p *Program) Person(id string) (*Person, bool) {
	x, ok := p.byID[id]
	return x, ok
}

// Cohort finds a cohort by ID.
func (p *Program) Cohort(id string) (*Cohort, bool) {
	c, ok := p.byCohort[id]
	return c, ok
}

// CohortName is the cohort's display name, or its ID if unknown.
func (p *Program) CohortName(id string) string {
	if c, ok := p.byCohort[id]; ok {
		return c.Name
	}
	return id
}

func (p *Program) index() {
	p.byPhone = make(map[string]*Person, len(p.People))
	p.byID = make(map[string]*Person, len(p.People))
	p.byEmail = make(map[string]*Person)
	for i := range p.People {
		x := &p.People[i]
		p.byPhone[x.Phone] = x
		p.byID[x.ID] = x
		if x.Email != "" {
			p.byEmail[x.Email] = x
		}
	}
	p.byCohort = make(map[string]*Cohort, len(p.Cohorts))
	for i := range p.Cohorts {
		p.byCohort[p.Cohorts[i].ID] = &p.Cohorts[i]
	}
}

// GeocoderConfig names an external geocoder: a Nominatim- or
// Pelias-compatible search URL.
type GeocoderConfig struct {
	URL  string
	Kind string // "nominatim" or "pelias"
}

// nearMargin is how far beyond the program's areas, in degrees (about 50
// km), a point still counts as near the program: a number pair is read
// lon-first only if that order, and not the other, lands that near.
const nearMargin = 0.5

// Resolver is how officers' location texts are read for this program:
// coordinates, links, places, address points, then geocoder (may be nil).
func (p *Program) Resolver(geocoder geo.Geocoder) *geo.Resolver {
	b := p.Areas.Bound()
	b = orb.Bound{Min: orb.Point{b.Min[0] - nearMargin, b.Min[1] - nearMargin}, Max: orb.Point{b.Max[0] + nearMargin, b.Max[1] + nearMargin}}
	tol := p.Tolerance
	if tol == 0 {
		tol = -1 // turned off; the Resolver's zero means its default
	}
	return &geo.Resolver{
		Parser:    geo.Parser{Places: p.Places, Near: b.Contains},
		Addresses: p.Addresses, Areas: p.Areas, Tolerance: tol, Geocoder: geocoder,
	}
}
