package outbox_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/outbox"
)

func TestTwoInstancesSendEachTextOnce(t *testing.T) {
	e := newEnv(t)
	boxes := []*outbox.Box{e.box(outbox.Options{Workers: 8}), e.box(outbox.Options{Workers: 8})}
	for _, b := range boxes {
		e.run(b)
	}
	const n = 500
	for i := range n {
		// 40 people, so that several texts to one person are queued at once.
		e.enqueue(boxes[i%2], outbox.Message{ID: fmt.Sprint(i), To: person(i % 40), Priority: outbox.Priority(i % 3)})
	}
	e.wait(n)

	seen := make(map[string]int)
	for _, m := range e.sim.Messages() {
		seen[m.Body]++
	}
	for i := range n {
		if c := seen[fmt.Sprintf("text %d", i)]; c != 1 {
			t.Errorf("text %d sent %d times", i, c)
		}
		e.result(fmt.Sprint(i))
	}
	if len(e.sim.Messages()) != n {
		t.Errorf("%d texts sent, want %d", len(e.sim.Messages()), n)
	}
	for _, b := range boxes {
		if !e.idle(b) {
			t.Error("not idle after every text ended")
		}
	}
}

func TestRateCapsEachSender(t *testing.T) {
	e := newEnvStamped(t, clocktest.Wall()) // wall clock: the cap is kept by Redis's own clock
	const rate = 5
	// Two instances share the cap.
	boxes := []*outbox.Box{e.box(outbox.Options{Workers: 4, Rate: rate}), e.box(outbox.Options{Workers: 4, Rate: rate})}
	for i := range 15 {
		e.enqueue(boxes[i%2], outbox.Message{ID: fmt.Sprint(i), To: person(i), Priority: outbox.Reminder})
	}
	// Texts from another number have their own cap.
	e.enqueue(boxes[0], outbox.Message{ID: "other", From: "+14125550200", To: person(50), Priority: outbox.Reminder})
	for _, b := range boxes {
		e.run(b)
	}
	e.wait(4)
	e.enqueue(boxes[1], outbox.Message{ID: "page", To: person(99), Body: "page", Priority: outbox.Page})
	e.wait(13)

	var from []time.Time
	pageAt := -1
	for _, m := range e.sim.Messages() {
		if m.From != programPhone {
			continue
		}
		if m.Body == "page" {
			pageAt = len(from)
		}
		from = append(from, m.At)
	}
	if len(from) != 16 {
		t.Fatalf("%d texts from the capped number, want 16", len(from))
	}
	// When the page was queued, 3 or 4 texts from its number had ended
	// (the 4 ended may include the other number's) and one more may have
	// been under way.
	if pageAt < 3 || pageAt > 5 {
		t.Errorf("page was text %d from its number, want the next after the 3 to 4 ended and 1 under way when it was queued", pageAt+1)
	}
	for i, at := range from {
		n := 0
		for _, other := range from[i:] {
			if other.Sub(at) < time.Second {
				n++
			}
		}
		if n > rate+1 {
			t.Errorf("%d texts in the second from text %d, want at most %d", n, i+1, rate+1)
		}
	}
	if took := from[len(from)-1].Sub(from[0]); took < 2*time.Second {
		t.Errorf("16 texts at %d/s took %v", rate, took)
	}
	// The cap's state is one of our keys, not redis_rate's "rate:…".
	ctx := context.Background()
	if e.rdb.Exists(ctx, "leadline:{outbox}:from:"+programPhone).Val() != 1 || len(e.rdb.Keys(ctx, "rate:*").Val()) != 0 {
		t.Errorf("cap keys: %v", e.rdb.Keys(ctx, "*from*").Val())
	}
}

