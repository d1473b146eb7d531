package appointment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/reseal"
)

// legacyName is how versions before the data key named a number: an
// unkeyed SHA-256 cut to 8 bytes, which anyone could search by trying
// every number of an area code. Only Reseal and adopt still read it.
func legacyName(number string) string {
	sum := sha256.Sum256([]byte(number))
	return hex.EncodeToString(sum[:8])
}

// Reseal renames the participants an older version named by legacyName to
// their keyed names (their number, the consent waiting list and the caps
// move with them), and seals anew their number and waiting messages. A
// participant kept only for their opt-out holds no number to rename by:
// adopt renames it when the number next appears. It returns how many
// participants it renamed and fields it sealed.
func Reseal(ctx context.Context, rdb redis.UniversalClient, keys reseal.Keys) (renamed, sealed int, err error) {
	err = reseal.Each(ctx, rdb, prefix+"participant:*", func(key string) error {
		name := strings.TrimPrefix(key, prefix+"participant:")
		if strings.Contains(name, ":") {
			return nil // its codes or caps
		}
		h, err := rdb.HGetAll(ctx, key).Result()
		if err != nil {
			return fmt.Errorf("reseal participant: %w", err)
		}
		to := name
		if len(name) == 16 && h["phone"] != "" {
			number, err := keys.Open(h["phone"], key, "phone")
			if err != nil {
				return fmt.Errorf("reseal participant: %w", err)
			}
			moved, err := rename(ctx, rdb, name, keys.Name(number))
			if err != nil || !moved {
				return err
			}
			renamed++
			to = keys.Name(number)
		}
		var swaps []reseal.Swap
		for f, v := range h {
			if f != "phone" && !strings.HasPrefix(f, "msg:") || to == name && keys.Current(v) {
				continue
			}
			// Sealed (if at all) under the name it was read by; sealed
			// again under the name it has now.
			plain, err := keys.Open(v, key, f)
			if err != nil {
				return fmt.Errorf("reseal participant: %s: %w", f, err)
			}
			s, err := keys.Seal(plain, participantKey(to), f)
			if err != nil {
				return err
			}
			swaps = append(swaps, reseal.Swap{Field: f, Old: v, New: s})
		}
		n, err := reseal.Fields(ctx, rdb, participantKey(to), swaps)
		sealed += n
		return err
	})
	return renamed, sealed, err
}

// rename moves a participant's keys from one name to another, unless the
// new name is taken (a participant added under it since: the newer wins).
//
// KEYS: old participant, old codes, old caps, new participant, new codes,
// new caps, the consent waiting list. ARGV: old name, new name.
var renameScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[4])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[5]) end
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[6]) end
if redis.call('SREM', KEYS[7], ARGV[1]) == 1 then redis.call('SADD', KEYS[7], ARGV[2]) end
return 1
`)

func rename(ctx context.Context, rdb redis.UniversalClient, from, to string) (bool, error) {
	n, err := renameScript.Run(ctx, rdb, []string{participantKey(from), codesKey(from), sentKey(from),
		participantKey(to), codesKey(to), sentKey(to), askedKey}, from, to).Int()
	if err != nil {
		return false, fmt.Errorf("rename participant: %w", err)
	}
	return n == 1, nil
}

// adopt renames number's record from its legacy name, if an older version
// kept it there (an opt-out kept after the number was forgotten), so a
// participant who said STOP is not texted again after an upgrade.
func (b *Book) adopt(ctx context.Context, number string) error {
	_, err := rename(ctx, b.rdb, legacyName(number), b.numberHash(number))
	return err
}
