package console_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/program"
)

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	w := newWorld(t)
	c := w.client(w.url)
	jr, _ := w.prog.Person("jrivera")
	good := c.token("/signin")
	for name, form := range map[string]url.Values{
		"no token":    {"phone": {jr.Phone}},
		"wrong token": {"phone": {jr.Phone}, "csrf": {good[:len(good)-2] + "xx"}},
	} {
		if code, _, body := c.post("/signin", form); code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403\n%s", name, code, body)
		}
	}
	// Another browser's token is no good either.
	other := w.client(w.url)
	if code, _, _ := other.post("/signin", url.Values{"phone": {jr.Phone}, "csrf": {good}}); code != http.StatusForbidden {
		t.Errorf("another browser's token: status %d, want 403", code)
	}
	w.settle()
	if m := w.sim.Unread(jr.Phone); len(m) != 0 {
		t.Errorf("a refused form sent a code: %+v", m)
	}

	// Signed in, the token is the session's: the one from before sign-in
	// no longer works, and sign-out needs it.
	w.signIn(c, "jrivera")
	if code, _, _ := c.post("/signout", url.Values{"csrf": {good}}); code != http.StatusForbidden {
		t.Errorf("sign-out with the pre-sign-in token: status %d, want 403", code)
	}
	if code, _, _ := c.post("/signout", nil); code != http.StatusForbidden {
		t.Errorf("sign-out without token: status %d, want 403", code)
	}
	if code, _, body := c.get("/"); code != http.StatusOK || !strings.Contains(body, "Jo Rivera") {
		t.Errorf("refused sign-out signed out: %d", code)
	}
	if code, loc, _ := c.post("/signout", url.Values{"csrf": {c.token("/")}}); code != http.StatusSeeOther || loc != "/signin?out=1" {
		t.Errorf("sign-out: %d %s", code, loc)
	}
}

func TestHeadersAndCookies(t *testing.T) {
	w := newWorld(t)
	c, err := console.New(console.Config{Keys: e2e.Keys(), Program: w.prog, Redis: w.rdb, Texter: nopTexter{}, Clock: w.clock.Now,
		PublicURL: "https://lead.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/signin", nil))
	h := rec.Header()
	for k, want := range map[string]string{
		"X-Frame-Options":           "DENY",
		"X-Content-Type-Options":    "nosniff",
		"Cache-Control":             "no-store",
		"Strict-Transport-Security": "max-age=31536000",
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self';", "frame-ancestors 'none'", "default-src 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline or eval: %s", csp)
	}
	ck := rec.Result().Cookies()
	if len(ck) != 1 || ck[0].Name != "__Host-leadline_csrf" || !ck[0].Secure || !ck[0].HttpOnly ||
		ck[0].SameSite != http.SameSiteLaxMode || ck[0].Path != "/" || ck[0].Domain != "" {
		t.Errorf("cookies on https: %+v", ck)
	}

	// On http (the tests' own server) cookies cannot be Secure; still
	// HttpOnly and SameSite.
	cl := w.client(w.url)
	w.signIn(cl, "jrivera")
	u, _ := url.Parse(w.url)
	var names []string
	for _, k := range cl.http.Jar.Cookies(u) {
		names = append(names, k.Name)
	}
	if strings.Join(names, ",") != "leadline_csrf,leadline_session" && strings.Join(names, ",") != "leadline_session,leadline_csrf" {
		t.Errorf("cookies after sign-in: %v", names)
	}
	resp, err := http.Get(w.url + "/static/vendor/htmx-2.0.11/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("htmx: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	for _, path := range []string{"/static/", "/static/README.md", "/static/vendor/"} {
		if code, _, _ := cl.get(path); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, code)
		}
	}
}

type nopTexter struct{}

func (nopTexter) Text(context.Context, string, string) error { return nil }

func TestSessionEndsAfterTwelveHoursHoweverUsed(t *testing.T) {
	w := newWorld(t)
	c := w.client(w.url)
	w.signIn(c, "msup")
	for range 28 { // 11 h 40 min, a request every 25 minutes
		w.clock.Advance(25 * time.Minute)
		if code, _, _ := c.get("/"); code != http.StatusOK {
			t.Fatalf("after %v: status %d", w.clock.Now().Sub(start), code)
		}
	}
	w.clock.Advance(25 * time.Minute)
	if code, loc, _ := c.get("/"); code != http.StatusSeeOther || loc != "/signin?ended=1" {
		t.Errorf("after 12 h 5 min: %d %s, want the sign-in page", code, loc)
	}
}

// A session ends when its person is no longer staff in the config, as on
// a restart with an edited config: checked on every request.
func TestSessionEndsWhenThePersonLeavesTheConfig(t *testing.T) {
	w := newWorld(t)
	c := w.client(w.url)
	w.signIn(c, "bnguyen")
	left := w.client(w.url)
	w.signIn(left, "jrivera")
	edited := sample(t)
	// Lookups point into People, so the edit shows through them.
	x, _ := edited.Person("jrivera")
	x.Role = program.Officer // off the staff, say
	_, _, url2 := w.serve(edited)
	left.base, c.base = url2, url2
	if code, loc, _ := left.get("/"); code != http.StatusSeeOther || loc != "/signin?ended=1" {
		t.Errorf("jrivera, no longer staff: %d %s", code, loc)
	}
	left.base = w.url // and the session is gone for every instance
	if code, loc, _ := left.get("/"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
		t.Errorf("jrivera on the old instance: %d %s", code, loc)
	}
	if code, _, body := c.get("/"); code != http.StatusOK || !strings.Contains(body, "Bao Nguyen") {
		t.Errorf("bnguyen: %d", code)
	}
}

