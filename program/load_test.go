package program

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/geo"
)

// Two squares near Pittsburgh: north and south of 40.45.
const areasJSON = `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"cohort":"north"},"geometry":{"type":"Polygon","coordinates":[[[-80.05,40.45],[-79.95,40.45],[-79.95,40.50],[-80.05,40.50],[-80.05,40.45]]]}},
{"type":"Feature","properties":{"cohort":"south"},"geometry":{"type":"Polygon","coordinates":[[[-80.05,40.40],[-79.95,40.40],[-79.95,40.45],[-80.05,40.45],[-80.05,40.40]]]}}
]}`

const goodYAML = `
program:
  name: Test LEAD
  timezone: America/New_York
  phone: "+14125550100"
  support_phone: "412-555-0199"
areas:
  file: areas.geojson
  cohort_property: cohort
cohorts:
  - id: north
    name: North
    rotation: [jrivera, aklein]
    escalation: {ack_timeout: 3m}
  - id: south
    name: South
    rotation: [aklein]
people:
  - {id: jrivera, name: Jo Rivera, phone: "412-555-0111", role: case_manager}
  - {id: aklein,  name: Ana Klein, phone: "+1 (412) 555-0112", role: case_manager}
  - {id: msup,    name: Mel Sup,   phone: "+14125550113", role: supervisor, cohorts: [north]}
  - {id: osmith,  name: Sam Smith, phone: "+14125550121", role: officer, badge: "4411", agency: Ross Township PD}
`

func loadYAML(t *testing.T, yaml string, extra ...string) (*Program, error) {
	t.Helper()
	fsys := fstest.MapFS{
		"program.yaml":  {Data: []byte(yaml)},
		"areas.geojson": {Data: []byte(areasJSON)},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		fsys[extra[i]] = &fstest.MapFile{Data: []byte(extra[i+1])}
	}
	return LoadFS(fsys, "program.yaml")
}

func TestLoadGood(t *testing.T) {
	p, err := loadYAML(t, goodYAML)
	if err != nil {
		t.Fatal(err)
	}
	if p.Phone != "+14125550100" || p.SupportPhone != "+14125550199" || p.Region != "US" {
		t.Errorf("program numbers: %q %q %q", p.Phone, p.SupportPhone, p.Region)
	}
	ak, ok := p.PersonByPhone("+14125550112")
	if !ok || ak.ID != "aklein" || ak.ShortName() != "Ana K." {
		t.Errorf("PersonByPhone(+14125550112) = %+v, %v", ak, ok)
	}
	if c, _ := p.Cohort("north"); c.Escalation.AckTimeout != 3*time.Minute {
		t.Errorf("north ack timeout = %v", c.Escalation.AckTimeout)
	}
	if c, _ := p.Cohort("south"); c.Escalation.AckTimeout != DefaultAckTimeout {
		t.Errorf("south ack timeout = %v, want the default", c.Escalation.AckTimeout)
	}
	var buf bytes.Buffer
	if err := p.WriteSummary(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Test LEAD", "north", "South", "km²", "jrivera, aklein",
		"2 case managers, 1 supervisor, 1 officer",
		"Follow-up (community): due 7d after the accept or assignment, reminders at 1d, 3d, 6d"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, buf.String())
		}
	}
	if strings.Contains(buf.String(), "5550111") {
		t.Errorf("summary shows a phone number:\n%s", buf.String())
	}
}

// How officers' referrals are read: the program's country sets the units
// unless the config says; the limits have defaults.
func TestOfficerSettings(t *testing.T) {
	p, err := loadYAML(t, goodYAML)
	if err != nil {
		t.Fatal(err)
	}
	if p.Units != geo.Miles || p.PageAnywayLimit != 25_000 || p.ResendWindow != 10*time.Minute || p.NetworkLookups {
		t.Errorf("defaults: %v %v %v %v", p.Units, p.PageAnywayLimit, p.ResendWindow, p.NetworkLookups)
	}
	p, err = loadYAML(t, goodYAML+"distance_units: km\npage_anyway_limit: 10mi\nresend_window: 0s\nnetwork_lookups: true\n")
	if err != nil {
		t.Fatal(err)
	}
	if p.Units != geo.Metric || p.PageAnywayLimit != 16_093.44 || p.ResendWindow != 0 || !p.NetworkLookups {
		t.Errorf("set: %v %v %v %v", p.Units, p.PageAnywayLimit, p.ResendWindow, p.NetworkLookups)
	}
}

