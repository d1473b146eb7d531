package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/program"
)

// writeSample copies the sample program to a temp dir, with edits applied
// to program.yaml.
func writeSample(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"program.yaml", "cohorts.geojson", "places.csv", "addresses.csv"} {
		data, err := examples.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "program.yaml" && edit != nil {
			data = []byte(edit(string(data)))
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "program.yaml")
}

func runCmd(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return runAt(t, cmdNow, stdin, env, args...)
}

// cmdNow is the commands' clock in tests: a Monday afternoon, so that no
// test depends on the day it runs.
var cmdNow = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// runAt runs a command whose clock reads at.
func runAt(t *testing.T, at time.Time, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] }, func() time.Time { return at })
	return code, out.String(), errOut.String()
}

func TestCheckGood(t *testing.T) {
	code, out, _ := runCmd(t, "", nil, "check", "--config", writeSample(t, nil))
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"Allegheny County LEAD (sample)", "north", "East", "km²", "jrivera, aklein",
		"6 case managers, 1 supervisor, 2 officers", "Places: 10", "OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
}

// check warns when participants would text and call the officers'
// number, and is quiet once they have a number or a Messaging Service of
// their own; the warning never fails the check.
func TestCheckWarnsOfASharedNumber(t *testing.T) {
	const warning = "warning: participants and officers share the number +1412***0100: give participants their own"
	tests := []struct {
		name, participants string
		warns              bool
	}{
		{"the sample, sharing", "", true},
		{"the program number given as theirs", "  phone: \"+14125550100\"\n", true},
		{"a number of their own", "  phone: \"+14125550101\"\n", false},
		{"a Messaging Service", "  messaging_service: MG0123456789abcdef0123456789abcdef\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeSample(t, func(s string) string {
				return strings.Replace(s, "participants:\n", "participants:\n"+tt.participants, 1)
			})
			code, out, _ := runCmd(t, "", nil, "check", "--config", path)
			if code != 0 || !strings.HasSuffix(out, "OK\n") {
				t.Fatalf("exit %d, want 0 and OK:\n%s", code, out)
			}
			if got := strings.Contains(out, warning); got != tt.warns {
				t.Errorf("warns %v, want %v:\n%s", got, tt.warns, out)
			}
		})
	}
}

func TestCheckListsEveryError(t *testing.T) {
	path := writeSample(t, func(s string) string {
		s = strings.Replace(s, "[jrivera, aklein]", "[jrivera, nobody]", 1)
		s = strings.Replace(s, `phone: "412-555-0112"`, `phone: "412-555-0111"`, 1)
		return strings.Replace(s, "America/New_York", "America/Gotham", 1)
	})
	code, out, _ := runCmd(t, "", nil, "check", "--config", path)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		`error: program.yaml: cohorts[0] (north): rotation: unknown person "nobody"`,
		`error: program.yaml: people[1] (aklein): phone +1412***0111 is also jrivera's`,
		`error: program.yaml: program.timezone: unknown time zone "America/Gotham"`,
		"3 error(s) in ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckBadGeometry(t *testing.T) {
	path := writeSample(t, nil)
	// Swap lon and lat in one feature's first position: GeoJSON from a tool
	// that writes lat,lon.
	geo := filepath.Join(filepath.Dir(path), "cohorts.geojson")
	data, _ := os.ReadFile(geo)
	data = []byte(strings.Replace(string(data), `"coordinates":[[[-`, `"coordinates":[[[40.1,-80.0],[-`, 1))
	os.WriteFile(geo, data, 0o600)
	code, out, _ := runCmd(t, "", nil, "check", "--config", path)
	if code != 1 || !strings.Contains(out, "error: cohorts.geojson: feature 0") {
		t.Errorf("exit %d, want 1 and an error naming cohorts.geojson feature 0:\n%s", code, out)
	}
}

