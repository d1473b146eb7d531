package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/twiliosim"
)

// These tests stand in for an instance that dies holding a claim, by
// running the claim and the "was sent" record directly.

type leaseEnv struct {
	rdb   *redis.Client
	sim   *twiliosim.Server
	phone *phone.Client
	keys  *datakey.Keys
	mu    sync.Mutex
	now   time.Time
	ended []Result
}

func newLeaseEnv(t *testing.T) *leaseEnv {
	rdb, _ := redistest.Start(t)
	sim := twiliosim.New(twiliosim.Options{AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "0123456789abcdef0123456789abcdef",
		Clock: clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)).Now})
	t.Cleanup(sim.Close)
	keys, err := datakey.New()
	if err != nil {
		t.Fatal(err)
	}
	return &leaseEnv{rdb: rdb, sim: sim, keys: keys, now: time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC),
		phone: phone.NewClient(phone.ClientConfig{AccountSID: "AC0123456789abcdef0123456789abcdef",
			AuthToken: "0123456789abcdef0123456789abcdef", APIURL: sim.URL(), RetryBase: time.Millisecond, MaxAttempts: 3})}
}

func (e *leaseEnv) clock() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
func (e *leaseEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.now = e.now.Add(d)
}

func (e *leaseEnv) box(t *testing.T) *Box {
	b, err := New(e.rdb, e.phone, Options{Clock: e.clock, Keys: e.keys, Lease: time.Minute,
		Log: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Done: func(_ context.Context, r Result) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.ended = append(e.ended, r)
		}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLapsedClaims(t *testing.T) {
	const to = "+14125550111"
	cases := []struct {
		name string
		// died is what the dead instance did with its claim.
		died      func(t *testing.T, e *leaseEnv, b *Box, c claimed)
		wantTexts int // of "m", in all
		wantAtt   int
		wantEnded int // Results for "m" from the live instance
	}{
		{"died before sending", func(*testing.T, *leaseEnv, *Box, claimed) {}, 1, 2, 1},
		{"died after the sent record", func(t *testing.T, e *leaseEnv, b *Box, c claimed) {
			sid, err := e.phone.SendSMS(context.Background(), phone.SMS{From: c.From, To: c.To, Body: c.Body})
			if err != nil {
				t.Fatal(err)
			}
			err = markSent.Run(context.Background(), e.rdb, []string{msgKey(c.ID), sidKey(sid), readyKey, laterKey},
				c.ID, sid, e.clock().UnixMilli(), b.ttl.Milliseconds()).Err()
			if err != nil {
				t.Fatal(err)
			}
		}, 1, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			e := newLeaseEnv(t)
			dead, live := e.box(t), e.box(t)
			for _, id := range []string{"m", "next"} {
				if _, err := dead.Enqueue(ctx, Message{ID: id, From: "+14125550100", To: to, Body: id, Priority: Reply}); err != nil {
					t.Fatal(err)
				}
			}
			cl, ok, err := dead.claim(ctx, "", nil)
			if err != nil || !ok || cl.ID != "m" {
				t.Fatalf("claim = %+v, %v, %v", cl, ok, err)
			}
			c.died(t, e, dead, cl)

			// Until the claim lapses, "m" is the dead instance's and its
			// recipient is busy, so nothing to them goes.
			e.advance(time.Minute - time.Millisecond)
			if n, err := live.Flush(ctx); err != nil || n != 0 {
				t.Fatalf("Flush before the lease lapsed = %d, %v", n, err)
			}
			e.advance(time.Millisecond)
			if _, err := live.Flush(ctx); err != nil {
				t.Fatal(err)
			}

			texts := 0
			var order []string
			for _, m := range e.sim.Messages() {
				order = append(order, m.Body)
				if m.Body == "m" {
					texts++
				}
			}
			if texts != c.wantTexts {
				t.Errorf("m texted %d times, want %d (texts: %q)", texts, c.wantTexts, order)
			}
			if len(order) != 2 || order[0] != "m" || order[1] != "next" {
				t.Errorf("texts %q, want m then next", order)
			}
			rec, err := live.Get(ctx, "m")
			if err != nil {
				t.Fatal(err)
			}
			if rec.State != "sent" || rec.Attempts != c.wantAtt {
				t.Errorf("m is %s after %d attempts, want sent after %d", rec.State, rec.Attempts, c.wantAtt)
			}
			ended := 0
			for _, r := range e.ended {
				if r.ID == "m" {
					ended++
				}
			}
			if ended != c.wantEnded {
				t.Errorf("Done told of m %d times, want %d", ended, c.wantEnded)
			}
			if idle, err := live.Idle(ctx); err != nil || !idle {
				t.Errorf("Idle = %v, %v; want idle", idle, err)
			}
			if n, _ := e.rdb.HLen(ctx, busyKey).Result(); n != 0 {
				t.Errorf("%d recipients still busy", n)
			}
			if ttl, _ := e.rdb.PTTL(ctx, msgKey("m")).Result(); ttl <= 0 {
				t.Errorf("m's record has no TTL (%v) after it ended", ttl)
			}
		})
	}
}

// An instance whose claim lapsed while it was still sending, and that
// then finishes, must not tell Done a second time or free the recipient
// from under the instance that took over.
func TestClaimLapsedMidSend(t *testing.T) {
	ctx := context.Background()
	e := newLeaseEnv(t)
	slow, live := e.box(t), e.box(t)
	if _, err := slow.Enqueue(ctx, Message{ID: "m", From: "+14125550100", To: "+14125550111", Body: "m", Priority: Page}); err != nil {
		t.Fatal(err)
	}
	cl, ok, err := slow.claim(ctx, "", nil)
	if err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	e.advance(time.Minute)
	if n, err := live.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("live Flush = %d, %v; want the lapsed message sent", n, err)
	}
	// The slow instance's send finally returns.
	if ended := slow.process(ctx, cl); ended {
		t.Error("the slow instance ended a message the live one had ended")
	}
	if len(e.ended) != 1 {
		t.Errorf("Done told %d times, want once", len(e.ended))
	}
	if n := len(e.sim.Messages()); n != 2 {
		t.Errorf("%d texts; a send already under way when its claim lapsed cannot be taken back, want 2", n)
	}
}

