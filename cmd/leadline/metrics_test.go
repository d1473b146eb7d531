package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/twiliosim"
)

// pendingMetrics are named by the dashboard but not exported yet: none.
var pendingMetrics = map[string]bool{}

// metricNames are the leadline_ metric families that deploy/'s dashboard
// and alert rules name.
func metricNames(t *testing.T) map[string][]string {
	t.Helper()
	// Histograms are queried by their series; the family is the name.
	re := regexp.MustCompile(`leadline_[a-z_]+`)
	suffix := regexp.MustCompile(`_(bucket|count|sum)$`)
	out := map[string][]string{}
	for _, file := range []string{"../../deploy/grafana/leadline.json", "../../deploy/prometheus/alerts.yml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range re.FindAllString(string(data), -1) {
			name = suffix.ReplaceAllString(name, "")
			out[name] = append(out[name], file)
		}
	}
	return out
}

// Every metric the dashboard and the alert rules name is on /metrics once
// the service has done what each counts: a referral paged by text, then by
// call after the wait, accepted, arrived at; a Twilio error on the way.
func TestMetricsExist(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	var clk *clocktest.Clock
	srv := startServe(t, rdb, func(sv *service, sim *twiliosim.Server) {
		clk = clocktest.New(time.Date(2026, 11, 24, 14, 0, 0, 0, sv.prog.TimeZone))
		sv.ops, sv.clock, sv.log = opsListener(t), clk.Now, newLogger(io.Discard)
		sv.twilio = phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: sim.URL(), RetryBase: time.Millisecond})
	})
	prog, sim, base, opsBase := srv.prog, srv.sim, srv.base, srv.opsBase
	waitReady(t, base)

	const officer, cm = "+14125550121", "+14125550111"
	wait, stop := context.WithTimeout(ctx, 15*time.Second)
	defer stop()
	sim.FailSends(officer, 1, 429, 20429) // the officer's reply is retried once
	if _, err := sim.Text(ctx, officer, prog.Phone, "AD 40.4473,-80.0076 / red jacket"); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.NextMessage(wait, cm); err != nil {
		t.Fatalf("no page text: %v", err)
	}
	clk.Advance(5*time.Minute + time.Second)
	if _, err := sim.NextCall(wait, cm); err != nil {
		t.Fatalf("no page call: %v", err)
	}
	for _, text := range []string{"1 15", "ARRIVED"} {
		if _, err := sim.Text(ctx, cm, prog.Phone, text); err != nil {
			t.Fatal(err)
		}
		if _, err := sim.NextMessage(wait, cm); err != nil {
			t.Fatalf("no answer to %q: %v", text, err)
		}
	}

	resp, err := http.Get(opsBase + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	exposed := map[string]bool{}
	for line := range strings.Lines(string(body)) {
		if name, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, _, _ = strings.Cut(name, " ")
			exposed[name] = true
		}
	}
	names := metricNames(t)
	if len(names) < 10 {
		t.Fatalf("deploy/ names only %d metrics", len(names))
	}
	var missing []string
	for name, files := range names {
		switch {
		case exposed[name] && pendingMetrics[name]:
			t.Errorf("%s is exported now: take it off pendingMetrics", name)
		case !exposed[name] && !pendingMetrics[name]:
			missing = append(missing, name+" (in "+strings.Join(files, ", ")+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("not on /metrics: %s", m)
	}
	for _, want := range []string{`leadline_timers_pending{queue="dispatch"}`, `leadline_twilio_errors_total{code="20429",kind="sms"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
