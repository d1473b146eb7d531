package dispatch

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// detailFields are what identifies a referral's encounter: where, who
// referred, what the officer wrote, and who was paged. They go when the
// program's details retention runs out; times, type, cohort, outcome and who
// accepted stay as the de-identified record reports are made of.
var detailFields = []string{"officer", "location", "lat", "lon", "place", "notes", "outside_m", "near_boundary",
	"paged", "paged_list", "declined", "missed", "failed", "participant", "appt_place", "p_tz"}

// purge removes the details of an ended referral whose details retention has
// run out, and sets its record to expire when records retention does. A
// referral that was reopened (accepted after nobody answered) waits for its
// new end, which sets its own purge timer.
func (s *Service) purge(ctx context.Context, code string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		if err == errNotFound {
			return nil
		}
		return err
	}
	end := r.Ended()
	now := s.now()
	if r.Open() || end.IsZero() || now.Before(end.Add(s.prog.Retention.Details)) {
		return nil
	}
	if r.Participant != "" {
		// Details retention shorter than participants.keep: the number goes now.
		if err := s.dropParticipant(ctx, r); err != nil {
			return err
		}
	}
	keep := s.prog.Retention.Records
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, referralKey(code), detailFields...)
		p.HSet(ctx, referralKey(code), "purged_at", formatTime(now))
		p.Del(ctx, eventsKey(code))
		p.ExpireAt(ctx, referralKey(code), end.Add(keep))
		p.ZRemRangeByScore(ctx, referralsKey, "-inf", "("+strconv.FormatInt(now.Add(-keep).UnixMilli(), 10))
		return nil
	})
	if err != nil {
		return fmt.Errorf("purge details of %s: %w", code, err)
	}
	s.log.Info("referral details removed", "code", code)
	return nil
}

// Ended is when the referral reached its end state: closed, cancelled or
// unanswered; zero while it is open.
func (r *Referral) Ended() time.Time {
	switch r.State {
	case Closed:
		return r.ClosedAt
	case Cancelled:
		return r.CancelledAt
	case Unanswered:
		return r.UnansweredAt
	}
	return time.Time{}
}

// Records are the referrals received in [from, to), oldest first, for
// reports. Those past their details retention hold only the de-identified
// record.
func Records(ctx context.Context, rdb redis.UniversalClient, from, to time.Time) ([]*Referral, error) {
	codes, err := rdb.ZRangeByScore(ctx, referralsKey, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "(" + strconv.FormatInt(to.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	out := make([]*Referral, 0, len(codes))
	for lo := 0; lo < len(codes); lo += 500 {
		batch := codes[lo:min(lo+500, len(codes))]
		cmds := make([]*redis.MapStringStringCmd, len(batch))
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range batch {
				cmds[i] = p.HGetAll(ctx, referralKey(c))
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load referrals: %w", err)
		}
		for _, cmd := range cmds {
			if len(cmd.Val()) == 0 {
				continue // its record expired
			}
			r, err := referralFrom(cmd.Val())
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}
