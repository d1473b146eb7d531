package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/outbox"
)

func TestPageGoesBeforeQueuedReminders(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{Workers: 1})
	for i := range 50 {
		e.enqueue(b, outbox.Message{ID: fmt.Sprintf("rem%02d", i), To: person(i), Priority: outbox.Reminder})
	}
	e.enqueue(b, outbox.Message{ID: "page", To: person(99), Priority: outbox.Page, Body: "referral R7 at 5th and Main"})
	e.run(b)
	e.wait(51)

	got := e.sim.Messages()
	if len(got) != 51 {
		t.Fatalf("%d texts sent, want 51", len(got))
	}
	if got[0].Body != "referral R7 at 5th and Main" {
		t.Errorf("first text sent is %q, want the page", got[0].Body)
	}
	for i, m := range got[1:] {
		if want := fmt.Sprintf("text rem%02d", i); m.Body != want {
			t.Fatalf("text %d is %q, want %q: reminders out of enqueue order", i+1, m.Body, want)
		}
	}
}

func TestOneRecipientGetsTextsInPriorityThenEnqueueOrder(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{Workers: 8})
	// The clock stands still: every text is enqueued in the same
	// millisecond, and still keeps its order.
	to := person(1)
	var want []string
	var reminders []string
	for i := range 30 {
		prio := outbox.Reply
		if i%3 == 0 {
			prio = outbox.Reminder
		}
		body := fmt.Sprintf("%s %02d", prio, i)
		e.enqueue(b, outbox.Message{To: to, Body: body, Priority: prio})
		if prio == outbox.Reminder {
			reminders = append(reminders, body)
		} else {
			want = append(want, body)
		}
		// Others' texts between them must not disturb the order.
		e.enqueue(b, outbox.Message{To: person(100 + i), Priority: prio})
	}
	want = append(want, reminders...)
	e.run(b)
	e.wait(60)

	if got := e.bodiesTo(to); !slices.Equal(got, want) {
		t.Errorf("texts to one person arrived as\n%q\nwant\n%q", got, want)
	}
}

func TestEnqueueOfAKnownIDDoesNothing(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{})
	ctx := context.Background()
	m := outbox.Message{ID: "reply:SM1", From: programPhone, To: person(1), Body: "Got it.", Priority: outbox.Reply}
	steps := []struct {
		name  string
		flush bool
		want  bool
	}{
		{"first", false, true},
		{"again while queued", false, false},
		{"again after sent", true, false},
	}
	for _, s := range steps {
		if s.flush {
			e.flush(b)
		}
		added, err := b.Enqueue(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if added != s.want {
			t.Errorf("%s: Enqueue = %v, want %v", s.name, added, s.want)
		}
	}
	e.flush(b)
	if n := len(e.sim.Messages()); n != 1 {
		t.Errorf("%d texts sent, want 1", n)
	}
	e.result("reply:SM1")

	// Without an ID, each enqueue is its own message.
	for range 2 {
		e.enqueue(b, outbox.Message{To: person(2), Priority: outbox.Reply})
	}
	e.flush(b)
	if n := len(e.bodiesTo(person(2))); n != 2 {
		t.Errorf("%d texts without ID sent, want 2", n)
	}
}

