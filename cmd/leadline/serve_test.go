package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/twiliosim"
)

// The service serves until its context ends, then stops cleanly: this is
// what SIGTERM does to `leadline serve`.
func TestServiceStopsGracefully(t *testing.T) {
	rdb, _ := redistest.Start(t)
	srv := startServe(t, rdb, func(sv *service, _ *twiliosim.Server) { sv.ops = opsListener(t) })
	prog, sim, base, opsBase := srv.prog, srv.sim, srv.base, srv.opsBase
	waitReady(t, base)
	if _, err := sim.Text(context.Background(), "+14125550121", prog.Phone, "HELP"); err != nil {
		t.Fatalf("the service did not answer: %v", err)
	}
	resp, err := http.Get(base + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(opsBase + "/metrics")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %v %v", resp, err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`leadline_webhook_duration_seconds_count{route="/twilio/sms",status="200"} 1`, "go_goroutines", "process_"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The public address keeps /metrics to itself: only the ops address serves it.
	if resp, err := http.Get(base + "/metrics"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("public /metrics: %v %v, want 404", resp, err)
	} else {
		resp.Body.Close()
	}

	if err := srv.stop(); err != nil {
		t.Errorf("run returned %v after shutdown, want nil", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
	// The rotation was seeded from the config.
	if got := rdb.HGet(context.Background(), "leadline:{oncall}:cohort:north:schedule", "rotation").Val(); got != "jrivera aklein" {
		t.Errorf("north rotation in Redis = %q", got)
	}
}

// SIGTERM under load: texts in flight when it comes, and texts that arrive
// during the drain period, are all stored and answered; /readyz says
// "draining" at once; after the period the server stops accepting. The
// figure: texts lost (must be 0). A request the client writes on a
// kept-alive connection at the very moment the server closes it as idle
// may fail in the client (EOF, reset, "server closed idle connection")
// without reaching it: Twilio retries such a webhook. So the test holds
// that every text answered is stored, and allows two such client-side
// failures.
func TestDrainFinishesRequestsInFlight(t *testing.T) {
	rdb, _ := redistest.Start(t)
	srv := startServe(t, rdb, func(sv *service, _ *twiliosim.Server) {
		sv.log, sv.drainPeriod = slog.New(slog.NewTextHandler(t.Output(), nil)), time.Second
	})
	prog, sim, base := srv.prog, srv.sim, srv.base
	waitReady(t, base)
	sigterm, done := srv.sigterm, srv.returned
	const inFlight, during = 40, 10
	errs := make(chan error, inFlight+during)
	var sent atomic.Int64
	text := func() {
		// Each a different person (its notes), so none is taken for a resend.
		body := fmt.Sprintf("AD 40.4473,-80.0076 / person %d", sent.Add(1))
		_, err := sim.Text(context.Background(), "+14125550121", prog.Phone, body)
		errs <- err
	}
	for range inFlight {
		go text()
	}
	sigterm()
	for range during {
		go text()
	}
	var status int
	var body []byte
	for range 20 { // the signal is handled in a goroutine of its own: allow it 100 ms
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("/readyz during the drain: %v", err)
		}
		status = resp.StatusCode
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if status == http.StatusServiceUnavailable {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), "draining") {
		t.Errorf("/readyz after SIGTERM: %d %q, want 503 draining", status, body)
	}
	failed := 0
	for range inFlight + during {
		if err := <-errs; err != nil {
			failed++
			t.Log(err)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the service did not stop")
	}
	stored := rdb.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val()
	answered := inFlight + during - failed
	t.Logf("figure: %d of %d texts answered, %d stored, %d answered but lost", answered, inFlight+during, stored, max(int64(answered)-stored, 0))
	if stored < int64(answered) || failed > 2 {
		t.Errorf("%d of %d texts answered and %d stored, want every answered text stored and at most 2 client-side failures", answered, inFlight+during, stored)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("still serving after the drain")
	}
}