// Times are written in the program's zone, on the clock of the program
// number's country unless time_format says otherwise.
func TestTimeFormat(t *testing.T) {
	at := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ name, edit, want string }{
		{"the US default", "", "Fri 4 Dec, 10:00 AM"},
		{"24h", "  time_format: 24h\n", "Fri 4 Dec, 10:00"},
		{"12h", "  time_format: 12h\n", "Fri 4 Dec, 10:00 AM"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			yaml := strings.Replace(goodYAML, "program:\n", "program:\n"+tt.edit, 1)
			p, err := loadYAML(t, yaml)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Times.DateTime(at); got != tt.want {
				t.Errorf("DateTime = %q, want %q", got, tt.want)
			}
		})
	}
	_, err := loadYAML(t, strings.Replace(goodYAML, "program:\n", "program:\n  time_format: 13h\n", 1))
	if err == nil || !strings.Contains(err.Error(), `program.time_format: "13h": want 12h or 24h`) {
		t.Errorf("time_format 13h: %v", err)
	}
}

func TestLoadReportsEveryError(t *testing.T) {
	tests := []struct {
		name string
		edit func(string) string
		want []string // each must appear in the error
	}{
		{"unknown person in rotation", func(s string) string {
			return strings.Replace(s, "[jrivera, aklein]", "[jrivera, nobody]", 1)
		}, []string{`program.yaml: cohorts[0] (north): rotation: unknown person "nobody"`}},
		{"officer in rotation", func(s string) string {
			return strings.Replace(s, "[aklein]", "[osmith]", 1)
		}, []string{"cohorts[1] (south): rotation: osmith is an officer, not a case manager"}},
		{"duplicate phone", func(s string) string {
			return strings.Replace(s, `"+14125550113"`, `"412-555-0111"`, 1)
		}, []string{"people[2] (msup): phone +1412***0111 is also jrivera's"}},
		{"bad number", func(s string) string {
			return strings.Replace(s, `"412-555-0111"`, `"555-01"`, 1)
		}, []string{"people[0] (jrivera): phone:"}},
		{"program number without country code", func(s string) string {
			return strings.Replace(s, `"+14125550100"`, `"4125550100"`, 1)
		}, []string{"program.phone: must be a valid number in E.164 form"}},
		{"unknown timezone", func(s string) string {
			return strings.Replace(s, "America/New_York", "America/Pittsburgh", 1)
		}, []string{`program.timezone: unknown time zone "America/Pittsburgh"`}},
		{"cohort with no area", func(s string) string {
			return strings.Replace(s, "id: south", "id: east", 1)
		}, []string{"cohorts (east): has no area in areas.geojson", `areas.geojson: cohort "south": is not a cohort in program.yaml`}},
		{"bad timeout", func(s string) string {
			return strings.Replace(s, "3m", "soon", 1)
		}, []string{`escalation.ack_timeout "soon" is not a positive duration`}},
		{"unknown step channel", func(s string) string {
			return strings.Replace(s, "{ack_timeout: 3m}", "{steps: [sms on_call, fax same]}", 1)
		}, []string{`cohorts[0] (north): escalation.steps[1] "fax same": channel "fax" must be sms or call`}},
		{"unknown step target", func(s string) string {
			return strings.Replace(s, "{ack_timeout: 3m}", "{steps: [sms on_call, call boss]}", 1)
		}, []string{`escalation.steps[1] "call boss": target "boss" must be on_call, same, next, backup or supervisors`}},
		{"first step pages same", func(s string) string {
			return strings.Replace(s, "{ack_timeout: 3m}", "{steps: [call same]}", 1)
		}, []string{`escalation.steps[0] "call same": the first step cannot page "same"`}},
		{"bad step wait", func(s string) string {
			return strings.Replace(s, "{ack_timeout: 3m}", "{steps: [sms on_call 0s]}", 1)
		}, []string{`escalation.steps[0] "sms on_call 0s": wait "0s" is not a positive duration`}},
		{"bad retention", func(s string) string {
			return s + "retention: {details: 30 days, records: 10d}\n"
		}, []string{`retention.details: "30 days" is not a positive duration`, "retention.records: must be at least retention.details"}},
		{"open notice not before the limit", func(s string) string {
			return s + "retention: {open: 2d, open_notice: 48h}\n"
		}, []string{"retention.open_notice: must be shorter than retention.open"}},
		{"pin_hash not bcrypt", func(s string) string {
			return strings.Replace(s, `agency: Ross Township PD}`, `agency: Ross Township PD, pin_hash: "2468"}`, 1)
		}, []string{"people[3] (osmith): pin_hash: is not a bcrypt hash"}},
		{"pin_hash on a case manager", func(s string) string {
			return strings.Replace(s, `role: case_manager}`, `role: case_manager, pin_hash: "`+testPINHash+`"}`, 1)
		}, []string{"people[0] (jrivera): pin_hash: only officers sign in to the voice line"}},
		{"weekly summary in the DST gap", func(s string) string {
			return strings.Replace(s, `support_phone: "412-555-0199"`, `support_phone: "412-555-0199"
  weekly_summary: sunday 02:30`, 1)
		}, []string{"program.weekly_summary: 02:30 does not happen on the day the clocks go forward in America/New_York"}},
		{"bad weekly summary", func(s string) string {
			return strings.Replace(s, `support_phone: "412-555-0199"`, `support_phone: "412-555-0199"
  weekly_summary: weekly`, 1)
		}, []string{`program.weekly_summary: "weekly": want a day and time like "sunday 18:00", or off`}},
		{"bad shift", func(s string) string {
			return strings.Replace(s, "rotation: [aklein]", "rotation: [aklein]\n    shift: {every: 3x, start: 2026-11-02}", 1)
		}, []string{`cohorts[1] (south): shift.every "3x": want hours, days or weeks`}},
		{"shift without start", func(s string) string {
			return strings.Replace(s, "rotation: [aklein]", "rotation: [aklein]\n    shift: {every: 1w}", 1)
		}, []string{"cohorts[1] (south): shift.start is required"}},
		{"unknown backup", func(s string) string {
			return strings.Replace(s, "rotation: [aklein]", "rotation: [aklein]\n    backup: [nobody]", 1)
		}, []string{`cohorts[1] (south): backup: unknown person "nobody"`}},
		{"officer as supervisor", func(s string) string {
			return strings.Replace(s, "rotation: [aklein]", "rotation: [aklein]\n    supervisors: [osmith]", 1)
		}, []string{"cohorts[1] (south): supervisors: osmith is an officer"}},
		{"bad boundary tolerance", func(s string) string {
			return s + "boundary_tolerance: fifty\n"
		}, []string{`boundary_tolerance: "fifty": want metres like 50m`}},
		{"bad geocoder", func(s string) string {
			return s + "geocoder: {url: nominatim.example.org, kind: google}\n"
		}, []string{`geocoder.kind: "google": want nominatim or pelias`, `geocoder.url: "nominatim.example.org": want an http(s) URL`}},
		{"bad officer settings", func(s string) string {
			return s + "distance_units: furlongs\npage_anyway_limit: far\nresend_window: 2d\n"
		}, []string{`distance_units: "furlongs": want km or mi`, `page_anyway_limit: "far": want a distance like 25km or 15mi`,
			`resend_window: "2d": want a duration like 10m`}},
		{"missing address file", func(s string) string {
			return s + "address_points: gone.csv\n"
		}, []string{"program.yaml: address_points:", "gone.csv"}},
		{"follow-up for an unknown type", func(s string) string {
			return s + "follow_up:\n  outreach: {due: 7d}\n"
		}, []string{"follow_up.outreach: unknown referral type: want arrest, social or community"}},
		{"community reminder after its due time", func(s string) string {
			return s + "follow_up:\n  community: {due: 5d, remind: [1d, 5d]}\n"
		}, []string{"follow_up.community.remind: every reminder must come before the due time"}},
		{"intake due after 30 days", func(s string) string {
			return s + "follow_up:\n  arrest: {due: 45d, remind: [50d]}\n"
		}, []string{"follow_up.arrest.due: an arrest diversion's intake is due within 30 days at most",
			"follow_up.arrest.remind: every reminder must come before the due time"}},
		{"sender names the program's purpose", func(s string) string {
			return s + "participants: {sender: Allegheny LEAD}\n"
		}, []string{`participants.sender: "Allegheny LEAD" names "LEAD": participant texts never say what the program is`}},
		{"bad participant settings", func(s string) string {
			return s + "participants: {hours: 8-21, reminders: [soon], keep: forever}\n"
		}, []string{`participants.hours: "8-21": want a local time range like 08:00-21:00`,
			"participants.reminders[0]:", "participants.keep:"}},
		{"negative message rate", func(s string) string {
			return strings.Replace(s, `support_phone: "412-555-0199"`, `support_phone: "412-555-0199"
  max_messages_per_second: -1`, 1)
		}, []string{"program.max_messages_per_second: -1: want a rate from 0 (no cap) to 1000"}},
		{"daily digest in the DST gap", func(s string) string {
			return strings.Replace(s, `support_phone: "412-555-0199"`, `support_phone: "412-555-0199"
  daily_digest: "02:15"`, 1)
		}, []string{"program.daily_digest: 02:15 does not happen on the day the clocks go forward"}},
		{"officer without badge", func(s string) string {
			return strings.Replace(s, `badge: "4411", `, "", 1)
		}, []string{"people[3] (osmith): an officer needs badge and agency"}},
		{"unknown role", func(s string) string {
			return strings.Replace(s, "role: supervisor", "role: boss", 1)
		}, []string{`people[2] (msup): role "boss" must be case_manager, supervisor, program_manager, intake or officer`}},
		{"typo in a key", func(s string) string {
			return strings.Replace(s, "rotation: [aklein]", "rotaton: [aklein]", 1)
		}, []string{"program.yaml:", "rotaton"}},
		{"several at once", func(s string) string {
			s = strings.Replace(s, "[jrivera, aklein]", "[jrivera, nobody]", 1)
			return strings.Replace(s, "America/New_York", "Mars/Olympus", 1)
		}, []string{`unknown person "nobody"`, `unknown time zone "Mars/Olympus"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := loadYAML(t, tt.edit(goodYAML))
			if err == nil {
				t.Fatalf("loaded %+v, want an error", p.Name)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoadAreaErrorsNameTheFile(t *testing.T) {
	bad := `{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"cohort":"north"},"geometry":{"type":"Polygon","coordinates":[[[-80.05,40.45],[-79.95,40.45],[-79.95,40.50],[-80.05,40.50],[-80.05,40.45]]]}},
{"type":"Feature","properties":{"cohort":"south"},"geometry":{"type":"Polygon","coordinates":[[[-80.05,40.40],[-79.95,40.40],[-79.95,40.45],[-80.05,40.45],[-80.05,40.40]]]}},
{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[-80.05,40.40],[-79.95,40.40],[-79.95,40.45],[-80.05,40.45],[-80.05,40.40]]]}}
]}`
	yaml := strings.Replace(goodYAML, "file: areas.geojson", "file: bad.geojson", 1)
	_, err := loadYAML(t, yaml, "bad.geojson", bad)
	if err == nil || !strings.Contains(err.Error(), "bad.geojson: feature 2") {
		t.Fatalf("want an error naming bad.geojson and feature 2, got %v", err)
	}
}

func TestLoadMissingAreasFile(t *testing.T) {
	yaml := strings.Replace(goodYAML, "file: areas.geojson", "file: missing.geojson", 1)
	_, err := loadYAML(t, yaml)
	if err == nil || !strings.Contains(err.Error(), "program.yaml: areas.file:") || !strings.Contains(err.Error(), "missing.geojson") {
		t.Fatalf("want an error naming areas.file and missing.geojson, got %v", err)
	}
}

func TestEscalationConfig(t *testing.T) {
	yaml := strings.Replace(goodYAML, "{ack_timeout: 3m}", "{ack_timeout: 3m, steps: [sms on_call, call same 90s, SMS Supervisors]}", 1)
	yaml = strings.Replace(yaml, `support_phone: "412-555-0199"`, `support_phone: "412-555-0199"
  fallback: Call the crisis line.`, 1) + "retention: {details: 30d, records: 17520h}\n"
	p, err := loadYAML(t, yaml)
	if err != nil {
		t.Fatal(err)
	}
	north, _ := p.Cohort("north")
	want := []Step{{SMS, OnCall, 3 * time.Minute}, {Call, Same, 90 * time.Second}, {SMS, Supervisors, 3 * time.Minute}}
	if len(north.Escalation.Steps) != len(want) {
		t.Fatalf("north steps %v", north.Escalation.Steps)
	}
	for i := range want {
		if north.Escalation.Steps[i] != want[i] {
			t.Errorf("step %d = %v, want %v", i, north.Escalation.Steps[i], want[i])
		}
	}
	// A cohort that says nothing gets the default chain and timeout.
	south, _ := p.Cohort("south")
	if len(south.Escalation.Steps) != len(DefaultSteps) || south.Escalation.Steps[1] != (Step{Call, Same, DefaultAckTimeout}) || south.Escalation.Steps[4].To != Backup {
		t.Errorf("south steps %v", south.Escalation.Steps)
	}
	if p.Fallback != "Call the crisis line." || p.Retention != (Retention{30 * 24 * time.Hour, 17520 * time.Hour, DefaultOpenRetention, DefaultOpenNotice}) {
		t.Errorf("fallback %q, retention %+v", p.Fallback, p.Retention)
	}
	if got := p.Supervisors("north"); len(got) != 1 || got[0] != "msup" {
		t.Errorf("north supervisors %v", got)
	}
	if got := p.Supervisors("south"); len(got) != 0 {
		t.Errorf("south supervisors %v", got)
	}
}

// testPINHash is the bcrypt hash of 2468.
const testPINHash = "$2a$10$03ofqI4whq9ZUtLBBxj14OVHOfwHF6UuHzDrRby84W8t8ndojc1lC"

func TestPINs(t *testing.T) {
	yaml := strings.Replace(goodYAML, `agency: Ross Township PD}`, `agency: Ross Township PD, pin_hash: "`+testPINHash+`"}`, 1)
	p, err := loadYAML(t, yaml)
	if err != nil {
		t.Fatal(err)
	}
	o, ok := p.OfficerByBadge("4411")
	if !ok || o.ID != "osmith" || !o.PINMatches("2468") || o.PINMatches("2469") || o.PINMatches("") {
		t.Errorf("badge 4411: %v %v", o, ok)
	}
	if _, ok := p.OfficerByBadge("9999"); ok {
		t.Error("an unknown badge found an officer")
	}
	for _, tt := range []struct {
		badge, pin string
		ok         bool
	}{{"4411", "2468", true}, {"4411", "2469", false}, {"9999", "2468", false}, {"9999", "", false}, {"", "", false}} {
		if o, ok := p.SignIn(tt.badge, tt.pin); ok != tt.ok || (ok && o.ID != "osmith") {
			t.Errorf("SignIn(%q, %q) = %v, %v", tt.badge, tt.pin, o, ok)
		}
	}
	h, err := HashPIN("8642")
	if err != nil {
		t.Fatal(err)
	}
	if x := (Person{PINHash: h}); !x.PINMatches("8642") || x.PINMatches("8641") {
		t.Error("HashPIN's hash does not check")
	}
	for _, bad := range []string{"", "123", "12a4", "12 34"} {
		if _, err := HashPIN(bad); err == nil {
			t.Errorf("HashPIN(%q) accepted", bad)
		}
	}
}

func TestShiftConfig(t *testing.T) {
	yaml := strings.Replace(goodYAML, "rotation: [aklein]", `rotation: [aklein]
    shift: {every: 2w, handoff: "08:30", weekday: friday, start: 2026-11-02}
    backup: [jrivera]
    supervisors: [msup]`, 1)
	p, err := loadYAML(t, yaml)
	if err != nil {
		t.Fatal(err)
	}
	south, _ := p.Cohort("south")
	// The first Friday on or after Monday 2 November.
	want := Shift{Every: 14 * 24 * time.Hour, First: time.Date(2026, 11, 6, 8, 30, 0, 0, time.UTC)}
	if south.Shift == nil || *south.Shift != want {
		t.Errorf("south shift %+v, want %+v", south.Shift, want)
	}
	if got := p.Backups("south"); len(got) != 1 || got[0] != "jrivera" {
		t.Errorf("backups %v", got)
	}
	if p.WeeklySummary != DefaultWeeklySummary {
		t.Errorf("weekly summary %+v", p.WeeklySummary)
	}
	for in, want := range map[string]time.Duration{"12h": 12 * time.Hour, "1d": 24 * time.Hour, "3d": 72 * time.Hour, "1w": 168 * time.Hour} {
		if got, err := parseEvery(in); err != nil || got != want {
			t.Errorf("parseEvery(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"30m", "0d", "-1w", "1y", "90s"} {
		if _, err := parseEvery(bad); err == nil {
			t.Errorf("parseEvery(%q) accepted", bad)
		}
	}
}

func TestSampleProgramLoads(t *testing.T) {
	p, err := LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Addresses.Len() < 100 || p.Tolerance != 50 {
		t.Errorf("sample: %d address points, tolerance %v", p.Addresses.Len(), p.Tolerance)
	}
	var b strings.Builder
	if err := p.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	// The Millvale and Sharpsburg points lie outside Pittsburgh's cohorts.
	if !regexp.MustCompile(`Address points: 1\d\d loaded, [1-9]\d* outside every cohort area`).MatchString(b.String()) {
		t.Errorf("summary:\n%s", b.String())
	}
	if len(p.Cohorts) != 4 || p.Places.Len() == 0 {
		t.Errorf("sample program: %d cohorts, %d places", len(p.Cohorts), p.Places.Len())
	}
}

func TestShortName(t *testing.T) {
	for name, want := range map[string]string{"Jo Rivera": "Jo R.", "Ana María López": "Ana L.", "Cher": "Cher", "": "x"} {
		p := Person{ID: "x", Name: name}
		if got := p.ShortName(); got != want {
			t.Errorf("ShortName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestLoadConsoleRoles(t *testing.T) {
	yaml := strings.Replace(goodYAML, "people:\n", `people:
  - {id: pmgr,   name: Pat Manager, phone: "412-555-0131", role: program_manager, email: Pat@Example.org}
  - {id: intake, name: Ida Take,    phone: "412-555-0132", role: intake}
