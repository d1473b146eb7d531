package phone

import (
	"fmt"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// Kinds of request, as metrics label them.
const (
	kindSMS  = "sms"
	kindCall = "call"
)

// metrics count what the client asked of Twilio. Each instance counts its
// own; Prometheus sums instances.
type metrics struct {
	sends  *prometheus.CounterVec // kind, result
	errors *prometheus.CounterVec // kind, code
}

func newMetrics() *metrics {
	return &metrics{
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_twilio_sends_total",
			Help: "Texts and calls asked of Twilio, by kind (sms, call) and result (sent: Twilio took it; failed: it did not, after any retries).",
		}, []string{"kind", "result"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadline_twilio_errors_total",
			Help: "Failed attempts by kind and Twilio error code (21610, 20429, …; http_<status> without one; network for no answer). Retried attempts count each.",
		}, []string{"kind", "code"}),
	}
}

// Register shows the client's metrics in reg.
func (c *Client) Register(reg prometheus.Registerer) error {
	for _, m := range []prometheus.Collector{c.metrics.sends, c.metrics.errors} {
		if err := reg.Register(m); err != nil {
			return fmt.Errorf("register phone metrics: %w", err)
		}
	}
	return nil
}

// errorCode is a failed attempt's code label.
func errorCode(e *SendError) string {
	switch {
	case e.Code != 0:
		return strconv.Itoa(e.Code)
	case e.Status != 0:
		return "http_" + strconv.Itoa(e.Status)
	}
	return "network"
}
