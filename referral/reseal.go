package referral

import (
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/reseal"
)

// upgradedKey is set once serve has sealed, at a start, what versions
// before the data key stored (referrals and participants alike), so later
// starts skip the scan; `leadline keys reseal` scans whatever it says.
const upgradedKey = prefix + "upgraded:datakey"

// Upgraded reports whether a start has sealed what older versions stored.
func Upgraded(ctx context.Context, rdb redis.UniversalClient) (bool, error) {
	n, err := rdb.Exists(ctx, upgradedKey).Result()
	if err != nil {
		return false, fmt.Errorf("upgrade mark: %w", err)
	}
	return n == 1, nil
}

// MarkUpgraded records that a start has sealed what older versions stored.
func MarkUpgraded(ctx context.Context, rdb redis.UniversalClient) error {
	if err := rdb.Set(ctx, upgradedKey, "1", 0).Err(); err != nil {
		return fmt.Errorf("upgrade mark: %w", err)
	}
	return nil
}

// Reseal seals anew, under the newest key, every referral detail that is
// not: stored in the clear by a version before the data key, or sealed
// under a key since rotated. Instances may run meanwhile: a field changed
// since it was read is left as changed. It returns how many fields it
// sealed.
func Reseal(ctx context.Context, rdb redis.UniversalClient, keys reseal.Keys) (int, error) {
	fields := make([]string, len(SealedFields))
	for i, f := range SealedFields {
		fields[i] = string(f)
	}
	total := 0
	err := reseal.Each(ctx, rdb, prefix+"referral:*", func(key string) error {
		code := strings.TrimPrefix(key, prefix+"referral:")
		if strings.Contains(code, ":") {
			return nil // its events
		}
		vals, err := rdb.HMGet(ctx, key, fields...).Result()
		if err != nil {
			return fmt.Errorf("reseal referral %s: %w", code, err)
		}
		var swaps []reseal.Swap
		for i, v := range vals {
			s, _ := v.(string)
			w, again, err := reseal.Again(keys, fields[i], s, SealAAD(code, SealedFields[i])...)
			if err != nil {
				return fmt.Errorf("reseal referral %s: %s: %w", code, fields[i], err)
			}
			if again {
				swaps = append(swaps, w)
			}
		}
		n, err := reseal.Fields(ctx, rdb, key, swaps)
		total += n
		return err
	})
	return total, err
}
