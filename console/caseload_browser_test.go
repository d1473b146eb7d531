package console_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/browsertest"
)

// seeded is the caseloads' world: Jo Rivera (North and South) owes two
// follow-ups, one overdue, and has one appointment this week whose
// participant has not answered the reminders request; a West referral
// still pages Erin Walsh. The clock stands at Fri 27 Nov 2026 09:01 EST.
type seeded struct {
	*service
	social, arrest, west string
}

func seedCaseloads(t *testing.T) seeded {
	t.Helper()
	prog := sample(t)
	prog.CaseloadTarget = 2
	s := newServiceFor(t, prog, 1)
	in := s.inst[0]
	referAndAccept := func(body string) string {
		s.text("osmith", body)
		in.svc.Wait()
		code := s.latest()
		s.expectText("jrivera", "LEAD page "+code)
		s.text("jrivera", "1 15")
		in.svc.Wait()
		r, err := in.svc.Lookup(context.Background(), code)
		if err != nil || r.AcceptedBy != "jrivera" {
			t.Fatalf("%s: accepted by %q, %v", code, r.AcceptedBy, err)
		}
		return code
	}
	d := seeded{service: s}
	d.social = referAndAccept("SC 40.4473,-80.0076 / grey hoodie") // Mon 23 Nov: due Thu 26 Nov 09:00
	s.clock.Advance(4 * 24 * time.Hour)                            // Fri 27 Nov 09:00: overdue by a day
	d.arrest = referAndAccept("AD 40.4480,-80.0070 / red jacket")  // due Sun 27 Dec
	s.text("jrivera", "APPT "+d.arrest+" 412-555-0177 12/1 2:30pm")
	in.svc.Wait()
	s.expectText("jrivera", "Asked")
	s.clock.Advance(time.Minute)
	s.text("osmith", "SC 101") // West: pages Erin Walsh
	in.svc.Wait()
	d.west = s.latest()
	if d.west == d.arrest {
		t.Fatal("no West referral")
	}
	return d
}

