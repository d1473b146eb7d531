package timers_test

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/timers"
)

// BenchmarkLag100k measures how late timers fire with 100,000 pending in
// Redis: 100k timers come due over 10 s, two instances poll every 250 ms
// (as serve does), and each handler does one Redis write, like a step. It
// reports the p50 and p99 lag from due time to handled, and Redis memory per
// pending timer.
func BenchmarkLag100k(b *testing.B) {
	const pending = 100_000
	const spread = 10 * time.Second
	for range b.N {
		b.StopTimer()
		rdb, _ := redistest.Start(b)
		ctx := context.Background()
		before := redistest.UsedMemory(b, rdb)
		base := "leadline:{bench}:timers"
		clk := clocktest.Wall() // real instances polling in real time
		start := clk.Now().Add(2 * time.Second)
		for lo := 0; lo < pending; lo += 1000 {
			p := rdb.Pipeline()
			for i := lo; i < lo+1000; i++ {
				due := start.Add(spread * time.Duration(i) / pending)
				p.ZAdd(ctx, base+":due", redis.Z{Score: float64(due.UnixMilli()), Member: "step:R" + strconv.Itoa(i) + ":0"})
			}
			if _, err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		perTimer := float64(redistest.UsedMemory(b, rdb)-before) / pending

		var mu sync.Mutex
		lags := make([]time.Duration, 0, pending)
		var wg sync.WaitGroup
		ctx, cancel := context.WithCancel(ctx)
		handle := func(ctx context.Context, t timers.Timer) error {
			if err := rdb.HSet(ctx, "leadline:{bench}:ref:"+t.ID, "step", "1").Err(); err != nil {
				return err
			}
			lag := clk.Now().Sub(t.Due)
			mu.Lock()
			lags = append(lags, lag)
			if len(lags) == pending {
				cancel()
			}
			mu.Unlock()
			return nil
		}
		b.StartTimer()
		for range 2 {
			q := timers.New(rdb, base, timers.Options{Clock: clk.Now})
			wg.Go(func() { q.Run(ctx, 250*time.Millisecond, handle) })
		}
		select {
		case <-ctx.Done():
		case <-time.After(2*time.Minute + spread):
			b.Fatalf("only %d of %d timers fired", len(lags), pending)
		}
		cancel()
		wg.Wait()
		b.StopTimer()
		slices.Sort(lags)
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-lag-ms")
		b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99-lag-ms")
		b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max-lag-ms")
		b.ReportMetric(perTimer, "redis-bytes/timer")
	}
}
