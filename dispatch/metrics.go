package dispatch

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are what /metrics shows of referrals. Each instance counts what
// it did itself; Prometheus sums instances.
type metrics struct {
	referrals *prometheus.CounterVec
	toAccept  *prometheus.HistogramVec
	toArrive  *prometheus.HistogramVec
	pages     *prometheus.CounterVec
	steps     *prometheus.CounterVec
}

// responseBuckets span a minute to two hours: LEAD's target is a hand-off
// within 30 minutes.
var responseBuckets = []float64{30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		referrals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_referrals_total",
			Help: "Referrals by how paging ended: accepted, unanswered or cancelled.",
		}, []string{"cohort", "type", "outcome"}),
		toAccept: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadline_time_to_accept_seconds", Help: "From the officer's referral to a case manager's accept.",
			Buckets: responseBuckets,
		}, []string{"cohort", "type"}),
		toArrive: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadline_time_to_arrive_seconds", Help: "From the officer's referral to the case manager on scene.",
			Buckets: responseBuckets,
		}, []string{"cohort", "type"}),
		pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_pages_sent_total", Help: "Pages Twilio accepted, by channel (sms or call).",
		}, []string{"cohort", "channel"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_escalation_steps_total", Help: "Escalation steps taken after the first page, by why: timeout, declined or missed.",
		}, []string{"cohort", "why"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.referrals, m.toAccept, m.toArrive, m.pages, m.steps} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register dispatch metrics: %w", err)
		}
	}
	return m, nil
}
