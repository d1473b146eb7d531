package referral

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// Gauges reports, at each scrape, the referrals open by state and cohort
// and how long the oldest one still paging has waited, read from the open
// index: what an on-call team needs to see a page stuck before the officer
// is told.
type Gauges struct {
	rdb    redis.UniversalClient
	now    func() time.Time
	open   *prometheus.Desc
	oldest *prometheus.Desc
}

// NewGauges returns the collector; register it on /metrics's registry.
func NewGauges(rdb redis.UniversalClient, clock func() time.Time) *Gauges {
	return &Gauges{rdb: rdb, now: clock,
		open: prometheus.NewDesc("leadline_referrals_open", "Referrals open now, by state and cohort.",
			[]string{"state", "cohort"}, nil),
		oldest: prometheus.NewDesc("leadline_paging_oldest_seconds", "How long the oldest referral still paging has waited (0 for none).",
			nil, nil)}
}

// Describe implements prometheus.Collector.
func (g *Gauges) Describe(ch chan<- *prometheus.Desc) { ch <- g.open; ch <- g.oldest }

// Collect implements prometheus.Collector. When Redis does not answer it
// reports nothing (leadline_redis_up says why) rather than zeros.
func (g *Gauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	codes, err := g.rdb.ZRange(ctx, openKey, 0, -1).Result()
	if err != nil {
		return
	}
	cmds := make([]*redis.SliceCmd, len(codes))
	_, err = g.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range codes {
			cmds[i] = p.HMGet(ctx, hashKey(c), string(FState), string(FCohort), string(FReceivedMs))
		}
		return nil
	})
	if err != nil {
		return
	}
	type key struct{ state, cohort string }
	counts := map[key]float64{}
	oldest := 0.0
	for _, cmd := range cmds {
		v := cmd.Val()
		state, _ := v[0].(string)
		cohort, _ := v[1].(string)
		if state == "" {
			continue
		}
		counts[key{state, cohort}]++
		ms, _ := v[2].(string)
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil && state == string(Paging) {
			oldest = max(oldest, g.now().Sub(time.UnixMilli(n)).Seconds())
		}
	}
	for k, n := range counts {
		ch <- prometheus.MustNewConstMetric(g.open, prometheus.GaugeValue, n, k.state, k.cohort)
	}
	ch <- prometheus.MustNewConstMetric(g.oldest, prometheus.GaugeValue, oldest)
}
