package outbox

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// depthTimeout bounds the Redis reads of one scrape.
const depthTimeout = 2 * time.Second

// depth is read from Redis at each scrape, so every instance shows the
// shared outbox's depth (alerts take max across instances, not the sum).
type depth struct {
	rdb                       redis.UniversalClient
	ready, retrying, inflight *prometheus.Desc
}

func newDepth(rdb redis.UniversalClient) *depth {
	return &depth{rdb: rdb,
		ready: prometheus.NewDesc("leadline_outbox_depth",
			"Texts ready to go now, by priority (all instances': read from Redis at scrape).", []string{"priority"}, nil),
		retrying: prometheus.NewDesc("leadline_outbox_retrying",
			"Texts waiting out a retry's backoff (read from Redis at scrape).", nil, nil),
		inflight: prometheus.NewDesc("leadline_outbox_inflight",
			"Texts claimed by an instance and being sent (read from Redis at scrape).", nil, nil),
	}
}

func (d *depth) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.ready
	ch <- d.retrying
	ch <- d.inflight
}

// Collect reads the depths in one round trip. When Redis does not answer
// it reports nothing (leadline_redis_up says why) rather than zeros.
func (d *depth) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), depthTimeout)
	defer cancel()
	prios := []Priority{Page, Reply, Reminder}
	counts := make([]*redis.IntCmd, len(prios))
	var later, inflight *redis.IntCmd
	_, err := d.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, pr := range prios {
			lo := strconv.FormatFloat(float64(pr)*priorityStep, 'f', 0, 64)
			hi := "(" + strconv.FormatFloat(float64(pr+1)*priorityStep, 'f', 0, 64)
			counts[i] = p.ZCount(ctx, readyKey, lo, hi)
		}
		later, inflight = p.ZCard(ctx, laterKey), p.ZCard(ctx, inflightKey)
		return nil
	})
	if err != nil {
		return
	}
	for i, pr := range prios {
		ch <- prometheus.MustNewConstMetric(d.ready, prometheus.GaugeValue, float64(counts[i].Val()), pr.String())
	}
	ch <- prometheus.MustNewConstMetric(d.retrying, prometheus.GaugeValue, float64(later.Val()))
	ch <- prometheus.MustNewConstMetric(d.inflight, prometheus.GaugeValue, float64(inflight.Val()))
}
