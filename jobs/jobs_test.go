package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/jobs"
)

// Several instances firing the same job at the same minute run it once;
// the hour daylight saving repeats does not run it twice either.
func TestEachFiringOnce(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	den, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(time.Time{})
	var runs atomic.Int32
	var at []time.Time
	var mu sync.Mutex
	job := func(_ context.Context, t time.Time) error {
		runs.Add(1)
		mu.Lock()
		at = append(at, t)
		mu.Unlock()
		return nil
	}
	instances := []*jobs.Runner{jobs.New(rdb, den, clk.Now, nil), jobs.New(rdb, den, clk.Now, nil), jobs.New(rdb, den, clk.Now, nil)}
	fire := func() {
		var wg sync.WaitGroup
		for _, r := range instances {
			wg.Go(func() { r.Fire(ctx, "summary", job) })
		}
		wg.Wait()
	}
	// 01:30 MDT, then 01:30 MST an hour later: the same local time.
	first := time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC)
	clk.Set(first)
	fire()
	clk.Set(first.Add(time.Hour))
	fire()
	if runs.Load() != 1 {
		t.Fatalf("ran %d times, want 1", runs.Load())
	}
	if got := at[0].In(den).Format("2006-01-02 15:04 MST"); got != "2026-11-01 01:30 MDT" {
		t.Errorf("scheduled time %s", got)
	}
	// The next day it runs again.
	clk.Set(first.Add(24 * time.Hour))
	fire()
	if runs.Load() != 2 {
		t.Errorf("ran %d times after a day, want 2", runs.Load())
	}
}

// A failing job is logged and does not stop the runner; a bad spec is
// refused with the job's name.
func TestFailuresAndSpecs(t *testing.T) {
	rdb := testRedis(t)
	r := jobs.New(rdb, time.UTC, clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)).Now, nil)
	r.Fire(context.Background(), "broken", func(context.Context, time.Time) error { return errors.New("boom") })
	if err := r.Add("weekly", "0 18 * * 0", func(context.Context, time.Time) error { return nil }); err != nil {
		t.Error(err)
	}
	if err := r.Add("nonsense", "every tuesday", nil); err == nil {
		t.Error("a bad spec was accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
}
