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

// An instance that dies holding a claim (its context ends mid-handler: it
// neither finishes, renews nor releases) delays only the timer it held, and
// that by at most a lease and a poll; every timer due with it is taken by
// the survivor on time. The survivor polls every 250 ms of the clock. The
// figure: how late each timer was handled.
func TestDeadInstanceDelaysNothingByMoreThanALease(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	const base = "leadline:{t}:timers"
	due := map[string]time.Time{}
	q := timers.New(rdb, base, timers.Options{Clock: clk.Now})
	for i := range 20 { // 20 chains' steps due at once, then one a second
		id := fmt.Sprint("step:", i)
		due[id] = clk.Now().Add(time.Duration(i/10) * time.Second)
		if err := q.Schedule(ctx, id, due[id]); err != nil {
			t.Fatal(err)
		}
	}
	// The instance that dies: it claims, and its handler never returns
	// before its context (the process) ends.
	dying, kill := context.WithCancel(ctx)
	claimed := make(chan string, 1)
	died := make(chan struct{})
	go func() {
		defer close(died)
		_, _ = timers.New(rdb, base, timers.Options{Clock: clk.Now}).Fire(dying, func(ctx context.Context, tm timers.Timer) error {
			claimed <- tm.ID
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	held := <-claimed
	kill()
	<-died

	survivor := timers.New(rdb, base, timers.Options{Clock: clk.Now})
	late := map[string]time.Duration{}
	for range 40 { // 10 s of polls
		_, err := survivor.Fire(ctx, func(_ context.Context, tm timers.Timer) error {
			late[tm.ID] = clk.Now().Sub(due[tm.ID])
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(250 * time.Millisecond)
	}
	if len(late) != len(due) {
		t.Fatalf("survivor handled %d of %d timers", len(late), len(due))
	}
	var worst time.Duration
	for id, l := range late {
		worst = max(worst, l)
		if id != held && l > 250*time.Millisecond {
			t.Errorf("%s, which the dead instance never claimed, was %v late", id, l)
		}
	}
	t.Logf("figure: the held timer %s was %v late; worst of %d timers %v", held, late[held], len(late), worst)
	if late[held] > 2*time.Second {
		t.Errorf("the dead instance's timer %s was %v late, want <= 2s", held, late[held])
	}
}

// A handler slower than the lease keeps its timer: the lease is renewed
// while it runs, so no other instance takes it meanwhile.
func TestLeaseRenewedWhileHandling(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	const base = "leadline:{t}:timers"
	opt := timers.Options{Clock: clk.Now, Lease: 300 * time.Millisecond}
	q := timers.New(rdb, base, opt)
	if err := q.Schedule(ctx, "slow", clk.Now()); err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = q.Fire(ctx, func(context.Context, timers.Timer) error { close(started); <-release; return nil })
	}()
	<-started
	other := timers.New(rdb, base, opt)
	var mu sync.Mutex
	var got []string
	for range 15 { // 10 leases pass on the clock, with renewals between
		clk.Advance(200 * time.Millisecond)
		time.Sleep(150 * time.Millisecond) // wall clock: lets the real renewal ticker (every 100 ms) run
		if _, err := other.Fire(ctx, collect(&mu, &got)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	if len(got) != 0 {
		t.Fatalf("another instance took %v while its handler still ran", got)
	}
}