func TestEnqueueRefuses(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{})
	for _, m := range []outbox.Message{
		{ID: "no-to", From: programPhone, Body: "x"},
		{ID: "no-from", To: person(1), Body: "x"},
		{ID: "bad-priority", From: programPhone, To: person(1), Body: "x", Priority: outbox.Reminder + 1},
	} {
		if _, err := b.Enqueue(context.Background(), m); err == nil {
			t.Errorf("%s: Enqueue accepted it", m.ID)
		}
		if _, err := b.Get(context.Background(), m.ID); !errors.Is(err, outbox.ErrNotFound) {
			t.Errorf("%s: Get = %v, want ErrNotFound", m.ID, err)
		}
	}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name      string
		ok        bool
		err       error
		wantState string
		wantSent  int
		skipped   bool
	}{
		{"allowed", true, nil, "sent", 1, false},
		{"dropped", false, nil, "skipped", 0, true},
		{"check fails", false, errors.New("redis gone"), "failed", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			var asked []outbox.Message
			b := e.box(outbox.Options{Check: func(_ context.Context, m outbox.Message) (bool, error) {
				asked = append(asked, m)
				return c.ok, c.err
			}})
			meta := map[string]string{"appointment": "A12", "person": "p7"}
			e.enqueue(b, outbox.Message{ID: "m", To: person(1), Priority: outbox.Reminder, Kind: "reminder",
				Meta: meta, MaxAttempts: 1})
			e.flush(b)

			if len(asked) != 1 || asked[0].Kind != "reminder" || !maps.Equal(asked[0].Meta, meta) {
				t.Errorf("Check was asked %+v, want once with the message's kind and meta", asked)
			}
			if n := len(e.sim.Messages()); n != c.wantSent {
				t.Errorf("%d texts sent, want %d", n, c.wantSent)
			}
			r := e.result("m")
			if r.Skipped != c.skipped || (r.Err != nil) != (c.err != nil) || !errors.Is(r.Err, c.err) {
				t.Errorf("Result Skipped %v Err %v, want %v %v", r.Skipped, r.Err, c.skipped, c.err)
			}
			if r.Kind != "reminder" || !maps.Equal(r.Meta, meta) || !r.Queued.Equal(e.clock.Now()) {
				t.Errorf("Result = %+v, want the message's kind, meta and enqueue time handed back", r)
			}
			if rec := e.get(b, "m"); rec.State != c.wantState {
				t.Errorf("state %q, want %q", rec.State, c.wantState)
			}
			if !e.idle(b) {
				t.Error("not idle once the message ended")
			}
		})
	}
}

func TestIdle(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{Retries: []time.Duration{time.Minute}})
	to := person(1)
	e.sim.FailSends(to, 3, 503, 20503) // the phone client's three tries, once
	steps := []struct {
		name string
		do   func()
		want bool
	}{
		{"empty", func() {}, true},
		{"queued", func() { e.enqueue(b, outbox.Message{ID: "m", To: to, Priority: outbox.Reply}) }, false},
		{"retry waits a minute", func() { e.flush(b) }, true},
		{"retry due", func() { e.clock.Advance(time.Minute) }, false},
		{"sent", func() { e.flush(b) }, true},
	}
	for _, s := range steps {
		s.do()
		if got := e.idle(b); got != s.want {
			t.Fatalf("%s: Idle = %v, want %v", s.name, got, s.want)
		}
	}
	if rec := e.get(b, "m"); rec.State != "sent" || rec.Attempts != 2 {
		t.Errorf("record %s after %d attempts, want sent after 2", rec.State, rec.Attempts)
	}
}

func TestDoneRunsBeforeTheRecipientIsFree(t *testing.T) {
	e := newEnv(t)
	to := person(1)
	var b *outbox.Box
	var mu sync.Mutex
	var idleInDone []bool
	b = e.box(outbox.Options{Workers: 4, Done: func(ctx context.Context, r outbox.Result) {
		idle, err := b.Idle(ctx)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		idleInDone = append(idleInDone, idle)
		mu.Unlock()
		if r.ID == "first" {
			// Were the recipient free before Done returned, an idle worker
			// would send "second" before this is queued.
			time.Sleep(20 * time.Millisecond)
			if _, err := b.Enqueue(ctx, outbox.Message{ID: "follow-up", From: programPhone, To: to,
				Body: "follow-up", Priority: outbox.Page}); err != nil {
				t.Error(err)
			}
		}
	}})
	e.enqueue(b, outbox.Message{ID: "first", To: to, Body: "first", Priority: outbox.Page})
	e.enqueue(b, outbox.Message{ID: "second", To: to, Body: "second", Priority: outbox.Reply})
	e.run(b)
	e.wait(3)

	if got, want := e.bodiesTo(to), []string{"first", "follow-up", "second"}; !slices.Equal(got, want) {
		t.Errorf("texts arrived as %q, want %q", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(idleInDone, true) {
		t.Errorf("Idle while Done ran: %v", idleInDone)
	}
}
