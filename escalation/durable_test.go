package escalation_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/twiliosim"
)

// dying is an instance's phone client that dies while placing a call:
// with reached, after Twilio took the call but before its answer came back;
// without, before the request left. It never returns until the test ends,
// as a killed process never does.
type dying struct {
	escalation.Caller
	reached bool
	entered chan struct{}
	end     chan struct{}
}

func (d *dying) Call(ctx context.Context, c phone.Call) (string, error) {
	if d.reached {
		if _, err := d.Caller.Call(ctx, c); err != nil {
			return "", err
		}
	}
	close(d.entered)
	<-d.end
	return "", context.Canceled
}

// An instance dies between taking a call step and Twilio's answer to the
// call: another instance places the call within a lease (2 s of the
// program's clock, not the 20 s a call may take to place), and the call,
// answered, works. The dead instance's connections to Redis close, as a
// killed process's do, so it renews nothing. The figures: calls lost (must
// be 0), calls placed twice (1 when the dead instance's call reached
// Twilio: the at-least-once bound) and seconds until the call is placed.
func TestPageCallSurvivesItsInstance(t *testing.T) {
	for _, c := range []struct {
		name    string
		reached bool
		calls   int
	}{{"died before Twilio took the call", false, 1}, {"died after Twilio took the call", true, 2}} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			rdb, addr := redistest.Start(t)
			deadRedis := redis.NewClient(&redis.Options{Addr: addr})
			d := &dying{reached: c.reached, entered: make(chan struct{}), end: make(chan struct{})}
			live := e2e.NewOnRedis(t, rdb, clocktest.New(e2e.Start), nil)
			// Twilio's callbacks for the dead instance's call reach the
			// survivor, as behind a load balancer.
			dead := e2e.NewInstance(t, live.Prog, deadRedis, live.Sim, live.Clock, func(cfg *dispatch.Config) {
				d.Caller = cfg.Caller
				cfg.Caller = d
				cfg.PublicURL = live.URL
			})
			t.Cleanup(func() { close(d.end) }) // runs before the instance's own cleanup
			live.Sim.SetWebhookBase(live.URL)
			live.Text("osmith", "SC "+e2e.NorthPoint)
			code := e2e.CodeIn(t, live.Expect("osmith", "Paging"))
			live.Expect("jrivera", "LEAD page "+code)

			// The dead instance takes the call step and dies placing it.
			live.Clock.Advance(5 * time.Minute)
			if _, err := dead.Svc.FireTimers(ctx); err != nil {
				t.Fatal(err)
			}
			<-d.entered
			_ = deadRedis.Close()
			if r := live.Referral(code); r.Step != 1 {
				t.Fatalf("the dead instance did not take the call step: %+v", r)
			}
			// The survivor polls on; the call's intent comes due.
			late := 0
			var calls []twiliosim.Call
			for ; late < 25 && len(calls) < c.calls; late++ {
				live.After(time.Second)
				calls = live.Sim.UnreadCalls(live.PhoneOf("jrivera"))
			}
			lost := 0
			if len(calls) == 0 {
				lost = 1
			}
			t.Logf("figures: %d calls lost, %d placed for one page, placed %d s after the step", lost, len(calls), late)
			if len(calls) != c.calls {
				t.Fatalf("%d calls to Jo, want %d", len(calls), c.calls)
			}
			if late > 2 {
				t.Errorf("the call was placed %d s after its step, want at most a 2 s lease", late)
			}
			// The first call rung (the dead instance's, if it reached
			// Twilio) is answered and accepted.
			call, err := live.Sim.Answer(ctx, calls[0].SID)
			if err != nil {
				t.Fatal(err)
			}
			if said := strings.Join(call.Said(), " "); !strings.Contains(said, "Press 1 to accept") {
				t.Fatalf("the answered call says %q", said)
			}
			if err := call.Press(ctx, "1"); err != nil {
				t.Fatal(err)
			}
			live.Svc.Wait()
			live.Expect("osmith", code+" accepted by Jo R.")
			if r := live.Referral(code); r.State != referral.Accepted || r.AcceptedBy != "jrivera" {
				t.Errorf("after accepting the recovered call: %+v", r)
			}
		})
	}
}

