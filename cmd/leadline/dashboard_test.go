package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/report"
)

// seedNovember stores November's referrals through the service: an engaged
// one handed off in 25 minutes with its intake, one nobody answered, one
// the officer cancelled, and one still open at the end of the month.
func seedNovember(t *testing.T, w *reportWorld) {
	const north = "AD 40.4473,-80.0076 / grey hoodie, says he is Tom"
	w.at("2026-11-03 10:00")
	engaged := w.refer(north)
	w.at("2026-11-03 10:00") // accepted 40 seconds after: shown in seconds
	w.mu.Lock()
	w.now = w.now.Add(40 * time.Second)
	w.mu.Unlock()
	w.text("jrivera", "1")
	w.at("2026-11-03 10:25")
	w.text("jrivera", "ARRIVED")
	w.at("2026-11-03 11:00")
	w.text("jrivera", "DONE ENGAGED")
	w.at("2026-11-06 09:30")
	w.text("jrivera", "INTAKE "+engaged)
	w.at("2026-11-10 09:00")
	w.refer("SC 101")
	for _, id := range []string{"ewalsh", "bnguyen", "msup"} {
		w.text(id, "2")
	}
	w.at("2026-11-20 16:30")
	cancelled := w.refer(north)
	w.at("2026-11-20 16:35")
	w.text("osmith", "CANCEL "+cancelled)
	w.at("2026-11-30 23:59")
	w.refer(north)
	w.svc.Wait()
}

// The dashboard's files are, byte for byte, what `leadline report` prints for
// the same days and options at the same time, and its figures are the
// report's; every view and download is audited.
func TestDashboardIsTheReport(t *testing.T) {
	w := newReportWorld(t)
	seedNovember(t, w)
	w.at("2026-12-10 00:00") // the time the CLI's --at names

	srv := httptest.NewUnstartedServer(nil)
	tw := phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: w.sim.URL()})
	box, err := outbox.New(w.rdb, tw, outbox.Options{Clock: w.clock, Keys: e2e.Keys()})
	if err != nil {
		t.Fatal(err)
	}
	con, err := console.New(console.Config{Keys: e2e.Keys(), Program: w.prog, Redis: w.rdb, Clock: w.clock, DemoSignIn: true,
		PublicURL: "http://" + srv.Listener.Addr().String(), Texter: console.OutboxTexter{Box: box, From: w.prog.Phone},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = con.Handler()
	srv.Start()
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(get("/signin/demo"))[1]
	if resp, err := c.PostForm(srv.URL+"/signin/demo", url.Values{"csrf": {csrf}, "person": {"pmorgan"}}); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}

	period := "from=2026-11-01&to=2026-11-30"
	for _, tt := range []struct {
		query string
		cli   []string
	}{
		{"report.csv?" + period, []string{"csv"}},
		{"report.csv?" + period + "&summary=1", []string{"csv", "--summary"}},
		{"report.csv?" + period + "&by=agency&summary=1", []string{"csv", "--summary", "--by", "agency"}},
		{"report.json?" + period, []string{"json"}},
	} {
		if got, want := get("/dashboard/"+tt.query), w.report(tt.cli[0], tt.cli[1:]...); got != want {
			t.Errorf("%s differs from leadline report %q:\n got %q\nwant %q", tt.query, tt.cli, got, want)
		}
	}

	var doc struct {
		Summary []map[string]any `json:"summary"`
	}
	if err := json.Unmarshal([]byte(w.report("json")), &doc); err != nil {
		t.Fatal(err)
	}
	all := doc.Summary[len(doc.Summary)-1]
	secs := func(k string) string { return report.Duration(secondsOf(all[k])) }
	page := get("/dashboard?" + period)
	for id, want := range map[string]string{
		"fig-count":         jsonInt(all["count"]),
		"fig-median-accept": secs("median_accept_s"),
		"fig-p90-accept":    secs("p90_accept_s"),
		"fig-median-arrive": secs("median_arrive_s"),
		"fig-within":        percent(all["within_30m"]),
		"fig-unanswered":    jsonInt(all["unanswered"]),
		"fig-open":          jsonInt(all["open"]),
		"fig-cancelled":     jsonInt(all["cancelled"]),
		"fig-follow":        jsonInt(all["followed_on_time"]) + " of " + jsonInt(all["follow_ups_due"]),
	} {
		m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(page)
		if m == nil || m[1] != want {
			t.Errorf("%s on the dashboard: %v, want %q (the report's)", id, m, want)
		}
	}
	// 4 referrals, accepted in 40 s; within 30 min 1 of 2: the unanswered one
	// counts, the cancelled one and the one still open do not.
	if !strings.Contains(page, `id="fig-count">4<`) || !strings.Contains(page, `id="fig-median-accept">40s<`) ||
		!strings.Contains(page, `id="fig-within">50%<`) {
		t.Errorf("dashboard figures:\n%s", page)
	}
	for _, secret := range []string{"Tom", "hoodie", "+1412", "40.4473", "Sam Smith", "osmith"} {
		if strings.Contains(page, secret) {
			t.Errorf("the dashboard shows %q", secret)
		}
	}
	audit := get("/audit.csv")
	if strings.Count(audit, ",dashboard_view,") != 1 || strings.Count(audit, ",report_export,") != 4 {
		t.Errorf("audit log:\n%s", audit)
	}
}

func secondsOf(v any) (d time.Duration) {
	f, _ := v.(float64)
	return time.Duration(f * 1e9)
}

func jsonInt(v any) string {
	f, _ := v.(float64)
	return strconv.Itoa(int(f))
}

func percent(v any) string {
	f, _ := v.(float64)
	return strconv.Itoa(int(math.Round(f*100))) + "%"
}