func TestCodeLimitsSayNothingAboutStaff(t *testing.T) {
	w := newWorld(t)
	ask := func(c *console.Server, cl *client, number string) (int, string) {
		code, _, body := cl.post("/signin", url.Values{"csrf": {cl.token("/signin")}, "phone": {number}})
		return code, body
	}
	for _, number := range []string{"412-555-0116", "412-555-0998"} { // dpatel, a stranger
		for i := range console.CodesPerNumber {
			cl := w.client(w.url)
			if code, _ := ask(w.console, cl, number); code != http.StatusSeeOther {
				t.Errorf("%s code %d: status %d", number, i+1, code)
			}
		}
	}
	staffCode, staffBody := ask(w.console, w.client(w.url), "412-555-0116")
	strangerCode, strangerBody := ask(w.console, w.client(w.url), "412-555-0998")
	if staffCode != http.StatusTooManyRequests || strangerCode != staffCode {
		t.Errorf("over the limit: staff %d, stranger %d", staffCode, strangerCode)
	}
	same := func(body, number string) string {
		return csrfPattern.ReplaceAllString(strings.ReplaceAll(body, number, "N"), "")
	}
	if same(strangerBody, "412-555-0998") != same(staffBody, "412-555-0116") {
		t.Errorf("answers differ:\n%s\n---\n%s", staffBody, strangerBody)
	}
	contains(t, "limit page", staffBody, "Too many codes have been asked for. Wait 15 minutes")
	w.settle()
	dp, _ := w.prog.Person("dpatel")
	if n := len(w.textsTo(dp.Phone)); n != console.CodesPerNumber {
		t.Errorf("dpatel got %d codes, want %d", n, console.CodesPerNumber)
	}
	// The next window allows more.
	w.clock.Advance(console.RateWindow)
	if code, _ := ask(w.console, w.client(w.url), "412-555-0116"); code != http.StatusSeeOther {
		t.Errorf("next window: %d", code)
	}
}

func TestCodeExpiresAfterTenMinutes(t *testing.T) {
	w := newWorld(t)
	c := w.client(w.url)
	jr, _ := w.prog.Person("jrivera")
	c.post("/signin", url.Values{"csrf": {c.token("/signin")}, "phone": {jr.Phone}})
	code := w.codeFor("jrivera")
	w.clock.Advance(console.CodeTTL)
	st, _, body := c.post("/signin/code", url.Values{"csrf": {c.token("/signin/code")}, "code": {code}})
	if st != http.StatusUnprocessableEntity || !strings.Contains(body, "That code has expired.") {
		t.Errorf("expired code: %d\n%s", st, body)
	}
	if st, loc, _ := c.get("/"); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
		t.Errorf("signed in with an expired code: %d %s", st, loc)
	}
}

func TestAuditCSVAndRetention(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a := w.console.Audit()
	old := start.Add(-w.prog.Retention.Records - time.Hour)
	if err := a.Record(ctx, console.Entry{At: old, Person: "jrivera", Role: program.CaseManager, Action: console.ActionReferralView, Referral: "R7K2", From: "::ffff:10.0.0.9"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(ctx, console.Entry{Person: "jrivera", Role: program.CaseManager, Action: console.ActionReferralView, Referral: "R7K2", From: "::ffff:10.0.0.9"}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []console.Entry{
		{Action: "looked at the notes: male 30s"},
		{Action: console.ActionReferralView, Referral: "male 30s red jacket"},
		{Action: console.ActionReferralView, Person: "Jo Rivera"},
		{Action: console.ActionOverrideAdd, Override: "north 1a2b (Jo covers)"},
		{Action: console.ActionFeedMake, Feed: "everything"},
		{Action: console.ActionCaseloadView, Caseload: "Jo Rivera"},
	} {
		if err := a.Record(ctx, bad); err == nil {
			t.Errorf("recorded %+v", bad)
		}
	}
	c := w.client(w.url)
	w.signIn(c, "pmorgan")
	code, _, body := c.get("/audit.csv")
	if code != http.StatusOK {
		t.Fatalf("audit.csv: %d", code)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"at", "person", "role", "action", "referral", "from", "via", "override", "feed", "caseload"},
		{"2026-11-23T09:00:00-05:00", "jrivera", "case_manager", "referral_view", "R7K2", "10.0.0.9", "", "", "", ""},
		{"2026-11-23T09:00:00-05:00", "pmorgan", "program_manager", "sign_in", "", "127.0.0.1", "sms", "", "", ""},
		{"2026-11-23T09:00:00-05:00", "pmorgan", "program_manager", "audit_export", "", "127.0.0.1", "", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("audit.csv has %d rows, want %d (the old entry trimmed):\n%s", len(rows), len(want), body)
	}
	for i := range want {
		if strings.Join(rows[i], ",") != strings.Join(want[i], ",") {
			t.Errorf("row %d = %v, want %v", i, rows[i], want[i])
		}
	}
	// The page pages.
	for range 60 {
		if err := a.Record(ctx, console.Entry{Person: "msup", Action: console.ActionReferralView, Referral: "AB23"}); err != nil {
			t.Fatal(err)
		}
	}
	entries, next, err := a.Latest(ctx, "", 50)
	if err != nil || len(entries) != 50 || next == "" {
		t.Fatalf("Latest: %d entries, next %q, %v", len(entries), next, err)
	}
	rest, next2, err := a.Latest(ctx, next, 50)
	if err != nil || len(rest) != 13 || next2 != "" {
		t.Errorf("second page: %d entries, next %q, %v", len(rest), next2, err)
	}
	if code, _, body := c.get("/audit?before=" + next); code != http.StatusOK || !strings.Contains(body, "Jo Rivera") {
		t.Errorf("second audit page: %d", code)
	}
}