func TestServeNeedsItsEnvironment(t *testing.T) {
	code, _, errOut := runCmd(t, "", nil, "serve", "--config", writeSample(t, nil))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"TWILIO_ACCOUNT_SID is required", "TWILIO_AUTH_TOKEN is required", "LEADLINE_PUBLIC_URL is required"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	code, _, errOut = runCmd(t, "", map[string]string{"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef", "LEADLINE_PUBLIC_URL": "https://lead.example.org",
		"LEADLINE_ADMIN_TOKEN": "letmein"}, "serve", "--config", writeSample(t, nil))
	if code != 1 || !strings.Contains(errOut, "LEADLINE_ADMIN_TOKEN has 7 characters: use at least 32") {
		t.Errorf("a short admin token: exit %d\n%s", code, errOut)
	}
	if code, _, _ := runCmd(t, "", nil, "serve"); code != 2 {
		t.Errorf("serve without --config: exit %d, want 2 (misuse)", code)
	}
	if code, _, _ := runCmd(t, "", nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}

// An unanswered page escalates to a call once the demo's clock jumps, and
// the call can be answered and accepted from the keyboard.
func TestDemoEscalation(t *testing.T) {
	script := "tlee SC 40.4473,-80.0076\nwait 5m\njrivera answer\njrivera press 1\n"
	code, out, errOut := runCmd(t, script, demoEnv, "demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"(5m0s later)", "📞 call to Jo Rivera", "🔊 Leadline page, referral ", "social contact, North cohort", "Press 1 to accept",
		"🔊 Accepted.", "(call ended)", "accepted by Jo R.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoConversation(t *testing.T) {
	script := "osmith AD 40.4473,-80.0076 / red jacket\njrivera 1 15\nosmith status\nstranger hi\nnobody hi\nosmith SC 100 Main St\n"
	code, out, errOut := runCmd(t, script, demoEnv, "demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"to Jo Rivera (jrivera, case manager):", "LEAD page", "Notes: red jacket",
		"to Sam Smith (osmith, officer):", "accepted by Jo R., ETA 15 min.",
		"to stranger:", "This number does not accept messages.",
		`(no person "nobody"`,
		"Did you mean 1) 100 Main St, Millvale",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestPinPrintsAHashThatChecks(t *testing.T) {
	code, out, errOut := runCmd(t, "2468\n", nil, "pin")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	hash := strings.TrimSpace(out)
	if x := (program.Person{PINHash: hash}); !x.PINMatches("2468") || strings.Contains(hash, "2468") {
		t.Errorf("pin printed %q", hash)
	}
	if code, _, errOut := runCmd(t, "12\n", nil, "pin"); code == 0 || !strings.Contains(errOut, "4 or more digits") {
		t.Errorf("a short PIN: exit %d, %q", code, errOut)
	}
}

func TestVersion(t *testing.T) {
	version, revision = "1.4.0", "0123abc"
	defer func() { version, revision = "", "" }()
	for _, arg := range []string{"version", "--version"} {
		code, out, _ := runCmd(t, "", nil, arg)
		if code != 0 || out != "leadline 1.4.0 (revision 0123abc)\n" {
			t.Errorf("%s: exit %d, %q", arg, code, out)
		}
	}
	version, revision = "", ""
	if code, out, _ := runCmd(t, "", nil, "version"); code != 0 || !strings.HasPrefix(out, "leadline ") || strings.Contains(out, "leadline  ") {
		t.Errorf("unstamped: exit %d, %q", code, out)
	}
}

// --help on every command exits 0 and names the environment it reads;
// misuse exits 2 with the usage.
func TestHelpAndMisuse(t *testing.T) {
	for _, tc := range []struct {
		cmd    []string
		env    string // a variable the help must name, or "Environment: none"
		misuse []string
	}{
		{[]string{"serve"}, "LEADLINE_REDIS_SETTINGS", []string{"serve", "--colour"}},
		{[]string{"check"}, "LEADLINE_DATA_KEY", []string{"check"}},
		{[]string{"keys"}, "LEADLINE_DATA_KEY", []string{"keys"}},
		{[]string{"pin"}, "Environment: none", []string{"pin", "1234"}},
		{[]string{"report"}, "REDIS_URL", []string{"report", "--config", "p.yaml"}},
		{[]string{"demo"}, "Environment: none", []string{"demo", "now"}},
		{[]string{"sim"}, "TWILIO_AUTH_TOKEN", []string{"sim", "--serve", "http://x"}},
		{[]string{"version"}, "Environment: none", []string{"version", "--short"}},
		{[]string{"oncall", "show"}, "REDIS_URL", []string{"oncall", "show", "--at"}},
		{[]string{"oncall", "next"}, "REDIS_URL", []string{"oncall", "next", "--count", "x"}},
		{[]string{"oncall", "override"}, "REDIS_URL", []string{"oncall", "override", "--config", "p.yaml", "north", "bnguyen", "--for", "2 days"}},
		{[]string{"oncall", "overrides"}, "REDIS_URL", []string{"oncall", "overrides", "extra"}},
	} {
		name := strings.Join(tc.cmd, " ")
		for _, help := range []string{"--help", "-h"} {
			code, out, errOut := runCmd(t, "", nil, append(tc.cmd, help)...)
			if code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, tc.env) {
				t.Errorf("%s %s: exit %d, stdout:\n%s\nstderr:\n%s", name, help, code, out, errOut)
			}
		}
		code, out, errOut := runCmd(t, "", nil, tc.misuse...)
		if code != 2 || !strings.Contains(errOut, "Usage:") || !strings.HasPrefix(errOut, "leadline ") {
			t.Errorf("%v: exit %d, stdout:\n%s\nstderr:\n%s", tc.misuse, code, out, errOut)
		}
	}
	for _, args := range [][]string{{"--help"}, {"help"}, {"-h"}} {
		if code, out, _ := runCmd(t, "", nil, args...); code != 0 || !strings.Contains(out, "leadline sim") {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
}

// check --config - reads the config from stdin, and the files it names
// from the current folder.
func TestCheckFromStdin(t *testing.T) {
	path := writeSample(t, nil)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Dir(path))
	code, out, errOut := runCmd(t, string(data), nil, "check", "--config", "-")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	bad := strings.Replace(string(data), "[jrivera, aklein]", "[jrivera, nobody]", 1)
	code, out, _ = runCmd(t, bad, nil, "check", "--config", "-")
	if code != 1 || !strings.Contains(out, `error: stdin: cohorts[0] (north): rotation: unknown person "nobody"`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// Features that fail the same way (here every one, lat and lon swapped)
// are one line with a count, not one line each.
func TestCheckFoldsRepeatedErrors(t *testing.T) {
	path := writeSample(t, nil)
	geoPath := filepath.Join(filepath.Dir(path), "cohorts.geojson")
	data, err := os.ReadFile(geoPath)
	if err != nil {
		t.Fatal(err)
	}
	var fc map[string]any
	if err := json.Unmarshal(data, &fc); err != nil {
		t.Fatal(err)
	}
	var swap func(v any)
	swap = func(v any) {
		if a, ok := v.([]any); ok {
			if len(a) == 2 {
				if x, ok := a[0].(float64); ok {
					a[0], a[1] = a[1], x
					return
				}
			}
			for _, e := range a {
				swap(e)
			}
		}
	}
	features := fc["features"].([]any)
	for _, f := range features {
		swap(f.(map[string]any)["geometry"].(map[string]any)["coordinates"])
	}
	data, _ = json.Marshal(fc)
	if err := os.WriteFile(geoPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "", nil, "check", "--config", path)
	if code != 1 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	swapped := 0
	for _, l := range lines {
		if strings.Contains(l, "swapped") {
			swapped++
			if want := fmt.Sprintf("(and the same on %d more features: 1, 2, 3, 4, 5, …)", len(features)-1); !strings.Contains(l, want) {
				t.Errorf("folded line %q lacks %q", l, want)
			}
		}
	}
	if swapped != 1 || len(features) < 7 {
		t.Errorf("%d lines about swapped coordinates for %d features:\n%s", swapped, len(features), out)
	}
}
