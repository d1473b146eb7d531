package main

import (
	"bytes"
	"context"
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
		"6 case managers, 1 supervisors, 2 officers", "Places: 10", "OK"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
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
	if code, _, _ := runCmd(t, "", nil, "serve"); code != 1 {
		t.Errorf("serve without --config: exit %d, want 1", code)
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
		"(5m0s later)", "📞 call to Jo Rivera", "🔊 Leadline page: social contact, North cohort", "Press 1 to accept",
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
