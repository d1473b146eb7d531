package outbox

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what /metrics shows of the outbox. Each instance counts what
// it sent itself; Prometheus sums instances.
type metrics struct {
	sent *prometheus.CounterVec
	wait *prometheus.HistogramVec
}

// waitBuckets span a fast send (well under a second) to one that waited
// out every default retry (over half an hour).
var waitBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600}

// newMetrics registers the outbox's metrics with reg; nil reg means they
// are kept but shown nowhere.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_outbox_sent_total",
			Help: "Outbound texts by priority and result: sent, failed, skipped, or retried (an attempt that will be tried again).",
		}, []string{"priority", "result"}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "leadline_outbox_wait_seconds",
			Help:    "From a text's enqueue to Twilio taking it, by priority.",
			Buckets: waitBuckets,
		}, []string{"priority"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sent, m.wait} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register outbox metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) ended(p Priority, result string) {
	m.sent.WithLabelValues(p.String(), result).Inc()
}

func (m *metrics) waited(p Priority, d time.Duration) {
	m.wait.WithLabelValues(p.String()).Observe(max(d, 0).Seconds())
}
