package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/browsertest"
	"github.com/leadline/leadline/oncall"
)

// feedGet fetches a feed URL as a calendar app would: no cookies.
func feedGet(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	st, _, body := read(t, resp)
	if st == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("feed served as %q", resp.Header.Get("Content-Type"))
	}
	return st, body
}

type feedEvent struct{ From, To time.Time }

// parseFeed reads a feed with a real iCalendar parser.
func parseFeed(t *testing.T, body string) (*ics.Calendar, []feedEvent, []string) {
	t.Helper()
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	var evs []feedEvent
	var summaries []string
	for _, e := range cal.Events() {
		from, err1 := e.GetStartAt()
		to, err2 := e.GetEndAt()
		if err1 != nil || err2 != nil {
			t.Fatalf("event times: %v %v", err1, err2)
		}
		evs = append(evs, feedEvent{from, to})
		summaries = append(summaries, e.GetProperty(ics.ComponentPropertySummary).Value)
	}
	return cal, evs, summaries
}

var csrfValue = regexp.MustCompile(`value="[^"]*"`)

// A case manager makes a feed of their shifts on the feeds page; the feed
// parses and lists exactly their shifts from the schedule (East's Monday
// 09:00 handoffs, program time) across the change to daylight time on 14
// March 2027, and names nothing but the cohort. A new link revokes the old;
// a revoked link, or a made-up one, gets the plain 404 of any unknown path.
// A supervisor makes a cohort's feed; a case manager cannot.
func TestBrowserCalendarFeeds(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.clock.Set(time.Date(2027, 3, 1, 14, 0, 0, 0, time.UTC)) // Mon 1 Mar 2027 09:00 EST
	store := oncall.New(w.rdb, w.prog, w.clock.Now, nil)
	if err := store.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	w.signInTab(tab, "bnguyen")
	tab.Open(w.url + "/oncall/feeds")
	if rows := tab.Text("tbody"); strings.Contains(rows, "East's shifts") || !strings.Contains(rows, "your shifts") {
		t.Errorf("a case manager's feeds:\n%s", rows)
	}
	tab.Submit("#feed-person-bnguyen button[value=make]")
	first := tab.Text("#feed-url")
	tab.Submit("#feed-person-bnguyen button[value=make]") // a new link revokes the first
	link := tab.Text("#feed-url")
	tab.CheckAxe("feeds")
	tab.Screenshots(screenshotDir(t), "feeds")
	noCSPRefusals(t, tab)
	if st, _ := feedGet(t, first); st != http.StatusNotFound {
		t.Errorf("the replaced link: %d", st)
	}

	st, body := feedGet(t, link)
	if st != http.StatusOK {
		t.Fatalf("feed: %d\n%s", st, body)
	}
	_, events, summaries := parseFeed(t, body)
	ny, _ := time.LoadLocation("America/New_York")
	var want []feedEvent // the schedule's, from the store: bnguyen's East weeks in the 8 ahead
	shifts, err := store.Upcoming(ctx, "east", w.clock.Now(), 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, sh := range shifts {
		if sh.Person == "bnguyen" && sh.From.Before(w.clock.Now().Add(console.FeedWeeks*7*24*time.Hour)) {
			want = append(want, feedEvent{sh.From, sh.To})
		}
	}
	got := func(evs []feedEvent) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.From.UTC().Format(time.RFC3339)+" "+e.To.UTC().Format(time.RFC3339)+" "+
				e.From.In(ny).Format("Mon 15:04 MST")+" "+e.To.In(ny).Format("Mon 15:04 MST"))
		}
		return out
	}
	wantText := []string{
		"2027-03-08T14:00:00Z 2027-03-15T13:00:00Z Mon 09:00 EST Mon 09:00 EDT", // across the change
		"2027-03-22T13:00:00Z 2027-03-29T13:00:00Z Mon 09:00 EDT Mon 09:00 EDT",
		"2027-04-05T13:00:00Z 2027-04-12T13:00:00Z Mon 09:00 EDT Mon 09:00 EDT",
		"2027-04-19T13:00:00Z 2027-04-26T13:00:00Z Mon 09:00 EDT Mon 09:00 EDT",
	}
	if !slices.Equal(got(events), wantText) || !slices.Equal(got(want), wantText) {
		t.Errorf("feed events:\n%s\nschedule:\n%s\nwant:\n%s", strings.Join(got(events), "\n"),
			strings.Join(got(want), "\n"), strings.Join(wantText, "\n"))
	}
	for _, s := range summaries {
		if s != "On call: East" {
			t.Errorf("event summary %q", s)
		}
	}
	for _, leak := range []string{"+1412", "412-555", "referral", "Referral", "Chidi", "Allegheny"} {
		if strings.Contains(body, leak) {
			t.Errorf("feed carries %q:\n%s", leak, body)
		}
	}

	tab.Open(w.url + "/oncall/feeds")
	tab.Submit("#feed-person-bnguyen button[value=revoke]")
	revoked, revokedBody := feedGet(t, link)
	unknown, unknownBody := feedGet(t, w.url+"/ical/"+strings.Repeat("A", 26)+".ics")
	path, pathBody := feedGet(t, w.url+"/no-such-page")
	if revoked != 404 || unknown != 404 || path != 404 ||
		csrfValue.ReplaceAllString(revokedBody, "") != csrfValue.ReplaceAllString(unknownBody, "") ||
		csrfValue.ReplaceAllString(unknownBody, "") != csrfValue.ReplaceAllString(pathBody, "") {
		t.Errorf("revoked %d, unknown %d, no such page %d; bodies differ:\n%s\n---\n%s", revoked, unknown, path, revokedBody, unknownBody)
	}

	cm := w.client(w.url)
	w.signIn(cm, "cobi")
	if st, _, _ := cm.post("/oncall/feeds", url.Values{"csrf": {cm.token("/oncall/feeds")}, "feed": {"cohort:east"}, "do": {"make"}}); st != http.StatusForbidden {
		t.Errorf("a case manager's cohort feed: %d", st)
	}
	if st, _, _ := cm.post("/oncall/feeds", url.Values{"csrf": {cm.token("/oncall/feeds")}, "feed": {"person:bnguyen"}, "do": {"make"}}); st != http.StatusForbidden {
		t.Errorf("a case manager's feed of another: %d", st)
	}

	sup := b.NewTab(t)
	w.signInTab(sup, "msup")
	sup.Open(w.url + "/oncall/feeds")
	sup.Submit("#feed-cohort-north button[value=make]")
	st, body = feedGet(t, sup.Text("#feed-url"))
	_, events, summaries = parseFeed(t, body)
	if st != 200 || len(events) != 1 || summaries[0] != "Jo Rivera on call, North" ||
		!events[0].To.Equal(w.clock.Now().Add(console.FeedWeeks*7*24*time.Hour)) {
		t.Errorf("North's feed: %d %v %q", st, events, summaries)
	}

	var audited []string
	if err := w.console.Audit().Each(ctx, func(e console.Entry) error {
		if e.Feed != "" {
			audited = append(audited, string(e.Action)+" "+e.Feed+" "+e.Person)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"feed_make person:bnguyen bnguyen", "feed_make person:bnguyen bnguyen",
		"feed_revoke person:bnguyen bnguyen", "feed_make cohort:north msup"}; !slices.Equal(audited, want) {
		t.Errorf("audited %q; want %q", audited, want)
	}
}
