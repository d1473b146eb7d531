package oncall

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/leadline/leadline/timers"
)

// Handoff is the on-call phone of a cohort passing from one person to
// another.
type Handoff struct {
	Cohort             string
	Outgoing, Incoming string
	At                 time.Time
	Until              time.Time // end of the incoming shift; zero for until further notice
}

// Notify tells people of a handoff.
type Notify func(ctx context.Context, h Handoff) error

// staleHandoff is how late a handoff may be noticed and still be told: an
// instance that was down for a day does not text yesterday's handoffs.
const staleHandoff = time.Hour

// sentTTL is how long a handoff is remembered as told.
const sentTTL = 7 * 24 * time.Hour

// scheduleHandoff sets the cohort's timer at the next change of who is on
// call, or clears it when nothing will change.
func (s *Store) scheduleHandoff(ctx context.Context, cohort string) error {
	sh, err := s.At(ctx, cohort, s.now())
	if err != nil && !errors.Is(err, ErrNobody) {
		return err
	}
	if sh.To.IsZero() {
		return s.timers.Cancel(ctx, "handoff:"+cohort)
	}
	return s.timers.Schedule(ctx, "handoff:"+cohort, sh.To)
}

// FireHandoffs tells every handoff that is due, once across instances, and
// sets each cohort's next.
func (s *Store) FireHandoffs(ctx context.Context, notify Notify) (int, error) {
	return s.timers.Fire(ctx, s.onHandoff(notify))
}

// RunHandoffs fires handoffs every poll until ctx ends.
func (s *Store) RunHandoffs(ctx context.Context, poll time.Duration, notify Notify) {
	s.timers.Run(ctx, poll, s.onHandoff(notify))
}

func (s *Store) onHandoff(notify Notify) timers.Handler {
	return func(ctx context.Context, t timers.Timer) error {
		cohort, ok := strings.CutPrefix(t.ID, "handoff:")
		if !ok {
			return nil
		}
		at := t.Due
		before, err := s.At(ctx, cohort, at.Add(-time.Millisecond))
		if err != nil && !errors.Is(err, ErrNobody) {
			return err
		}
		after, err := s.At(ctx, cohort, at)
		if err != nil && !errors.Is(err, ErrNobody) {
			return err
		}
		if before.Person != after.Person && s.now().Sub(at) < staleHandoff {
			fresh, err := s.rdb.SetNX(ctx, sentKey(cohort, at), "1", sentTTL).Result()
			if err != nil {
				return fmt.Errorf("claim handoff of %s: %w", cohort, err)
			}
			if fresh {
				h := Handoff{Cohort: cohort, Outgoing: before.Person, Incoming: after.Person, At: at, Until: after.To}
				if err := notify(ctx, h); err != nil {
					s.rdb.Del(context.WithoutCancel(ctx), sentKey(cohort, at))
					return err
				}
			}
		}
		if after.To.IsZero() {
			return nil
		}
		return s.timers.Schedule(ctx, t.ID, after.To)
	}
}
