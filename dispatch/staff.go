package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/referral"
)

// What staff do from the console goes through the same packages, and the
// same guarded changes, as a text: a browser and a phone racing each other
// cannot both win.

// Cancel cancels an open referral for the program, with by's reason.
func (s *Service) Cancel(ctx context.Context, code, by, reason string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	return s.chain.Withdraw(ctx, by, r, reason)
}

// PageNow pages person for the referral at once.
func (s *Service) PageNow(ctx context.Context, code, by, person string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	return s.chain.PageNow(ctx, by, r, person)
}

// Close closes an accepted referral with outcome.
func (s *Service) Close(ctx context.Context, code, by, outcome string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	return s.chain.Close(ctx, by, r, outcome)
}

// FollowedUp records the referral's intake or first follow-up as done.
func (s *Service) FollowedUp(ctx context.Context, code, by string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	p, ok := s.prog.Person(by)
	if !ok {
		return errors.New("you are no longer in the program's config")
	}
	if r.AcceptedBy == "" {
		return errors.New("the referral is not accepted yet")
	}
	_, err = s.plans.Followed(ctx, p, r)
	return err
}

// Community stores a community referral entered by staff, paged now or
// assigned for follow-up, and returns its code (see officer.Desk.Community).
func (s *Service) Community(ctx context.Context, c officer.Community) (string, error) {
	return s.desk.Community(ctx, c)
}

func (s *Service) load(ctx context.Context, code string) (*referral.Referral, error) {
	r, err := s.refs.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) {
		return nil, fmt.Errorf("no referral %s", code)
	}
	return r, err
}
