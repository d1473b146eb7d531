package appointment

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// BenchmarkReminderMemory schedules 1,000,000 participant reminders (three
// per appointment, the default cadence) through the code APPT runs, for
// participants who have agreed to reminders, and reports the Redis memory
// each costs: the timer itself, and its share of the appointment's fields,
// the participant's record and the case manager's index.
func BenchmarkReminderMemory(b *testing.B) {
	const reminders = 1_000_000
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		b.Fatal(err)
	}
	rdb, _ := redistest.Start(b)
	ctx := context.Background()
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	keys, err := datakey.New()
	if err != nil {
		b.Fatal(err)
	}
	box, err := outbox.New(rdb, nil, outbox.Options{Clock: clk.Now, Keys: keys, Log: log})
	if err != nil {
		b.Fatal(err)
	}
	q := timers.New(rdb, referral.TimersBase, timers.Options{Clock: clk.Now, Log: log})
	refs := referral.NewStore(rdb, q, clk.Now, prog.Retention.Details, keys)
	book := New(prog, rdb, refs, q, notify.New(prog, box, "", log), keys, clk.Now, log)
	per := len(prog.Participants.Reminders)
	appts := reminders / per
	// The referrals exist already: only what an appointment adds is measured.
	codes := make([]string, appts)
	for i := range codes {
		r := &referral.Referral{Type: referral.Arrest, Cohort: "north", Officer: "osmith", State: referral.Accepted, Received: clk.Now()}
		if err := refs.Insert(ctx, r, referral.Timer{Kind: "bench", At: clk.Now().Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		codes[i] = r.Code
	}
	number := func(i int) string { return fmt.Sprintf("+1412%07d", i) }
	// Their consent is already given: only what a scheduled reminder holds
	// is measured, not consent requests waiting in the outbox.
	for lo := 0; lo < appts; lo += 10_000 {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := lo; i < min(lo+10_000, appts); i++ {
				p.HSet(ctx, participantKey(book.numberHash(number(i))), "phone", number(i), "consent", consentYes)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	cm, _ := prog.Person("jrivera")
	base := redistest.UsedMemory(b, rdb)
	b.ResetTimer()
	for range b.N {
		var wg sync.WaitGroup
		for w := range 16 {
			wg.Go(func() {
				for i := w; i < appts; i += 16 {
					r := &referral.Referral{Code: codes[i]}
					at := clk.Now().Add(4*24*time.Hour + time.Duration(i%1000)*time.Minute)
					if _, err := book.set(ctx, cm, r, number(i), at, "123 Center Ave"); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	pending, _ := q.Pending(ctx)
	used := redistest.UsedMemory(b, rdb) - base
	b.ReportMetric(float64(pending-int64(appts)), "timers") // less the referrals' own rescue timers
	b.ReportMetric(float64(used)/float64(appts*per), "B/reminder")
	b.ReportMetric(float64(used)/1e6, "MB")
}
