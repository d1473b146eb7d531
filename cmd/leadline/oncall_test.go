package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/redistest"
)

// oncallWorld is the sample program with daily 09:00 handoffs on north
// (jrivera from Mon 2026-11-23, aklein the day before and after), on a
// fresh Redis.
type oncallWorld struct {
	t      *testing.T
	config string
	env    map[string]string
}

func newOncallWorld(t *testing.T) *oncallWorld {
	t.Helper()
	config := writeSample(t, func(s string) string {
		const north = "    rotation: [jrivera, aklein]\n"
		if !strings.Contains(s, north) {
			t.Fatalf("the sample's north rotation is not %q", north)
		}
		return strings.Replace(s, north, north+`    shift: {every: 1d, handoff: "09:00", start: 2026-11-23}`+"\n", 1)
	})
	_, addr := redistest.Start(t)
	return &oncallWorld{t: t, config: config, env: map[string]string{"REDIS_URL": "redis://" + addr + "/0"}}
}

// oncall runs `leadline oncall <sub> --config … args…`.
func (w *oncallWorld) oncall(sub string, args ...string) (code int, out, errOut string) {
	w.t.Helper()
	return runCmd(w.t, "", w.env, append([]string{"oncall", sub, "--config", w.config}, args...)...)
}

// ok runs a command that must succeed and returns its output.
func (w *oncallWorld) ok(sub string, args ...string) string {
	w.t.Helper()
	code, out, errOut := w.oncall(sub, args...)
	if code != 0 {
		w.t.Fatalf("oncall %s %q: exit %d\n%s", sub, args, code, errOut)
	}
	return out
}

func TestOncallShow(t *testing.T) {
	w := newOncallWorld(t)
	for _, tt := range []struct{ at, want string }{
		{"2026-11-23 08:59", "North: Ana Klein (aklein) until Mon 2026-11-23 09:00\n"},
		{"2026-11-23 09:00", "North: Jo Rivera (jrivera) until Tue 2026-11-24 09:00\n"},
		{"2026-11-24T14:00:00Z", "North: Ana Klein (aklein) until Wed 2026-11-25 09:00\n"}, // RFC 3339: 09:00 in New York
	} {
		if got := w.ok("show", "--cohort", "north", "--at", tt.at); got != tt.want {
			t.Errorf("show at %s:\n got %q\nwant %q", tt.at, got, tt.want)
		}
	}
	// Every cohort, in config order; one without shifts has no end.
	all := strings.Split(strings.TrimSuffix(w.ok("show", "--at", "2026-11-23 09:00"), "\n"), "\n")
	if len(all) != 4 || all[0] != "North: Jo Rivera (jrivera) until Tue 2026-11-24 09:00" ||
		all[3] != "West: Erin Walsh (ewalsh) until further notice" {
		t.Errorf("show every cohort:\n%s", strings.Join(all, "\n"))
	}
	if code, _, errOut := w.oncall("show", "--cohort", "nowhere"); code != 1 || !strings.Contains(errOut, `unknown cohort "nowhere"`) {
		t.Errorf("unknown cohort: exit %d, %q", code, errOut)
	}
	if code, _, errOut := w.oncall("show", "--at", "tomorrow"); code != 1 || !strings.Contains(errOut, `--at "tomorrow"`) {
		t.Errorf("bad --at: exit %d, %q", code, errOut)
	}
}

