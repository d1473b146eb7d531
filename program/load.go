package program

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/timetext"
)

// Error is one problem in a config file: the file, the item and the reason.
type Error struct {
	File   string
	Item   string
	Reason string
}

func (e *Error) Error() string {
	if e.Item == "" {
		return e.File + ": " + e.Reason
	}
	return e.File + ": " + e.Item + ": " + e.Reason
}

// The YAML shape of DESIGN.md. Field names are the file's.
type fileConfig struct {
	Program struct {
		Name         string `yaml:"name"`
		Timezone     string `yaml:"timezone"`
		Phone        string `yaml:"phone"`
		SupportPhone string `yaml:"support_phone"`
		Fallback     string `yaml:"fallback"`
		// WeeklySummary is "sunday 18:00" or "off".
		WeeklySummary string `yaml:"weekly_summary"`
		// DailyDigest is "08:00" or "off".
		DailyDigest          string  `yaml:"daily_digest"`
		MaxMessagesPerSecond float64 `yaml:"max_messages_per_second"`
		// RedactStaffTexts empties staff texts' bodies at Twilio once
		// delivered, as participants' are by default.
		RedactStaffTexts bool `yaml:"redact_staff_texts"`
		// TimeFormat is "12h" or "24h"; empty for the region's usual clock.
		TimeFormat string `yaml:"time_format"`
	} `yaml:"program"`
	FollowUp     map[string]followUpConfig `yaml:"follow_up"`
	Participants participantsConfig        `yaml:"participants"`
	AfterAccept  safetyConfig              `yaml:"after_accept"`
	Caseload     caseloadConfig            `yaml:"caseload"`
	Retention    struct {
		Details    string `yaml:"details"`
		Records    string `yaml:"records"`
		Open       string `yaml:"open"`
		OpenNotice string `yaml:"open_notice"`
	} `yaml:"retention"`
	Voice struct {
		RequirePIN bool `yaml:"require_pin"`
		Lockout    struct {
			After   int    `yaml:"after"`
			Window  string `yaml:"window"`
			First   string `yaml:"first"`
			Longest string `yaml:"longest"`
		} `yaml:"lockout"`
	} `yaml:"voice"`
	Areas struct {
		File           string `yaml:"file"`
		CohortProperty string `yaml:"cohort_property"`
	} `yaml:"areas"`
	Places        string `yaml:"places"`
	AddressPoints string `yaml:"address_points"`
	// BoundaryTolerance is a distance like "50m".
	BoundaryTolerance string `yaml:"boundary_tolerance"`
	Geocoder          struct {
		URL  string `yaml:"url"`
		Kind string `yaml:"kind"`
	} `yaml:"geocoder"`
	DistanceUnits   string         `yaml:"distance_units"`
	PageAnywayLimit string         `yaml:"page_anyway_limit"`
	ResendWindow    string         `yaml:"resend_window"`
	NetworkLookups  bool           `yaml:"network_lookups"`
	Cohorts         []cohortConfig `yaml:"cohorts"`
	People          []personConfig `yaml:"people"`
}

// cohortConfig is one entry of cohorts.
type cohortConfig struct {
	ID          string   `yaml:"id"`
	Name        string   `yaml:"name"`
	Rotation    []string `yaml:"rotation"`
	Backup      []string `yaml:"backup"`
	Supervisors []string `yaml:"supervisors"`
	Busy        string   `yaml:"busy"`
	Shift       struct {
		Every   string `yaml:"every"`
		Handoff string `yaml:"handoff"`
		Weekday string `yaml:"weekday"`
		Start   string `yaml:"start"`
	} `yaml:"shift"`
	Escalation struct {
		AckTimeout string   `yaml:"ack_timeout"`
		Steps      []string `yaml:"steps"`
	} `yaml:"escalation"`
}

// personConfig is one entry of people.
type personConfig struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Phone   string   `yaml:"phone"`
	Role    string   `yaml:"role"`
	Badge   string   `yaml:"badge"`
	Agency  string   `yaml:"agency"`
	PINHash string   `yaml:"pin_hash"`
	Cohorts []string `yaml:"cohorts"`
	Email   string   `yaml:"email"`
}

// Load reads and validates the config at path. Files it names are relative
// to its folder. The error lists every problem found, each an *Error.
func Load(path string) (*Program, error) {
	dir := filepath.Dir(path)
	return load(filepath.Base(path), func(name string) ([]byte, error) {
		if filepath.IsAbs(name) {
			return os.ReadFile(name)
		}
		return os.ReadFile(filepath.Join(dir, name))
	})
}