// Supervisors see each case manager of their cohorts against the target:
// Jo owes two follow-ups (at the target of 2), one overdue, one
// appointment this week, one participant awaiting consent; her own list
// says which, with the days left. A case manager sees only their own,
// and another cohort's case manager gets the same 403 as nobody at all.
// Every view is audited.
func TestBrowserCaseloads(t *testing.T) {
	d := seedCaseloads(t)
	in := d.inst[0]
	b := browsertest.Start(t)
	shots := screenshotDir(t)

	sup := b.NewTab(t)
	d.signIn(sup, in, "msup")
	if st := sup.Open(in.url + "/caseloads"); st != http.StatusOK {
		t.Fatalf("caseloads: %d", st)
	}
	for _, cohort := range []string{"north", "south"} {
		contains(t, "Jo in "+cohort, sup.Text("#cl-"+cohort+"-jrivera"), "Jo Rivera\t2 of 2 (at target)\t1\t30 days left\t1\t1")
	}
	contains(t, "Ana", sup.Text("#cl-north-aklein"), "Ana Klein\t0 of 2 (room for 2)\t0\tnone\t0\t0")
	contains(t, "Erin", sup.Text("#cl-west-ewalsh"), "Erin Walsh\t0 of 2 (room for 2)")
	sup.CheckAxe("caseloads")
	sup.Screenshots(shots, "caseloads")
	noCSPRefusals(t, sup)

	sup.Open(in.url + "/caseloads/jrivera")
	contains(t, "Jo's list", sup.Text("main"), "Caseload of Jo Rivera", "2 of 2 (at target)",
		d.social+"\tsocial contact\tNorth\tThu 26 Nov, 9:00 AM\toverdue by 1 day",
		d.arrest+"\tarrest diversion\tNorth\tSun 27 Dec, 9:0", "30 days left",
		d.arrest+": Tue 1 Dec, 2:30 PM")
	contains(t, "awaiting consent", sup.Text("#waiting"), d.arrest)
	for _, secret := range []string{"grey hoodie", "red jacket", "0177", "Sam Smith"} {
		if strings.Contains(sup.Text("main"), secret) {
			t.Errorf("the caseload shows %q", secret)
		}
	}
	sup.CheckAxe("caseload")
	sup.Screenshots(shots, "caseload")

	// The community form links the caseloads from its case-manager choice.
	sup.Open(in.url + "/community")
	contains(t, "community form", sup.Text("#caseloads-link"), "Who has room")

	// A case manager: their own list only.
	cm := b.NewTab(t)
	d.signIn(cm, in, "bnguyen") // East and West
	cm.Open(in.url + "/caseloads")
	contains(t, "Bao's caseloads page", cm.Text("main"), "Your caseload", "0 of 2 (room for 2)")
	cm.CheckAxe("own caseload")
	var refusals []string
	for _, id := range []string{"jrivera", "ewalsh", "nobody", "msup"} {
		st := cm.Open(in.url + "/caseloads/" + id)
		refusals = append(refusals, fmt.Sprint(st, " ", cm.Text("main")))
	}
	for i, r := range refusals {
		if !strings.HasPrefix(r, "403 ") || r != refusals[0] {
			t.Errorf("Bao opening a caseload (%d): %q; want the same 403 as for anyone", i, r)
		}
	}
	contains(t, "the refusal", refusals[0], "This caseload is not in your cohorts.")

	w := &world{t: t, prog: d.prog, rdb: d.rdb, sim: d.sim, clock: d.clock}
	intake := w.client(in.url)
	d.signInClient(intake, "iadams")
	if st, _, _ := intake.get("/caseloads"); st != http.StatusForbidden {
		t.Errorf("intake's caseloads: %d", st)
	}

	var views []string
	if err := in.console.Audit().Each(context.Background(), func(e console.Entry) error {
		if e.Action == console.ActionCaseloadView {
			views = append(views, e.Person+":"+e.Caseload)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"msup:", "msup:jrivera", "bnguyen:bnguyen"}; !slices.Equal(views, want) {
		t.Errorf("caseload views audited %q; want %q", views, want)
	}
}

// The map shows each viewer the open referrals whose details they may
// see: the supervisor all three, Jo the two she accepted, Bao (West, not
// yet paged) none; the program manager also each cohort's count for the
// period. Each referral located is audited.
func TestBrowserMap(t *testing.T) {
	d := seedCaseloads(t)
	in := d.inst[0]
	b := browsertest.Start(t)
	shots := screenshotDir(t)
	points := func(tab *browsertest.Tab) []string {
		t.Helper()
		within(t, tab, 5*time.Second, "map drawn", `document.getElementById("cohort-map").dataset.drawn == "1"`)
		codes := browsertest.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("path.point")).map(
			p => Array.from(p.classList).find(c => c.startsWith("point-")).slice(6)).sort()`))
		return codes
	}
	sorted := func(codes ...string) []string { slices.Sort(codes); return codes }

	sup := b.NewTab(t)
	d.signIn(sup, in, "msup")
	if st := sup.Open(in.url + "/map"); st != http.StatusOK {
		t.Fatalf("map: %d", st)
	}
	if got, want := points(sup), sorted(d.social, d.arrest, d.west); !slices.Equal(got, want) {
		t.Errorf("supervisor's points %v; want %v", got, want)
	}
	if n := browsertest.Run(sup, chromedp.Evaluate[int](`document.querySelectorAll(".leaflet-overlay-pane path:not(.point)").length`)); n != 4 {
		t.Errorf("supervisor's map draws %d outlines; want 4", n)
	}
	contains(t, "points table", sup.Text("#points"), d.arrest+"\tNorth\tarrest diversion\taccepted")
	if strings.Contains(sup.Text("main"), "Referrals per cohort") {
		t.Error("a supervisor sees the program manager's counts")
	}
	sup.CheckAxe("map")
	sup.Screenshots(shots, "map")
	noCSPRefusals(t, sup)

	jo := b.NewTab(t)
	d.signIn(jo, in, "jrivera")
	jo.Open(in.url + "/map")
	if got, want := points(jo), sorted(d.social, d.arrest); !slices.Equal(got, want) {
		t.Errorf("Jo's points %v; want %v", got, want)
	}
	bao := b.NewTab(t)
	d.signIn(bao, in, "bnguyen")
	bao.Open(in.url + "/map")
	if got := points(bao); len(got) != 0 {
		t.Errorf("Bao's points %v; want none", got)
	}
	if page := bao.Text("main"); strings.Contains(page, d.west) || strings.Contains(page, "40.44") {
		t.Errorf("Bao's map page shows a referral:\n%s", page)
	}

	pm := b.NewTab(t)
	d.signIn(pm, in, "pmorgan")
	pm.Open(in.url + "/map?from=2026-11-01&to=2026-11-30")
	if got := points(pm); len(got) != 3 {
		t.Errorf("program manager's points %v; want 3", got)
	}
	contains(t, "counts", pm.Text("#counts"), "North\t2", "East\t0", "South\t0", "West\t1")
	contains(t, "outline labels", pm.Text("#cohort-map"), "North: 2", "West: 1")
	pm.CheckAxe("map with counts")
	pm.Screenshots(shots, "map-counts")
	if st := pm.Open(in.url + "/map?from=2026-11-30&to=2026-11-01"); st != http.StatusUnprocessableEntity {
		t.Errorf("a period ending before it starts: %d", st)
	}

	located := map[string]int{}
	if err := in.console.Audit().Each(context.Background(), func(e console.Entry) error {
		if e.Action == console.ActionMapView {
			located[e.Person+":"+e.Referral]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if located["jrivera:"+d.arrest] != 1 || located["jrivera:"+d.west] != 0 || located["bnguyen:"] != 1 || located["msup:"+d.west] != 1 {
		t.Errorf("map views audited: %v", located)
	}
}
