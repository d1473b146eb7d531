package dispatch_test

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkTextToPage measures the core loop as an officer and a case
// manager see it: from the officer's text reaching the webhook (signed, over
// HTTP) to the page request arriving at the Twilio-compatible server, through
// real Redis on loopback. Each iteration is one referral. It reports p50 and
// p99 in milliseconds; run it with -benchtime=1000x or more.
func BenchmarkTextToPage(b *testing.B) {
	w := newWorld(b)
	ctx := context.Background()
	officer, cm := w.phoneOf("osmith"), w.phoneOf("jrivera")
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := w.sim.Text(ctx, officer, w.prog.Phone, "AD "+northPoint+" / benchmark"); err != nil {
			b.Fatal(err)
		}
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		m, err := w.sim.NextMessage(wait, cm)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, m.At.Sub(start))
		if _, err := w.sim.NextMessage(ctx, officer); err != nil { // the officer's reply
			b.Fatal(err)
		}
	}
	b.StopTimer()
	w.svc.Wait()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
}
