package escalation

import (
	"context"
	"slices"
	"strconv"

	"github.com/leadline/leadline/followup"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Accept makes p the case manager for r, if nobody is yet: the officer and
// everyone else paged are told. applied reports whether p's accept won;
// reply is what to tell p.
func (ch *Chain) Accept(ctx context.Context, p *program.Person, r *referral.Referral, eta int) (reply string, applied bool, err error) {
	// Accepting after the officer was told nobody would is still good news.
	now := ch.Clock()
	set := []referral.Write{referral.Set(referral.FAcceptedBy, p.ID)}
	if eta > 0 {
		set = append(set, referral.Set(referral.FETA, eta), referral.ArriveBy(now, eta))
	}
	c := referral.Change{From: []referral.State{referral.Paging, referral.Unanswered}, Guard: referral.Holds(referral.FPagedList, p.ID),
		Event: referral.At(now, referral.EvAccepted, p.ID, strconv.Itoa(eta)), Set: set,
		Timers:                                                            followup.Timers(ch.Program, r, now)}.To(referral.Accepted, now).
		Watch(referral.TimerNudge, 0, ch.Program.Safety.NudgeAt(now, eta)) // package scene handles it
	fresh, applied, err := ch.Referrals.ApplyFresh(ctx, r.Code, c)
	if err != nil {
		return "", false, err
	}
	if !applied {
		return ch.AlreadyTaken(fresh, p.ID), false, nil
	}
	ch.Log.Info("referral accepted", "code", r.Code, "by", p.ID)
	ch.FollowUps.Owe(ctx, fresh)
	if r.State == referral.Paging {
		ch.Metrics.Referrals.WithLabelValues(r.Cohort, string(r.Type), "accepted").Inc()
	}
	ch.Metrics.ToAccept.WithLabelValues(r.Cohort, string(r.Type)).Observe(fresh.AcceptedAt.Sub(fresh.Received).Seconds())
	ch.Notify.Tell(ctx, fresh.Officer, ch.AcceptedToOfficer(fresh))
	ch.TellReferrer(ctx, fresh, toReferrerAccepted, referrerAccepted(fresh))
	for _, id := range StillPaged(fresh, p.ID) {
		ch.Notify.Tell(ctx, id, notify.EndSentence(fresh.Code+" was accepted by "+p.ShortName())+" No need to respond.")
	}
	return acceptedToCaseManager(fresh), true, nil
}

// Decline records p's decline of r; the next step is paged at once when
// nobody paged at this one is left.
func (ch *Chain) Decline(ctx context.Context, p *program.Person, r *referral.Referral) (string, error) {
	if slices.Contains(r.Declined, p.ID) {
		return "You already declined " + r.Code + ".", nil
	}
	c := referral.Change{From: []referral.State{referral.Paging}, Guard: referral.Holds(referral.FPagedList, p.ID),
		Event: referral.At(ch.Clock(), referral.EvDeclined, p.ID, ""), Set: []referral.Write{referral.AddWord(referral.FDeclined, p.ID)}}
	fresh, applied, err := ch.Referrals.ApplyFresh(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		return ch.AlreadyTaken(fresh, p.ID), nil
	}
	// Only the people paged by the current step move the referral on, once
	// none of them is left; a late decline from someone already passed over
	// is just recorded.
	if fresh.State == referral.Paging && slices.Contains(fresh.Paged, p.ID) && nobodyLeft(fresh) {
		if err := ch.advance(ctx, r.Code, fresh.Step, whyDeclined); err != nil {
			return "", err
		}
	}
	return "Declined " + r.Code + ". Thank you.", nil
}

// Dialled records that the voice line is ringing id for r: dialled is
// paged, so id may also answer by text. applied is false once r is no
// longer waiting for someone.
func (ch *Chain) Dialled(ctx context.Context, r *referral.Referral, id string) (bool, error) {
	applied, err := ch.Referrals.Apply(ctx, r.Code, referral.Change{From: []referral.State{referral.Paging, referral.Unanswered},
		Event: referral.At(ch.Clock(), referral.EvDialled, id, ""), Set: []referral.Write{referral.AddWord(referral.FPagedList, id)}})
	if err != nil || !applied {
		return false, err
	}
	ch.remember(ctx, id, r.Code)
	return true, nil
}
