package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
)

func (s *Service) caseManagerText(ctx context.Context, p *program.Person, body string) (string, error) {
	cmd, err := parseCaseManager(body)
	if err != nil {
		return s.caseManagerUsage(), nil
	}
	switch cmd.verb {
	case vHelp:
		return s.caseManagerHelp(), nil
	case vWho:
		return s.whoIsOnCall(ctx, p)
	case vAppt:
		return s.appointment(ctx, p, cmd)
	case vLang, vTZ:
		return s.participantSetting(ctx, p, cmd)
	case vFollowed:
		r, reply, err := s.caseReferral(ctx, p, cmd.code)
		if r == nil {
			return reply, err
		}
		return s.followedUp(ctx, p, r)
	}
	r, reply, err := s.pagedReferral(ctx, p, cmd.code)
	if r == nil {
		return reply, err
	}
	switch cmd.verb {
	case vAccept:
		reply, _, err := s.accept(ctx, p, r, cmd.minutes)
		return reply, err
	case vDecline:
		return s.decline(ctx, p, r)
	case vETA:
		return s.byAcceptor(ctx, p, r, change{from: []State{Accepted},
			event: event(s.now(), "eta", p.ID, strconv.Itoa(cmd.minutes)), set: []any{"eta", cmd.minutes}},
			func(r *Referral) string { return s.etaToOfficer(r) }, "ETA sent to the officer.")
	case vArrived:
		return s.byAcceptor(ctx, p, r, change{from: []State{Accepted},
			event: event(s.now(), "arrived", p.ID, "")}.to(OnScene, s.now()),
			func(r *Referral) string {
				s.metrics.toArrive.WithLabelValues(r.Cohort, string(r.Type)).Observe(r.OnSceneAt.Sub(r.Received).Seconds())
				return s.arrivedToOfficer(r)
			}, "On scene noted. Text DONE ENGAGED|REFUSED|GONE when done.")
	case vDone:
		return s.byAcceptor(ctx, p, r, change{from: []State{Accepted, OnScene},
			event: event(s.now(), "closed", p.ID, cmd.outcome), set: []any{"outcome", cmd.outcome}}.to(Closed, s.now()),
			nil, r.Code+" closed: "+cmd.outcome+". Thank you.")
	}
	return s.caseManagerHelp(), nil
}

// pagedReferral is the referral a case manager's text is about: the code
// they gave, or the latest one paged to them. Someone never paged for a
// code learns nothing about it.
func (s *Service) pagedReferral(ctx context.Context, p *program.Person, code string) (*Referral, string, error) {
	if code == "" {
		c, err := s.rdb.Get(ctx, personPagedKey(p.ID)).Result()
		if errors.Is(err, redis.Nil) {
			return nil, "You have no page to answer.", nil
		}
		if err != nil {
			return nil, "", fmt.Errorf("latest page: %w", err)
		}
		code = c
	}
	r, err := s.load(ctx, code)
	if errors.Is(err, errNotFound) || (err == nil && !slices.Contains(r.PagedList, p.ID)) {
		return nil, "No page " + code + " for you.", nil
	}
	return r, "", err
}

// accept makes p the case manager for r, if nobody is yet. applied reports
// whether p's accept won.
func (s *Service) accept(ctx context.Context, p *program.Person, r *Referral, eta int) (reply string, applied bool, err error) {
	set := []any{"accepted_by", p.ID}
	if eta > 0 {
		set = append(set, "eta", eta)
	}
	// Accepting after the officer was told nobody would is still good news.
	now := s.now()
	c := change{from: []State{Paging, Unanswered}, guardField: "paged_list", guardMode: "in", guardValue: p.ID,
		event: event(now, "accepted", p.ID, strconv.Itoa(eta)), set: set, timers: s.followUpTimers(r, now)}.to(Accepted, now)
	fresh, applied, err := s.applyFresh(ctx, r.Code, c)
	if err != nil {
		return "", false, err
	}
	if !applied {
		return s.alreadyTaken(fresh, p.ID), false, nil
	}
	s.log.Info("referral accepted", "code", r.Code, "by", p.ID)
	s.owe(ctx, fresh)
	if r.State == Paging {
		s.metrics.referrals.WithLabelValues(r.Cohort, string(r.Type), "accepted").Inc()
	}
	s.metrics.toAccept.WithLabelValues(r.Cohort, string(r.Type)).Observe(fresh.AcceptedAt.Sub(fresh.Received).Seconds())
	s.tell(ctx, fresh.Officer, s.acceptedToOfficer(fresh))
	for _, id := range s.stillPaged(fresh, p.ID) {
		s.tell(ctx, id, endSentence(fresh.Code+" was accepted by "+p.ShortName())+" No need to respond.")
	}
	return s.acceptedToCaseManager(fresh), true, nil
}