// jumpy is the real phone client, except that the clock jumps past the
// lease while a text is being sent and, meanwhile, the same instance looks
// for work, as another of its workers would.
type jumpy struct {
	*phone.Client
	e      *leaseEnv
	box    *Box
	jumped bool
	n      int
}

func (s *jumpy) SendSMS(ctx context.Context, m phone.SMS) (string, error) {
	if !s.jumped {
		s.jumped = true
		s.e.advance(time.Hour)
		n, err := s.box.Flush(ctx)
		s.n += n
		if err != nil {
			return "", err
		}
	}
	return s.Client.SendSMS(ctx, m)
}

func TestClockJumpDoesNotResendOwnClaim(t *testing.T) {
	ctx := context.Background()
	e := newLeaseEnv(t)
	s := &jumpy{Client: e.phone, e: e}
	b, err := New(e.rdb, s, Options{Clock: e.clock, Keys: e.keys, Lease: time.Minute, Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.box = b
	if _, err := b.Enqueue(ctx, Message{ID: "m", From: "+14125550100", To: "+14125550111", Body: "m", Priority: Page}); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("Flush = %d, %v", n, err)
	}
	if s.n != 0 || len(e.sim.Messages()) != 1 {
		t.Errorf("texted %d times (%d by the nested flush), want once", len(e.sim.Messages()), s.n)
	}
}

// A worker killed mid-send, with the default short lease: the text it held
// and the ones queued behind it to the same person go within a lease and a
// poll, and every other person's text goes at once. Killed before Twilio
// took the text, nothing is sent twice; killed after Twilio took it but
// before the "was sent" record, it is sent twice (the at-least-once bound:
// one repeat per death in that moment). The figures: how late each text
// went, texts duplicated, texts lost.
func TestKilledWorkerHoldsItsRecipientOneLease(t *testing.T) {
	const held = "+14125550111"
	others := []string{"+14125550112", "+14125550113", "+14125550114"}
	for _, c := range []struct {
		name    string
		sentNow bool // the killed worker's send reached Twilio
		dupes   int
	}{{"killed before Twilio answered", false, 0}, {"killed after Twilio answered", true, 1}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			e := newLeaseEnv(t)
			newBox := func() *Box {
				b, err := New(e.rdb, e.phone, Options{Clock: e.clock, Keys: e.keys, Log: slog.New(slog.NewTextHandler(t.Output(), nil))})
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			dead, live := newBox(), newBox()
			queued := e.clock()
			enqueue := func(id, to string) {
				if _, err := dead.Enqueue(ctx, Message{ID: id, From: "+14125550100", To: to, Body: id, Priority: Page}); err != nil {
					t.Fatal(err)
				}
			}
			enqueue("held-1", held)
			enqueue("held-2", held)
			for i, to := range others {
				enqueue(fmt.Sprint("other-", i), to)
			}
			// The worker that is killed: it claims, perhaps sends, and
			// never renews, records or releases.
			cl, ok, err := dead.claim(ctx, "", nil)
			if err != nil || !ok || cl.ID != "held-1" {
				t.Fatalf("claim = %+v, %v, %v", cl, ok, err)
			}
			if c.sentNow {
				if _, err := e.phone.SendSMS(ctx, phone.SMS{From: cl.From, To: cl.To, Body: cl.Body}); err != nil {
					t.Fatal(err)
				}
			}
			wentAt := map[string]time.Time{}
			for range 40 { // 10 s of the live instance's polls
				if _, err := live.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				for _, m := range e.sim.Messages() {
					if _, seen := wentAt[m.Body]; !seen {
						wentAt[m.Body] = e.clock()
					}
				}
				e.advance(250 * time.Millisecond)
			}
			count := map[string]int{}
			for _, m := range e.sim.Messages() {
				count[m.Body]++
			}
			lost, dupes := 0, 0
			for _, id := range []string{"held-1", "held-2", "other-0", "other-1", "other-2"} {
				if count[id] == 0 {
					lost++
				}
				dupes += max(count[id]-1, 0)
			}
			late := wentAt["held-2"].Sub(queued)
			t.Logf("figures: held-2 went %v after it was queued; %d texts duplicated, %d lost", late, dupes, lost)
			if lost != 0 || dupes != c.dupes {
				t.Errorf("%d texts lost, %d duplicated; want 0 lost, %d duplicated", lost, dupes, c.dupes)
			}
			if late > DefaultLease+250*time.Millisecond {
				t.Errorf("the killed worker's recipient waited %v for their next text, want <= a lease and a poll", late)
			}
			for i := range others {
				if w := wentAt[fmt.Sprint("other-", i)].Sub(queued); w != 0 {
					t.Errorf("other-%d waited %v behind a dead claim to someone else", i, w)
				}
			}
		})
	}
}