// LoadFS is Load for a config kept in fsys (the demo's embedded sample).
func LoadFS(fsys fs.FS, name string) (*Program, error) {
	return load(name, func(n string) ([]byte, error) { return fs.ReadFile(fsys, n) })
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// load reads the config called name through read and checks it in the
// order its sections depend on one another: the program's own settings
// (its region reads every other number), then people, then the cohorts
// that name them, then the files of places and areas. Every step adds its
// problems to v rather than stopping, so that one run reports them all.
func load(name string, read func(string) ([]byte, error)) (*Program, error) {
	fc, unknown, err := readConfig(name, read)
	if err != nil {
		return nil, err
	}
	v := validator{file: name}
	v.errs = append(v.errs, unknown...)
	p := &Program{File: name, Name: fc.Program.Name}
	v.programIdentity(p, fc)
	v.programSchedule(p, fc)
	v.followUps(p, fc.FollowUp)
	v.participants(p, fc.Participants)
	v.safety(p, fc.AfterAccept)
	v.caseload(p, fc.Caseload)
	p.Fallback = fc.Program.Fallback
	if p.Fallback == "" {
		p.Fallback = DefaultFallback
	}
	v.retention(p, fc)
	p.Voice.RequirePIN = fc.Voice.RequirePIN
	p.RedactStaffTexts = fc.Program.RedactStaffTexts
	v.lockout(p, fc)
	v.supportPhone(p, fc)

	ids := v.people(p, fc)
	cohortIDs := v.cohorts(p, fc, ids)
	v.peopleCohortsExist(fc, cohortIDs)

	v.loadAreas(p, fc.Areas.File, fc.Areas.CohortProperty, read)
	v.loadPlaces(p, fc, read)
	v.loadAddressPoints(p, fc, read)
	v.boundaryTolerance(p, fc)
	v.geocoder(p, fc)
	v.officers(p, fc)
	v.areasMatchCohorts(p, fc, cohortIDs)
	if err := errors.Join(v.errs...); err != nil {
		return nil, err
	}
	p.index()
	return p, nil
}

// readConfig reads and decodes the file, returning with it the keys it has
// that the config does not. Only a file that cannot be read or is not YAML
// at all is an error here: everything else is checked with the rest.
func readConfig(name string, read func(string) ([]byte, error)) (*fileConfig, []error, error) {
	data, err := read(name)
	if err != nil {
		return nil, nil, &Error{File: name, Reason: err.Error()}
	}
	// Unknown keys are found on the node tree, with their lines, so that
	// they are reported with every other error rather than stopping the
	// decode at the first.
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, &Error{File: name, Reason: err.Error()}
	}
	var fc fileConfig
	if err := doc.Decode(&fc); err != nil && len(doc.Content) > 0 {
		return nil, nil, &Error{File: name, Reason: err.Error()}
	}
	return &fc, unknownKeys(name, &doc, reflect.TypeOf(fc)), nil
}

// programIdentity checks the program's name, time zone and phone number,
// which every later step relies on: the zone times the schedules and the
// number's region reads every other number.
func (v *validator) programIdentity(p *Program, fc *fileConfig) {
	if p.Name == "" {
		v.add("program.name", "is required")
	}
	if fc.Program.Timezone == "" {
		v.add("program.timezone", "is required (an IANA zone such as America/New_York)")
	} else if loc, err := time.LoadLocation(fc.Program.Timezone); err != nil || fc.Program.Timezone == "Local" {
		v.add("program.timezone", fmt.Sprintf("unknown time zone %q", fc.Program.Timezone))
	} else {
		p.TimeZone = loc
	}
	// The program number must carry its country code: it decides how every
	// other number without one is read.
	if pn, err := phone.Parse(fc.Program.Phone, ""); err != nil {
		v.add("program.phone", "must be a valid number in E.164 form (+ and country code): "+err.Error())
	} else {
		p.Phone, p.Region = pn, phone.Region(pn)
	}
	p.Times = timetext.Style{Zone: p.TimeZone, Clock: timetext.ClockFor(p.Region)}
	switch c := timetext.Clock(fc.Program.TimeFormat); c {
	case "":
	case timetext.Hour12, timetext.Hour24:
		p.Times.Clock = c
	default:
		v.add("program.time_format", fmt.Sprintf("%q: want 12h or 24h", fc.Program.TimeFormat))
	}
}

