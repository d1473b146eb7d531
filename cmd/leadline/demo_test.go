package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// demoEnv puts the demo on a free port.
var demoEnv = map[string]string{"LEADLINE_ADDR": "127.0.0.1:0"}

// The demo's wait takes the config's units, fires the daily digest it
// skips over, and an officer can call the voice line from the terminal.
func TestDemoWaitFiresCronAndTakesDays(t *testing.T) {
	script := "osmith AD 40.4473,-80.0076 / red jacket\njrivera 1 15\nwait 3d\nwait 2 days\n"
	code, out, errOut := runCmd(t, script, demoEnv, "demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"Console: http://127.0.0.1:", "/signin/demo", "(72h0m0s later)", "Today:", "(wait takes a length like"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "Today:"); n < 3 {
		t.Errorf("%d daily digests over three days, want one a day for jrivera at least:\n%s", n, out)
	}
}

func TestDemoVoiceLine(t *testing.T) {
	script := "osmith call\nosmith press 1\n"
	code, out, errOut := runCmd(t, script, demoEnv, "demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"🔊 Leadline. Hello, Sam Smith.", "Press 1 for arrest diversion"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

// The demo's number answers STOP, HELP and START as Twilio does on a real
// number: after STOP nothing reaches the phone until START.
func TestDemoAnswersKeywordsAsTwilio(t *testing.T) {
	script := "jrivera STOP\nosmith AD 40.4473,-80.0076 / blue coat\njrivera START\njrivera HELP\n"
	code, out, errOut := runCmd(t, script, demoEnv, "demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{twiliosim.StopReply, twiliosim.StartReply, twiliosim.HelpReply} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	stopped, _, _ := strings.Cut(out, twiliosim.StartReply)
	if strings.Contains(stopped[strings.Index(stopped, twiliosim.StopReply):], "LEAD page") {
		t.Errorf("jrivera got a page after STOP:\n%s", out)
	}
}

// The one-click sign-in is the demo's alone: serve's console has no such
// page, and the console refuses it on any address but this machine's.
func TestDemoSignInIsImpossibleInServe(t *testing.T) {
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rdb, _ := redistest.Start(t)
	sv := service{keys: e2e.Keys(), prog: prog, rdb: rdb, publicURL: "https://lead.example.org", clock: func() time.Time { return cmdNow }}
	con, err := sv.console(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/signin/demo", "/demo/phones"} {
		rec := httptest.NewRecorder()
		con.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("serve's console answers %s with %d, want 404", path, rec.Code)
		}
	}
	sv.demoSignIn = true
	if _, err := sv.console(nil); err == nil || !strings.Contains(err.Error(), "demo only") {
		t.Errorf("one-click sign-in on a public URL: %v", err)
	}
	sv.publicURL = "http://127.0.0.1:8080"
	con, err = sv.console(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	con.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/signin/demo", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Jo Rivera") {
		t.Errorf("demo's sign-in page: %d", rec.Code)
	}
}