// slow is a phone client whose calls Twilio answers only when the test
// says so, after the call's lease has been renewed many times.
type slow struct {
	escalation.Caller
	entered, answer chan struct{}
}

func (s *slow) Call(ctx context.Context, c phone.Call) (string, error) {
	close(s.entered)
	<-s.answer
	return s.Caller.Call(ctx, c)
}

// An instance that is slow to place a page call (Twilio takes seconds to
// answer) but alive keeps its claim: the other instance, whose timer for
// the call comes due meanwhile, does not place it again. The figure: calls
// placed for one page (must be 1).
func TestSlowPageCallIsPlacedOnce(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	s := &slow{entered: make(chan struct{}), answer: make(chan struct{})}
	first := e2e.NewOnRedis(t, rdb, clocktest.New(e2e.Start), nil, func(cfg *dispatch.Config) {
		s.Caller = cfg.Caller
		cfg.Caller = s
	})
	other := e2e.NewInstance(t, first.Prog, rdb, first.Sim, first.Clock)
	other.Text("osmith", "SC "+e2e.NorthPoint)
	code := e2e.CodeIn(t, other.Expect("osmith", "Paging"))
	other.Expect("jrivera", "LEAD page "+code)
	other.Clock.Advance(5 * time.Minute)
	if _, err := first.Svc.FireTimers(ctx); err != nil {
		t.Fatal(err)
	}
	<-s.entered
	// Five seconds of the program's clock, each followed by time for the
	// slow instance to renew its claim (a third of the 2 s lease).
	for range 5 {
		other.After(time.Second)
		time.Sleep(800 * time.Millisecond)
	}
	if calls := other.Sim.UnreadCalls(other.PhoneOf("jrivera")); len(calls) != 0 {
		t.Fatalf("the other instance placed the slow instance's call: %d calls", len(calls))
	}
	close(s.answer)
	first.Svc.Wait()
	other.After(time.Second)
	calls := other.Sim.UnreadCalls(other.PhoneOf("jrivera"))
	t.Logf("figure: %d calls placed for one page", len(calls))
	if len(calls) != 1 {
		t.Errorf("%d calls to Jo, want 1", len(calls))
	}
}

// Twilio answers 429, then 500, for a while: the on-call case manager's
// page text and page call are tried again within the step's wait, and they
// get them; the chain does not move on to the next person. The figure:
// pages that skipped the on-call person (must be 0).
func TestTwilioOutageDoesNotSkipTheOnCallPerson(t *testing.T) {
	ctx := context.Background()
	clk := clocktest.New(e2e.Start)
	rdb, _ := redistest.Start(t)
	w := e2e.NewOnRedis(t, rdb, clk, nil, func(cfg *dispatch.Config) {
		cfg.Outbox.Clock = clk.Now // retries come due as the test moves the clock
	})
	jo := w.PhoneOf("jrivera")
	// The phone client tries 3 times per attempt: 12 sends fail, 4 attempts.
	w.Sim.FailSends(jo, 6, 429, 20429)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Sim.FailSends(jo, 0, 0, 0)
	w.Sim.FailSends(jo, 12, 500, 20500)
	for range 30 {
		w.After(time.Second)
	}
	w.Expect("jrivera", "LEAD page "+code)
	if r := w.Referral(code); r.Step != 0 || len(r.Missed) != 0 {
		t.Fatalf("the outage moved the chain on: step %d, missed %v", r.Step, r.Missed)
	}
	// The call step, through another outage.
	w.Sim.FailSends(jo, 9, 503, 20503)
	w.After(5*time.Minute - 30*time.Second)
	for range 30 {
		w.After(time.Second)
	}
	c := w.Call("jrivera")
	call, err := w.Sim.Answer(ctx, c.SID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Press(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	skipped := 0
	if r := w.Referral(code); r.AcceptedBy != "jrivera" || r.Step != 1 {
		skipped = 1
		t.Errorf("after the outages: %+v", r)
	}
	t.Logf("figure: %d pages skipped the on-call person; Twilio saw %d sends and calls to them", skipped, w.Sim.Attempts(jo))
	w.Quiet("aklein")
}
