// Package jobs runs the program's wall-clock jobs (the weekly on-call
// summary; later the daily digest) with robfig/cron in the program's time
// zone, each firing once however many instances run.
//
// cron knows nothing of other instances, does not recover a panicking job
// by default, and at a time daylight saving repeats may fire twice. So each
// firing first takes a Redis lease keyed by the job and its local date and
// time, and runs only if it got it; cron.Recover keeps one bad job from
// taking the process down. Times that daylight saving skips are refused by
// the config (see program.WeeklySummary).
//
// Redis keys:
//
//	leadline:{jobs}:<job>:<local 2006-01-02T15:04>  string: that firing was taken; 8 days
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"
)

// leaseTTL outlives a weekly job's period, so a repeated hour a week
// later is still deduplicated.
const leaseTTL = 8 * 24 * time.Hour

// Job is one firing; at is its scheduled local time.
type Job func(ctx context.Context, at time.Time) error

// Runner runs jobs on a cron schedule.
type Runner struct {
	cron *cron.Cron
	rdb  redis.UniversalClient
	loc  *time.Location
	log  *slog.Logger
	now  func() time.Time
	ctx  context.Context
}

// New returns a Runner in loc. clock is required (time.Now in serve, the
// test's clock in tests); a nil clock panics, so no caller can fall back
// to the wall clock by leaving it out.
func New(rdb redis.UniversalClient, loc *time.Location, clock func() time.Time, log *slog.Logger) *Runner {
	if clock == nil {
		panic("jobs.New: a clock is required")
	}
	if log == nil {
		log = slog.Default()
	}
	l := cronLogger{log}
	return &Runner{rdb: rdb, loc: loc, log: log, now: clock, ctx: context.Background(),
		cron: cron.New(cron.WithLocation(loc), cron.WithLogger(l), cron.WithChain(cron.Recover(l)))}
}

// Add schedules job under name at spec, a standard 5-field cron spec
// (minute hour day-of-month month day-of-week) in the Runner's zone.
func (r *Runner) Add(name, spec string, job Job) error {
	if _, err := r.cron.AddFunc(spec, func() { r.Fire(r.ctx, name, job) }); err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", name, spec, err)
	}
	return nil
}

// Run runs the jobs until ctx ends, then waits for any under way.
func (r *Runner) Run(ctx context.Context) {
	r.ctx = ctx
	r.cron.Start()
	<-ctx.Done()
	<-r.cron.Stop().Done()
}

// Fire runs one firing of job now, if no instance has yet: the lease is
// keyed by name and the local time to the minute.
func (r *Runner) Fire(ctx context.Context, name string, job Job) {
	at := r.now().In(r.loc).Truncate(time.Minute)
	key := "leadline:{jobs}:" + name + ":" + at.Format("2006-01-02T15:04")
	got, err := r.rdb.SetNX(ctx, key, "1", leaseTTL).Result()
	if err != nil {
		r.log.Error("job lease", "job", name, "err", err)
		return
	}
	if !got {
		r.log.Info("job already run", "job", name, "at", at.Format(time.RFC3339))
		return
	}
	if err := job(ctx, at); err != nil {
		r.log.Error("job failed", "job", name, "err", err)
		return
	}
	r.log.Info("job done", "job", name, "at", at.Format(time.RFC3339))
}

// cronLogger writes cron's own messages to slog.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
