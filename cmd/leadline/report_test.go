package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// reportWorld stores referrals through the real dispatch service, at times
// the test sets, so that `report` reads what serve would have written.
type reportWorld struct {
	t      *testing.T
	prog   *program.Program
	svc    *dispatch.Service
	sim    *twiliosim.Server
	mu     sync.Mutex
	now    time.Time
	redis  string
	rdb    *redis.Client
	config string
}

func newReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	dir := filepath.Dir(writeSample(t, nil))
	config := filepath.Join(dir, "program.yaml")
	prog, err := program.Load(config)
	if err != nil {
		t.Fatal(err)
	}
	rdb, addr := redistest.Start(t)
	w := &reportWorld{t: t, prog: prog, redis: "redis://" + addr + "/0", rdb: rdb, config: config}
	w.sim = twiliosim.New(twiliosim.Options{AccountSID: demoSID, AuthToken: demoToken, Clock: w.clock})
	t.Cleanup(w.sim.Close)
	tw := phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: w.sim.URL()})
	store := oncall.New(rdb, prog, w.clock, nil)
	if err := store.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.svc, err = dispatch.NewService(dispatch.Config{Program: prog, Redis: rdb, OnCall: store, Texter: tw, Caller: tw,
		PublicURL: "http://127.0.0.1:1", Clock: w.clock, Keys: e2e.Keys(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.svc.Wait)
	return w
}

func (w *reportWorld) clock() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now }

// at sets the clock to a local time in the program's zone.
func (w *reportWorld) at(local string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", local, w.prog.TimeZone)
	if err != nil {
		w.t.Fatal(err)
	}
	w.mu.Lock()
	w.now = t
	w.mu.Unlock()
}

// text sends a text from a person and returns the reply.
func (w *reportWorld) text(id, body string) string {
	w.t.Helper()
	p, _ := w.prog.Person(id)
	if _, err := w.svc.ReceiveSMS(context.Background(), p.Phone, body, ""); err != nil {
		w.t.Fatalf("%s texts %q: %v", id, body, err)
	}
	// The reply goes out through the outbox; the last text to them is it.
	w.svc.Wait()
	reply := ""
	for range w.sim.Unread(p.Phone) {
		m, err := w.sim.NextMessage(context.Background(), p.Phone)
		if err != nil {
			w.t.Fatal(err)
		}
		reply = m.Body
	}
	return reply
}

func (w *reportWorld) refer(body string) string {
	w.t.Helper()
	code, _, _ := strings.Cut(w.text("osmith", body), ":")
	return code
}

func (w *reportWorld) report(format string, more ...string) string {
	w.t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string {
		switch k {
		case "REDIS_URL":
			return w.redis
		case datakey.EnvKey:
			key, _ := e2e.Keys().Export()
			return key
		}
		return ""
	}
	args := append([]string{"report", "--config", w.config, "--from", "2026-11-01", "--to", "2026-11-30",
		"--format", format, "--at", "2026-12-10 00:00"}, more...)
	code := run(context.Background(), args, nil, &out, &errOut, getenv, w.clock)
	if code != 0 {
		w.t.Fatalf("report exited %d: %s", code, errOut.String())
	}
	return out.String()
}

