// Package redishealth watches whether Redis answers, so that `serve` can
// start before Redis does, say why it is not ready, and log an outage once
// when it starts, again with backoff while it lasts, and once when it ends.
// It also reads the settings on which Leadline's durability rests
// (CheckSettings) and routes go-redis's own log lines through slog.
package redishealth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Backoff of the "still unreachable" log lines: the first this long after
// the outage starts, then each twice as long after the last, at most
// maxRepeat apart.
const (
	firstRepeat = 10 * time.Second
	maxRepeat   = 10 * time.Minute
)

// pingTimeout bounds one check.
const pingTimeout = 2 * time.Second

// ErrNotChecked is the state before the first check.
var ErrNotChecked = errors.New("redis not checked yet")

// Monitor pings Redis and remembers the answer. It is safe for concurrent
// use.
type Monitor struct {
	rdb redis.UniversalClient
	now func() time.Time
	log *slog.Logger
	up  prometheus.Gauge

	mu       sync.Mutex
	err      error     // the last check's error; nil when up
	since    time.Time // when the outage started
	nextLog  time.Time // when to log it again
	interval time.Duration
	ready    chan struct{} // closed on the first successful check

	suppressed atomic.Int64 // records Quiet dropped since the last report
}

// NewMonitor watches rdb. clock may be nil for the wall clock; reg, if not
// nil, gets leadline_redis_up (1 when the last check answered, else 0).
func NewMonitor(rdb redis.UniversalClient, clock func() time.Time, log *slog.Logger, reg prometheus.Registerer) (*Monitor, error) {
	if clock == nil {
		clock = time.Now
	}
	m := &Monitor{rdb: rdb, now: clock, log: log, err: ErrNotChecked, ready: make(chan struct{}),
		up: prometheus.NewGauge(prometheus.GaugeOpts{Name: "leadline_redis_up",
			Help: "1 when the last check of Redis (PING, every second) answered, else 0."})}
	if reg != nil {
		if err := reg.Register(m.up); err != nil {
			return nil, fmt.Errorf("redishealth metrics: %w", err)
		}
	}
	return m, nil
}

// Err is nil when the last check answered, else why not.
func (m *Monitor) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Up is closed once Redis has answered for the first time.
func (m *Monitor) Up() <-chan struct{} { return m.ready }

// Check pings Redis once and logs a change: the start of an outage (an
// error), its end (with how long it lasted), and in between a reminder
// when the backoff says so.
func (m *Monitor) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	err := m.rdb.Ping(ctx).Err()
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	was := m.err
	m.err = err
	switch {
	case err == nil:
		m.up.Set(1)
		switch {
		case errors.Is(was, ErrNotChecked):
			m.log.Info("redis reachable")
		case was != nil:
			m.log.Info("redis reachable again", "outage", now.Sub(m.since).Round(time.Second).String(),
				"suppressed", m.suppressed.Swap(0))
		}
		select {
		case <-m.ready:
		default:
			close(m.ready)
		}
	case was == nil || errors.Is(was, ErrNotChecked):
		m.up.Set(0)
		m.since, m.interval = now, firstRepeat
		m.nextLog = now.Add(m.interval)
		m.log.Error("redis unreachable", "err", err)
	case !now.Before(m.nextLog):
		m.interval = min(2*m.interval, maxRepeat)
		m.nextLog = now.Add(m.interval)
		m.log.Error("redis still unreachable", "err", err, "for", now.Sub(m.since).Round(time.Second).String(),
			"suppressed", m.suppressed.Swap(0))
	}
	return err
}

// Run checks every interval until ctx ends.
func (m *Monitor) Run(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if ctx.Err() == nil {
			_ = m.Check(ctx) // Check logs what matters
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// slogLogger is go-redis's internal.Logging on slog.
type slogLogger struct{ log *slog.Logger }

// Printf logs one go-redis line. Its lines of trouble ("failed to dial",
// "error") are warnings with the line as "err", so that Quiet holds them
// back during an outage like any other failure; the rest are information.
func (l slogLogger) Printf(ctx context.Context, format string, v ...any) {
	line := fmt.Sprintf(format, v...)
	if lower := strings.ToLower(line); strings.Contains(lower, "fail") || strings.Contains(lower, "error") {
		l.log.WarnContext(ctx, "redis client", "err", line)
		return
	}
	l.log.InfoContext(ctx, "redis client", "detail", line)
}

// SetLogger sends go-redis's own log lines (sentinel switches, pool
// trouble) to log as JSON records instead of plain lines on stderr. It is
// process-wide, as go-redis's logger is.
func SetLogger(log *slog.Logger) {
	redis.SetLogger(slogLogger{log: log.With("component", "go-redis")})
}
