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
	"github.com/leadline/leadline/timers"
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
	now := s.now()
	// A new ETA moves the nudge to when it passes, and starts it over.
	c := referral.Change{From: []referral.State{referral.Accepted},
		Event: referral.At(now, referral.EvETA, p.ID, strconv.Itoa(minutes)), Set: []referral.Write{referral.Set(referral.FETA, minutes), referral.ArriveBy(now, minutes)}}.
		Watch(referral.TimerNudge, 0, s.prog().Safety.NudgeAt(now, minutes))
	told := s.supervisorsTold(r, referral.TimerNudge, 2)
	return s.byAcceptor(ctx, p, r, c, func(r *referral.Referral) string {
		told(ctx, fmt.Sprintf("%s: %s answered, ETA %d min.", r.Code, s.note.ShortName(p.ID), minutes))
		return fmt.Sprintf("%s: %s ETA %d min.", r.Code, s.note.ShortName(r.AcceptedBy), r.ETAMinutes)
	}, "ETA sent to the officer.")
}

// Arrived records p on scene and tells the officer.
func (s *Scene) Arrived(ctx context.Context, p *program.Person, r *referral.Referral) (string, error) {
	now := s.now()
	c := referral.Change{From: []referral.State{referral.Accepted},
		Event: referral.At(now, referral.EvArrived, p.ID, "")}.To(referral.OnScene, now).
		Unwatch(referral.TimerNudge).Watch(referral.TimerCheckIn, 0, now.Add(s.prog().Safety.CheckIn))
	told := s.supervisorsTold(r, referral.TimerNudge, 2)
	return s.byAcceptor(ctx, p, r, c, func(r *referral.Referral) string {
		s.metrics.ToArrive.WithLabelValues(r.Cohort, string(r.Type)).Observe(r.OnSceneAt.Sub(r.Received).Seconds())
		arrived := fmt.Sprintf("%s: %s has arrived.", r.Code, s.note.ShortName(r.AcceptedBy))
		told(ctx, arrived)
		return arrived
	}, fmt.Sprintf("On scene noted. Text DONE ENGAGED|REFUSED|GONE when done. We check in after %d min; SOS for help.",
		int(s.prog().Safety.CheckIn.Minutes())))
}

// Done closes r with outcome (one of referral.Outcomes).
func (s *Scene) Done(ctx context.Context, p *program.Person, r *referral.Referral, outcome string) (string, error) {
	now := s.now()
	c := referral.Change{From: []referral.State{referral.Accepted, referral.OnScene},
		Event: referral.At(now, referral.EvClosed, p.ID, outcome), Set: []referral.Write{referral.Set(referral.FOutcome, outcome)}}.To(referral.Closed, now)
	return s.byAcceptor(ctx, p, r, c, nil, r.Code+" closed: "+outcome+". Thank you.")
}

// OK is p's answer to a check-in on the referral they have open (code,
// or their latest): all is well; the next check-in
// comes after the configured time again.
func (s *Scene) OK(ctx context.Context, p *program.Person, code string) (string, error) {
	r, err := s.openOf(ctx, p.ID, code)
	if err != nil || r == nil {
		return "You have no open referral to answer for.", err
	}
	if r.State == referral.Accepted && r.AcceptedBy == p.ID {
		return "Reply ETA <min> or ARRIVED for " + r.Code + ".", nil
	}
	now, every := s.now(), s.prog().Safety.CheckIn
	c := referral.Change{From: []referral.State{referral.OnScene}, Event: referral.At(now, referral.EvOK, p.ID, "")}.
		Watch(referral.TimerCheckIn, 0, now.Add(every))
	told := s.supervisorsTold(r, referral.TimerCheckIn, 3)
	return s.byAcceptor(ctx, p, r, c, func(r *referral.Referral) string {
		told(ctx, fmt.Sprintf("%s: %s answered: all OK.", r.Code, s.note.ShortName(p.ID)))
		return ""
	}, fmt.Sprintf("Thanks. Next check-in in %d min.", int(every.Minutes())))
}

// supervisorsTold returns what tells r's supervisors that all is well
// again, if r's kind watch had reached stage, when they were told it was
// not; otherwise it does nothing.
func (s *Scene) supervisorsTold(r *referral.Referral, kind timers.Kind, stage int) func(context.Context, string) {
	if n, _, _, ok := r.Watched(kind); !ok || n < stage {
		return func(context.Context, string) {}
	}
	return func(ctx context.Context, body string) {
		for _, id := range s.prog().Supervisors(r.Cohort) {
			s.note.Tell(ctx, id, body)
		}
	}
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
		if body := toOfficer(fresh); body != "" {
			s.note.Tell(ctx, fresh.Officer, body)
		}
	}
	return reply, nil
}