func (s *Service) decline(ctx context.Context, p *program.Person, r *Referral) (string, error) {
	if slices.Contains(r.Declined, p.ID) {
		return "You already declined " + r.Code + ".", nil
	}
	c := change{from: []State{Paging}, guardField: "paged_list", guardMode: "in", guardValue: p.ID,
		event: event(s.now(), "declined", p.ID, ""), set: []any{"+declined", p.ID}}
	fresh, applied, err := s.applyFresh(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		return s.alreadyTaken(fresh, p.ID), nil
	}
	// Only the people paged by the current step move the referral on, once
	// none of them is left; a late decline from someone already passed over
	// is just recorded.
	if fresh.State == Paging && slices.Contains(fresh.Paged, p.ID) && s.nobodyLeft(fresh) {
		if err := s.advance(ctx, r.Code, fresh.Step, whyDeclined); err != nil {
			return "", err
		}
	}
	return "Declined " + r.Code + ". Thank you.", nil
}

// byAcceptor applies a change that only the person who accepted may make,
// tells the officer (if toOfficer is set) and returns reply.
func (s *Service) byAcceptor(ctx context.Context, p *program.Person, r *Referral, c change,
	toOfficer func(*Referral) string, reply string) (string, error) {
	c.guardField, c.guardMode, c.guardValue = "accepted_by", "eq", p.ID
	fresh, applied, err := s.applyFresh(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		if fresh.AcceptedBy == "" && fresh.Open() {
			return r.Code + " is not accepted yet. Reply 1 " + r.Code + " to accept.", nil
		}
		return s.alreadyTaken(fresh, p.ID), nil
	}
	if toOfficer != nil {
		s.tell(ctx, fresh.Officer, toOfficer(fresh))
	}
	return reply, nil
}

// whoIsOnCall answers WHO: who is on call now in each cohort the asker
// belongs to, until when, and the asker's own next shift.
func (s *Service) whoIsOnCall(ctx context.Context, p *program.Person) (string, error) {
	now := s.now()
	var lines []string
	var next oncall.Shift
	for _, c := range s.prog.Cohorts {
		if !s.member(p, &c) {
			continue
		}
		sh, err := s.oncall.At(ctx, c.ID, now)
		if err != nil && !errors.Is(err, oncall.ErrNobody) {
			return "", err
		}
		name := "nobody"
		if sh.Person == p.ID {
			name = "you"
		} else if sh.Person != "" {
			name = s.shortName(sh.Person)
		}
		lines = append(lines, c.Name+": "+name+s.until(sh.To))
		mine, ok, err := s.oncall.NextShiftOf(ctx, c.ID, p.ID, now)
		if err != nil {
			return "", err
		}
		if ok && (next.From.IsZero() || mine.From.Before(next.From)) {
			next = mine
		}
	}
	reply := s.who(lines)
	if !next.From.IsZero() {
		reply += " Your next shift: " + s.prog.CohortName(next.Cohort) + " from " + s.when(next.From) + "."
	}
	return reply, nil
}

// member reports whether p is in cohort c: its rotation, backups or
// supervisors.
func (s *Service) member(p *program.Person, c *program.Cohort) bool {
	return slices.Contains(c.Rotation, p.ID) || slices.Contains(c.Backup, p.ID) ||
		slices.Contains(s.prog.Supervisors(c.ID), p.ID)
}
