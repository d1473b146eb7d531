package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/browsertest"
)

// The dashboard in a browser: the program manager sees the whole program,
// its charts drawn by uPlot, and prints it on one page; a case manager sees
// only their cohorts' figures and files; intake is refused. Every view and
// download is audited.
func TestBrowserDashboard(t *testing.T) {
	s := newService(t, 1)
	inst := s.inst[0]
	s.text("osmith", "AD 40.4473,-80.0076 / male 30s red jacket") // North
	inst.svc.Wait()
	north := s.latest()
	r, err := inst.svc.Lookup(context.Background(), north)
	if err != nil || len(r.Paged) != 1 {
		t.Fatalf("lookup %s: %+v %v", north, r, err)
	}
	s.clock.Advance(3 * time.Minute)
	s.text(r.Paged[0], "1 15")
	inst.svc.Wait()
	s.text("osmith", "SC 101") // West
	inst.svc.Wait()
	west := s.latest()
	if west == north {
		t.Fatal("no West referral")
	}
	s.clock.Advance(time.Hour)

	b := browsertest.Start(t)
	shots := screenshotDir(t)
	pm := b.NewTab(t)
	s.signIn(pm, inst, "pmorgan")
	if st := pm.Open(inst.url + "/dashboard"); st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	main := pm.Text("main")
	contains(t, "program manager's dashboard", main, "Response times", "the whole program", "North", "West", "3m")
	if got := pm.Text("#fig-count"); got != "2" {
		t.Errorf("referrals: %q, want 2", got)
	}
	within(t, pm, 5*time.Second, "charts drawn", `document.querySelectorAll(".chart canvas").length == 2`)
	for _, secret := range []string{"red jacket", "40.4473", "Sam Smith", "4411"} {
		if strings.Contains(main, secret) {
			t.Errorf("the dashboard shows %q", secret)
		}
	}
	pm.CheckAxe("dashboard")
	pm.Screenshots(shots, "dashboard")
	noCSPRefusals(t, pm)

	// The print layout: no navigation, no form, one page.
	prefer := true
	pdf, err := chromedp.Call(pm.Context(), page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &prefer})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf.Data, -1)); n != 1 {
		t.Errorf("the printed dashboard has %d pages, want 1", n)
	}

	cm := b.NewTab(t)
	s.signIn(cm, inst, "jrivera") // North and South
	cm.Open(inst.url + "/dashboard")
	if got := cm.Text("#fig-count"); got != "1" {
		t.Errorf("jrivera's dashboard counts %q referrals, want North's 1", got)
	}
	if strings.Contains(cm.Text("#summary"), "West") {
		t.Error("jrivera's dashboard shows West")
	}
	csv := browsertest.Run(cm, chromedp.Evaluate[string](`fetch("/dashboard/report.csv").then(r => r.text())`,
		chromedp.EvalAwaitPromise))
	if !strings.Contains(csv, north) || strings.Contains(csv, west) {
		t.Errorf("jrivera's download:\n%s", csv)
	}
	cm.CheckAxe("dashboard (case manager)")

	intake := b.NewTab(t)
	s.signIn(intake, inst, "iadams")
	if st := intake.Open(inst.url + "/dashboard"); st != http.StatusForbidden {
		t.Errorf("intake opened the dashboard: %d", st)
	}
	if strings.Contains(intake.Text("header"), "Response times") {
		t.Error("intake is offered the dashboard")
	}

	// A period that is not one is refused with the reason, and nothing shown.
	pm.Open(inst.url + "/dashboard?from=2026-12-01&to=2026-11-01")
	contains(t, "bad period", pm.Text("main"), "The last day is before the first.")

	seen := map[console.Action][]string{}
	err = inst.console.Audit().Each(context.Background(), func(e console.Entry) error {
		if e.Action == console.ActionDashboardView || e.Action == console.ActionReportExport {
			seen[e.Action] = append(seen[e.Action], e.Person)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen[console.ActionDashboardView], " ") != "pmorgan jrivera" ||
		strings.Join(seen[console.ActionReportExport], " ") != "jrivera" {
		t.Errorf("audited: %v", seen)
	}
}
