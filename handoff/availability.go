package handoff

import (
	"context"
	"slices"
	"time"

	"github.com/leadline/leadline/program"
)

// maxOff is the longest OFF: longer leave is an override's, or the
// rotation's, to plan.
const maxOff = 30 * 24 * time.Hour

// OffHelp says how to give OFF a time.
const OffHelp = "OFF 2h (or 30m, 1h30m, 2d), or OFF alone until your next shift; ON when back."

// Off is p's OFF: no pages for d, or with d zero until their next shift
// starts. The cohorts p pages for that are left with nobody available
// have their supervisors told, once.
func (h *Texts) Off(ctx context.Context, p *program.Person, d time.Duration) (string, error) {
	now := h.now()
	until := now.Add(d)
	if d == 0 {
		next, err := h.nextShiftStart(ctx, p.ID, now)
		if err != nil {
			return "", err
		}
		if next.IsZero() {
			return "You have no coming shift: say for how long, " + OffHelp, nil
		}
		until = next
	}
	if d > maxOff {
		return "OFF is for 30 days at most. " + OffHelp, nil
	}
	if err := h.away.Set(ctx, p.ID, until); err != nil {
		return "", err
	}
	if err := h.tellIfNobody(ctx, p.ID); err != nil {
		return "", err
	}
	return "You are off" + h.note.Until(until) + ": no pages till then. Text ON when back.", nil
}

// On is p's ON: pages reach them again.
func (h *Texts) On(ctx context.Context, p *program.Person) (string, error) {
	was, err := h.away.Clear(ctx, p.ID)
	if err != nil {
		return "", err
	}
	if err := h.away.NotAlone(ctx, h.prog.CohortsOf(p.ID)); err != nil {
		return "", err
	}
	if !was {
		return "You were not off: pages reach you.", nil
	}
	return "You are on: pages reach you again.", nil
}

// nextShiftStart is when p's next on-call shift in any cohort starts;
// zero for none in the weeks ahead.
func (h *Texts) nextShiftStart(ctx context.Context, id string, now time.Time) (time.Time, error) {
	var next time.Time
	for _, c := range h.prog.Cohorts {
		if !slices.Contains(c.Rotation, id) {
			continue
		}
		sh, ok, err := h.oncall.NextShiftOf(ctx, c.ID, id, now)
		if err != nil {
			return time.Time{}, err
		}
		if ok && (next.IsZero() || sh.From.Before(next)) {
			next = sh.From
		}
	}
	return next, nil
}

// tellIfNobody tells the supervisors of each cohort id pages for (its
// rotation or backup) that is left with none of them available, once
// until one is back.
func (h *Texts) tellIfNobody(ctx context.Context, id string) error {
	for _, c := range h.prog.Cohorts {
		members := slices.Concat(c.Rotation, c.Backup)
		if !slices.Contains(members, id) {
			continue
		}
		off, err := h.away.Away(ctx, members)
		if err != nil {
			return err
		}
		var back time.Time
		for _, m := range members {
			until, isOff := off[m]
			if !isOff {
				back = time.Time{}
				break
			}
			if back.IsZero() || until.Before(back) {
				back = until
			}
		}
		if back.IsZero() {
			continue
		}
		first, err := h.away.Alone(ctx, c.ID, back)
		if err != nil || !first {
			return err
		}
		for _, s := range h.prog.Supervisors(c.ID) {
			h.note.Tell(ctx, s, c.Name+": no case manager is available"+h.note.Until(back)+
				" (all texted OFF). Pages go to the supervisors.")
		}
	}
	return nil
}

// offIn lists who of the cohorts p belongs to is off: "Jo R. until Tue
// 09:00".
func (h *Texts) offIn(ctx context.Context, p *program.Person) ([]string, error) {
	var ids []string
	for _, c := range h.prog.Cohorts {
		if !h.member(p, &c) {
			continue
		}
		for _, id := range slices.Concat(c.Rotation, c.Backup) {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	off, err := h.away.Away(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, id := range ids {
		if until, ok := off[id]; ok {
			name := h.note.ShortName(id)
			if id == p.ID {
				name = "you"
			}
			out = append(out, name+h.note.Until(until))
		}
	}
	return out, nil
}