func TestReport(t *testing.T) {
	w := newReportWorld(t)
	const north = "AD 40.4473,-80.0076 / grey hoodie, says he is Tom"

	w.at("2026-10-31 23:50") // the day before the period
	w.refer(north)

	w.at("2026-11-03 10:00")
	engaged := w.refer(north)
	w.at("2026-11-03 10:04")
	w.text("jrivera", "1 "+engaged) // the referral of 31 Oct is still paged to jrivera: no timers run here
	w.at("2026-11-03 10:05")
	if reply := w.text("jrivera", "ETA 15"); !strings.Contains(reply, "ETA sent") {
		t.Fatalf("ETA: reply %q", reply)
	}
	w.at("2026-11-03 10:25") // five minutes after the ETA
	w.text("jrivera", "ARRIVED")
	w.at("2026-11-03 10:40")
	if reply := w.text("jrivera", "SOS"); !strings.HasPrefix(reply, "SOS "+engaged) {
		t.Fatalf("SOS: reply %q", reply)
	}
	w.at("2026-11-03 11:00")
	w.text("jrivera", "DONE ENGAGED")
	w.at("2026-11-06 09:30") // the intake, within its 30 days
	if reply := w.text("jrivera", "INTAKE "+engaged); !strings.Contains(reply, "recorded") {
		t.Fatalf("INTAKE %s: reply %q", engaged, reply)
	}

	w.at("2026-11-10 09:00")
	unanswered := w.refer("SC 101")
	for _, id := range []string{"ewalsh", "bnguyen", "msup"} {
		w.text(id, "2 "+unanswered)
	}

	w.at("2026-11-20 16:30")
	cancelled := w.refer(north)
	w.at("2026-11-20 16:35")
	w.text("osmith", "CANCEL "+cancelled)

	w.at("2026-11-30 23:59") // the last minute of the period
	open := w.refer(north)

	w.at("2026-12-01 00:00")
	w.refer(north)
	w.svc.Wait()

	// The referrals, one table; the summary is another file (--summary).
	recs, err := csv.NewReader(strings.NewReader(w.report("csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"code", "type", "cohort", "received", "accepted", "arrived", "closed", "outcome", "accepted_by", "steps",
			"follow_up_due", "followed_up", "agency", "eta_min", "late", "nudges", "check_ins", "sos"},
		{engaged, "arrest", "North", "2026-11-03T10:00:00-05:00", "2026-11-03T10:04:00-05:00", "2026-11-03T10:25:00-05:00", "2026-11-03T11:00:00-05:00", "engaged", "Jo Rivera", "0",
			"2026-12-03T10:04:00-05:00", "2026-11-06T09:30:00-05:00", "Pittsburgh Bureau of Police", "15", "yes", "0", "0", "1"},
		{unanswered, "social", "West", "2026-11-10T09:00:00-05:00", "", "", "2026-11-10T09:00:00-05:00", "unanswered", "", "2", "", "", "Pittsburgh Bureau of Police",
			"", "", "0", "0", "0"},
		{cancelled, "arrest", "North", "2026-11-20T16:30:00-05:00", "", "", "2026-11-20T16:35:00-05:00", "cancelled", "", "0", "", "", "Pittsburgh Bureau of Police",
			"", "", "0", "0", "0"},
		{open, "arrest", "North", "2026-11-30T23:59:00-05:00", "", "", "", "open", "", "0", "", "", "Pittsburgh Bureau of Police",
			"", "", "0", "0", "0"},
	}
	if len(recs) != len(want) {
		t.Fatalf("report has %d lines:\n%q", len(recs), recs)
	}
	for i, row := range want {
		if !slices.Equal(recs[i], row) {
			t.Errorf("row %d:\n got %q\nwant %q", i, recs[i], row)
		}
	}
	// The summary: North arrest has three referrals, one accepted in 4
	// minutes and on scene in 25; the cancelled one is not a missed hand-off,
	// nor is the one still open: it is counted apart.
	// Its intake came 2 days 23 hours 26 minutes after the accept, on time;
	// being recorded, it counts whatever the wall clock says.
	sums, err := csv.NewReader(strings.NewReader(w.report("csv", "--summary"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var north3, west1 []string
	for _, rec := range sums[1:] {
		if len(rec) > 2 && rec[0] == "North" && rec[1] == "arrest" {
			north3 = rec
		}
		if len(rec) > 2 && rec[0] == "West" && rec[1] == "social" {
			west1 = rec
		}
	}
	if !slices.Equal(north3, []string{"North", "arrest", "3", "1", "240", "240", "1", "1500", "1500", "1.000", "0", "1", "1", "257160",
		"1", "1", "1", "0", "0", "0", "1.000", "1"}) {
		t.Errorf("North arrest summary: %q", north3)
	}
	if !slices.Equal(west1, []string{"West", "social", "1", "0", "", "", "0", "", "", "0.000", "1", "0", "0", "",
		"0", "0", "0", "0", "0", "0", "", "0"}) {
		t.Errorf("West social summary: %q", west1)
	}

	for _, format := range []string{"table", "csv", "json"} {
		out := w.report(format)
		for _, secret := range []string{"Tom", "hoodie", "+1412", "412-555", "40.4473", "Sam Smith", "osmith"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s report contains %q", format, secret)
			}
		}
	}
	var doc struct {
		Referrals []map[string]any `json:"referrals"`
	}
	if err := json.Unmarshal([]byte(w.report("json")), &doc); err != nil || len(doc.Referrals) != 4 {
		t.Fatalf("json report: %v, %d referrals", err, len(doc.Referrals))
	}
	if got := doc.Referrals[0]["followed_up"]; got != "2026-11-06T09:30:00-05:00" {
		t.Errorf("json followed_up of %s = %#v", engaged, got)
	}
	if table := w.report("table"); !strings.Contains(table, engaged) || !strings.Contains(table, "WITHIN_30M") ||
		!strings.Contains(table, "FOLLOWED_ON_TIME") || !strings.Contains(table, "2026-11-06 09:30") {
		t.Errorf("table report:\n%s", table)
	}
}

func TestReportBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"report"},
		{"report", "--config", "x.yaml", "--from", "2026-11-01"},
		{"report", "--config", "../../examples/program.yaml", "--from", "Nov 1", "--to", "2026-11-30"},
		{"report", "--config", "../../examples/program.yaml", "--from", "2026-11-30", "--to", "2026-11-01"},
		{"report", "--config", "../../examples/program.yaml", "--from", "2026-11-01", "--to", "2026-11-30", "--at", "tomorrow"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, nil, &out, &errOut, func(string) string { return "" }, func() time.Time { return cmdNow }); code == 0 {
			t.Errorf("%q exited 0", args)
		}
		if errOut.Len() == 0 {
			t.Errorf("%q said nothing", args)
		}
	}
}
