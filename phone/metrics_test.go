package phone_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/leadline/leadline/phone"
)

// Sends are counted by kind and result, failed attempts by Twilio's code.
func TestMetricsCountSendsAndErrorCodes(t *testing.T) {
	ctx := context.Background()
	sim := newSim(t)
	c := newClient(sim, phone.ClientConfig{MaxAttempts: 4})
	reg := prometheus.NewRegistry()
	if err := c.Register(reg); err != nil {
		t.Fatal(err)
	}
	sim.FailSends(jo, 2, 429, 20429)
	if _, err := c.SendSMS(ctx, phone.SMS{From: program, To: jo, Body: "hello"}); err != nil {
		t.Fatal(err)
	}
	const landline = "+14125550112"
	sim.FailSends(landline, -1, 400, 21614)
	if _, err := c.SendSMS(ctx, phone.SMS{From: program, To: landline, Body: "hello"}); err == nil {
		t.Fatal("sent to a landline")
	}
	if _, err := c.Call(ctx, phone.Call{From: program, To: jo, URL: "http://127.0.0.1:1/twiml"}); err != nil {
		t.Fatal(err)
	}
	got := gather(t, reg)
	for _, want := range []string{
		`leadline_twilio_sends_total{kind="sms",result="sent"} 1`,
		`leadline_twilio_sends_total{kind="sms",result="failed"} 1`,
		`leadline_twilio_sends_total{kind="call",result="sent"} 1`,
		`leadline_twilio_errors_total{code="20429",kind="sms"} 2`,
		`leadline_twilio_errors_total{code="21614",kind="sms"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("metrics lack %s:\n%s", want, got)
		}
	}
}

func gather(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}
