package console_test

import (
	"context"
	"fmt"
	"html"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/paulmach/orb"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/internal/browsertest"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/referral"
)

// actions are the console's forms on the real service, as serve wires them.
type actions struct{ *dispatch.Service }

func (a actions) Community(ctx context.Context, c console.CommunityReferral) (string, error) {
	oc := officer.Community{By: c.By, Cohort: c.Cohort, Location: c.Location, Notes: c.AllNotes(), Assign: c.CaseManager}
	if c.TextReferrer {
		oc.Referrer = c.Callback
	}
	return a.Service.Community(ctx, oc)
}

// expectText waits for the next text to a person and checks it says want.
func (s *service) expectText(id, want string) string {
	s.t.Helper()
	p, _ := s.prog.Person(id)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		m, err := s.sim.NextMessage(ctx, p.Phone)
		if err != nil {
			s.t.Fatalf("%s got no text saying %q: %v", id, want, err)
		}
		if strings.Contains(m.Body, want) {
			return m.Body
		}
	}
}

// A supervisor pages someone outside the chain from the referral page and
// that person gets the page; a community referral entered through the form
// pages the on-call case manager; a cancel with a reason reaches everyone
// paged; each is in the audit log, and a second cancel is refused with a
// reason on the form.
func TestBrowserSupervisorActions(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	s.text("osmith", "AD 40.4473,-80.0076 / blue coat")
	code := s.latest()
	s.expectText("jrivera", "LEAD page "+code)
	s.signIn(tab, in, "msup")

	if st := tab.Open(in.url + "/referrals/" + code + "/page"); st != 200 {
		t.Fatalf("page form: %d", st)
	}
	tab.CheckAxe("page form")
	tab.Do(chromedp.SetValue(chromedp.CSS("#person"), "cobi"))
	tab.Submit("form[action$='/page'] button")
	in.svc.Wait()
	s.expectText("cobi", "LEAD page "+code)
	if r, _ := in.svc.Lookup(context.Background(), code); !strings.Contains(strings.Join(r.PagedList, " "), "cobi") {
		t.Errorf("cobi is not among the paged: %v", r.PagedList)
	}

	tab.Open(in.url + "/community")
	tab.CheckAxe("community form")
	tab.Fill("#location", "40.4473,-80.0076")
	tab.Fill("#name", "Ray")
	tab.Do(chromedp.SetValue(chromedp.CSS("#notes"), "asks for help with housing"))
	tab.Submit("form[action='/community'] button")
	in.svc.Wait()
	page := s.expectText("jrivera", "COMMUNITY REFERRAL, North")
	community := strings.TrimSuffix(strings.Fields(page)[2], ":") // "LEAD page <code>: …"
	if r, err := in.svc.Lookup(context.Background(), community); err != nil || r.Type != referral.Community || r.State != referral.Paging {
		t.Errorf("community referral %s: %+v %v", community, r, err)
	}

	tab.Open(in.url + "/referrals/" + code + "/cancel")
	tab.Do(chromedp.SetValue(chromedp.CSS("#reason"), "person left before anyone arrived"))
	tab.Submit("form[action$='/cancel'] button")
	in.svc.Wait()
	s.expectText("jrivera", code+" was cancelled by the program.")
	s.expectText("osmith", code+" was cancelled by the program.")
	if r, _ := in.svc.Lookup(context.Background(), code); r.State != referral.Cancelled {
		t.Errorf("after cancel: %s", r.State)
	}
	tab.Open(in.url + "/referrals/" + code + "/cancel")
	tab.Do(chromedp.SetValue(chromedp.CSS("#reason"), "again"))
	tab.Submit("form[action$='/cancel'] button")
	if got := tab.Text("#form-error"); !strings.Contains(got, "already ended") {
		t.Errorf("second cancel: %q", got)
	}

	var actions []string
	if err := in.console.Audit().Each(context.Background(), func(e console.Entry) error {
		actions = append(actions, string(e.Action)+" "+e.Referral)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"referral_update " + code, "referral_create " + community} {
		if !strings.Contains(strings.Join(actions, "\n"), want) {
			t.Errorf("audit lacks %q:\n%s", want, strings.Join(actions, "\n"))
		}
	}
}

// expectTo waits for the next text to a number no person has (a
// referrer's) and checks it says want.
func (s *service) expectTo(number, want string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := s.sim.NextMessage(ctx, number)
	if err != nil {
		s.t.Fatalf("%s got no text saying %q: %v", number, want, err)
	}
	if !strings.Contains(m.Body, want) {
		s.t.Errorf("text to %s lacks %q:\n%s", number, want, m.Body)
	}
	return m.Body
}

func (s *service) referralCount() int64 {
	s.t.Helper()
	n, err := s.rdb.ZCard(context.Background(), "leadline:{dispatch}:referrals").Result()
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// A community referral entered "for follow-up" is assigned to the case
// manager chosen on the form: it shows on the board as theirs, pages
// nobody, the case manager is texted it and reminded per the community
// plan, and the referrer who asked for texts gets its code. A case manager
// of another cohort, or a place in another cohort's area, is refused on
// the form and stores nothing.
func TestBrowserCommunityForFollowUp(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	s.signIn(tab, in, "msup")
	ctx := context.Background()

	fill := func(location, cm string) {
		tab.Open(in.url + "/community")
		tab.Do(chromedp.SetValue(chromedp.CSS("#kind"), "service provider"))
		tab.Fill("#referrer", "Ann Lee")
		tab.Fill("#callback", "412-555-0190")
		tab.Do(chromedp.Click(chromedp.CSS("#texts")))
		tab.Do(chromedp.SetValue(chromedp.CSS("#cohort"), "north"))
		tab.Fill("#location", location)
		tab.Do(chromedp.SetValue(chromedp.CSS("#notes"), "sleeping in the doorway, asked for help"))
		tab.Do(chromedp.Click(chromedp.CSS("#route-followup")))
		tab.Do(chromedp.SetValue(chromedp.CSS("#case_manager"), cm))
		tab.Submit("form[action='/community'] button")
	}
	fill(e2eNorthPoint, "dpatel") // South's
	if got := tab.Text("#form-error"); !strings.Contains(got, "Choose a case manager of North to follow it up.") {
		t.Errorf("a case manager of another cohort: %q", got)
	}
	fill("PPG Paints Arena", "aklein")
	if got := tab.Text("#form-error"); !strings.Contains(got, "That place is in West's area, not North's") {
		t.Errorf("a place in another cohort's area: %q", got)
	}
	if n := s.referralCount(); n != 0 {
		t.Fatalf("%d referrals stored by refused forms", n)
	}

	fill(e2eNorthPoint, "aklein")
	tab.CheckAxe("community form, stored")
	tab.Screenshots(screenshotDir(t), "community")
	code := strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(tab.Text("#stored"), "."), "Stored as"))
	in.svc.Wait()
	r, err := in.svc.Lookup(ctx, code)
	if err != nil || r.Type != referral.Community || r.State != referral.Accepted || r.AcceptedBy != "aklein" ||
		r.AssignedBy != "msup" || len(r.PagedList) != 0 {
		t.Fatalf("community referral %q: %+v %v", code, r, err)
	}
	s.expectText("aklein", code+" (community referral, North) is yours to follow up, from Mel S. No one was paged.")
	s.expectTo(referrerPhone, "we got your referral, code "+code+". A case manager will follow up.")

	for _, typ := range []string{"arrest", "community"} { // the board filtered to community stays open
		want := typ == "community"
		tab.Open(in.url + "/?type=" + typ)
		if on := browsertest.Run(tab, chromedp.Evaluate[bool](`document.querySelector("#r-`+code+`") !== null`)); on != want {
			t.Errorf("board filtered to %s shows %s: %v", typ, code, on)
		}
	}
	row := tab.Text("#r-" + code)
	for _, want := range []string{"community referral", "accepted", "Ana K.", "for follow-up"} {
		if !strings.Contains(row, want) {
			t.Errorf("board row lacks %q: %q", want, row)
		}
	}
	tab.Open(in.url + "/referrals/" + code)
	if tl := tab.Text("main"); !strings.Contains(tl, "Assigned to Ana K. for follow-up by Mel S.; nobody paged") ||
		!strings.Contains(tl, "Entered by Mel S. for North") {
		t.Errorf("timeline:\n%s", tl)
	}

	// The community plan: reminders at 1, 3 and 6 days, due at 7.
	s.clock.Advance(24 * time.Hour)
	if _, err := in.svc.FireTimers(ctx); err != nil {
		t.Fatal(err)
	}
	in.svc.Wait()
	s.expectText("aklein", code+" (community referral, North): follow-up due Mon 30 Nov, 9:00 AM, 6 days left. Text FOLLOWED "+code+" when done.")
	for _, id := range []string{"jrivera", "aklein", "cobi", "msup"} {
		p, _ := s.prog.Person(id)
		for _, m := range s.sim.Unread(p.Phone) {
			if strings.Contains(m.Body, "LEAD page") {
				t.Errorf("%s was paged: %s", id, m.Body)
			}
		}
	}
}

