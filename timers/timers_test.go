package timers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/timers"
)

// collect returns a handler that records the IDs it handled.
func collect(mu *sync.Mutex, got *[]string) timers.Handler {
	return func(_ context.Context, t timers.Timer) error {
		mu.Lock()
		defer mu.Unlock()
		*got = append(*got, t.ID)
		return nil
	}
}

func TestFiresWhenDueAndOnlyOnce(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	q := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now})
	for id, after := range map[string]time.Duration{"a": time.Minute, "b": 2 * time.Minute, "c": time.Hour} {
		if err := q.Schedule(ctx, id, clk.Now().Add(after)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var got []string
	steps := []struct {
		advance time.Duration
		want    []string
	}{
		{0, nil},
		{59 * time.Second, nil},
		{time.Second, []string{"a"}},
		{time.Minute, []string{"a", "b"}},
		{time.Minute, []string{"a", "b"}},
		{time.Hour, []string{"a", "b", "c"}},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if _, err := q.Fire(ctx, collect(&mu, &got)); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, s.want) {
			t.Fatalf("step %d: fired %v, want %v", i, got, s.want)
		}
	}
	if n, _ := q.Pending(ctx); n != 0 {
		t.Errorf("%d timers still pending", n)
	}
}

func TestRescheduleAndCancel(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	q := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(q.Schedule(ctx, "moved", clk.Now().Add(time.Minute)))
	must(q.Schedule(ctx, "moved", clk.Now().Add(time.Hour)))
	must(q.Schedule(ctx, "gone", clk.Now().Add(time.Minute)))
	must(q.Cancel(ctx, "gone"))
	var mu sync.Mutex
	var got []string
	clk.Advance(30 * time.Minute)
	_, err := q.Fire(ctx, collect(&mu, &got))
	must(err)
	if len(got) != 0 {
		t.Fatalf("fired %v before its new time", got)
	}
	clk.Advance(time.Hour)
	_, err = q.Fire(ctx, collect(&mu, &got))
	must(err)
	if !slices.Equal(got, []string{"moved"}) {
		t.Fatalf("fired %v, want [moved]", got)
	}
}

// A handler that fails, or an instance that dies holding a claim, leaves the
// timer to be handed out again when the lease lapses, not before.
func TestLapsedLeaseIsRetried(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	q := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now, Lease: 30 * time.Second})
	if err := q.Schedule(ctx, "x", clk.Now()); err != nil {
		t.Fatal(err)
	}
	calls := 0
	failing := func(context.Context, timers.Timer) error { calls++; return errors.New("boom") }
	if _, err := q.Fire(ctx, failing); err != nil {
		t.Fatal(err)
	}
	// A died instance: claimed, never done.
	other := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now, Lease: 30 * time.Second})
	var mu sync.Mutex
	var got []string
	clk.Advance(29 * time.Second)
	if _, err := other.Fire(ctx, collect(&mu, &got)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || calls != 1 {
		t.Fatalf("handed out again while leased: got %v, calls %d", got, calls)
	}
	clk.Advance(2 * time.Second)
	if _, err := other.Fire(ctx, collect(&mu, &got)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"x"}) {
		t.Fatalf("after the lease lapsed fired %v, want [x]", got)
	}
}

// Several instances firing at once share the due timers: each is handled
// exactly once.
func TestInstancesShareTimers(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	const n = 2000
	q := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now, Batch: 7})
	for i := range n {
		if err := q.Schedule(ctx, fmt.Sprint(i), clk.Now().Add(time.Duration(i)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Advance(time.Hour)
	var mu sync.Mutex
	count := map[string]int{}
	h := func(_ context.Context, t timers.Timer) error {
		mu.Lock()
		defer mu.Unlock()
		count[t.ID]++
		return nil
	}
	var wg sync.WaitGroup
	for range 4 {
		inst := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now, Batch: 7})
		wg.Go(func() {
			if _, err := inst.Fire(ctx, h); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(count) != n {
		t.Fatalf("handled %d distinct timers, want %d", len(count), n)
	}
	for id, c := range count {
		if c != 1 {
			t.Fatalf("timer %s handled %d times", id, c)
		}
	}
}

func TestRunStopsWithContext(t *testing.T) {
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	q := timers.New(rdb, "leadline:{t}:timers", timers.Options{Clock: clk.Now})
	ctx, cancel := context.WithCancel(context.Background())
	fired := make(chan string, 1)
	if err := q.Schedule(ctx, "soon", clk.Now()); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Run(ctx, 20*time.Millisecond, func(_ context.Context, t timers.Timer) error { fired <- t.ID; return nil })
	}()
	select {
	case id := <-fired:
		if id != "soon" {
			t.Errorf("fired %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not fire a due timer")
	}
	cancel()
	<-done
}
