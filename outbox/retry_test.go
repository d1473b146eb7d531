package outbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
)

// The phone client in these tests tries each send 3 times itself; the
// outbox's attempts come on top of that.
func TestFailedSends(t *testing.T) {
	cases := []struct {
		name         string
		fails        int // REST sends the simulator fails; -1 all
		status, code int
		maxAttempts  int
		wantState    string
		wantAttempts int // outbox attempts
		wantTries    int // REST sends the simulator saw
		wantErr      error
		wantFinal    bool
	}{
		{"429 then sent", 4, 429, 20429, 0, "sent", 2, 5, nil, false},
		{"5xx then sent", 4, 500, 20500, 0, "sent", 2, 5, nil, false},
		{"429 on every attempt", -1, 429, 20429, 2, "failed", 2, 6, nil, false},
		{"no outbox retry", 3, 503, 20503, 1, "failed", 1, 3, nil, false},
		{"invalid number", 1, 400, 21211, 0, "failed", 1, 1, phone.ErrUnreachable, true},
		{"landline", 1, 400, 21614, 0, "failed", 1, 1, phone.ErrUnreachable, true},
		{"opted out", 1, 400, 21610, 0, "failed", 1, 1, phone.ErrOptedOut, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.box(outbox.Options{Retries: []time.Duration{50 * time.Millisecond}})
			to := person(1)
			e.sim.FailSends(to, c.fails, c.status, c.code)
			e.enqueue(b, outbox.Message{ID: "m", To: to, Priority: outbox.Reply, MaxAttempts: c.maxAttempts})
			for range 10 {
				if e.flush(b) == 1 {
					break
				}
				e.clock.Advance(50 * time.Millisecond)
			}

			r := e.result("m")
			rec := e.get(b, "m")
			if rec.State != c.wantState || rec.Attempts != c.wantAttempts || r.Attempts != c.wantAttempts {
				t.Errorf("record %s after %d attempts (result says %d), want %s after %d",
					rec.State, rec.Attempts, r.Attempts, c.wantState, c.wantAttempts)
			}
			if tries := e.sim.Attempts(to); tries != c.wantTries {
				t.Errorf("simulator saw %d sends, want %d", tries, c.wantTries)
			}
			wantTexts := 0
			if c.wantState == "sent" {
				wantTexts = 1
			}
			if n := len(e.sim.Messages()); n != wantTexts {
				t.Errorf("%d texts delivered, want %d", n, wantTexts)
			}
			if c.wantState == "sent" {
				if r.Err != nil || r.SID == "" || r.SID != rec.SID || rec.Sent.IsZero() {
					t.Errorf("sent result Err %v SID %q, record SID %q sent %v", r.Err, r.SID, rec.SID, rec.Sent)
				}
				return
			}
			if r.Err == nil || rec.Error == "" {
				t.Fatalf("failed result has no error (record error %q)", rec.Error)
			}
			if phone.IsFinal(r.Err) != c.wantFinal {
				t.Errorf("IsFinal(%v) = %v, want %v", r.Err, !c.wantFinal, c.wantFinal)
			}
			if c.wantErr != nil && !errors.Is(r.Err, c.wantErr) {
				t.Errorf("error %v is not %v", r.Err, c.wantErr)
			}
		})
	}
}

func TestRetryWaitsItsTurn(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{Retries: []time.Duration{time.Second, time.Minute}})
	to := person(1)
	e.sim.FailSends(to, 6, 500, 20500) // two outbox attempts' worth
	e.enqueue(b, outbox.Message{ID: "m", To: to, Priority: outbox.Reply})
	steps := []struct {
		advance time.Duration
		want    int // REST sends seen by then
	}{
		{0, 3},
		{999 * time.Millisecond, 3},
		{time.Millisecond, 6},
		{59 * time.Second, 6},
		{time.Second, 7},
		{time.Hour, 7},
	}
	for i, s := range steps {
		e.clock.Advance(s.advance)
		e.flush(b)
		if got := e.sim.Attempts(to); got != s.want {
			t.Fatalf("step %d: %d sends, want %d", i, got, s.want)
		}
	}
	if rec := e.get(b, "m"); rec.State != "sent" || rec.Attempts != 3 {
		t.Errorf("record %s after %d attempts, want sent after 3", rec.State, rec.Attempts)
	}
	e.result("m")
}

// A message with RetryWithin (a page) is tried again quickly after
// transient failures for that long, and fails only after it: 429s and 500s
// for a while still reach the person; an outage longer than the window
// fails it, so the chain moves on; a final error fails it at once.
func TestRetryWithin(t *testing.T) {
	cases := []struct {
		name         string
		fails        int
		status, code int
		wantState    string
		wantTries    int
	}{
		// The phone client tries 3 times per outbox attempt.
		{"429 for 4 attempts", 12, 429, 20429, "sent", 13},
		{"500 for 4 attempts", 12, 500, 20500, "sent", 13},
		{"503 for longer than the window", -1, 503, 20503, "failed", 3 * 6}, // tries at 0, 1, 3, 7, 12, 17 s
		{"opted out", -1, 400, 21610, "failed", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			b := e.box(outbox.Options{})
			to := person(1)
			e.sim.FailSends(to, c.fails, c.status, c.code)
			e.enqueue(b, outbox.Message{ID: "m", To: to, Priority: outbox.Page, RetryWithin: 20 * time.Second})
			for range 100 { // 25 s
				e.flush(b)
				e.clock.Advance(250 * time.Millisecond)
			}
			rec := e.get(b, "m")
			if rec.State != c.wantState {
				t.Errorf("m is %s after %d attempts, want %s", rec.State, rec.Attempts, c.wantState)
			}
			if tries := e.sim.Attempts(to); tries != c.wantTries {
				t.Errorf("simulator saw %d sends, want %d", tries, c.wantTries)
			}
		})
	}
}
