// Package lease keeps a claim alive while its holder works on it: the
// timer queue and the outbox renew their short leases the same way, so
// that a claim lapses soon after its holder stops, and only then.
package lease

import (
	"context"
	"time"
)

// Renew calls renew every third of lease until renew returns false, ctx
// ends or the returned stop is called; stop waits for a renew under way
// to finish, so nothing is renewed after the holder has let go.
func Renew(ctx context.Context, lease time.Duration, renew func(context.Context) bool) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(max(lease/3, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if !renew(ctx) {
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}
