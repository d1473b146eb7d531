package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// syncLog is a log sink tests read while the service writes.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
func (b *syncLog) String() string { b.mu.Lock(); defer b.mu.Unlock(); return b.buf.String() }

// readyz is /readyz's status and body.
func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// waitReady polls /readyz until it is 200.
func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second) // wall clock: a deadline for real processes to answer
	for {
		code, body := readyz(t, base)
		if code == http.StatusOK {
			return
		}
		if time.Now().After(deadline) { // wall clock: a deadline for real processes to answer
			t.Fatalf("/readyz still %d %q", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serveOn runs the service on rdb until the test ends, logging to logs,
// and returns its base URL, the simulator, a stop function that returns
// run's error, and run's error should it return by itself.
func serveOn(t *testing.T, rdb redis.UniversalClient, logs io.Writer, settings string) (string, *twiliosim.Server, func() error, <-chan error) {
	t.Helper()
	s := startServe(t, rdb, func(sv *service, _ *twiliosim.Server) {
		sv.redisSettings, sv.log = settings, slog.New(slog.NewJSONHandler(logs, nil))
	})
	return s.base, s.sim, s.stop, s.returned
}

// serve starts while Redis is down: /readyz is 503 and says why, the
// outage is logged once, and when Redis comes up the service becomes ready
// and answers texts.
func TestServeBecomesReadyWhenRedisStartsLate(t *testing.T) {
	addr := redistest.FreeAddr(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	defer rdb.Close()
	logs := &syncLog{}
	base, sim, stop, _ := serveOn(t, rdb, logs, "warn")

	deadline := time.Now().Add(5 * time.Second) // wall clock: a deadline for real processes to answer
	code, body := readyz(t, base)
	for !strings.Contains(body, "connection refused") && time.Now().Before(deadline) { // wall clock: a deadline for real processes to answer
		time.Sleep(20 * time.Millisecond)
		code, body = readyz(t, base)
	}
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "not ready: redis: ") || !strings.Contains(body, "connection refused") {
		t.Fatalf("/readyz with Redis down = %d %q", code, body)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz with Redis down: %v %v", resp, err)
	}
	resp.Body.Close()
	time.Sleep(1500 * time.Millisecond) // a few checks and timer polls fail meanwhile

	redistest.StartAt(t, addr)
	waitReady(t, base)
	prog, _ := program.LoadFS(examples.FS, "program.yaml")
	if _, err := sim.Text(context.Background(), "+14125550121", prog.Phone, "HELP"); err != nil {
		t.Fatalf("no answer once Redis is up: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatalf("run: %v", err)
	}
	out := logs.String()
	for msg, want := range map[string]int{`"msg":"redis unreachable"`: 1, `"msg":"redis reachable again"`: 1,
		`"msg":"leadline ready"`: 1, `"msg":"redis setting would lose data"`: 1, `"msg":"draining`: 1,
		`"msg":"drain: HTTP requests finished"`: 1, `"msg":"drained: texts and calls under way finished; stopped"`: 1} {
		if n := strings.Count(out, msg); n != want {
			t.Errorf("logged %s %d times, want %d", msg, n, want)
		}
	}
	// Nothing else logged an error while Redis was down: the monitor said it.
	if n := strings.Count(out, `"level":"ERROR"`); n != 1 {
		t.Errorf("%d errors logged, want 1 (the outage):\n%s", n, out)
	}
	if strings.Contains(out, "redis: 20") {
		t.Errorf("go-redis wrote plain lines:\n%s", out)
	}
}

// With LEADLINE_REDIS_SETTINGS=refuse a Redis that would lose data stops
// serve, saying why.
func TestServeRefusesUnsafeRedisSettings(t *testing.T) {
	rdb, _ := redistest.Start(t)
	logs := &syncLog{}
	_, _, _, done := serveOn(t, rdb, logs, "refuse")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "appendonly") {
			t.Fatalf("run = %v, want the refusal", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not refuse")
	}
}

// `leadline oncall override west cobi --for 3m` starts now, and the serve
// that runs texts cobi that they are on call and ewalsh, whom cobi
// replaces, that their shift has ended.
func TestOverrideStartingNowIsAnnounced(t *testing.T) {
	rdb, addr := redistest.Start(t)
	base, sim, _, _ := serveOn(t, rdb, &syncLog{}, "warn")
	waitReady(t, base)
	env := map[string]string{"REDIS_URL": "redis://" + addr}
	code, out, errOut := runCmd(t, "", env, "oncall", "override", "--config", writeSample(t, nil), "west", "cobi", "--for", "3m")
	if code != 0 {
		t.Fatalf("override: exit %d\n%s%s", code, out, errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for number, want := range map[string]string{"+14125550115": "You are on call for West", "+14125550117": "Your West on-call shift has ended"} {
		m, err := sim.NextMessage(ctx, number)
		if err != nil {
			t.Fatalf("no text to %s: %v", number, err)
		}
		if !strings.Contains(m.Body, want) {
			t.Errorf("text to %s = %q, want %q", number, m.Body, want)
		}
	}
}
