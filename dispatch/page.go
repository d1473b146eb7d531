package dispatch

import (
	"context"
	"errors"
	"fmt"

	"github.com/leadline/leadline/oncall"
)

// pageNext pages the next person in r's cohort rotation after `after`
// ("" for the person on call), skipping anyone already paged for r. With
// nobody left the referral is unanswered and the officer is told. It does
// nothing if r is no longer paging `after` (accepted meanwhile, or another
// path already moved on). paged reports whether someone was paged.
func (s *Service) pageNext(ctx context.Context, r *Referral, after string) (paged bool, err error) {
	next, err := s.oncall.Next(ctx, r.Cohort, after, r.PagedList)
	if errors.Is(err, oncall.ErrNobody) {
		return false, s.giveUp(ctx, r, after)
	}
	if err != nil {
		return false, err
	}
	person, ok := s.prog.Person(next)
	if !ok {
		return false, fmt.Errorf("rotation of %s names unknown person %q", r.Cohort, next)
	}
	c := change{from: []State{Paging}, guardField: "paged", guardMode: "eq", guardValue: after,
		event: event(s.now(), "paged", next, ""), set: []any{"paged", next, "+paged_list", next}}
	applied, err := s.apply(ctx, r.Code, c)
	if err != nil || !applied {
		return false, err
	}
	if err := s.rdb.Set(ctx, personPagedKey(next), r.Code, 0).Err(); err != nil {
		s.log.Error("remember page", "code", r.Code, "err", err)
	}
	r.Paged, r.PagedList = next, append(r.PagedList, next)
	s.send(ctx, person.Phone, s.page(r), func(ctx context.Context, err error) {
		if err := s.pageFailed(ctx, r.Code, next); err != nil {
			s.log.Error("move on after failed page", "code", r.Code, "err", err)
		}
	})
	return true, nil
}

// pageFailed moves a referral on when its page could not reach `who`.
func (s *Service) pageFailed(ctx context.Context, code, who string) error {
	c := change{from: []State{Paging}, guardField: "paged", guardMode: "eq", guardValue: who,
		event: event(s.now(), "page_failed", who, ""), set: []any{"+failed", who}}
	applied, err := s.apply(ctx, code, c)
	if err != nil || !applied {
		return err
	}
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	paged, err := s.pageNext(ctx, r, who)
	if paged {
		s.tell(ctx, r.Officer, pagingNext(code))
	}
	return err
}

// giveUp marks r unanswered, if it is still paging `after`, and tells the
// officer.
func (s *Service) giveUp(ctx context.Context, r *Referral, after string) error {
	c := change{from: []State{Paging}, guardField: "paged", guardMode: "eq", guardValue: after,
		event: event(s.now(), "unanswered", "", "")}.to(Unanswered, s.now())
	applied, err := s.apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	s.log.Info("referral unanswered", "code", r.Code, "cohort", r.Cohort)
	s.tell(ctx, r.Officer, s.nobodyAccepted(r.Code))
	return nil
}
