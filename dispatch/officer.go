package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/program"
)

// proposalTTL is how long an officer has to answer YES to page a cohort
// whose area does not contain the point.
const proposalTTL = 15 * time.Minute

func (s *Service) officerText(ctx context.Context, o *program.Person, body string) (string, error) {
	cmd, err := parseOfficer(body)
	if err != nil {
		return s.officerUsage(), nil
	}
	switch cmd.verb {
	case vRefer:
		return s.refer(ctx, o, cmd)
	case vYes:
		return s.confirmOutside(ctx, o)
	case vChoose:
		return s.choose(ctx, o, cmd.minutes)
	case vStatus:
		return s.officerStatus(ctx, o, cmd.code)
	case vCancel:
		return s.cancel(ctx, o, cmd.code)
	}
	return s.officerHelp(), nil
}

func (s *Service) refer(ctx context.Context, o *program.Person, cmd command) (string, error) {
	cands, err := s.resolver.Resolve(ctx, cmd.location)
	if err != nil {
		return s.locationHelp(errors.Is(err, geo.ErrShortLink)), nil
	}
	r := &Referral{Type: cmd.refType, Officer: o.ID, Location: cmd.location, Notes: cmd.notes}
	if len(cands) > 1 {
		// Different cohorts page different people: ask, never guess.
		cands = cands[:min(len(cands), maxChoices)]
		if err := s.propose(ctx, o, proposal{Referral: *r, Choices: cands}); err != nil {
			return "", err
		}
		return s.didYouMean(cands), nil
	}
	return s.referAt(ctx, o, r, cands[0])
}

// referAt starts r at candidate c, or, for a point outside every area,
// proposes the nearest cohort and waits for the officer's YES.
func (s *Service) referAt(ctx context.Context, o *program.Person, r *Referral, c geo.Candidate) (string, error) {
	r.Lat, r.Lon, r.Place, r.NearBoundary = c.Point.Lat(), c.Point.Lon(), c.Place, c.NearBoundary
	if c.Place == "" && c.Label != r.Location {
		r.Place = c.Label // an address or intersection as the data writes it
	}
	if c.Cohort != "" {
		r.Cohort = c.Cohort
		return s.start(ctx, r)
	}
	// Nobody is paged for a point outside every area until the officer says
	// so: a wrong cohort pages the wrong person.
	r.Cohort, r.OutsideMetres = s.prog.Areas.Nearest(c.Point)
	if err := s.propose(ctx, o, proposal{Referral: *r}); err != nil {
		return "", err
	}
	return s.outsideArea(r.Cohort, r.OutsideMetres), nil
}

// propose keeps a referral waiting for the officer's answer.
func (s *Service) propose(ctx context.Context, o *program.Person, p proposal) error {
	p.Expires = s.now().Add(proposalTTL)
	data, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode proposal: %w", err)
	}
	if err := s.rdb.Set(ctx, proposalKey(o.ID), data, proposalTTL).Err(); err != nil {
		return fmt.Errorf("store proposal: %w", err)
	}
	return nil
}

// proposal is a referral waiting for the officer: YES for one outside every
// area, or a number to pick one of Choices.
type proposal struct {
	Referral Referral
	Choices  []geo.Candidate `json:",omitempty"`
	Expires  time.Time
}

// takeProposal takes the officer's waiting proposal, if any and in time.
func (s *Service) takeProposal(ctx context.Context, o *program.Person) (*proposal, error) {
	data, err := s.rdb.GetDel(ctx, proposalKey(o.ID)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("take proposal: %w", err)
	}
	var p proposal
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("decode proposal: %w", err)
	}
	if s.now().After(p.Expires) {
		return nil, nil
	}
	return &p, nil
}