func TestOncallNext(t *testing.T) {
	w := newOncallWorld(t)
	got := w.ok("next", "--cohort", "north", "--count", "3", "--from", "2026-11-23 08:00")
	want := "Sun 2026-11-22 09:00 – Mon 2026-11-23 09:00  Ana Klein (aklein)\n" +
		"Mon 2026-11-23 09:00 – Tue 2026-11-24 09:00  Jo Rivera (jrivera)\n" +
		"Tue 2026-11-24 09:00 – Wed 2026-11-25 09:00  Ana Klein (aklein)\n"
	if got != want {
		t.Errorf("next:\n%s\nwant\n%s", got, want)
	}
	// From now, seven by default, each ending at 09:00 when the next begins.
	lines := strings.Split(strings.TrimSuffix(w.ok("next", "--cohort", "north"), "\n"), "\n")
	if len(lines) != 7 {
		t.Fatalf("next from now: %d lines, want 7:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	shift := regexp.MustCompile(`^\w{3} \d{4}-\d\d-\d\d 09:00 – (\w{3} \d{4}-\d\d-\d\d 09:00)  (Jo Rivera \(jrivera\)|Ana Klein \(aklein\))$`)
	for i, l := range lines {
		m := shift.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %d: %q", i, l)
		}
		if i+1 < len(lines) && !strings.HasPrefix(lines[i+1], m[1]+" – ") {
			t.Errorf("line %d ends at %s but the next begins %q", i, m[1], lines[i+1])
		}
	}
	if code, _, _ := w.oncall("next"); code != 2 {
		t.Errorf("next without --cohort: exit %d, want 2", code)
	}
}

func TestOncallOverrideRoundTrip(t *testing.T) {
	w := newOncallWorld(t)
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	day := cmdNow.In(ny).AddDate(0, 0, 1) // tomorrow, by the commands' clock
	at := func(hm string) string { return day.Format(time.DateOnly) + " " + hm }
	out := func(hm string) string {
		x, _ := time.ParseInLocation(flagTime, at(hm), ny)
		return x.Format(outputTime)
	}

	added := regexp.MustCompile(`^added (north-[0-9a-f]{8}): Bao Nguyen \(bnguyen\) covers North from (.*) to (.*)\n$`).
		FindStringSubmatch(w.ok("override", "north", "bnguyen", "--from", at("13:00"), "--to", at("17:00")))
	if added == nil || added[2] != out("13:00") || added[3] != out("17:00") {
		t.Fatalf("override added: %q", added)
	}
	id := added[1]
	if got, want := w.ok("show", "--cohort", "north", "--at", at("14:00")),
		"North: Bao Nguyen (bnguyen) until "+out("17:00")+" [override "+id+"]\n"; got != want {
		t.Errorf("show under the override:\n got %q\nwant %q", got, want)
	}
	next := strings.Split(w.ok("next", "--cohort", "north", "--count", "3", "--from", at("10:00")), "\n")
	if len(next) != 4 || !strings.HasPrefix(next[0], out("09:00")+" – "+out("13:00")+"  ") ||
		next[1] != out("13:00")+" – "+out("17:00")+"  Bao Nguyen (bnguyen) [override "+id+"]" ||
		!strings.HasPrefix(next[2], out("17:00")+" – ") {
		t.Errorf("next around the override:\n%s", strings.Join(next, "\n"))
	}

	// Flags before the arguments, and --for instead of --to.
	second := w.ok("override", "--from", at("20:00"), "--for", "2h", "north", "cobi")
	if !strings.Contains(second, "Chidi Obi (cobi) covers North from "+out("20:00")+" to "+out("22:00")) {
		t.Errorf("second override: %q", second)
	}

	// --for takes the config's units: days too.
	third := w.ok("override", "--from", at("22:00"), "--for", "2d", "north", "cobi")
	if !strings.Contains(third, "Chidi Obi (cobi) covers North from "+out("22:00")+" to ") {
		t.Errorf("an override for 2d: %q", third)
	} else if third3 := w.ok("overrides", "--cohort", "north"); strings.Count(third3, "\n") != 3 {
		t.Errorf("overrides with the 2d one:\n%s", third3)
	}
	thirdID := strings.Fields(strings.TrimPrefix(third, "added "))[0]
	w.ok("override", "--delete", strings.TrimSuffix(thirdID, ":"))

	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"north", "cobi", "--from", at("16:00"), "--for", "2h"}, 1, "overlaps another override " + id},
		{[]string{"north", "cobi", "--from", at("18:00"), "--for", "2 days"}, 2, `invalid value "2 days" for flag -for`},
		{[]string{"north", "nobody", "--from", at("18:00"), "--for", "1h"}, 1, `unknown person "nobody"`},
		{[]string{"north", "osmith", "--from", at("18:00"), "--for", "1h"}, 1, "osmith is an officer"},
		{[]string{"north", "cobi", "--from", at("18:00")}, 2, "give either --to or --for"},
		{[]string{"north", "cobi", "--to", at("19:00"), "--for", "1h"}, 2, "give either --to or --for"},
		{[]string{"north", "--for", "1h"}, 2, "want 2 argument(s)"},
		{[]string{"north", "cobi", "--for", "1h", "--bogus"}, 2, "flag provided but not defined: -bogus"},
	} {
		code, _, errOut := w.oncall("override", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("override %q: exit %d, %q; want exit %d, %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}

	list := w.ok("overrides")
	if !strings.Contains(list, id+"  North  Bao Nguyen (bnguyen)  "+out("13:00")+" – "+out("17:00")+"\n") ||
		strings.Count(list, "\n") != 2 {
		t.Errorf("overrides:\n%s", list)
	}
	if got := w.ok("overrides", "--cohort", "east"); got != "no overrides\n" {
		t.Errorf("east's overrides: %q", got)
	}

	if got := w.ok("override", "--delete", id); got != "deleted "+id+"\n" {
		t.Errorf("delete: %q", got)
	}
	if code, _, errOut := w.oncall("override", "--delete", id); code != 1 || !strings.Contains(errOut, "no such override "+id) {
		t.Errorf("delete again: exit %d, %q", code, errOut)
	}
	if got := w.ok("overrides", "--cohort", "north"); strings.Contains(got, id) || strings.Count(got, "\n") != 1 {
		t.Errorf("overrides after the delete:\n%s", got)
	}
}

func TestOncallUsage(t *testing.T) {
	for _, args := range [][]string{{"oncall"}, {"oncall", "frobnicate"}, {"oncall", "show"}} {
		if code, _, errOut := runCmd(t, "", nil, args...); code != 2 || !strings.Contains(errOut, "leadline oncall show") {
			t.Errorf("%q: exit %d, want 2 and the usage:\n%s", args, code, errOut)
		}
	}
}