// programSchedule checks the weekly summary and daily digest times, which
// must happen every day of the year in the program's zone, and the cap on
// the rate of messages.
func (v *validator) programSchedule(p *Program, fc *fileConfig) {
	if ws, err := parseWeeklySummary(fc.Program.WeeklySummary); err != nil {
		v.add("program.weekly_summary", err.Error())
	} else if p.TimeZone != nil && !ws.Off && skippedByDST(p.TimeZone, ws.Hour, ws.Minute) {
		v.add("program.weekly_summary", fmt.Sprintf("%02d:%02d does not happen on the day the clocks go forward in %s: pick another time",
			ws.Hour, ws.Minute, p.TimeZone))
	} else {
		p.WeeklySummary = ws
	}
	if dd, err := parseDailyDigest(fc.Program.DailyDigest); err != nil {
		v.add("program.daily_digest", err.Error())
	} else if p.TimeZone != nil && !dd.Off && skippedByDST(p.TimeZone, dd.Hour, dd.Minute) {
		v.add("program.daily_digest", fmt.Sprintf("%02d:%02d does not happen on the day the clocks go forward in %s: pick another time",
			dd.Hour, dd.Minute, p.TimeZone))
	} else {
		p.DailyDigest = dd
	}
	if r := fc.Program.MaxMessagesPerSecond; r < 0 || r > 1000 {
		v.add("program.max_messages_per_second", fmt.Sprintf("%v: want a rate from 0 (no cap) to 1000", r))
	} else {
		p.MaxMessagesPerSecond = r
	}
}

// retention reads how long details and records are kept, defaulting each;
// records cannot go before the details that are removed from them.
func (v *validator) retention(p *Program, fc *fileConfig) {
	p.Retention = Retention{Details: DefaultDetailsRetention, Records: DefaultRecordsRetention, Open: DefaultOpenRetention,
		OpenNotice: DefaultOpenNotice}
	for _, r := range []struct {
		name, text string
		dst        *time.Duration
	}{{"retention.details", fc.Retention.Details, &p.Retention.Details}, {"retention.records", fc.Retention.Records, &p.Retention.Records},
		{"retention.open", fc.Retention.Open, &p.Retention.Open}, {"retention.open_notice", fc.Retention.OpenNotice, &p.Retention.OpenNotice}} {
		if r.text == "" {
			continue
		}
		if d, err := parseDays(r.text); err != nil {
			v.add(r.name, err.Error())
		} else {
			*r.dst = d
		}
	}
	if p.Retention.Records < p.Retention.Details {
		v.add("retention.records", "must be at least retention.details: records outlive the details removed from them")
	}
	if p.Retention.OpenNotice >= p.Retention.Open {
		v.add("retention.open_notice", "must be shorter than retention.open: the supervisors are told before the referral is closed")
	}
}

// lockout reads voice.lockout over its defaults.
func (v *validator) lockout(p *Program, fc *fileConfig) {
	c := fc.Voice.Lockout
	p.Voice.Lockout = DefaultLockout
	if c.After < 0 || c.After > 100 {
		v.add("voice.lockout.after", "must be 1 to 100 failed PINs")
	} else if c.After > 0 {
		p.Voice.Lockout.After = c.After
	}
	for _, d := range []struct {
		name, text string
		dst        *time.Duration
	}{{"voice.lockout.window", c.Window, &p.Voice.Lockout.Window}, {"voice.lockout.first", c.First, &p.Voice.Lockout.First},
		{"voice.lockout.longest", c.Longest, &p.Voice.Lockout.Longest}} {
		if d.text == "" {
			continue
		}
		if x, err := parseDays(d.text); err != nil {
			v.add(d.name, err.Error())
		} else {
			*d.dst = x
		}
	}
	if p.Voice.Lockout.Longest < p.Voice.Lockout.First {
		v.add("voice.lockout.longest", "must be at least voice.lockout.first")
	}
}

// supportPhone checks the optional support number, read in the program's
// region.
func (v *validator) supportPhone(p *Program, fc *fileConfig) {
	if fc.Program.SupportPhone != "" {
		if sp, err := phone.Parse(fc.Program.SupportPhone, p.Region); err != nil {
			v.add("program.support_phone", err.Error())
		} else {
			p.SupportPhone = sp
		}
	}
}