`, 1)
	yaml = strings.Replace(yaml, "role: supervisor, cohorts: [north]}", "role: supervisor, cohorts: [north], email: mel@example.org}", 1)
	p, err := loadYAML(t, yaml)
	if err != nil {
		t.Fatal(err)
	}
	if x, ok := p.PersonByEmail("pat@EXAMPLE.org "); !ok || x.ID != "pmgr" || x.Email != "pat@example.org" {
		t.Errorf("PersonByEmail = %+v, %v", x, ok)
	}
	for id, want := range map[string]string{
		"pmgr": "north,south", "msup": "north", "jrivera": "north", "aklein": "north,south",
		"intake": "", "osmith": "", "nobody": "",
	} {
		if got := strings.Join(p.CohortsOf(id), ","); got != want {
			t.Errorf("CohortsOf(%s) = %q, want %q", id, got, want)
		}
	}
	for r, staff := range map[Role]bool{CaseManager: true, Supervisor: true, ProgramManager: true, Intake: true, Officer: false, "": false} {
		if r.Staff() != staff {
			t.Errorf("%q.Staff() = %v", r, !staff)
		}
	}
	var buf bytes.Buffer
	if err := p.WriteSummary(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 case managers, 1 supervisor, 1 officer, 1 program manager, 1 intake",
		"Console: 5 people may sign in (by a code texted to their phone; 2 with an email for single sign-on)"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestLoadConsoleRoleErrors(t *testing.T) {
	yaml := strings.Replace(goodYAML, "people:\n", `people:
  - {id: pmgr,   name: Pat Manager, phone: "412-555-0131", role: program_manager, cohorts: [north], email: "Pat <pat@example.org>"}
  - {id: intake, name: Ida Take,    phone: "412-555-0132", role: intake, email: mel@example.org}
