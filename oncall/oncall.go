// Package oncall knows who is on call for each cohort.
//
// The core loop keeps one ordered rotation per cohort: its first member is
// on call, and the rest follow in order when a page is declined. Schedules
// with handoff times and overrides will live beside it under the same
// per-cohort prefix, so that Current keeps its meaning as they are added.
//
// Redis keys (all share the hash tag {oncall}):
//
//	leadline:{oncall}:cohort:<id>:rotation  list of person IDs, on-call first
//	leadline:{oncall}:cohort:<id>:seeded    the config rotation it was last seeded from
package oncall

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ErrNobody means a cohort has nobody to page.
var ErrNobody = errors.New("nobody on call")

// Store reads and seeds rotations.
type Store struct {
	rdb redis.UniversalClient
}

// New returns a Store on rdb.
func New(rdb redis.UniversalClient) *Store { return &Store{rdb: rdb} }

func rotationKey(cohort string) string { return "leadline:{oncall}:cohort:" + cohort + ":rotation" }
func seededKey(cohort string) string   { return "leadline:{oncall}:cohort:" + cohort + ":seeded" }

// seed replaces a rotation only when the config's differs from the one it
// was last seeded from, so that a restart keeps changes made in Redis while
// an edited config still wins. One script, so instances starting together
// cannot interleave.
var seed = redis.NewScript(`
if redis.call('GET', KEYS[2]) == ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
for i = 2, #ARGV do redis.call('RPUSH', KEYS[1], ARGV[i]) end
redis.call('SET', KEYS[2], ARGV[1])
return 1
`)

// Seed loads each cohort's configured rotation into Redis, unless Redis
// already holds one seeded from the same config.
func (s *Store) Seed(ctx context.Context, rotations map[string][]string) error {
	for cohort, ids := range rotations {
		args := make([]any, 0, len(ids)+1)
		args = append(args, strings.Join(ids, ","))
		for _, id := range ids {
			args = append(args, id)
		}
		if err := seed.Run(ctx, s.rdb, []string{rotationKey(cohort), seededKey(cohort)}, args...).Err(); err != nil {
			return fmt.Errorf("seed rotation of %s: %w", cohort, err)
		}
	}
	return nil
}

// Rotation is the cohort's rotation, on-call person first.
func (s *Store) Rotation(ctx context.Context, cohort string) ([]string, error) {
	ids, err := s.rdb.LRange(ctx, rotationKey(cohort), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("rotation of %s: %w", cohort, err)
	}
	return ids, nil
}

// Current is the person on call for cohort now.
func (s *Store) Current(ctx context.Context, cohort string) (string, error) {
	id, err := s.rdb.LIndex(ctx, rotationKey(cohort), 0).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("%s: %w", cohort, ErrNobody)
	}
	if err != nil {
		return "", fmt.Errorf("on call for %s: %w", cohort, err)
	}
	return id, nil
}

// Next is the first person in cohort's rotation after `after` who is not in
// skip, wrapping round. A person not in the rotation is followed by the one
// on call. ErrNobody when everyone is skipped.
func (s *Store) Next(ctx context.Context, cohort, after string, skip []string) (string, error) {
	ids, err := s.Rotation(ctx, cohort)
	if err != nil {
		return "", err
	}
	start := slices.Index(ids, after) + 1 // 0 when absent: start at the on-call person
	for i := range ids {
		id := ids[(start+i)%len(ids)]
		if id != after && !slices.Contains(skip, id) {
			return id, nil
		}
	}
	return "", fmt.Errorf("%s after %s: %w", cohort, after, ErrNobody)
}