// people checks each person and returns everyone's role by id, which the
// cohorts are checked against. A phone number, an e-mail address and a
// badge with a PIN must each name one person: a text, a console sign-in
// or a voice-line sign-in is matched to whoever has it.
func (v *validator) people(p *Program, fc *fileConfig) map[string]Role {
	phones := map[string]string{}
	if p.Phone != "" {
		phones[p.Phone] = "program.phone"
	}
	ids := map[string]Role{}
	badges := map[string]string{} // of officers with a PIN
	emails := map[string]string{}
	for i, x := range fc.People {
		item := v.checkID("people", i, x.ID, ids[x.ID] != "")
		if x.Name == "" {
			v.add(item, "name is required")
		}
		role := v.personRole(item, x)
		email := v.personEmail(item, x, role, emails)
		ids[x.ID] = role
		pn := v.personPhone(item, x, p.Region, phones)
		if role == Officer && (x.Badge == "" || x.Agency == "") {
			v.add(item, "an officer needs badge and agency: case managers are told them")
		}
		v.personPIN(item, x, role, badges)
		p.People = append(p.People, Person{ID: x.ID, Name: x.Name, Phone: pn, Role: role,
			Badge: x.Badge, Agency: x.Agency, Cohort: x.Cohorts, PINHash: x.PINHash, Email: email})
	}
	return ids
}

// personRole checks that the person has a known role, and that those who
// work across the program are not put in cohorts.
func (v *validator) personRole(item string, x personConfig) Role {
	role := Role(x.Role)
	switch role {
	case CaseManager, Supervisor, Officer, ProgramManager, Intake:
	default:
		v.add(item, fmt.Sprintf("role %q must be case_manager, supervisor, program_manager, intake or officer", x.Role))
	}
	if (role == ProgramManager || role == Intake) && len(x.Cohorts) > 0 {
		v.add(item, fmt.Sprintf("cohorts: a %s works across the program, not in cohorts", role.Label()))
	}
	return role
}

// personEmail checks the optional console sign-in address and returns it
// in lower case. emails holds whose each address already is.
func (v *validator) personEmail(item string, x personConfig, role Role, emails map[string]string) string {
	email := strings.ToLower(strings.TrimSpace(x.Email))
	if email != "" {
		if role == Officer {
			v.add(item, "email: officers do not sign in to the console")
		} else if a, err := mail.ParseAddress(email); err != nil || a.Address != email || a.Name != "" {
			v.add(item, fmt.Sprintf("email %q is not a plain address like name@example.org", x.Email))
		} else if other, dup := emails[email]; dup {
			v.add(item, fmt.Sprintf("email %s is also %s's", email, other))
		} else {
			emails[email] = x.ID
		}
	}
	return email
}

// personPhone checks the person's number, read in region, and returns it
// as parsed. phones holds whose each number already is.
func (v *validator) personPhone(item string, x personConfig, region string, phones map[string]string) string {
	pn, err := phone.Parse(x.Phone, region)
	if err != nil {
		v.add(item, "phone: "+err.Error())
	} else if other, dup := phones[pn]; dup {
		v.add(item, fmt.Sprintf("phone %s is also %s's", phone.Mask(pn), other))
	} else {
		phones[pn] = x.ID
	}
	return pn
}

// personPIN checks an officer's voice-line PIN hash: only officers have
// one, and their badge must name one officer. badges holds whose each
// badge with a PIN already is.
func (v *validator) personPIN(item string, x personConfig, role Role, badges map[string]string) {
	if x.PINHash == "" {
		return
	}
	if err := checkPINHash(x.PINHash); err != nil {
		v.add(item, "pin_hash: "+err.Error())
	}
	if role != Officer {
		v.add(item, "pin_hash: only officers sign in to the voice line")
	}
	if other, dup := badges[x.Badge]; dup {
		v.add(item, fmt.Sprintf("badge %s is also %s's: a badge and PIN must name one officer", x.Badge, other))
	}
	badges[x.Badge] = x.ID
}

