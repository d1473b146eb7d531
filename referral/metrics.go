package referral

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are what /metrics shows of referrals, shared by the packages
// that move them. Each instance counts what it did itself; Prometheus sums
// instances.
type Metrics struct {
	Referrals *prometheus.CounterVec   // by how paging ended
	ToAccept  *prometheus.HistogramVec // received → accepted
	ToArrive  *prometheus.HistogramVec // received → on scene
	Pages     *prometheus.CounterVec   // pages Twilio took, by channel
	Steps     *prometheus.CounterVec   // escalation steps after the first, by why
}

// responseBuckets span a minute to two hours: LEAD's target is a hand-off
// within 30 minutes.
var responseBuckets = []float64{30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}

// NewMetrics registers the metrics on reg (nil: nowhere).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		Referrals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_referrals_total",
			Help: "Referrals by how paging ended: accepted, unanswered or cancelled.",
		}, []string{"cohort", "type", "outcome"}),
		ToAccept: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadline_time_to_accept_seconds", Help: "From the officer's referral to a case manager's accept.",
			Buckets: responseBuckets,
		}, []string{"cohort", "type"}),
		ToArrive: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadline_time_to_arrive_seconds", Help: "From the officer's referral to the case manager on scene.",
			Buckets: responseBuckets,
		}, []string{"cohort", "type"}),
		Pages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_pages_sent_total", Help: "Pages Twilio accepted, by channel (sms or call).",
		}, []string{"cohort", "channel"}),
		Steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_escalation_steps_total", Help: "Escalation steps taken after the first page, by why: timeout, declined or missed.",
		}, []string{"cohort", "why"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.Referrals, m.ToAccept, m.ToArrive, m.Pages, m.Steps} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register dispatch metrics: %w", err)
		}
	}
	return m, nil
}
