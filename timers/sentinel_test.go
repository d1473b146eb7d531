package timers_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/timers"
)

// Timers keep firing across a Sentinel failover: those scheduled before it
// (replicated) and those scheduled after it, on the new master, by a queue
// that ran all along.
func TestWorkContinuesAfterSentinelFailover(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := redistest.StartSentinel(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	q := timers.New(s.Client, "leadline:{t}:timers", timers.Options{Clock: clk.Now,
		Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	go func() { defer close(done); q.Run(ctx, 10*time.Millisecond, collect(&mu, &got)) }()
	defer func() { cancel(); <-done }()
	fired := func(n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second) // wall clock: a deadline for real processes to answer
		for time.Now().Before(deadline) {            // wall clock: a deadline for real processes to answer
			mu.Lock()
			k := len(got)
			mu.Unlock()
			if k >= n {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%d timers fired, want %d: %v", len(got), n, got)
	}

	for i := range 5 {
		if err := q.Schedule(ctx, fmt.Sprint("before-now-", i), clk.Now()); err != nil {
			t.Fatal(err)
		}
		if err := q.Schedule(ctx, fmt.Sprint("before-later-", i), clk.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	fired(5)
	// The replica has every write before it is promoted.
	if n, err := s.Client.Wait(ctx, 1, 5000).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT = %d, %v", n, err)
	}
	master := s.Failover(t)
	// The first writes may still meet the old master (now read-only) or a
	// closed connection; the client follows the sentinel to the new one.
	for i := range 5 {
		id := fmt.Sprint("after-", i)
		deadline := time.Now().Add(10 * time.Second) // wall clock: a deadline for real processes to answer
		// Due later, like the before-later ones, so that both sets wait
		// on the new master until the clock moves.
		due := clk.Now().Add(time.Minute)
		for err := q.Schedule(ctx, id, due); err != nil; err = q.Schedule(ctx, id, due) {
			if time.Now().After(deadline) { // wall clock: a deadline for real processes to answer
				t.Fatalf("schedule after failover: %v", err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// They are on the new master, not on the old one.
	onMaster := redis.NewClient(&redis.Options{Addr: master})
	defer onMaster.Close()
	if n, err := onMaster.ZCard(ctx, q.DueKey()).Result(); err != nil || n != 10 {
		t.Errorf("the new master holds %d pending timers (%v), want 10", n, err)
	}
	clk.Advance(time.Minute)
	fired(15)
	mu.Lock()
	defer mu.Unlock()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
	}
	for i := range 5 {
		for _, id := range []string{fmt.Sprint("before-now-", i), fmt.Sprint("before-later-", i), fmt.Sprint("after-", i)} {
			if seen[id] != 1 {
				t.Errorf("timer %s fired %d times", id, seen[id])
			}
		}
	}
}
