package escalation

import (
	"context"
	"errors"
	"slices"

	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// What a staff action on a referral may be refused for, said so that the
// person knows what to do next.
var (
	ErrNotPageable = errors.New("that person cannot be paged: choose a case manager or supervisor")
	ErrSettled     = errors.New("the referral is no longer waiting for a case manager: reload to see who has it")
	ErrEnded       = errors.New("the referral has already ended")
	ErrNotAccepted = errors.New("the referral is not accepted yet")
	ErrOutcome     = errors.New("choose an outcome: engaged, refused or gone")
)

// PageNow pages person for r by text at once, as a supervisor asked, at the
// step now running: their 1 or 2 counts like any page's answer, and the
// chain goes on around them.
func (ch *Chain) PageNow(ctx context.Context, by string, r *referral.Referral, person string) error {
	p, ok := ch.Program.Person(person)
	if !ok || p.Role == program.Officer || p.Role == program.Intake {
		return ErrNotPageable
	}
	c := referral.Change{From: []referral.State{referral.Paging, referral.Unanswered},
		Event: referral.At(ch.Clock(), referral.EvPagedByStaff, person, by),
		Set:   []referral.Write{referral.AddWord(referral.FPagedList, person), referral.AddWord(referral.FPaged, person)}}
	fresh, applied, err := ch.Referrals.ApplyFresh(ctx, r.Code, c)
	if err != nil {
		return err
	}
	if !applied {
		return ErrSettled
	}
	ch.remember(ctx, person, r.Code)
	ch.pageBySMS(ctx, fresh, fresh.Step, p)
	return nil
}

// Withdraw cancels an open referral for the program, with the staff
// member's reason in its history; everyone paged and the officer are told.
func (ch *Chain) Withdraw(ctx context.Context, by string, r *referral.Referral, reason string) error {
	now := ch.Clock()
	c := referral.Change{From: []referral.State{referral.New, referral.Paging, referral.Accepted, referral.OnScene, referral.Unanswered},
		Event: referral.At(now, referral.EvCancelled, by, reason)}.To(referral.Cancelled, now)
	applied, err := ch.Referrals.Apply(ctx, r.Code, c)
	if err != nil {
		return err
	}
	if !applied {
		return ErrEnded
	}
	if r.State == referral.New || r.State == referral.Paging {
		ch.Metrics.Referrals.WithLabelValues(r.Cohort, string(r.Type), "cancelled").Inc()
	}
	for _, id := range StillPaged(r, "") {
		ch.Notify.Tell(ctx, id, r.Code+" was cancelled by the program. No need to respond.")
	}
	ch.Notify.Tell(ctx, r.Officer, r.Code+" was cancelled by the program.")
	ch.TellReferrer(ctx, r, toReferrerCancel, referrerCancelled(r.Code))
	return nil
}

// Close closes an accepted referral with outcome, for the case manager who
// has it, as a supervisor recorded it.
func (ch *Chain) Close(ctx context.Context, by string, r *referral.Referral, outcome string) error {
	if !slices.Contains(referral.Outcomes, outcome) {
		return ErrOutcome
	}
	now := ch.Clock()
	c := referral.Change{From: []referral.State{referral.Accepted, referral.OnScene},
		Event: referral.At(now, referral.EvClosed, by, outcome), Set: []referral.Write{referral.Set(referral.FOutcome, outcome)}}.To(referral.Closed, now)
	applied, err := ch.Referrals.Apply(ctx, r.Code, c)
	if err != nil {
		return err
	}
	if !applied {
		if r.AcceptedBy == "" && r.Open() {
			return ErrNotAccepted
		}
		return ErrEnded
	}
	if r.AcceptedBy != "" {
		ch.Notify.Tell(ctx, r.AcceptedBy, notify.EndSentence(r.Code+" was closed ("+outcome+") by "+ch.Notify.ShortName(by)))
	}
	return nil
}
