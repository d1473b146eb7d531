package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Run sends queued messages with Workers goroutines until ctx ends, then
// waits for the sends under way. Workers wake at once when this instance
// enqueues, and every Poll for what other instances enqueued or retries
// that came due.
func (b *Box) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range b.workers {
		wg.Go(func() { b.work(ctx) })
	}
	wg.Wait()
}

// work is one worker: it claims and sends until nothing can go, then
// waits for a wake-up or the next poll.
func (b *Box) work(ctx context.Context) {
	poll := time.NewTicker(b.poll)
	defer poll.Stop()
	for {
		for ctx.Err() == nil {
			t, err := b.next(ctx, nil)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					b.log.Error("outbox: claim", "err", err)
				}
				break
			}
			if t.capped != "" {
				// The sender is at its cap. Nothing is held meanwhile, so
				// whatever is first when the cap allows again (a page, say)
				// is what goes.
				sleep(ctx, t.wait)
				continue
			}
			if !t.ok {
				if t.again {
					continue
				}
				break
			}
			// There may be more: let another idle worker look too.
			b.poke()
			b.process(ctx, t.c)
		}
		select {
		case <-ctx.Done():
			return
		case <-b.wake:
		case <-poll.C:
		}
	}
}

// turn is what next found.
type turn struct {
	c      claimed
	ok     bool          // c is claimed, to be processed
	again  bool          // nothing was claimed, but something may be now
	capped string        // the sender whose cap said no, if it did
	wait   time.Duration // how long until capped's cap may say yes
}

// next claims the next message that may go now, skipping the senders in
// skip. Under a cap it first looks whose message is next and asks that
// sender's cap, and only then claims, taking whatever is first from that
// sender at that moment. Asking before claiming is what keeps pages first:
// were the cap asked after the claim, the worker that holds a page and the
// ones that hold reminders would race for the same slot, and a page could
// lose to reminders several times in a row.
func (b *Box) next(ctx context.Context, skip []string) (turn, error) {
	// A claim's reply is the only record of it: if ctx ended while the
	// script ran, the message would be held until its lease lapsed.
	claimCtx := context.WithoutCancel(ctx)
	if b.limiter == nil {
		c, ok, err := b.claim(claimCtx, "", skip)
		return turn{c: c, ok: ok}, err
	}
	from, ok, err := b.peek(ctx, skip)
	if err != nil || !ok {
		return turn{}, err
	}
	res, err := b.limiter.Allow(ctx, rateKey(from), b.limit)
	if err != nil {
		return turn{}, fmt.Errorf("outbox: rate of %s: %w", from, err)
	}
	if res.Allowed == 0 {
		return turn{capped: from, wait: max(res.RetryAfter, time.Millisecond)}, nil
	}
	c, ok, err := b.claim(claimCtx, from, skip)
	if err == nil && !ok {
		// Another worker took the sender's last message between our look
		// and our claim; its slot goes unused, which the cap allows.
		return turn{again: true}, nil
	}
	return turn{c: c, ok: ok}, err
}

// Flush claims and sends, in the caller's goroutine, every message that
// can go now (ready, its recipient free, its sender's cap allowing) until
// none is left, and returns how many ended (sent, failed or skipped; a
// message scheduled for a retry has not ended). For tests, the demo and
// shutdown.
func (b *Box) Flush(ctx context.Context) (int, error) {
	n := 0
	var capped []string // senders at their cap: skipped for the rest of this flush
	for {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("outbox: flush: %w", err)
		}
		t, err := b.next(ctx, capped)
		switch {
		case err != nil:
			return n, err
		case t.capped != "":
			capped = append(capped, t.capped)
		case t.ok:
			if b.process(ctx, t.c) {
				n++
			}
		case !t.again:
			return n, nil
		}
	}
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