func TestFlushSkipsSendersAtTheirCap(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{Rate: 0.1})
	for i := range 3 {
		e.enqueue(b, outbox.Message{ID: fmt.Sprint(i), To: person(i), Priority: outbox.Reply})
	}
	e.enqueue(b, outbox.Message{ID: "other", From: "+14125550200", To: person(9), Priority: outbox.Reminder})
	if n := e.flush(b); n != 2 {
		t.Errorf("Flush ended %d, want 2: one per sender", n)
	}
	if got := e.bodiesTo(person(9)); len(got) != 1 {
		t.Errorf("the uncapped sender's text was not sent behind the capped one's")
	}
	if e.idle(b) {
		t.Error("idle with capped texts queued")
	}
	if rec := e.get(b, "1"); rec.State != "queued" || rec.Attempts != 0 {
		t.Errorf("capped text is %s after %d attempts, want queued after 0", rec.State, rec.Attempts)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	reg := prometheus.NewRegistry()
	b := e.box(outbox.Options{Metrics: reg, Retries: []time.Duration{time.Minute}})
	e.sim.FailSends(person(2), 1, 400, 21211)
	e.sim.FailSends(person(3), 3, 500, 20500)
	e.enqueue(b, outbox.Message{ID: "page", To: person(1), Priority: outbox.Page})
	e.enqueue(b, outbox.Message{ID: "bad", To: person(2), Priority: outbox.Reply})
	e.enqueue(b, outbox.Message{ID: "flaky", To: person(3), Priority: outbox.Reminder})
	e.clock.Advance(3 * time.Second)
	e.flush(b)
	e.clock.Advance(time.Minute)
	e.flush(b)

	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]float64)
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := ""
			for _, l := range m.GetLabel() {
				labels += l.GetName() + "=" + l.GetValue() + " "
			}
			switch {
			case m.GetCounter() != nil:
				got[f.GetName()+" "+labels] = m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				got[f.GetName()+" "+labels+"count"] = float64(m.GetHistogram().GetSampleCount())
				got[f.GetName()+" "+labels+"sum"] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	want := map[string]float64{
		"leadline_outbox_sent_total priority=page result=sent ":        1,
		"leadline_outbox_sent_total priority=reply result=failed ":     1,
		"leadline_outbox_sent_total priority=reminder result=retried ": 1,
		"leadline_outbox_sent_total priority=reminder result=sent ":    1,
		"leadline_outbox_wait_seconds priority=page count":             1,
		"leadline_outbox_wait_seconds priority=page sum":               3,
		"leadline_outbox_wait_seconds priority=reminder count":         1,
		"leadline_outbox_wait_seconds priority=reminder sum":           63,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("metrics %q, want only %d", slices.Sorted(maps.Keys(got)), len(want))
	}

	if _, err := outbox.New(e.rdb, e.phone, outbox.Options{Clock: e.clock.Now, Keys: e.keys, Metrics: reg}); err == nil {
		t.Error("New registered the metrics twice on one registry")
	}
}

// The depth gauges read the shared outbox from Redis at each scrape.
func TestDepthMetrics(t *testing.T) {
	e := newEnv(t)
	reg := prometheus.NewRegistry()
	b := e.box(outbox.Options{Metrics: reg, Retries: []time.Duration{time.Minute}})
	for i, p := range []outbox.Priority{outbox.Page, outbox.Reply, outbox.Reply, outbox.Reminder, outbox.Reminder, outbox.Reminder} {
		e.enqueue(b, outbox.Message{ID: fmt.Sprint("m", i), To: person(i), Priority: p})
	}
	depths := func() map[string]float64 {
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, f := range families {
			for _, m := range f.GetMetric() {
				if m.GetGauge() == nil {
					continue
				}
				name := f.GetName()
				for _, l := range m.GetLabel() {
					name += " " + l.GetValue()
				}
				got[name] = m.GetGauge().GetValue()
			}
		}
		return got
	}
	want := map[string]float64{"leadline_outbox_depth page": 1, "leadline_outbox_depth reply": 2,
		"leadline_outbox_depth reminder": 3, "leadline_outbox_retrying": 0, "leadline_outbox_inflight": 0}
	if got := depths(); !maps.Equal(got, want) {
		t.Errorf("queued: %v, want %v", got, want)
	}
	e.sim.FailSends(person(5), 3, 500, 20500) // the phone client tries 3 times
	e.flush(b)
	want = map[string]float64{"leadline_outbox_depth page": 0, "leadline_outbox_depth reply": 0,
		"leadline_outbox_depth reminder": 0, "leadline_outbox_retrying": 1, "leadline_outbox_inflight": 0}
	if got := depths(); !maps.Equal(got, want) {
		t.Errorf("after a flush: %v, want %v", got, want)
	}
}
