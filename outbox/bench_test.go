package outbox_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadline/leadline/outbox"
)

// BenchmarkThroughput measures how fast one instance drains the outbox:
// b.N texts to 1,000 people are enqueued, then Run sends them with 8 or 32
// workers, uncapped, through a real redis-server and the real phone client
// to the Twilio simulator. It reports texts sent per second, from Run's
// start to the last Done.
func BenchmarkThroughput(b *testing.B) {
	for _, workers := range []int{8, 32} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			e := newEnv(b)
			var left atomic.Int64
			left.Store(int64(b.N))
			drained := make(chan struct{})
			box, err := outbox.New(e.rdb, e.phone, outbox.Options{Clock: e.clock.Now, Keys: e.keys, Workers: workers, Log: e.log,
				Done: func(context.Context, outbox.Result) {
					if left.Add(-1) == 0 {
						close(drained)
					}
				}})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			for i := range b.N {
				if _, err := box.Enqueue(ctx, outbox.Message{From: programPhone, To: person(i % 1000),
					Body: "Reminder: your appointment is tomorrow at 10:00.", Priority: outbox.Priority(i % 3)}); err != nil {
					b.Fatal(err)
				}
			}
			runCtx, cancel := context.WithCancel(ctx)
			stopped := make(chan struct{})
			b.ResetTimer()
			start := time.Now()
			go func() { defer close(stopped); box.Run(runCtx) }()
			select {
			case <-drained:
			case <-time.After(10 * time.Minute):
				b.Fatalf("%d of %d texts left after 10 minutes", left.Load(), b.N)
			}
			took := time.Since(start)
			b.StopTimer()
			cancel()
			<-stopped
			if n := len(e.sim.Messages()); n != b.N {
				b.Fatalf("%d texts sent, want %d", n, b.N)
			}
			b.ReportMetric(float64(b.N)/took.Seconds(), "msgs/s")
		})
	}
}
