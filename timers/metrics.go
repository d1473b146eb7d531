package timers

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// metricsTimeout bounds the Redis reads of one scrape.
const metricsTimeout = 2 * time.Second

// Collector reports, at each scrape, the depth and lag of named queues,
// read from Redis, so every instance shows the shared queues (alerts take
// the max across instances):
//
//	leadline_timers_pending{queue}      timers waiting to fire
//	leadline_timers_leased{queue}       timers claimed and being handled
//	leadline_timers_lag_seconds{queue}  how long the most overdue waiting timer
//	                                    has been due; 0 when none is overdue
//
// Lag above the poll interval means no instance is firing timers (or they
// cannot keep up): escalations and reminders are late.
type Collector struct {
	rdb                  redis.UniversalClient
	now                  func() time.Time
	queues               map[string]*Queue // by label
	pending, leased, lag *prometheus.Desc
}

// NewCollector reports on queues, keyed by their label. clock may be nil
// for the wall clock.
func NewCollector(rdb redis.UniversalClient, clock func() time.Time, queues map[string]*Queue) *Collector {
	if clock == nil {
		clock = time.Now
	}
	return &Collector{rdb: rdb, now: clock, queues: queues,
		pending: prometheus.NewDesc("leadline_timers_pending", "Timers waiting to fire, by queue (read from Redis at scrape).", []string{"queue"}, nil),
		leased:  prometheus.NewDesc("leadline_timers_leased", "Timers claimed by an instance and being handled, by queue.", []string{"queue"}, nil),
		lag: prometheus.NewDesc("leadline_timers_lag_seconds",
			"How long the most overdue waiting timer has been due, by queue; 0 when none is overdue.", []string{"queue"}, nil),
	}
}

func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pending
	ch <- c.leased
	ch <- c.lag
}

// Collect reads each queue; a queue Redis does not answer for is left out
// (leadline_redis_up says why) rather than shown as empty.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
	defer cancel()
	now := c.now()
	for name, q := range c.queues {
		// One queue's keys share a hash tag, so this pipeline is one slot.
		var pending, leased *redis.IntCmd
		var oldest *redis.ZSliceCmd
		if _, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			pending, leased = p.ZCard(ctx, q.due), p.ZCard(ctx, q.leased)
			oldest = p.ZRangeWithScores(ctx, q.due, 0, 0)
			return nil
		}); err != nil {
			continue
		}
		lag := 0.0
		if z := oldest.Val(); len(z) == 1 {
			lag = max(0, now.Sub(time.UnixMilli(int64(z[0].Score))).Seconds())
		}
		ch <- prometheus.MustNewConstMetric(c.pending, prometheus.GaugeValue, float64(pending.Val()), name)
		ch <- prometheus.MustNewConstMetric(c.leased, prometheus.GaugeValue, float64(leased.Val()), name)
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, lag, name)
	}
}
