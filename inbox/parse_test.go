package inbox

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// A referral's first line is kept whole (spaces collapsed): where its
// location ends is the resolver's to find (TestOfficerNotesAfterTheLocation);
// further lines are notes.
func TestParseOfficer(t *testing.T) {
	tests := []struct {
		body string
		want command
	}{
		{"AD 40.4473,-80.0076 / male 30s red jacket at bus shelter",
			command{verb: vRefer, refType: referral.Arrest, location: "40.4473,-80.0076 / male 30s red jacket at bus shelter"}},
		{"  ad   40.4473, -80.0076   ", command{verb: vRefer, refType: referral.Arrest, location: "40.4473, -80.0076"}},
		{"arrest 40.4473,-80.0076/notes", command{verb: vRefer, refType: referral.Arrest, location: "40.4473,-80.0076/notes"}},
		{"AD 40.4473,-80.0076 male 30s", command{verb: vRefer, refType: referral.Arrest, location: "40.4473,-80.0076 male 30s"}},
		{"AD 40.4473,-80.0076 👍 / 🐕", command{verb: vRefer, refType: referral.Arrest, location: "40.4473,-80.0076 👍 / 🐕"}},
		{"SC wood/5th", command{verb: vRefer, refType: referral.Social, location: "wood/5th"}},
		{"AD40.4473,-80.0076", command{verb: vRefer, refType: referral.Arrest, location: "40.4473,-80.0076"}},
		{"sc-80.0076,40.4473 by the door", command{verb: vRefer, refType: referral.Social, location: "-80.0076,40.4473 by the door"}},
		{"SC101", command{verb: vRefer, refType: referral.Social, location: "101"}},
		{"SC Market Square\nsitting on the steps,  asked for help",
			command{verb: vRefer, refType: referral.Social, location: "Market Square", notes: "sitting on the steps, asked for help"}},
		{"2", command{verb: vChoose, minutes: 2}},
		{"Social 103 / by the fountain\nsecond line", command{verb: vRefer, refType: referral.Social, location: "103 / by the fountain", notes: "second line"}},
		{"AD geo:40.4473,-80.0076;u=35", command{verb: vRefer, refType: referral.Arrest, location: "geo:40.4473,-80.0076;u=35"}},
		{"yes", command{verb: vYes}},
		{"Y", command{verb: vYes}},
		{"status", command{verb: vStatus}},
		{"STATUS r7k2", command{verb: vStatus, code: "R7K2"}},
		{"cancel R7K2", command{verb: vCancel, code: "R7K2"}},
		{"CANCEL", command{verb: vCancel}},
		{"fix r7k2 5th & Wood", command{verb: vFix, code: "R7K2", location: "5th & Wood"}},
		{"FIX R7K2  40.4473,-80.0076 ", command{verb: vFix, code: "R7K2", location: "40.4473,-80.0076"}},
		{"help", command{verb: vHelp}},
		{"HELP.", command{verb: vHelp}},
	}
	for _, tt := range tests {
		got, err := parseOfficer(tt.body)
		if err != nil {
			t.Errorf("parseOfficer(%q): %v", tt.body, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseOfficer(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
		}
	}
}

func TestParseOfficerRejects(t *testing.T) {
	for _, body := range []string{
		"", "   ", "AD", "AD / notes only", "SC\n", "hello", "CANCEL R7K2 now", "ADAMS 40.44,-80.00",
		"STATUS 1234", "STATUS R0K2", "YES please", "0", "10", "1 2", "accept", "FIX", "FIX R7K2", "FIX 5th & Wood", "FIX R7K2 /",
	} {
		if got, err := parseOfficer(body); err == nil {
			t.Errorf("parseOfficer(%q) = %+v, want usage error", body, got)
		}
	}
}

func TestParseCaseManager(t *testing.T) {
	tests := []struct {
		body string
		want command
	}{
		{"1", command{verb: vAccept}},
		{"y", command{verb: vAccept}},
		{"Yes", command{verb: vAccept}},
		{"A R7K2 15", command{verb: vAccept, code: "R7K2", minutes: 15}},
		{"accept 15 r7k2", command{verb: vAccept, code: "R7K2", minutes: 15}},
		{"1 20", command{verb: vAccept, minutes: 20}},
		{"1 20 min", command{verb: vAccept, minutes: 20}},
		{"1 20min", command{verb: vAccept, minutes: 20}},
		{"2", command{verb: vDecline}},
		{"NO", command{verb: vDecline}},
		{"d r7k2", command{verb: vDecline, code: "R7K2"}},
		{"DECLINE", command{verb: vDecline}},
		{"ETA 20", command{verb: vETA, minutes: 20}},
		{"eta R7K2 5", command{verb: vETA, code: "R7K2", minutes: 5}},
		{"arrived", command{verb: vArrived}},
		{"HERE R7K2", command{verb: vArrived, code: "R7K2"}},
		{"done engaged", command{verb: vDone, outcome: "engaged"}},
		{"DONE R7K2 REFUSED", command{verb: vDone, code: "R7K2", outcome: "refused"}},
		{"done gone r7k2", command{verb: vDone, code: "R7K2", outcome: "gone"}},
		{"who", command{verb: vWho}},
		{"OFF", command{verb: vOff}},
		{"off 2h", command{verb: vOff, span: 2 * time.Hour}},
		{"Off 30m", command{verb: vOff, span: 30 * time.Minute}},
		{"OFF 1h30m", command{verb: vOff, span: 90 * time.Minute}},
		{"OFF 1h 30m", command{verb: vOff, span: 90 * time.Minute}},
		{"OFF 90 min", command{verb: vOff, span: 90 * time.Minute}},
		{"OFF 45", command{verb: vOff, span: 45 * time.Minute}},
		{"OFF 2 hours", command{verb: vOff, span: 2 * time.Hour}},
		{"OFF 2d", command{verb: vOff, span: 48 * time.Hour}},
		{"OFF 1d12h", command{verb: vOff, span: 36 * time.Hour}},
		{"on", command{verb: vOn}},
		{"APPT R7K2 NUMBER 412-555-0188", command{verb: vAppt, code: "R7K2", action: appointment.ActionNumber, text: "412-555-0188"}},
		{"appt R7K2 phone +1 412 555 0188", command{verb: vAppt, code: "R7K2", action: appointment.ActionNumber, text: "+1 412 555 0188"}},
		{"APPT R7K2 cancel", command{verb: vAppt, code: "R7K2", action: appointment.ActionCancel}},
		{"APPT R7K2 MOVE 11/27 2pm", command{verb: vAppt, code: "R7K2", action: appointment.ActionMove, text: "11/27 2pm"}},
		{"APPT R7K2 412-555-0177 11/27 2pm", command{verb: vAppt, code: "R7K2", action: appointment.ActionSet, text: "412-555-0177 11/27 2pm"}},
		{"ON.", command{verb: vOn}},
		{"HELP", command{verb: vHelp}},
		{"ok", command{verb: vOK}},
		{"OK R7K2", command{verb: vOK, code: "R7K2"}},
		{"SOS", command{verb: vSOS}},
		{"sos r7k2", command{verb: vSOS, code: "R7K2"}},
		{"help me", command{verb: vSOS}},
		{"HELP ME", command{verb: vSOS}},
		{"MSG r7k2 It is at 123 Center Ave, room 4.", command{verb: vMsg, code: "R7K2", text: "It is at 123 Center Ave, room 4."}},
		{"message R7K2  Sí, mañana", command{verb: vMsg, code: "R7K2", text: "Sí, mañana"}},
		{"UNLOCK 2087", command{verb: vUnlock, text: "2087"}},
		{"unlock  2087 ", command{verb: vUnlock, text: "2087"}},
		{"Unlock 00417*", command{verb: vUnlock, text: "00417*"}},
	}
	for _, tt := range tests {
		got, err := parseCaseManager(tt.body)
		if err != nil {
			t.Errorf("parseCaseManager(%q): %v", tt.body, err)
			continue
		}
		if got != tt.want {
			t.Errorf("parseCaseManager(%q)\n got %+v\nwant %+v", tt.body, got, tt.want)
		}
	}
}

func TestParseCaseManagerRejects(t *testing.T) {
	for _, body := range []string{
		"", "3", "ok fine", "SOS now", "ETA", "ETA soon", "ETA 0", "ETA 601", "1 R7K2 R8K3", "1 15 20", "DONE", "DONE maybe",
		"2 15", "WHO else", "AD 40.4,-80.0", "MSG", "MSG R7K2", "MSG hello there",
		"UNLOCK", "UNLOCK 2087 4411", "UNLOCK badge", "UNLOCK +14125550999", "UNLOCK " + strings.Repeat("1", 21),
		"OFF tomorrow", "OFF 0", "OFF 0h", "OFF 2x", "OFF h", "OFF 30m2h", "OFF 1h30", "OFF 2h 2h", "OFF -2h", "OFF 99999h", "ON now",
		"APPT R7K2 NUMBER", "APPT NUMBER 412-555-0188", "APPT R7K2 CANCEL now",
	} {
		if got, err := parseCaseManager(body); err == nil {
			t.Errorf("parseCaseManager(%q) = %+v, want usage error", body, got)
		}
	}
}

// FuzzParse checks that no text makes the parsers panic, and that what
// they accept is well formed. Its seed corpus runs with `go test`.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"AD 40.4473,-80.0076 / male 30s red jacket", "SC Market Square\nnotes", "A R7K2 15", "DONE engaged",
		"AD https://maps.google.com/?q=40.44,-80.00 / x", "ETA 20", "cancel r7k2", "1 20 min", "AD /", "\xff\xfe",
		"AD 40.4473,-80.0076 / " + strings.Repeat("é", 400), "AD 40.4473,-80.0076 male 30s", "AD 40.4473,-80.0076 👍 / 🐕",
		"SC wood/5th", "AD40.4473,-80.0076", "FIX R7K2 5th & Wood / by the bank", "AD https://maps.app.goo.gl/x/y z / w",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, parse := range []func(string) (command, error){parseOfficer, parseCaseManager} {
			c, err := parse(body)
			if err != nil {
				continue
			}
			if c.code != "" && !referral.IsCode(c.code) {
				t.Errorf("%q: bad code %q", body, c.code)
			}
			if c.minutes < 0 || c.minutes > maxETA {
				t.Errorf("%q: minutes %d out of range", body, c.minutes)
			}
			if c.verb == vRefer && strings.TrimSpace(c.location) == "" {
				t.Errorf("%q: referral without a location", body)
			}
			if utf8.ValidString(body) && utf8.RuneCountInString(c.notes) > maxNotes {
				t.Errorf("%q: notes longer than %d", body, maxNotes)
			}
			if c.verb == vRefer || c.verb == vFix {
				checkSplits(t, c.location)
				checkResolved(t, c.location)
			}
		}
	})
}