`, 1)
	yaml = strings.Replace(yaml, "role: supervisor, cohorts: [north]}", "role: supervisor, cohorts: [north], email: MEL@example.org}", 1)
	yaml = strings.Replace(yaml, "agency: Ross Township PD}", "agency: Ross Township PD, email: sam@example.org}", 1)
	yaml = strings.Replace(yaml, "rotation: [aklein]", "rotation: [aklein, intake]\n    backup: [intake]", 1)
	_, err := loadYAML(t, yaml)
	if err == nil {
		t.Fatal("loaded, want errors")
	}
	for _, w := range []string{
		"people[0] (pmgr): cohorts: a program manager works across the program, not in cohorts",
		`people[0] (pmgr): email "Pat <pat@example.org>" is not a plain address`,
		"people[4] (msup): email mel@example.org is also intake's",
		"people[5] (osmith): email: officers do not sign in to the console",
		"cohorts[1] (south): rotation: intake is intake staff, not a case manager",
		"cohorts[1] (south): backup: intake is intake staff, who are not paged",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

// Unknown keys are reported with every other error, each with its line and
// the nearest known key.
func TestUnknownKeysWithTheOtherErrors(t *testing.T) {
	text := strings.Replace(goodYAML, "rotation: [aklein]", "rotaton: [aklein]", 1)
	text = strings.Replace(text, "America/New_York", "Mars/Olympus", 1)
	text = strings.Replace(text, "program:\n", "program:\n  colour: red\n", 1)
	line := func(s string) int {
		for i, l := range strings.Split(text, "\n") {
			if strings.Contains(l, s) {
				return i + 1
			}
		}
		t.Fatalf("no line with %q", s)
		return 0
	}
	_, err := loadYAML(t, text)
	if err == nil {
		t.Fatal("loaded")
	}
	for _, want := range []string{
		fmt.Sprintf(`line %d: unknown key "rotaton" in cohorts[1]: did you mean "rotation"?`, line("rotaton")),
		fmt.Sprintf(`line %d: unknown key "colour" in program (known: `, line("colour")),
		`unknown time zone "Mars/Olympus"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("errors lack %q:\n%v", want, err)
		}
	}
}

