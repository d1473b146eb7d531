package phone

import (
	"context"
	"math/rand/v2"
	"time"
)

// maxBackoff caps the wait between attempts, unless RetryBase is larger.
const maxBackoff = 5 * time.Second

// backoff is the wait after the given failed attempt (1-based): base,
// doubling each time up to the cap, of which a random half is taken off so
// that senders held up by the same outage do not retry in step.
func backoff(base time.Duration, attempt int) time.Duration {
	limit := max(maxBackoff, base)
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	half := d / 2
	return half + rand.N(half+1)
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
