// Package scene owns a referral after its accept, as the case manager who
// accepted it moves it on: ETA, ARRIVED and DONE, each told to the
// officer. It owns no keys: each step is one guarded referral change that
// only the acceptor may make.
package scene

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Scene moves accepted referrals on.
type Scene struct {
	refs    *referral.Store
	chain   *escalation.Chain
	note    *notify.Notifier
	metrics *referral.Metrics
	now     func() time.Time
}

// New returns the scene.
func New(refs *referral.Store, chain *escalation.Chain, note *notify.Notifier, m *referral.Metrics, clock func() time.Time) *Scene {
	return &Scene{refs: refs, chain: chain, note: note, metrics: m, now: clock}
}

// ETA records p's estimate for r and tells the officer.
func (s *Scene) ETA(ctx context.Context, p *program.Person, r *referral.Referral, minutes int) (string, error) {
	c := referral.Change{From: []referral.State{referral.Accepted},
		Event: referral.At(s.now(), referral.EvETA, p.ID, strconv.Itoa(minutes)), Set: []referral.Write{referral.Set(referral.FETA, minutes)}}
	return s.byAcceptor(ctx, p, r, c, func(r *referral.Referral) string {
		return fmt.Sprintf("%s: %s ETA %d min.", r.Code, s.note.ShortName(r.AcceptedBy), r.ETAMinutes)
	}, "ETA sent to the officer.")
}

// Arrived records p on scene and tells the officer.
func (s *Scene) Arrived(ctx context.Context, p *program.Person, r *referral.Referral) (string, error) {
	now := s.now()
	c := referral.Change{From: []referral.State{referral.Accepted},
		Event: referral.At(now, referral.EvArrived, p.ID, "")}.To(referral.OnScene, now)
	return s.byAcceptor(ctx, p, r, c, func(r *referral.Referral) string {
		s.metrics.ToArrive.WithLabelValues(r.Cohort, string(r.Type)).Observe(r.OnSceneAt.Sub(r.Received).Seconds())
		return fmt.Sprintf("%s: %s has arrived.", r.Code, s.note.ShortName(r.AcceptedBy))
	}, "On scene noted. Text DONE ENGAGED|REFUSED|GONE when done.")
}

// Done closes r with outcome (one of referral.Outcomes).
func (s *Scene) Done(ctx context.Context, p *program.Person, r *referral.Referral, outcome string) (string, error) {
	now := s.now()
	c := referral.Change{From: []referral.State{referral.Accepted, referral.OnScene},
		Event: referral.At(now, referral.EvClosed, p.ID, outcome), Set: []referral.Write{referral.Set(referral.FOutcome, outcome)}}.To(referral.Closed, now)
	return s.byAcceptor(ctx, p, r, c, nil, r.Code+" closed: "+outcome+". Thank you.")
}

// byAcceptor applies a change that only the person who accepted may make,
// tells the officer (if toOfficer is set) and returns reply.
func (s *Scene) byAcceptor(ctx context.Context, p *program.Person, r *referral.Referral, c referral.Change,
	toOfficer func(*referral.Referral) string, reply string) (string, error) {
	c.Guard = referral.Is(referral.FAcceptedBy, p.ID)
	fresh, applied, err := s.refs.ApplyFresh(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		if fresh.AcceptedBy == "" && fresh.Open() {
			return r.Code + " is not accepted yet. Reply 1 " + r.Code + " to accept.", nil
		}
		return s.chain.AlreadyTaken(fresh, p.ID), nil
	}
	if toOfficer != nil {
		s.note.Tell(ctx, fresh.Officer, toOfficer(fresh))
	}
	return reply, nil
}