// cohorts checks each cohort against the people's roles in ids and returns
// the set of cohort ids. At least one is needed: referrals go to cohorts.
func (v *validator) cohorts(p *Program, fc *fileConfig, ids map[string]Role) map[string]bool {
	cohortIDs := map[string]bool{}
	for i, c := range fc.Cohorts {
		item := v.checkID("cohorts", i, c.ID, cohortIDs[c.ID])
		cohortIDs[c.ID] = true
		if c.Name == "" {
			c.Name = c.ID
		}
		v.rotation(item, c.Rotation, ids)
		v.backupAndSupervisors(item, c, ids)
		shift, err := parseShift(c.Shift.Every, c.Shift.Handoff, c.Shift.Weekday, c.Shift.Start)
		if err != nil {
			v.add(item, err.Error())
		}
		esc := v.escalation(item, c.Escalation.AckTimeout, c.Escalation.Steps)
		p.Cohorts = append(p.Cohorts, Cohort{ID: c.ID, Name: c.Name, Rotation: c.Rotation, Escalation: esc,
			Shift: shift, Backup: c.Backup, SupervisorIDs: c.Supervisors, Busy: v.busy(item, c.Busy)})
	}
	if len(fc.Cohorts) == 0 {
		v.add("cohorts", "at least one cohort is required")
	}
	return cohortIDs
}

// rotation checks that a cohort's rotation pages somebody, and only known
// case managers or supervisors, each once.
func (v *validator) rotation(item string, rotation []string, ids map[string]Role) {
	if len(rotation) == 0 {
		v.add(item, "rotation is empty: nobody could be paged")
	}
	for _, id := range rotation {
		switch r, ok := ids[id]; {
		case !ok:
			v.add(item, fmt.Sprintf("rotation: unknown person %q", id))
		case r != CaseManager && r != Supervisor:
			v.add(item, fmt.Sprintf("rotation: %s is %s, not a case manager", id, r.withArticle()))
		}
	}
	if dup := firstDuplicate(rotation); dup != "" {
		v.add(item, fmt.Sprintf("rotation: %s is listed twice", dup))
	}
}

// backupAndSupervisors checks that a cohort's backup and supervisors are
// known people who can be paged: neither officers nor intake staff.
func (v *validator) backupAndSupervisors(item string, c cohortConfig, ids map[string]Role) {
	for _, list := range []struct {
		name string
		ids  []string
		want Role
	}{{"backup", c.Backup, CaseManager}, {"supervisors", c.Supervisors, Supervisor}} {
		for _, id := range list.ids {
			switch r, ok := ids[id]; {
			case !ok:
				v.add(item, fmt.Sprintf("%s: unknown person %q", list.name, id))
			case r == Officer:
				v.add(item, fmt.Sprintf("%s: %s is an officer", list.name, id))
			case r == Intake:
				v.add(item, fmt.Sprintf("%s: %s is intake staff, who are not paged", list.name, id))
			}
		}
	}
}

// escalation reads a cohort's acknowledgement timeout and escalation steps,
// defaulting both. The first step cannot page "same": nobody has been
// paged before it.
func (v *validator) escalation(item, ackTimeout string, steps []string) Escalation {
	esc := Escalation{AckTimeout: DefaultAckTimeout}
	if ackTimeout != "" {
		d, err := time.ParseDuration(ackTimeout)
		if err != nil || d <= 0 {
			v.add(item, fmt.Sprintf("escalation.ack_timeout %q is not a positive duration like 5m", ackTimeout))
		} else {
			esc.AckTimeout = d
		}
	}
	if len(steps) == 0 {
		steps = DefaultSteps
	}
	for j, text := range steps {
		st, err := parseStep(text, esc.AckTimeout)
		if err == nil && j == 0 && st.To == Same {
			err = errors.New(`the first step cannot page "same": nobody has been paged yet`)
		}
		if err != nil {
			v.add(item, fmt.Sprintf("escalation.steps[%d] %q: %v", j, text, err))
			continue
		}
		esc.Steps = append(esc.Steps, st)
	}
	return esc
}

// peopleCohortsExist checks that every cohort a person is in is one of
// cohortIDs; it runs after the cohorts, which may come after the people.
func (v *validator) peopleCohortsExist(fc *fileConfig, cohortIDs map[string]bool) {
	for i, x := range fc.People {
		for _, c := range x.Cohorts {
			if !cohortIDs[c] {
				v.add(fmt.Sprintf("people[%d] (%s)", i, x.ID), fmt.Sprintf("cohorts: unknown cohort %q", c))
			}
		}
	}
}

// loadPlaces reads the optional file of named places; its own errors name
// that file.
func (v *validator) loadPlaces(p *Program, fc *fileConfig, read func(string) ([]byte, error)) {
	if fc.Places != "" {
		if data, err := read(fc.Places); err != nil {
			v.add("places", err.Error())
		} else if pl, err := geo.ParsePlaces(fc.Places, data); err != nil {
			v.errs = append(v.errs, err)
		} else {
			p.Places = pl
		}
	}
}

