package inbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
)

// A frozen Redis loses no text and doubles none (issue 20). The real
// redis-server is stopped (SIGSTOP) while instance A takes an officer's
// text: Twilio hangs up on A, A's claim of the MessageSid times out, and
// Twilio retries the text at instance B. When Redis wakes it runs A's
// claim, which nobody works on any more, and B's, whichever came first. B must handle the text once A's abandoned claim lapses (seconds),
// not ignore it as a retry of a text being handled. Figure: texts lost 0,
// referrals and pages 1 each, one reply to the officer.
func TestFrozenRedisLosesNoText(t *testing.T) {
	t.Run("retried after Redis wakes", func(t *testing.T) { frozenRedis(t, false) })
	t.Run("retried while Redis is frozen", func(t *testing.T) { frozenRedis(t, true) })
}

func frozenRedis(t *testing.T, retryFrozen bool) {
	f := redistest.StartFreezable(t)
	// A's claim times out after Twilio has hung up on it (350 ms here,
	// 15 s at Twilio) and before Redis wakes.
	client := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: f.Addr, ReadTimeout: 500 * time.Millisecond, PoolSize: 64})
		t.Cleanup(func() { _ = c.Close() })
		// Connections ready before the freeze: a new one's first command
		// is its HELLO, which a frozen server never answers, so the claim
		// would never be sent.
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() { c.BLPop(context.Background(), 100*time.Millisecond, "warm") })
		}
		wg.Wait()
		return c
	}
	clk := clocktest.New(e2e.Start)
	a := e2e.NewOnRedis(t, client(), clk, nil)
	b := e2e.NewInstance(t, a.Prog, client(), a.Sim, clk)
	ctx := context.Background()

	f.Freeze(t)
	a.Sim.SetWebhookBase(a.URL)
	// Twilio's webhook timeout (15 s), shortened.
	twilio, cancel := context.WithTimeout(ctx, 350*time.Millisecond)
	sid, err := a.Sim.Text(twilio, a.PhoneOf("osmith"), a.Prog.Phone, "AD "+e2e.NorthPoint)
	cancel()
	if err == nil {
		t.Fatal("instance A answered while Redis was frozen")
	}
	time.Sleep(300 * time.Millisecond) // A's claim times out meanwhile
	if retryFrozen {
		a.Sim.SetWebhookBase(b.URL)
	}
	retried := make(chan error, 1)
	retry := func() {
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		retried <- a.Sim.Redeliver(ctx, sid)
	}
	if retryFrozen {
		go retry()
		time.Sleep(200 * time.Millisecond)
	}
	f.Wake(t)
	if !retryFrozen {
		// Redis ran A's claim when it woke, though A has given up on it.
		key := "leadline:{dispatch}:sms:" + sid
		for i := 0; a.Redis.Exists(ctx, key).Val() == 0; i++ {
			if i == 100 {
				t.Fatal("Redis did not run A's claim when it woke")
			}
			time.Sleep(10 * time.Millisecond)
		}
		a.Sim.SetWebhookBase(b.URL)
		go retry()
	}
	if err := <-retried; err != nil {
		t.Fatalf("Twilio's retry at B: %v", err)
	}
	code := e2e.CodeIn(t, a.Expect("osmith", "Paging"))
	a.Expect("jrivera", "LEAD page "+code)
	b.Svc.Wait()
	a.Quiet("osmith", "jrivera", "aklein")
	refs, pages := a.Redis.ZCard(ctx, "leadline:{dispatch}:referrals").Val(), a.Sim.Attempts(a.PhoneOf("jrivera"))
	t.Logf("figures: %d texts lost, %d referrals, %d pages, 1 reply to the officer", 1-min(refs, 1), refs, pages)
	if refs != 1 {
		t.Errorf("%d referrals stored, want 1", refs)
	}
	if pages != 1 {
		t.Errorf("case manager paged %d times, want 1", pages)
	}
}
