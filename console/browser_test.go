package console_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/browsertest"
)

// screenshotDir is where the browser tests put their screenshots: the
// test's temporary folder, or testdata/screenshots with
// LEADLINE_SCREENSHOTS=1 (the README's pictures).
func screenshotDir(t *testing.T) string {
	if os.Getenv("LEADLINE_SCREENSHOTS") != "" {
		return filepath.Join("testdata", "screenshots")
	}
	return t.TempDir()
}

// signInTab signs a person in through the pages in tab and returns the
// home page's text.
func (w *world) signInTab(tab *browsertest.Tab, id string) string {
	w.t.Helper()
	p, _ := w.prog.Person(id)
	tab.Open(w.url + "/signin")
	tab.Fill("#phone", p.Phone)
	if st := tab.Submit("form[action='/signin'] button"); st != http.StatusOK {
		w.t.Fatalf("code page: status %d", st)
	}
	tab.Fill("#code", w.codeFor(id))
	if st := tab.Submit("form[action='/signin/code'] button"); st != http.StatusOK {
		w.t.Fatalf("board: status %d", st)
	}
	tab.Open(w.url + "/me")
	return tab.Text("main")
}

// noCSPRefusals fails the test if the page logged a refusal by its
// Content-Security-Policy (an inline script or style, say).
func noCSPRefusals(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	for _, l := range tab.Logs() {
		if strings.Contains(l, "Content Security Policy") || strings.Contains(l, "Refused to") {
			t.Errorf("page logged: %s", l)
		}
	}
}

func TestBrowserSignInWithTextedCode(t *testing.T) {
	w := newWorld(t)
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	shots := screenshotDir(t)

	// Nothing but sign-in before signing in.
	tab.Open(w.url + "/")
	if loc := tab.Location(); loc != w.url+"/signin" {
		t.Fatalf("/ went to %s, want /signin", loc)
	}
	tab.CheckAxe("sign-in")
	tab.Screenshots(shots, "signin")

	jr, _ := w.prog.Person("jrivera")
	tab.Fill("#phone", "412-555-0111") // as people type it
	tab.Submit("form[action='/signin'] button")
	contains(t, "code page", tab.Text("main"), "a 6-digit code is on its way")
	tab.CheckAxe("code")
	tab.Screenshots(shots, "code")

	tab.Fill("#code", w.codeFor("jrivera"))
	tab.Submit("form[action='/signin/code'] button")
	contains(t, "board after sign-in", tab.Text("main"), "Board", "North", "South")
	tab.Open(w.url + "/me")
	home := tab.Text("main")
	contains(t, "home page", home, "Signed in as Jo Rivera", "case manager", "North, South",
		"Mon 23 Nov 2026 09:00 EST", "Ends at Mon 23 Nov 2026 09:30 EST", "Mon 23 Nov 2026 21:00 EST at the latest")
	if strings.Contains(home, "Audit log") || strings.Contains(tab.Text("header"), "Audit log") {
		t.Errorf("a case manager is offered the audit log")
	}
	tab.CheckAxe("home")
	tab.Screenshots(shots, "home")
	w.settle()
	if n := len(w.sim.Unread(jr.Phone)); n != 0 {
		t.Errorf("%d more texts to jrivera", n)
	}

	// Used within 30 minutes, the session lives on; 31 minutes unused, it
	// has ended.
	w.clock.Advance(29 * time.Minute)
	tab.Open(w.url + "/me")
	contains(t, "home after 29 min", tab.Text("main"), "Signed in as Jo Rivera")
	w.clock.Advance(31 * time.Minute)
	tab.Open(w.url + "/")
	if loc := tab.Location(); loc != w.url+"/signin?ended=1" {
		t.Fatalf("after 31 idle minutes / went to %s, want the sign-in page", loc)
	}
	contains(t, "sign-in after expiry", tab.Text("main"), "Your session ended")

	// Sign out ends the session.
	w.signInTab(tab, "jrivera")
	tab.Submit("header form[action='/signout'] button")
	contains(t, "after sign-out", tab.Text("main"), "You have signed out")
	tab.Open(w.url + "/")
	if loc := tab.Location(); !strings.HasPrefix(loc, w.url+"/signin") {
		t.Errorf("after sign-out / went to %s", loc)
	}
	noCSPRefusals(t, tab)
}