// The form's own checks, over plain HTTP: missing or bad fields are
// refused with the reason, and nothing is stored.
func TestCommunityFormRefusals(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	c := (&world{t: t, prog: s.prog, rdb: s.rdb, sim: s.sim, clock: s.clock}).client(in.url)
	s.signInClient(c, "iadams")
	good := url.Values{"kind": {"community member"}, "cohort": {"north"}, "location": {e2eNorthPoint}, "route": {"dispatch"}}
	for _, tt := range []struct {
		name, field, value, want string
	}{
		{"no place", "location", "", "Say where the person can be found"},
		{"no kind of referrer", "kind", "", "Say who referred the person"},
		{"a cohort of none", "cohort", "mars", "Choose the cohort."},
		{"no route", "route", "", "Choose whether to dispatch now or assign for follow-up."},
		{"follow-up without a case manager", "route", "followup", "Choose a case manager of North to follow it up."},
		{"texts without a number", "texts", "on", "Give the referrer's mobile number to text them"},
		{"a callback that is no number", "callback", "call the shop", "The callback number is not a phone number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"csrf": {c.token("/community")}}
			for k, v := range good {
				form[k] = v
			}
			form.Set(tt.field, tt.value)
			st, _, body := c.post("/community", form)
			if st != 422 || !strings.Contains(html.UnescapeString(body), tt.want) {
				t.Errorf("status %d; want 422 saying %q:\n%s", st, tt.want, body)
			}
		})
	}
	if n := s.referralCount(); n != 0 {
		t.Errorf("%d referrals stored by refused forms", n)
	}
}