// voice.lockout and the redaction switches: defaults, settings, and a
// lockout that cannot work refused with its item named.
func TestLockoutAndRedactionSettings(t *testing.T) {
	p, err := loadYAML(t, goodYAML)
	if err != nil {
		t.Fatal(err)
	}
	if p.Voice.Lockout != DefaultLockout || !p.Participants.RedactAfterDelivery || p.RedactStaffTexts {
		t.Errorf("defaults: %+v %v %v", p.Voice.Lockout, p.Participants.RedactAfterDelivery, p.RedactStaffTexts)
	}
	set := strings.Replace(goodYAML, "  support_phone:", "  redact_staff_texts: true\n  support_phone:", 1) +
		"participants: {redact_after_delivery: false}\nvoice: {lockout: {after: 3, window: 2h, first: 5m, longest: 2d}}\n"
	if p, err = loadYAML(t, set); err != nil {
		t.Fatal(err)
	}
	want := Lockout{After: 3, Window: 2 * time.Hour, First: 5 * time.Minute, Longest: 48 * time.Hour}
	if p.Voice.Lockout != want || p.Participants.RedactAfterDelivery || !p.RedactStaffTexts {
		t.Errorf("set: %+v %v %v", p.Voice.Lockout, p.Participants.RedactAfterDelivery, p.RedactStaffTexts)
	}
	_, err = loadYAML(t, goodYAML+"voice: {lockout: {after: -1, window: soon, first: 2h, longest: 1h}}\n")
	for _, item := range []string{"voice.lockout.after", "voice.lockout.window", "voice.lockout.longest"} {
		if err == nil || !strings.Contains(err.Error(), item) {
			t.Errorf("no error for %s: %v", item, err)
		}
	}
}
