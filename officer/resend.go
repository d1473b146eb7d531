package officer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/referral"
)

func sentKey(id string) string      { return prefix + "officer:" + id + ":sent" }
func referralsKey(id string) string { return prefix + "officer:" + id + ":referrals" }
func lockKey(id string) string      { return prefix + "officer:" + id + ":referring" }

// samePlace is how near, in metres, a resend's point is to the first's:
// "5th & Wood" and "5th and Wood", or a phone's fix drifting.
const samePlace = 150.0

// Officers' own lists are short: the codes they may CANCEL or ask about.
const (
	keepReferrals = 20
	referralsTTL  = 30 * 24 * time.Hour
)

// lockLease bounds how long one text holds the officer's lock: long enough
// to store and page, short enough that a dead instance frees it soon.
const lockLease = 5 * time.Second

// sent is the officer's latest referral, kept to recognise a resend.
type sent struct {
	Code     string
	Type     referral.Type
	Lat, Lon float64
	Notes    string
	At       time.Time
}

var unlock = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// lock takes the officer's referral lock, so that two instances handling
// the same officer's texts at once cannot both find no first referral and
// both page. It waits for a holder to finish (a lease at most).
func (d *Desk) lock(ctx context.Context, officer string) (func(), error) {
	token := rand.Text()
	const wait = 10 * time.Millisecond
	for tries := 0; ; tries++ {
		ok, err := d.rdb.SetNX(ctx, lockKey(officer), token, lockLease).Result()
		if err != nil {
			return nil, fmt.Errorf("lock officer: %w", err)
		}
		if ok {
			return func() { unlock.Run(context.WithoutCancel(ctx), d.rdb, []string{lockKey(officer)}, token) }, nil
		}
		if tries > int(lockLease/wait) {
			return nil, errors.New("lock officer: held too long")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// resentOf returns the officer's open referral that r repeats: the same
// type, at the same place, within the program's window, and no notes but
// the first's (other notes mean another person). Call it under the lock.
func (d *Desk) resentOf(ctx context.Context, r *referral.Referral) (*referral.Referral, error) {
	data, err := d.rdb.Get(ctx, sentKey(r.Officer)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("officer's latest: %w", err)
	}
	var s sent
	if err := d.open(data, sentKey(r.Officer), &s); err != nil {
		return nil, fmt.Errorf("decode officer's latest: %w", err)
	}
	if s.Type != r.Type || d.now().Sub(s.At) > d.prog.ResendWindow ||
		geo.Distance(orb.Point{s.Lon, s.Lat}, orb.Point{r.Lon, r.Lat}) > samePlace ||
		(r.Notes != "" && !strings.EqualFold(s.Notes, r.Notes)) {
		return nil, nil
	}
	first, err := d.refs.Load(ctx, s.Code)
	if errors.Is(err, referral.ErrNotFound) || (err == nil && !first.Open()) {
		return nil, nil // cancelled, or unanswered: a resend is a new try
	}
	return first, err
}

// record remembers r as the officer's: their latest (for resends) and in
// their list of codes.
func (d *Desk) record(ctx context.Context, r *referral.Referral) error {
	data, err := d.seal(sent{Code: r.Code, Type: r.Type, Lat: r.Lat, Lon: r.Lon, Notes: r.Notes, At: r.Received}, sentKey(r.Officer))
	if err != nil {
		return fmt.Errorf("encode officer's latest: %w", err)
	}
	_, err = d.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if d.prog.ResendWindow > 0 {
			p.Set(ctx, sentKey(r.Officer), data, d.prog.ResendWindow)
		}
		p.ZAdd(ctx, referralsKey(r.Officer), redis.Z{Score: float64(r.Received.UnixMilli()), Member: r.Code})
		p.ZRemRangeByRank(ctx, referralsKey(r.Officer), 0, -keepReferrals-1)
		p.Expire(ctx, referralsKey(r.Officer), referralsTTL)
		return nil
	})
	if err != nil {
		return fmt.Errorf("remember officer's referral: %w", err)
	}
	return nil
}

// openCodes are the officer's open referrals, newest first.
func (d *Desk) openCodes(ctx context.Context, officer string) ([]string, error) {
	codes, err := d.rdb.ZRevRange(ctx, referralsKey(officer), 0, keepReferrals-1).Result()
	if err != nil {
		return nil, fmt.Errorf("officer's referrals: %w", err)
	}
	rs, err := d.refs.LoadMany(ctx, codes)
	if err != nil {
		return nil, err
	}
	var open []string
	for _, r := range rs {
		if r != nil && r.Open() && r.Officer == officer {
			open = append(open, r.Code)
		}
	}
	return open, nil
}
