// Package availability knows which case managers have said they are off
// (OFF, OFF 2h) and until when: paging skips them until then, or until
// they text ON. It also remembers that a cohort's supervisors were told
// the cohort has nobody available, so that they are told once.
//
// Keys (in the on-call hash tag, beside the schedules they qualify):
//
//	leadline:{oncall}:off:<person>    string: until when (Unix ms) the person is off; expires about then
//	leadline:{oncall}:alone:<cohort>  string: until when (Unix ms) the supervisors were told nobody is available (the first back)
package availability

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

const prefix = "leadline:{oncall}:"

func offKey(person string) string   { return prefix + "off:" + person }
func aloneKey(cohort string) string { return prefix + "alone:" + cohort }

// Store reads and records who is off.
type Store struct {
	rdb redis.UniversalClient
	now func() time.Time
}

// New returns the store on rdb; clock is required.
func New(rdb redis.UniversalClient, clock func() time.Time) *Store {
	if clock == nil {
		panic("availability.New: a clock is required")
	}
	return &Store{rdb: rdb, now: clock}
}

// Set records person as off until `until`. The key expires then, so being
// off ends by itself, on every instance at once.
func (s *Store) Set(ctx context.Context, person string, until time.Time) error {
	// A TTL from the program's clock, not Redis's time: the two may differ
	// (a test's clock, the demo's `wait`), so the time is also checked on
	// read, and the key only saves Redis from keeping it for ever.
	ttl := max(until.Sub(s.now()), time.Second) + time.Minute
	if err := s.rdb.Set(ctx, offKey(person), strconv.FormatInt(until.UnixMilli(), 10), ttl).Err(); err != nil {
		return fmt.Errorf("record %s off: %w", person, err)
	}
	return nil
}

// Clear records person as available again; was reports whether they were
// off.
func (s *Store) Clear(ctx context.Context, person string) (was bool, err error) {
	off, err := s.Away(ctx, []string{person})
	if err != nil {
		return false, err
	}
	if err := s.rdb.Del(ctx, offKey(person)).Err(); err != nil {
		return false, fmt.Errorf("record %s on: %w", person, err)
	}
	_, was = off[person]
	return was, nil
}

// Away is which of ids are off now, and until when, in one round trip.
func (s *Store) Away(ctx context.Context, ids []string) (map[string]time.Time, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = offKey(id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("who is off: %w", err)
	}
	now := s.now()
	out := map[string]time.Time{}
	for i, v := range vals {
		str, _ := v.(string)
		ms, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			continue
		}
		if until := time.UnixMilli(ms); until.After(now) {
			out[ids[i]] = until
		}
	}
	return out, nil
}

// alone sets KEYS[1] to ARGV[2] (until, ms) unless it holds a time after
// ARGV[1] (now): the time is checked here, not left to the key's expiry,
// since the program's clock may not be Redis's.
var alone = redis.NewScript(`
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`)

// Alone records that cohort's supervisors are being told it has nobody
// available until `until`, and reports whether this is the first telling:
// instances and repeated OFFs tell them once.
func (s *Store) Alone(ctx context.Context, cohort string, until time.Time) (first bool, err error) {
	now := s.now()
	n, err := alone.Run(ctx, s.rdb, []string{aloneKey(cohort)}, now.UnixMilli(), until.UnixMilli(),
		(max(until.Sub(now), time.Second) + time.Minute).Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("note %s has nobody: %w", cohort, err)
	}
	return n == 1, nil
}

// NotAlone forgets that the cohorts had nobody: someone is back, so a
// later time with nobody is told again.
func (s *Store) NotAlone(ctx context.Context, cohorts []string) error {
	for _, c := range cohorts {
		if err := s.rdb.Del(ctx, aloneKey(c)).Err(); err != nil {
			return fmt.Errorf("note %s has somebody: %w", c, err)
		}
	}
	return nil
}
