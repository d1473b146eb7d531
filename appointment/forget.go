package appointment

import (
	"context"

	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/referral"
)

// forget drops a participant's number from r once nothing needs it: the
// referral and its follow-up are over and its appointment past, plus the
// program's grace period. The number's own record goes with its last
// referral, except that an opt-out is kept, under the number's hash only.
func (b *Book) forget(ctx context.Context, code string) error {
	r, err := b.refs.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) {
		return nil
	}
	if err != nil || r.Participant == "" {
		return err
	}
	now := b.now()
	last := r.Appt
	if end := r.Ended(); r.Open() || end.IsZero() {
		last = maxTime(last, now)
	} else {
		last = maxTime(last, end)
	}
	if r.OwesFollowUp(b.prog) {
		last = maxTime(last, r.FollowUpDue(b.prog))
	}
	if until := last.Add(b.prog.Participants.Keep); until.After(now) {
		return b.q.Schedule(ctx, TimerForget.ID(code), until)
	}
	return b.Drop(ctx, r)
}

// Drop removes r's participant: their number, the place and zone from r,
// and the number's own record once no referral holds it.
func (b *Book) Drop(ctx context.Context, r *referral.Referral) error {
	code := r.Code
	hash := b.numberHash(r.Participant)
	rec, _, err := b.record(ctx, hash)
	if err != nil {
		return err
	}
	c := referral.Change{Event: referral.At(b.now(), referral.EvParticipantForgotten, "", ""),
		Set: []referral.Write{referral.Del(referral.FParticipant), referral.Del(referral.FApptPlace), referral.Del(referral.FTZ)}}
	if _, err := b.refs.Apply(ctx, code, c); err != nil {
		return fmt.Errorf("forget participant of %s: %w", code, err)
	}
	_, err = b.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.SRem(ctx, codesKey(hash), code)
		pl.ZRem(ctx, apptsKey(r.ApptBy), code)
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget participant of %s: %w", code, err)
	}
	left, err := b.rdb.SCard(ctx, codesKey(hash)).Result()
	if err != nil || left > 0 {
		return err
	}
	_, err = b.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.Del(ctx, participantKey(hash), sentKey(hash), codesKey(hash))
		pl.SRem(ctx, askedKey, hash)
		if rec.Stopped != "" {
			pl.HSet(ctx, participantKey(hash), "stopped", rec.Stopped)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("forget participant: %w", err)
	}
	b.log.Info("participant number removed", "code", code)
	return nil
}

func maxTime(a, c time.Time) time.Time {
	if a.After(c) {
		return a
	}
	return c
}

// DigestLines are the appointments person made for today, earliest first,
// the referrals whose coming appointment waits on the participant's
// consent (no reminder goes until they answer, so the case manager should
// know), and those whose participant's number cannot get texts.
func (b *Book) DigestLines(ctx context.Context, person string, from, to time.Time) (today, waiting, unreachable []string, err error) {
	key := apptsKey(person)
	// Appointments past by more than a day are no longer anyone's business here.
	b.rdb.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(from.AddDate(0, 0, -1).UnixMilli(), 10))
	codes, err := b.rdb.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("digest of %s: %w", person, err)
	}
	for _, code := range codes {
		r, err := b.refs.Load(ctx, code)
		if errors.Is(err, referral.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if r.ApptState == apptCancelled || r.Appt.Before(from) || r.Participant == "" {
			continue
		}
		if r.Appt.Before(to) {
			today = append(today, code+" "+b.prog.Times.Time(r.Appt))
		}
		rec, _, err := b.record(ctx, b.numberHash(r.Participant))
		if err != nil {
			return nil, nil, nil, err
		}
		switch {
		case rec.Unreachable != "" && rec.Stopped == "":
			unreachable = append(unreachable, code+" ("+shown(r.Participant)+")")
		case rec.Consent == consentAsked && rec.Stopped == "":
			waiting = append(waiting, code)
		}
	}
	return today, waiting, unreachable, nil
}

// Awaiting is the gauge of participants asked for consent who have not
// answered: reminders wait on them.
func (b *Book) Awaiting() prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "leadline_participants_awaiting_consent",
		Help: "Participants asked to agree to reminders who have not answered."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, _ := b.rdb.SCard(ctx, askedKey).Result()
		return float64(n)
	})
}