func TestBrowserWrongCodeFiveTimesLocks(t *testing.T) {
	w := newWorld(t)
	tab := browsertest.Start(t).NewTab(t)
	tab.Open(w.url + "/signin")
	tab.Fill("#phone", "412-555-0113")
	tab.Submit("form[action='/signin'] button")
	code := w.codeFor("msup")
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	for i := 1; i < 5; i++ {
		tab.Fill("#code", wrong)
		if st := tab.Submit("form[action='/signin/code'] button"); st != http.StatusUnprocessableEntity {
			t.Errorf("wrong code %d: status %d", i, st)
		}
		contains(t, "code page", tab.Text("main"), "That code is not right.")
	}
	tab.CheckAxe("wrong code")
	tab.Fill("#code", wrong)
	if st := tab.Submit("form[action='/signin/code'] button"); st != http.StatusTooManyRequests {
		t.Errorf("fifth wrong code: status %d", st)
	}
	contains(t, "locked page", tab.Text("main"), "entered wrong 5 times and no longer works", "Ask for a new code")
	// The right code no longer works either.
	tab.Open(w.url + "/signin/code")
	contains(t, "code page", tab.Text("main"), "Enter your code")
	tab.Fill("#code", code)
	if st := tab.Submit("form[action='/signin/code'] button"); st != http.StatusTooManyRequests {
		t.Errorf("right code after the lock: status %d", st)
	}
	tab.Open(w.url + "/")
	if loc := tab.Location(); !strings.HasPrefix(loc, w.url+"/signin") {
		t.Errorf("signed in after the lock: at %s", loc)
	}
	tab.CheckAxe("locked")
	noCSPRefusals(t, tab)
}

// Unknown numbers and officers get the very page staff get, and no text.
func TestBrowserNonStaffGetTheSameAnswer(t *testing.T) {
	w := newWorld(t)
	b := browsertest.Start(t)
	answer := func(number string) (string, int) {
		tab := b.NewTab(t)
		tab.Open(w.url + "/signin")
		tab.Fill("#phone", number)
		st := tab.Submit("form[action='/signin'] button")
		if loc := tab.Location(); loc != w.url+"/signin/code" {
			t.Errorf("%s: at %s, want the code page", number, loc)
		}
		return tab.Text("main"), st
	}
	staff, staffStatus := answer("412-555-0114")
	w.codeFor("bnguyen")
	for _, number := range []string{"+14125550999", "412-555-0121"} { // a stranger, officer osmith
		got, st := answer(number)
		if got != staff || st != staffStatus {
			t.Errorf("%s got %d %q, staff got %d %q", number, st, got, staffStatus, staff)
		}
	}
	w.settle()
	for _, number := range []string{"+14125550999", "+14125550121"} {
		if m := w.textsTo(number); len(m) != 0 {
			t.Errorf("%s was texted: %+v", number, m)
		}
	}
}

func TestBrowserRolesAndAudit(t *testing.T) {
	w := newWorld(t)
	b := browsertest.Start(t)
	shots := screenshotDir(t)

	sup := b.NewTab(t)
	contains(t, "supervisor's home", w.signInTab(sup, "msup"), "Signed in as Mel Sup", "supervisor", "North, East, South, West")
	if st := sup.Open(w.url + "/audit"); st != http.StatusForbidden {
		t.Errorf("supervisor's /audit: status %d, want 403", st)
	}
	contains(t, "supervisor's /audit", sup.Text("main"), "not open to your role")
	sup.CheckAxe("403")
	if st := sup.Open(w.url + "/audit.csv"); st != http.StatusForbidden {
		t.Errorf("supervisor's /audit.csv: status %d, want 403", st)
	}

	in := b.NewTab(t)
	contains(t, "intake's home", w.signInTab(in, "iadams"), "Signed in as Ivy Adams", "intake",
		"None: you enter community referrals for the whole program.")
	if st := in.Open(w.url + "/audit"); st != http.StatusForbidden {
		t.Errorf("intake's /audit: status %d, want 403", st)
	}

	pm := b.NewTab(t)
	contains(t, "program manager's home", w.signInTab(pm, "pmorgan"), "Signed in as Pat Morgan", "program manager",
		"All cohorts: North, East, South, West")
	pm.Open(w.url + "/audit")
	audit := pm.Text("main")
	contains(t, "audit page", audit, "Audit log", "Mel Sup (msup, supervisor)", "sign_in (sms)",
		"Ivy Adams (iadams, intake)", "Pat Morgan (pmorgan, program manager)", "127.0.0.1", "Mon 23 Nov 2026 09:00 EST")
	pm.CheckAxe("audit")
	pm.Screenshots(shots, "audit")
	noCSPRefusals(t, pm)
}
