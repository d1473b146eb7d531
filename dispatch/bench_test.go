package dispatch_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/outbox"
)

// BenchmarkTextToPage measures the core loop as an officer and a case
// manager see it: from the officer's text reaching the webhook (signed, over
// HTTP) to the page request arriving at the Twilio-compatible server, through
// real Redis on loopback and the outbox. Each iteration is one referral. It
// reports p50 and p99 in milliseconds; run it with -benchtime=1000x or more.
// "idle" has nothing else to send; "reminders-queued" starts with 20,000
// reminders waiting in the outbox, which its workers send meanwhile.
func BenchmarkTextToPage(b *testing.B) {
	b.Run("idle", func(b *testing.B) { benchTextToPage(b, e2e.NewOn(b, clocktest.Wall(), nil), 0) })
	b.Run("reminders-queued", func(b *testing.B) { benchTextToPage(b, e2e.NewOn(b, clocktest.Wall(), nil), 20_000) })
	b.Run("cluster", func(b *testing.B) {
		rdb, _ := redistest.StartCluster(b)
		benchTextToPage(b, e2e.NewOnRedis(b, rdb, clocktest.Wall(), nil), 0)
	})
}

// benchTextToPage times referrals through w, whose clock must be the wall
// clock: the simulator stamps what it receives by it.
func benchTextToPage(b *testing.B, w *e2e.World, backlog int) {
	ctx := context.Background()
	officer, cm := w.PhoneOf("osmith"), w.PhoneOf("jrivera")
	if backlog > 0 {
		box, err := outbox.New(w.Redis, nil, outbox.Options{Clock: w.Clock.Now, Keys: e2e.Keys()})
		if err != nil {
			b.Fatal(err)
		}
		for i := range backlog {
			m := outbox.Message{From: w.Prog.Phone, To: "+1412" + strconv.Itoa(7000000+i), Body: "reminder", Priority: outbox.Reminder}
			if _, err := box.Enqueue(ctx, m); err != nil {
				b.Fatal(err)
			}
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		// Other notes each time: the same text again would be a resend,
		// answered with the first code and paging nobody.
		if _, err := w.Sim.Text(ctx, officer, w.Prog.Phone, "AD "+e2e.NorthPoint+" / benchmark "+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		wait, cancel := context.WithTimeout(ctx, 5*time.Second)
		m, err := w.Sim.NextMessage(wait, cm)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, m.At.Sub(start))
		if _, err := w.Sim.NextMessage(ctx, officer); err != nil { // the officer's reply
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if backlog > 0 {
		left, _ := w.Redis.ZCard(ctx, "leadline:{outbox}:ready").Result()
		b.ReportMetric(float64(left), "reminders-left")
	}
	w.Svc.Wait()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(q(1), "max-ms")
}

// BenchmarkEscalationLag measures how late escalation steps are taken with
// 100,000 timers pending in Redis: referrals arrive over about two seconds,
// each step waits 2 s, two instances poll every 250 ms as serve does, and
// the 100,000 other timers wait in the same queue for an hour. Lag is from a
// step's due time to the step's event in the referral's history, so it
// includes the whole step (claim, guarded transition, next timer). Run it
// with -benchtime=1x.
func BenchmarkEscalationLag(b *testing.B) {
	const filler = 100_000
	const wait = 2 * time.Second
	for range b.N {
		b.StopTimer()
		w := e2e.NewOn(b, clocktest.Wall(), nil) // real instances polling in real time
		for i := range w.Prog.Cohorts {
			for j := range w.Prog.Cohorts[i].Escalation.Steps {
				w.Prog.Cohorts[i].Escalation.Steps[j].Wait = wait
			}
		}
		ctx := context.Background()
		later := float64(time.Now().Add(time.Hour).UnixMilli())
		for lo := 0; lo < filler; lo += 1000 {
			p := w.Redis.Pipeline()
			for i := lo; i < lo+1000; i++ {
				p.ZAdd(ctx, "leadline:{dispatch}:timers:due", redis.Z{Score: later, Member: "step:F" + strconv.Itoa(i) + ":0"})
			}
			if _, err := p.Exec(ctx); err != nil {
				b.Fatal(err)
			}
		}
		other := e2e.NewInstance(b, w.Prog, w.Redis, w.Sim, w.Clock)
		run, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, inst := range []*e2e.World{w, other} {
			wg.Go(func() { inst.Svc.RunTimers(run, 250*time.Millisecond) })
		}
		b.StartTimer()
		const referrals = 200
		codes := make([]string, 0, referrals)
		for range referrals {
			w.Text("osmith", "AD "+e2e.NorthPoint+" / lag "+strconv.Itoa(len(codes))) // not a resend of the last
			codes = append(codes, e2e.CodeIn(b, w.Expect("osmith", "Paging")))
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(wait + 2*time.Second)
		stop()
		wg.Wait()
		b.StopTimer()
		w.Svc.Wait()
		other.Svc.Wait()
		var lags []time.Duration
		for _, code := range codes {
			first, second := stepTimes(b, w, code)
			if second.IsZero() {
				b.Fatalf("%s: step 1 never taken", code)
			}
			lags = append(lags, second.Sub(first.Add(wait)))
		}
		slices.Sort(lags)
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds())/1000, "p50-lag-ms")
		b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds())/1000, "p99-lag-ms")
		b.ReportMetric(float64(lags[len(lags)-1].Microseconds())/1000, "max-lag-ms")
	}
}

// stepTimes are when steps 0 and 1 of a referral were taken, from its history.
func stepTimes(b *testing.B, w *e2e.World, code string) (first, second time.Time) {
	events := w.Redis.LRange(context.Background(), "leadline:{dispatch}:referral:"+code+":events", 0, -1).Val()
	for _, e := range events {
		f := strings.Fields(e)
		if len(f) < 4 || f[1] != "step" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, f[0])
		if err != nil {
			b.Fatal(err)
		}
		switch {
		case strings.HasPrefix(f[3], "0/"):
			first = t
		case strings.HasPrefix(f[3], "1/"):
			second = t
		}
	}
	return first, second
}