const (
	e2eNorthPoint = "40.4473,-80.0076"
	referrerPhone = "+14125550190"
)

// On the community form, a click on the map sets the place: the field
// gets the point's coordinates, and the referral stored is at that point
// in the chosen cohort, paging its case manager on call.
func TestBrowserCommunityPlaceByMapClick(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	s.signIn(tab, in, "msup")
	tab.Open(in.url + "/community")
	tab.Do(chromedp.SetValue(chromedp.CSS("#cohort"), "north"))
	browsertest.Run(tab, chromedp.Evaluate[bool](`document.getElementById("cohort").dispatchEvent(new Event("change"))`))
	tab.Do(chromedp.WaitVisible(`#pick[data-ready="north"]`))
	tab.CheckAxe("community form with its map")
	tab.Do(chromedp.Click(chromedp.CSS("#pick"))) // the middle of North's outline
	got := browsertest.Run(tab, chromedp.Evaluate[string](`document.getElementById("location").value`))
	var lat, lon float64
	if _, err := fmt.Sscanf(got, "%f,%f", &lat, &lon); err != nil {
		t.Fatalf("after a click on the map the place reads %q, not coordinates", got)
	}
	if c, ok := s.prog.Areas.Locate(orb.Point{lon, lat}); !ok || c != "north" {
		t.Fatalf("the click set %q, in %q, not North's area", got, c)
	}
	if n := browsertest.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#pick path.leaflet-interactive").length`)); n < 2 {
		t.Errorf("the map shows %d shapes, want the outline and the point", n)
	}
	tab.Do(chromedp.SetValue(chromedp.CSS("#notes"), "by the bench, asked for help"))
	tab.Submit("form[action='/community'] button")
	code := strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(tab.Text("#stored"), "."), "Stored as"))
	in.svc.Wait()
	r, err := in.svc.Lookup(context.Background(), code)
	if err != nil || r.Cohort != "north" || math.Abs(r.Lat-lat) > 1e-9 || math.Abs(r.Lon-lon) > 1e-9 {
		t.Fatalf("stored %q: %+v %v", code, r, err)
	}
	s.expectText("jrivera", "LEAD page")
}
