package scene

import (
	"context"
	"errors"
	"slices"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// SOS pages the supervisors of the referral p has open (code, or their
// latest if "") by text and call, at once. The SOS is stored with its
// timer due now before anything is sent, so should this instance die
// before the page, whichever instance polls next sends it; the page itself
// is a stage of that timer, so it goes once.
func (s *Scene) SOS(ctx context.Context, p *program.Person, code string) (string, error) {
	r, err := s.openOf(ctx, p.ID, code)
	if err != nil || r == nil {
		return "You have no open referral to send an SOS for. If you are in danger, call 911.", err
	}
	now := s.now()
	c := referral.Change{From: []referral.State{referral.Accepted, referral.OnScene}, Guard: referral.Is(referral.FAcceptedBy, p.ID),
		Event: referral.At(now, referral.EvSOS, p.ID, "asked")}.Watch(referral.TimerSOS, 0, now)
	applied, err := s.refs.Apply(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		return "You have no open referral to send an SOS for. If you are in danger, call 911.", nil
	}
	page := s.handler(referral.TimerSOS, nil, s.sosPlan)
	if err := page(ctx, timers.Timer{ID: referral.TimerSOS.ID(r.Code), Due: now}, timers.Args{r.Code}); err != nil {
		// Stored all the same: the timer pages them.
		s.chain.Log.Error("sos page", "code", r.Code, "err", err)
	}
	return "SOS " + r.Code + ": your supervisors are being texted and called. If you are in danger, call 911.", nil
}

// openOf is the open referral that id accepted: code's, or their latest.
func (s *Scene) openOf(ctx context.Context, id, code string) (*referral.Referral, error) {
	if code != "" {
		r, err := s.refs.Load(ctx, code)
		if errors.Is(err, referral.ErrNotFound) || (err == nil && (r.AcceptedBy != id || !r.Open())) {
			return nil, nil
		}
		return r, err
	}
	open, err := s.refs.Open(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range slices.Backward(open) {
		if r.AcceptedBy == id {
			return r, nil
		}
	}
	return nil, nil
}
