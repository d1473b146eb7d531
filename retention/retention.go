// Package retention forgets what the program no longer needs: an ended
// referral's details (where, who referred, the notes, who was paged, the
// participant) once the program's details retention runs out, keeping the
// de-identified record reports read until records retention runs out too.
// The referring officer's agency stays in that record.
//
// A referral never closed would keep its details forever, so one open
// longer than retention.open is closed (outcome "expired") and purged at
// once, its cohort's supervisors told retention.open_notice before.
// It owns no keys; the referral's are changed through referral.Store.
package retention

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// Participants drops a referral's participant.
type Participants interface {
	Drop(ctx context.Context, r *referral.Referral) error
}

// Purger removes details when their time is up.
type Purger struct {
	prog  *program.Program
	refs  *referral.Store
	parts Participants
	tell  Teller
	now   func() time.Time
	log   *slog.Logger
}

// New returns the purger; tell texts supervisors of referrals open long.
func New(prog *program.Program, refs *referral.Store, parts Participants, tell Teller, clock func() time.Time, log *slog.Logger) *Purger {
	return &Purger{prog: prog, refs: refs, parts: parts, tell: tell, now: clock, log: log}
}

// Register hands the purge timer (set by every change that ends a
// referral) and the open limit's (set when one is stored) to mux.
func (p *Purger) Register(mux *timers.Mux) {
	mux.Handle(referral.TimerPurge, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		return p.purge(ctx, a.At(0))
	})
	mux.Handle(referral.TimerOpenLimit, p.limit)
}

// purge removes the details of an ended referral whose details retention
// has run out, and sets its record to expire when records retention does.
// A referral that was reopened (accepted after nobody answered) waits for
// its new end, which sets its own purge timer. One closed at the open
// limit goes at once.
func (p *Purger) purge(ctx context.Context, code string) error {
	r, err := p.refs.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	end, now := r.Ended(), p.now()
	due := end.Add(p.prog.Retention.Details)
	if r.Outcome == referral.OutcomeExpired && r.State == referral.Closed {
		due = end
	}
	if r.Open() || end.IsZero() || now.Before(due) {
		return nil
	}
	if r.Participant != "" {
		// Details retention shorter than participants.keep: the number goes now.
		if err := p.parts.Drop(ctx, r); err != nil {
			return err
		}
	}
	keep := p.prog.Retention.Records
	agency := r.Agency
	if o, ok := p.prog.Person(r.Officer); ok && agency == "" {
		agency = o.Agency
	}
	if err := p.refs.PurgeDetails(ctx, code, agency, now, end.Add(keep), now.Add(-keep)); err != nil {
		return err
	}
	p.log.Info("referral details removed", "code", code)
	return nil
}
