package timers_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leadline/leadline/timers"
)

func TestCollectorReportsDepthAndLag(t *testing.T) {
	ctx := context.Background()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	a := timers.New(rdb, "leadline:{a}:timers", timers.Options{Clock: clk.Now})
	b := timers.New(rdb, "leadline:{b}:timers", timers.Options{Clock: clk.Now})
	reg := prometheus.NewRegistry()
	reg.MustRegister(timers.NewCollector(rdb, clk.Now, map[string]*timers.Queue{"a": a, "b": b}))
	gauges := func() map[string]float64 {
		t.Helper()
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				got[f.GetName()+" "+m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
			}
		}
		return got
	}
	for i, d := range []time.Duration{time.Second, 10 * time.Second, time.Minute} {
		if err := a.Schedule(ctx, string(rune('x'+i)), clk.Now().Add(d)); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]float64{
		"leadline_timers_pending a": 3, "leadline_timers_leased a": 0, "leadline_timers_lag_seconds a": 0,
		"leadline_timers_pending b": 0, "leadline_timers_leased b": 0, "leadline_timers_lag_seconds b": 0,
	}
	if got := gauges(); !maps.Equal(got, want) {
		t.Errorf("nothing due: %v", got)
	}
	// Nobody fires them: 6.5 s later the first has been due 5.5 s.
	clk.Advance(6500 * time.Millisecond)
	want["leadline_timers_lag_seconds a"] = 5.5
	if got := gauges(); !maps.Equal(got, want) {
		t.Errorf("overdue: %v", got)
	}
	// Claimed timers are leased, not pending; what is left is not due.
	if _, err := a.Claim(ctx); err != nil {
		t.Fatal(err)
	}
	want["leadline_timers_pending a"], want["leadline_timers_leased a"], want["leadline_timers_lag_seconds a"] = 2, 1, 0
	if got := gauges(); !maps.Equal(got, want) {
		t.Errorf("claimed: %v", got)
	}
}
