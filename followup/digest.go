package followup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Digest texts each case manager or supervisor with anything open: their
// follow-ups due (with days left), today's appointments, coming ones
// waiting for the participant's consent, and participants whose number
// cannot get texts. Nobody with nothing open gets a
// text. at is the firing's time.
func (p *Plans) Digest(ctx context.Context, at time.Time) error {
	loc := p.prog.TimeZone
	l := at.In(loc)
	dayStart := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	dayEnd := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
	for _, person := range p.prog.People {
		if person.Role == program.Officer {
			continue
		}
		open, err := p.openLines(ctx, person.ID, dayStart)
		if err != nil {
			return err
		}
		appts, waiting, unreachable, err := p.appts.DigestLines(ctx, person.ID, dayStart, dayEnd)
		if err != nil {
			return err
		}
		if len(open) == 0 && len(appts) == 0 && len(waiting) == 0 && len(unreachable) == 0 {
			continue
		}
		p.note.Remind(ctx, person.ID, digestText(open, appts, waiting, unreachable), "digest:"+person.ID+":"+dayStart.Format("2006-01-02"))
	}
	return nil
}

// openLines lists the follow-ups id owes, soonest due first.
func (p *Plans) openLines(ctx context.Context, id string, today time.Time) ([]string, error) {
	codes, err := p.rdb.ZRange(ctx, openKey(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("digest of %s: %w", id, err)
	}
	var lines []string
	for _, code := range codes {
		r, err := p.refs.Load(ctx, code)
		if errors.Is(err, referral.ErrNotFound) || (err == nil && (!r.OwesFollowUp(p.prog) || r.AcceptedBy != id)) {
			p.rdb.ZRem(ctx, openKey(id), code)
			continue
		}
		if err != nil {
			return nil, err
		}
		lines = append(lines, code+" "+Word(r.Type)+" "+daysLeft(today, r.FollowUpDue(p.prog), p.prog.TimeZone))
	}
	return lines, nil
}
