package oncall_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
)

// loadProgram is the sample program with its cohorts' scheduling replaced
// by cohorts (YAML lines under "cohorts:") and its zone by tz.
func loadProgram(t *testing.T, tz, cohorts string) *program.Program {
	t.Helper()
	sample, err := examples.FS.ReadFile("program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(sample)
	head, rest, _ := strings.Cut(s, "cohorts:\n")
	_, people, _ := strings.Cut(rest, "people:\n")
	s = strings.Replace(head, "America/New_York", tz, 1) + "cohorts:\n" + cohorts + "people:\n" + people
	areas, err := examples.FS.ReadFile("cohorts.geojson")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"program.yaml": {Data: []byte(s)}, "cohorts.geojson": {Data: areas}}
	for _, name := range []string{"places.csv", "addresses.csv"} {
		data, err := examples.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	p, err := program.LoadFS(fsys, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// fourCohorts are the sample's cohorts with the shifts under test on north.
func fourCohorts(north string) string {
	return `  - {id: north, name: North, rotation: [jrivera, aklein, cobi]` + north + `}
  - {id: east, name: East, rotation: [bnguyen, cobi]}
  - {id: south, name: South, rotation: [dpatel, jrivera]}
  - {id: west, name: West, rotation: [ewalsh, bnguyen]}
`
}

func local(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	x, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func newStore(t *testing.T, p *program.Program, clk *clocktest.Clock) *oncall.Store {
	t.Helper()
	rdb := testRedis(t)
	s := oncall.New(rdb, p, clk.Now, nil)
	if err := s.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// Daily 09:00 handoffs stay at 09:00 local across both daylight-saving
// changes, in New York and in Denver; the shift that spans the change is
// 23 or 25 hours long.
func TestDailyHandoffAcrossDST(t *testing.T) {
	for _, tt := range []struct {
		tz, start string
		checks    []struct{ at, who, from, to string }
	}{
		{"America/New_York", "2027-03-12", []struct{ at, who, from, to string }{
			{"2027-03-13 08:59", "jrivera", "2027-03-12 09:00", "2027-03-13 09:00"},
			{"2027-03-14 08:59", "aklein", "2027-03-13 09:00", "2027-03-14 09:00"}, // 23 hours: clocks go forward at 02:00
			{"2027-03-14 09:00", "cobi", "2027-03-14 09:00", "2027-03-15 09:00"},
		}},
		{"America/Denver", "2026-10-30", []struct{ at, who, from, to string }{
			{"2026-11-01 01:30", "aklein", "2026-10-31 09:00", "2026-11-01 09:00"}, // 25 hours, and this is the repeated hour
			{"2026-11-01 09:00", "cobi", "2026-11-01 09:00", "2026-11-02 09:00"},
			{"2026-11-02 09:00", "jrivera", "2026-11-02 09:00", "2026-11-03 09:00"},
		}},
	} {
		t.Run(tt.tz, func(t *testing.T) {
			p := loadProgram(t, tt.tz, fourCohorts(`, shift: {every: 1d, handoff: "09:00", start: `+tt.start+`}`))
			clk := clocktest.New(time.Time{})
			s := newStore(t, p, clk)
			for _, c := range tt.checks {
				at := local(t, p.TimeZone, c.at)
				sh, err := s.At(context.Background(), "north", at)
				if err != nil {
					t.Fatal(err)
				}
				if sh.Person != c.who || !sh.From.Equal(local(t, p.TimeZone, c.from)) || !sh.To.Equal(local(t, p.TimeZone, c.to)) {
					t.Errorf("at %s: %s %s–%s, want %s %s–%s", c.at, sh.Person, sh.From.In(p.TimeZone), sh.To.In(p.TimeZone), c.who, c.from, c.to)
				}
			}
		})
	}
}

func TestShiftLengths(t *testing.T) {
	ny := "America/New_York"
	for _, tt := range []struct {
		shift string
		at    string
		who   string
		to    string
	}{
		{`{every: 1w, handoff: "09:00", weekday: monday, start: 2026-11-01}`, "2026-11-08 12:00", "jrivera", "2026-11-09 09:00"},
		{`{every: 1w, handoff: "09:00", weekday: monday, start: 2026-11-01}`, "2026-11-09 09:00", "aklein", "2026-11-16 09:00"},
		{`{every: 12h, handoff: "08:00", start: 2026-11-01}`, "2026-11-01 20:00", "aklein", "2026-11-02 08:00"},
		{`{every: 12h, handoff: "08:00", start: 2026-11-01}`, "2026-11-02 07:59", "aklein", "2026-11-02 08:00"},
		{`{every: 12h, handoff: "08:00", start: 2026-11-01}`, "2026-11-02 08:00", "cobi", "2026-11-02 20:00"},
		{`{every: 2d, handoff: "17:30", start: 2026-11-20}`, "2026-11-24 09:00", "aklein", "2026-11-24 17:30"},
		// Before the first handoff the rotation runs backwards from it.
		{`{every: 1d, handoff: "09:00", start: 2026-11-20}`, "2026-11-19 10:00", "cobi", "2026-11-20 09:00"},
	} {
		p := loadProgram(t, ny, fourCohorts(", shift: "+tt.shift))
		s := newStore(t, p, clocktest.New(time.Time{}))
		sh, err := s.At(context.Background(), "north", local(t, p.TimeZone, tt.at))
		if err != nil {
			t.Fatal(err)
		}
		if sh.Person != tt.who || !sh.To.Equal(local(t, p.TimeZone, tt.to)) {
			t.Errorf("%s at %s: %s until %s, want %s until %s", tt.shift, tt.at, sh.Person, sh.To.In(p.TimeZone), tt.who, tt.to)
		}
	}
}

// Without shift settings the first of the rotation is on call for good, as
// in the core loop; Next walks the rotation.
func TestNoShiftsKeepsFirst(t *testing.T) {
	ctx := context.Background()
	p := loadProgram(t, "America/New_York", fourCohorts(""))
	s := newStore(t, p, clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)))
	if id, err := s.Current(ctx, "north"); err != nil || id != "jrivera" {
		t.Errorf("Current = %q, %v", id, err)
	}
	sh, _ := s.At(ctx, "north", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	if sh.Person != "jrivera" || !sh.To.IsZero() {
		t.Errorf("in 2030: %+v", sh)
	}
	for _, tt := range []struct {
		after string
		skip  []string
		want  string
	}{
		{"", nil, "jrivera"}, {"jrivera", nil, "aklein"}, {"cobi", nil, "jrivera"},
		{"jrivera", []string{"aklein"}, "cobi"}, {"stranger", []string{"jrivera"}, "aklein"},
	} {
		if got, err := s.Next(ctx, "north", tt.after, tt.skip); err != nil || got != tt.want {
			t.Errorf("Next(%q, %v) = %q, %v; want %q", tt.after, tt.skip, got, err, tt.want)
		}
	}
	if _, err := s.Next(ctx, "north", "jrivera", []string{"aklein", "cobi"}); !errors.Is(err, oncall.ErrNobody) {
		t.Errorf("everyone skipped: %v", err)
	}
}

// An override beginning and ending mid-shift wins over the rotation for
// its time only; the paging order puts its person first.
func TestOverrideMidShift(t *testing.T) {
	ctx := context.Background()
	p := loadProgram(t, "America/New_York", fourCohorts(`, shift: {every: 1d, handoff: "09:00", start: 2026-11-23}`))
	clk := clocktest.New(local(t, p.TimeZone, "2026-11-23 10:00"))
	s := newStore(t, p, clk)
	o, err := s.AddOverride(ctx, "north", "bnguyen", local(t, p.TimeZone, "2026-11-23 13:00"), local(t, p.TimeZone, "2026-11-23 17:00"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ at, who, from, to string }{
		{"2026-11-23 12:59", "jrivera", "2026-11-23 09:00", "2026-11-23 13:00"},
		{"2026-11-23 13:00", "bnguyen", "2026-11-23 13:00", "2026-11-23 17:00"},
		{"2026-11-23 17:00", "jrivera", "2026-11-23 17:00", "2026-11-24 09:00"},
	} {
		sh, err := s.At(ctx, "north", local(t, p.TimeZone, c.at))
		if err != nil {
			t.Fatal(err)
		}
		if sh.Person != c.who || !sh.From.Equal(local(t, p.TimeZone, c.from)) || !sh.To.Equal(local(t, p.TimeZone, c.to)) {
			t.Errorf("at %s: %s %s–%s, want %s %s–%s", c.at, sh.Person, sh.From.In(p.TimeZone), sh.To.In(p.TimeZone), c.who, c.from, c.to)
		}
	}
	clk.Set(local(t, p.TimeZone, "2026-11-23 14:00"))
	if rot, _ := s.Rotation(ctx, "north"); !slices.Equal(rot, []string{"bnguyen", "jrivera", "aklein", "cobi"}) {
		t.Errorf("paging order under the override: %v", rot)
	}
	up, err := s.Upcoming(ctx, "north", clk.Now(), 3)
	if err != nil || len(up) != 3 || up[0].Person != "bnguyen" || up[1].Person != "jrivera" || up[2].Person != "aklein" {
		t.Errorf("upcoming: %+v %v", up, err)
	}
	if err := s.DeleteOverride(ctx, o.Override); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.Current(ctx, "north"); id != "jrivera" {
		t.Errorf("after deleting the override: %s", id)
	}
	if err := s.DeleteOverride(ctx, o.Override); !errors.Is(err, oncall.ErrNoOverride) {
		t.Errorf("deleting twice: %v", err)
	}
}

func TestOverlappingOverridesRefused(t *testing.T) {
	ctx := context.Background()
	p := loadProgram(t, "America/New_York", fourCohorts(""))
	clk := clocktest.New(local(t, p.TimeZone, "2026-11-23 10:00"))
	s := newStore(t, p, clk)
	at := func(h string) time.Time { return local(t, p.TimeZone, "2026-11-24 "+h) }
	first, err := s.AddOverride(ctx, "north", "aklein", at("09:00"), at("17:00"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		person, from, to string
		want             string // "" for accepted
	}{
		{"cobi", "16:59", "18:00", "overlaps another override " + first.Override},
		{"cobi", "08:00", "09:01", "overlaps"},
		{"cobi", "10:00", "11:00", "overlaps"},
		{"cobi", "17:00", "18:00", ""}, // touching is not overlapping
		{"cobi", "07:00", "09:00", ""},
		{"osmith", "20:00", "21:00", "osmith is an officer"},
		{"nobody", "20:00", "21:00", `unknown person "nobody"`},
		{"cobi", "21:00", "20:00", "must end after it starts"},
	} {
		_, err := s.AddOverride(ctx, "north", tt.person, at(tt.from), at(tt.to))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %s–%s refused: %v", tt.person, tt.from, tt.to, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s %s–%s: %v, want %q", tt.person, tt.from, tt.to, err, tt.want)
		}
	}
	// Overrides are bounded: from a day ago to a year ahead.
	for _, tt := range []struct{ from, to time.Time }{
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{at("20:00"), at("20:00").AddDate(1, 0, 1)},
		{at("20:00").AddDate(0, 0, -3), at("20:00")},
	} {
		if _, err := s.AddOverride(ctx, "west", "cobi", tt.from, tt.to); err == nil || !strings.Contains(err.Error(), "end within a year") {
			t.Errorf("override %v – %v: %v, want it refused", tt.from, tt.to, err)
		}
	}
	// Other cohorts are separate.
	if _, err := s.AddOverride(ctx, "east", "aklein", at("09:00"), at("17:00")); err != nil {
		t.Errorf("east: %v", err)
	}
	if got, _ := s.Overrides(ctx, "north"); len(got) != 3 {
		t.Errorf("north has %d overrides, want 3", len(got))
	}
}

// Two instances watching the same handoffs tell each one once.
func TestHandoffToldOnce(t *testing.T) {
	ctx := context.Background()
	p := loadProgram(t, "America/New_York", fourCohorts(`, shift: {every: 1d, handoff: "09:00", start: 2026-11-23}`))
	clk := clocktest.New(local(t, p.TimeZone, "2026-11-23 10:00"))
	rdb := testRedis(t)
	a := oncall.New(rdb, p, clk.Now, nil)
	b := oncall.New(rdb, p, clk.Now, nil)
	for _, s := range []*oncall.Store{a, b} {
		if err := s.Seed(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var told []string
	notify := func(_ context.Context, h oncall.Handoff) error {
		mu.Lock()
		defer mu.Unlock()
		told = append(told, fmt.Sprintf("%s %s→%s %s until %s", h.Cohort, h.Outgoing, h.Incoming,
			h.At.In(p.TimeZone).Format("Mon 15:04"), h.Until.In(p.TimeZone).Format("Mon 15:04")))
		return nil
	}
	fire := func() {
		var wg sync.WaitGroup
		for _, s := range []*oncall.Store{a, b} {
			wg.Go(func() {
				if _, err := s.FireHandoffs(ctx, notify); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	fire()
	if len(told) != 0 {
		t.Fatalf("told before the handoff: %v", told)
	}
	clk.Set(local(t, p.TimeZone, "2026-11-24 09:00"))
	fire()
	fire()
	if !slices.Equal(told, []string{"north jrivera→aklein Tue 09:00 until Wed 09:00"}) {
		t.Fatalf("told %v", told)
	}
	// An override starting mid-shift is a handoff too, and so is its end.
	if _, err := a.AddOverride(ctx, "north", "bnguyen", local(t, p.TimeZone, "2026-11-24 12:00"), local(t, p.TimeZone, "2026-11-24 14:00")); err != nil {
		t.Fatal(err)
	}
	clk.Set(local(t, p.TimeZone, "2026-11-24 12:00"))
	fire()
	clk.Set(local(t, p.TimeZone, "2026-11-24 14:00"))
	fire()
	want := []string{"north jrivera→aklein Tue 09:00 until Wed 09:00", "north aklein→bnguyen Tue 12:00 until Tue 14:00",
		"north bnguyen→aklein Tue 14:00 until Wed 09:00"}
	if !slices.Equal(told, want) {
		t.Fatalf("told %v\nwant %v", told, want)
	}
	// An override that starts now is told at once, to the person it
	// replaces too, and so is its end.
	clk.Set(local(t, p.TimeZone, "2026-11-24 15:00").Add(20 * time.Second))
	if _, err := b.AddOverride(ctx, "north", "cobi", clk.Now(), clk.Now().Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	fire()
	fire()
	want = append(want, "north aklein→cobi Tue 15:00 until Tue 15:03")
	if !slices.Equal(told, want) {
		t.Fatalf("override starting now: told %v\nwant %v", told, want)
	}
	clk.Set(local(t, p.TimeZone, "2026-11-24 15:03"))
	fire()
	want = append(want, "north cobi→aklein Tue 15:03 until Wed 09:00")
	if !slices.Equal(told, want) {
		t.Fatalf("its end: told %v\nwant %v", told, want)
	}
	told = told[:3]
	// A day of downtime: yesterday's handoff is not told late.
	clk.Set(local(t, p.TimeZone, "2026-11-26 10:00"))
	fire()
	if len(told) != 3 {
		t.Errorf("stale handoffs told: %v", told[3:])
	}
}