// checkSplits checks the location-prefix readings of a referral's line:
// longest first, none empty, and each loses no word of the line (the
// location and notes together are the line, but for the "/" between them).
func checkSplits(t *testing.T, line string) {
	t.Helper()
	squash := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, "/", " ")), "") }
	prev := -1
	for _, sp := range geo.Splits(line) {
		if sp.Location == "" {
			t.Errorf("%q: a reading with no location", line)
		}
		if prev >= 0 && len(sp.Location) >= prev {
			t.Errorf("%q: reading %q not shorter than the one before", line, sp.Location)
		}
		prev = len(sp.Location)
		if got, want := squash(sp.Location+" "+sp.Notes), squash(line); utf8.ValidString(line) && got != want {
			t.Errorf("%q: reading %q + %q loses words", line, sp.Location, sp.Notes)
		}
	}
}

// sampleResolver is the sample program's resolver, without a geocoder.
var sampleResolver = sync.OnceValues(func() (*geo.Resolver, error) {
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		return nil, err
	}
	return prog.Resolver(nil), nil
})

// checkResolved reads line with the sample program's resolver: a location
// found is one of the line's readings, with candidates.
func checkResolved(t *testing.T, line string) {
	t.Helper()
	r, err := sampleResolver()
	if err != nil {
		t.Fatal(err)
	}
	cands, sp, err := r.ResolveLeading(context.Background(), line)
	if err != nil {
		return
	}
	if len(cands) == 0 || !slices.Contains(geo.Splits(line), sp) {
		t.Errorf("%q: read as %q with %d candidates, not one of its readings", line, sp, len(cands))
	}
}