// loadAddressPoints reads the optional file of address points; its own
// errors name that file.
func (v *validator) loadAddressPoints(p *Program, fc *fileConfig, read func(string) ([]byte, error)) {
	if fc.AddressPoints != "" {
		if data, err := read(fc.AddressPoints); err != nil {
			v.add("address_points", err.Error())
		} else if a, err := geo.ParseAddresses(bytes.NewReader(data), fc.AddressPoints); err != nil {
			v.errs = append(v.errs, err)
		} else {
			p.Addresses = a
		}
	}
}

// boundaryTolerance reads how far outside a cohort's area, in metres, a
// point in no other area still counts as the cohort's, defaulting it.
func (v *validator) boundaryTolerance(p *Program, fc *fileConfig) {
	p.Tolerance = geo.DefaultTolerance
	if t := fc.BoundaryTolerance; t != "" {
		m, ok := strings.CutSuffix(strings.TrimSpace(t), "m")
		f, err := strconv.ParseFloat(strings.TrimSpace(m), 64)
		if !ok || err != nil || f < 0 || f > 1000 {
			v.add("boundary_tolerance", fmt.Sprintf("%q: want metres like 50m (0m to turn it off, at most 1000m)", t))
		} else {
			p.Tolerance = f
		}
	}
}

// geocoder checks the optional geocoder: a kind Leadline speaks and an
// http(s) URL.
func (v *validator) geocoder(p *Program, fc *fileConfig) {
	if g := fc.Geocoder; g.URL != "" || g.Kind != "" {
		p.Geocoder = GeocoderConfig{URL: g.URL, Kind: g.Kind}
		if g.Kind != "nominatim" && g.Kind != "pelias" {
			v.add("geocoder.kind", fmt.Sprintf("%q: want nominatim or pelias", g.Kind))
		}
		if u, err := url.Parse(g.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.add("geocoder.url", fmt.Sprintf("%q: want an http(s) URL", g.URL))
		}
	}
}

// areasMatchCohorts checks that the areas file and the config name the
// same cohorts: every cohort needs an area, for referrals to reach it, and
// an area of no cohort would route referrals nowhere.
func (v *validator) areasMatchCohorts(p *Program, fc *fileConfig, cohortIDs map[string]bool) {
	if p.Areas == nil {
		return
	}
	for _, c := range p.Cohorts {
		if c.ID != "" && !p.Areas.Has(c.ID) {
			v.add(fmt.Sprintf("cohorts (%s)", c.ID), "has no area in "+fc.Areas.File)
		}
	}
	for _, ac := range p.Areas.Cohorts() {
		if !cohortIDs[ac.ID] {
			v.addIn(fc.Areas.File, fmt.Sprintf("cohort %q", ac.ID), "is not a cohort in "+v.file)
		}
	}
}

func (v *validator) loadAreas(p *Program, file, prop string, read func(string) ([]byte, error)) {
	if file == "" {
		v.add("areas.file", "is required (a GeoJSON FeatureCollection)")
		return
	}
	if prop == "" {
		prop = "cohort"
	}
	data, err := read(file)
	if err != nil {
		v.add("areas.file", err.Error())
		return
	}
	a, err := geo.ParseAreas(file, data, geo.AreaOptions{CohortProperty: prop, TimeZone: p.TimeZone})
	if err != nil {
		v.errs = append(v.errs, err)
		return
	}
	p.Areas = a
}

type validator struct {
	file string
	errs []error
}

func (v *validator) add(item, reason string) { v.addIn(v.file, item, reason) }

func (v *validator) addIn(file, item, reason string) {
	v.errs = append(v.errs, &Error{File: file, Item: item, Reason: reason})
}

// checkID checks the id of the i-th entry of list and returns how errors
// name that entry: "cohorts[0] (north)".
func (v *validator) checkID(list string, i int, id string, seen bool) string {
	item := fmt.Sprintf("%s[%d]", list, i)
	if id != "" {
		item += " (" + id + ")"
	}
	switch {
	case id == "":
		v.add(item, "id is required")
	case !idPattern.MatchString(id):
		v.add(item, "id must be lower-case letters, digits, - or _")
	case seen:
		v.add(item, "duplicate id")
	}
	return item
}

func firstDuplicate(xs []string) string {
	for i, x := range xs {
		if slices.Contains(xs[:i], x) {
			return x
		}
	}
	return ""
}