// choose answers "Did you mean 1) … 2) …?".
func (s *Service) choose(ctx context.Context, o *program.Person, n int) (string, error) {
	p, err := s.takeProposal(ctx, o)
	if err != nil {
		return "", err
	}
	if p == nil || len(p.Choices) == 0 {
		if p != nil {
			// A YES-proposal: a number does not answer it; keep it.
			if err := s.propose(ctx, o, *p); err != nil {
				return "", err
			}
		}
		return nothingToChoose, nil
	}
	if n > len(p.Choices) {
		if err := s.propose(ctx, o, *p); err != nil {
			return "", err
		}
		return s.didYouMean(p.Choices), nil
	}
	return s.referAt(ctx, o, &p.Referral, p.Choices[n-1])
}

func (s *Service) confirmOutside(ctx context.Context, o *program.Person) (string, error) {
	p, err := s.takeProposal(ctx, o)
	if err != nil {
		return "", err
	}
	if p == nil || len(p.Choices) > 0 {
		if p != nil {
			if err := s.propose(ctx, o, *p); err != nil {
				return "", err
			}
			return s.didYouMean(p.Choices), nil
		}
		return nothingToConfirm, nil
	}
	return s.start(ctx, &p.Referral)
}

// start stores a new referral and pages the cohort's on-call case manager.
// The referral is stored before this returns; the page goes out after.
func (s *Service) start(ctx context.Context, r *Referral) (string, error) {
	now := s.now()
	r.State, r.Received, r.PagingAt, r.Step = Paging, now, now, -1
	if err := s.insert(ctx, r); err != nil {
		return "", err
	}
	s.log.Info("referral received", "code", r.Code, "type", r.Type, "cohort", r.Cohort, "officer", r.Officer)
	if err := s.advance(ctx, r.Code, -1, whyStart); err != nil {
		// Stored all the same, with its rescue timer: the officer has a
		// code, another instance pages it, and STATUS tells the truth.
		s.log.Error("first page", "code", r.Code, "err", err)
	}
	return s.referralReceived(r), nil
}

// ownReferral loads the officer's referral by code, or their latest. An
// unknown code and another officer's answer the same.
func (s *Service) ownReferral(ctx context.Context, o *program.Person, code string) (*Referral, string, error) {
	if code == "" {
		c, err := s.rdb.Get(ctx, officerLastKey(o.ID)).Result()
		if errors.Is(err, redis.Nil) {
			return nil, noReferralYet, nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("latest referral: %w", err)
		}
		code = c
	}
	r, err := s.load(ctx, code)
	if errors.Is(err, errNotFound) || (err == nil && r.Officer != o.ID) {
		return nil, notYours(code), nil
	}
	return r, "", err
}

func (s *Service) officerStatus(ctx context.Context, o *program.Person, code string) (string, error) {
	r, reply, err := s.ownReferral(ctx, o, code)
	if r == nil {
		return reply, err
	}
	return s.status(r), nil
}

func (s *Service) cancel(ctx context.Context, o *program.Person, code string) (string, error) {
	r, reply, err := s.ownReferral(ctx, o, code)
	if r == nil {
		return reply, err
	}
	c := change{from: []State{New, Paging, Accepted, OnScene, Unanswered},
		event: event(s.now(), "cancelled", o.ID, "")}.to(Cancelled, s.now())
	applied, err := s.apply(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if applied && (r.State == New || r.State == Paging) {
		s.metrics.referrals.WithLabelValues(r.Cohort, string(r.Type), "cancelled").Inc()
	}
	if !applied {
		fresh, err := s.load(ctx, r.Code)
		if err != nil {
			return "", err
		}
		return s.status(fresh), nil
	}
	for _, id := range s.stillPaged(r, "") {
		s.tell(ctx, id, cancelledToCaseManager(r.Code))
	}
	return r.Code + " cancelled.", nil
}

// stillPaged is everyone paged for r who has not declined, can get a text,
// and is not except: the people to tell when it is settled.
func (s *Service) stillPaged(r *Referral, except string) []string {
	var ids []string
	for _, id := range r.PagedList {
		if id != except && !slices.Contains(r.Declined, id) && !slices.Contains(r.Failed, id+"/sms") {
			ids = append(ids, id)
		}
	}
	return ids
}
