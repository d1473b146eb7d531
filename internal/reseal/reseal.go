// Package reseal walks Redis keys and swaps field values in place, for the
// packages that seal what they store (datakey) to seal anew what an older
// version stored in the clear, or under a key since rotated.
package reseal

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Each calls fn with every key matching pattern, on every master of a
// cluster.
func Each(ctx context.Context, rdb redis.UniversalClient, pattern string, fn func(key string) error) error {
	scan := func(ctx context.Context, c redis.Cmdable) error {
		it := c.Scan(ctx, 0, pattern, 500).Iterator()
		for it.Next(ctx) {
			if err := fn(it.Val()); err != nil {
				return err
			}
		}
		return it.Err()
	}
	if cc, ok := rdb.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	}
	return scan(ctx, rdb)
}

// swap sets each field to its new value only if it still holds the old
// one, so a value an instance changed meanwhile stays as changed.
//
// KEYS: the hash. ARGV: field, old, new triples.
var swap = redis.NewScript(`
local n = 0
for i = 1, #ARGV, 3 do
  if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i+1] then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+2]); n = n + 1
  end
end
return n
`)

// Swap is one field's value to replace.
type Swap struct{ Field, Old, New string }

// Fields swaps the fields of hash key, each only if unchanged since read.
// It returns how many were swapped.
func Fields(ctx context.Context, rdb redis.UniversalClient, key string, s []Swap) (int, error) {
	if len(s) == 0 {
		return 0, nil
	}
	args := make([]any, 0, 3*len(s))
	for _, w := range s {
		args = append(args, w.Field, w.Old, w.New)
	}
	n, err := swap.Run(ctx, rdb, []string{key}, args...).Int()
	if err != nil {
		return 0, fmt.Errorf("reseal %s: %w", key, err)
	}
	return n, nil
}

// Keys seal anew: they open what they or an older key sealed (or a value
// stored in the clear), and say whether a value is sealed under the
// newest key already (datakey.Keys).
type Keys interface {
	Seal(plain string, aad ...string) (string, error)
	Open(v string, aad ...string) (string, error)
	Current(v string) bool
	Name(number string) string
}

// Again is the swap that seals v anew under aad, or false if v is
// current already.
func Again(keys Keys, field, v string, aad ...string) (Swap, bool, error) {
	if v == "" || keys.Current(v) {
		return Swap{}, false, nil
	}
	plain, err := keys.Open(v, aad...)
	if err != nil {
		return Swap{}, false, err
	}
	sealed, err := keys.Seal(plain, aad...)
	if err != nil {
		return Swap{}, false, err
	}
	return Swap{Field: field, Old: v, New: sealed}, true, nil
}
