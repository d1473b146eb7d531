package retention

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// Teller texts a person, by ID, under an idempotency key: the same key
// twice texts once (notify.Notifier's Remind).
type Teller interface {
	Remind(ctx context.Context, personID, body, id string)
}

// openStates are the states the open limit acts in.
var openStates = []referral.State{referral.New, referral.Paging, referral.Accepted, referral.OnScene}

// limit is the open limit's timer: stage 0 tells the cohort's supervisors
// the referral has been open long, stage 1 closes it and removes its
// details. Each stage acts only if the referral is still open and its
// watch still names this timer, and moves the watch on under that guard,
// so two instances or a retried timer let each stage happen once.
func (p *Purger) limit(ctx context.Context, t timers.Timer, a timers.Args) error {
	r, err := p.refs.Load(ctx, a.At(0))
	if err != nil {
		return referral.IgnoreGone(err)
	}
	n, due, raw, ok := r.Watched(referral.TimerOpenLimit)
	if !ok || due.UnixMilli() != t.Due.UnixMilli() || !r.Open() {
		return nil // closed since, or overtaken
	}
	switch n {
	case 0:
		return p.notice(ctx, r, raw, due)
	case 1:
		return p.expire(ctx, r, raw)
	}
	return nil
}

// notice tells r's supervisors, and sets the close for when r has been
// open retention.open, or for one limited late, retention.open_notice
// after the notice was due. The text names the code and how long, nothing else:
// the supervisor looks it up in the console.
func (p *Purger) notice(ctx context.Context, r *referral.Referral, raw string, due time.Time) error {
	now := p.now()
	end := r.Received.Add(p.prog.Retention.Open)
	if soon := due.Add(p.prog.Retention.OpenNotice); end.Before(soon) {
		end = soon // limited late (see LimitOpen): the notice's time still comes first
	}
	body := fmt.Sprintf("%s has been open %s. Unless it is closed first, in %s it is closed and its details removed.",
		r.Code, Span(now.Sub(r.Received)), Span(end.Sub(now)))
	sups := p.prog.Supervisors(r.Cohort)
	for _, id := range sups {
		p.tell.Remind(ctx, id, body, fmt.Sprintf("%s:%s:%s:%s", referral.TimerOpenLimit, r.Code, raw, id))
	}
	c := referral.Change{From: openStates, Guard: referral.WatchHolds(referral.TimerOpenLimit, raw),
		Event: referral.At(now, referral.EvOpenNotice, strings.Join(sups, ","), "")}.
		Watch(referral.TimerOpenLimit, 1, end)
	_, err := p.refs.Apply(ctx, r.Code, c)
	return err
}

// expire closes r as OutcomeExpired, with its purge due at once, and
// purges it: reports count it as ended, and nothing about the encounter
// is kept longer than retention.open. Should this instance stop between
// the two, the purge timer does the rest.
func (p *Purger) expire(ctx context.Context, r *referral.Referral, raw string) error {
	now := p.now()
	c := referral.Change{From: openStates, Guard: referral.WatchHolds(referral.TimerOpenLimit, raw),
		Event:  referral.At(now, referral.EvOpenLimit, "", Span(now.Sub(r.Received))),
		Set:    []referral.Write{referral.Set(referral.FOutcome, referral.OutcomeExpired)},
		Timers: []referral.Timer{{Kind: referral.TimerPurge, At: now}}}.
		Watch(referral.TimerOpenLimit, 2, time.Time{}).To(referral.Closed, now)
	applied, err := p.refs.Apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	p.log.Info("referral closed at the open limit", "code", r.Code)
	return p.purge(ctx, r.Code)
}

// Span is d as a person reads it: whole days from two days on, else
// whole hours, else minutes.
func Span(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return "1 minute"
}

// LimitOpen gives every open referral with no open limit (stored before
// there was one) its TimerOpenLimit, due when Insert would have set it, or
// now if that has passed. Each is set under a guard that the referral
// still has none, so every instance may run it at start: the first sets
// each limit, the others change nothing.
func (p *Purger) LimitOpen(ctx context.Context) error {
	open, err := p.refs.Open(ctx)
	if err != nil {
		return err
	}
	now, n := p.now(), 0
	for _, r := range open {
		if _, _, _, ok := r.Watched(referral.TimerOpenLimit); ok {
			continue
		}
		at := r.Received.Add(p.prog.Retention.Open - p.prog.Retention.OpenNotice)
		if at.Before(now) {
			at = now
		}
		c := referral.Change{From: openStates, Guard: referral.Is(referral.FOpenLimit, "")}.Watch(referral.TimerOpenLimit, 0, at)
		applied, err := p.refs.Apply(ctx, r.Code, c)
		if err != nil {
			return err
		}
		if applied {
			n++
		}
	}
	if n > 0 {
		p.log.Info("open limit set on earlier referrals", "referrals", n)
	}
	return nil
}
