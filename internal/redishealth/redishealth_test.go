package redishealth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redishealth"
	"github.com/leadline/leadline/internal/redistest"
)

// logBuf collects JSON log lines.
type logBuf struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// take returns the messages logged since the last take.
func (b *logBuf) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for line := range strings.Lines(b.buf.String()) {
		_, rest, _ := strings.Cut(line, `"msg":"`)
		msg, _, _ := strings.Cut(rest, `"`)
		out = append(out, msg)
	}
	b.buf.Reset()
	return out
}

// An outage is logged once when it starts, then with a doubling backoff
// while it lasts, and once when it ends; Err says why meanwhile.
func TestMonitorLogsAnOutageOnceThenWithBackoff(t *testing.T) {
	ctx := context.Background()
	addr := redistest.FreeAddr(t)
	rdb := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer rdb.Close()
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	logs := &logBuf{}
	reg := prometheus.NewRegistry()
	m, err := redishealth.NewMonitor(rdb, func() time.Time { return now }, slog.New(slog.NewJSONHandler(logs, nil)), reg)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(m.Err(), redishealth.ErrNotChecked) {
		t.Errorf("before a check Err = %v", m.Err())
	}
	// Seconds at which checks run, and what each logs.
	for _, step := range []struct {
		at   time.Duration
		want []string
	}{
		{0, []string{"redis unreachable"}},
		{time.Second, nil},
		{9 * time.Second, nil},
		{10 * time.Second, []string{"redis still unreachable"}},
		{29 * time.Second, nil},
		{30 * time.Second, []string{"redis still unreachable"}},
		{69 * time.Second, nil},
		{70 * time.Second, []string{"redis still unreachable"}},
	} {
		now = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC).Add(step.at)
		if err := m.Check(ctx); err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("check at %s: %v", step.at, err)
		}
		if got := logs.take(); strings.Join(got, "|") != strings.Join(step.want, "|") {
			t.Errorf("at %s logged %q, want %q", step.at, got, step.want)
		}
	}
	if m.Err() == nil || upValue(t, reg) != 0 {
		t.Errorf("down: Err = %v, leadline_redis_up = %v", m.Err(), upValue(t, reg))
	}
	select {
	case <-m.Up():
		t.Fatal("Up closed while down")
	default:
	}
	redistest.StartAt(t, addr)
	now = now.Add(5 * time.Second)
	if err := m.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if got := logs.take(); len(got) != 1 || got[0] != "redis reachable again" {
		t.Errorf("recovery logged %q", got)
	}
	if m.Err() != nil || upValue(t, reg) != 1 {
		t.Errorf("up: Err = %v", m.Err())
	}
	<-m.Up()
	if err := m.Check(ctx); err != nil || len(logs.take()) != 0 {
		t.Errorf("a second good check: %v, logged", err)
	}
}

func upValue(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetName() != "leadline_redis_up" {
		t.Fatalf("metrics %v %v", mfs, err)
	}
	return mfs[0].Metric[0].GetGauge().GetValue()
}

func TestCheckSettings(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	logs := &logBuf{}
	log := slog.New(slog.NewJSONHandler(logs, nil))

	// The test server keeps nothing: appendonly no; and evicts nothing by
	// default (noeviction), so set a policy that would.
	if err := rdb.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru").Err(); err != nil {
		t.Fatal(err)
	}
	if err := redishealth.CheckSettings(ctx, rdb, false, log); err != nil {
		t.Fatal(err)
	}
	if got := logs.take(); len(got) != 2 || got[0] != "redis setting would lose data" {
		t.Errorf("warnings %q", got)
	}
	err := redishealth.CheckSettings(ctx, rdb, true, log)
	if !errors.Is(err, redishealth.ErrUnsafeSettings) || !strings.Contains(err.Error(), "appendonly") ||
		!strings.Contains(err.Error(), `maxmemory-policy is "allkeys-lru"`) {
		t.Errorf("strict: %v", err)
	}

	for _, kv := range [][2]string{{"appendonly", "yes"}, {"appendfsync", "no"}, {"maxmemory-policy", "noeviction"}} {
		if err := rdb.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := redishealth.CheckSettings(ctx, rdb, true, log); err == nil || !strings.Contains(err.Error(), "appendfsync") {
		t.Errorf("appendfsync no: %v", err)
	}
	if err := rdb.ConfigSet(ctx, "appendfsync", "everysec").Err(); err != nil {
		t.Fatal(err)
	}
	if err := redishealth.CheckSettings(ctx, rdb, true, log); err != nil {
		t.Errorf("good settings: %v", err)
	}
	if got := logs.take(); len(got) != 0 {
		t.Errorf("good settings logged %q", got)
	}

	// A user without CONFIG (as managed services give) is told to check
	// the settings, and serve goes on even in strict mode.
	if err := rdb.Do(ctx, "ACL", "SETUSER", "app", "on", ">pw", "~*", "+@all", "-config").Err(); err != nil {
		t.Fatal(err)
	}
	app := redis.NewClient(&redis.Options{Addr: rdb.Options().Addr, Username: "app", Password: "pw"})
	defer app.Close()
	if err := redishealth.CheckSettings(ctx, app, true, log); err != nil {
		t.Errorf("refused CONFIG: %v", err)
	}
	if got := logs.take(); len(got) != 1 || !strings.HasPrefix(got[0], "cannot read Redis durability settings") {
		t.Errorf("refused CONFIG logged %q", got)
	}
}

// On a cluster every master is read.
func TestReadSettingsOnCluster(t *testing.T) {
	rdb, addrs := redistest.StartCluster(t)
	nodes, err := redishealth.ReadSettings(context.Background(), rdb)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != len(addrs) {
		t.Fatalf("read %d nodes, want %d", len(nodes), len(addrs))
	}
	for _, n := range nodes {
		if n.AppendOnly != "no" || n.MaxmemoryPolicy != "noeviction" {
			t.Errorf("%+v", n)
		}
	}
}

// go-redis's own lines come out as slog records.
func TestSetLogger(t *testing.T) {
	logs := &logBuf{}
	redishealth.SetLogger(slog.New(slog.NewJSONHandler(logs, nil)))
	defer redishealth.SetLogger(slog.New(slog.DiscardHandler))
	rdb := redis.NewClient(&redis.Options{Addr: redistest.FreeAddr(t), MaxRetries: -1, DialerRetries: 1})
	defer rdb.Close()
	_ = rdb.Ping(context.Background()).Err()
	logs.mu.Lock()
	out := logs.buf.String()
	logs.mu.Unlock()
	if !strings.Contains(out, `"component":"go-redis"`) || !strings.Contains(out, `"level":"WARN"`) || !strings.Contains(out, "dial") {
		t.Errorf("go-redis logged %q", out)
	}
}
