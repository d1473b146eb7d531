package dispatch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/timers"
)

// Why a referral moved to its next escalation step.
const (
	whyStart    = "start"
	whyTimeout  = "timeout"
	whyDeclined = "declined"
	whyMissed   = "missed"
)

// ringTime is how long a page call rings before Twilio calls it no-answer.
const ringTime = 25 * time.Second

// advance moves r from escalation step `from` to the next step that has
// someone to page, pages them and sets that step's timer; with no step
// left, r is unanswered and the officer is told. It does nothing unless r is
// still paging at step `from`, so a stale timer, a late callback or a second
// instance firing the same timer finds it moved on and stops.
func (s *Service) advance(ctx context.Context, code string, from int, why string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	if r.State != Paging || r.Step != from {
		return nil
	}
	cohort, ok := s.prog.Cohort(r.Cohort)
	if !ok {
		return fmt.Errorf("referral %s names unknown cohort %q", code, r.Cohort)
	}
	steps := cohort.Escalation.Steps
	prev := r.Paged
	for j := from + 1; j < len(steps); j++ {
		targets, err := s.targets(ctx, r, steps[j], prev)
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return s.takeStep(ctx, r, from, j, steps[j], targets, why)
		}
		// Nobody to page at this step: skip it now rather than wait it out.
		prev = nil
	}
	return s.giveUp(ctx, r, from)
}

// targets is whom step st would page for r, given whom the step before
// paged: never anyone who declined, or whom st's channel cannot reach.
func (s *Service) targets(ctx context.Context, r *Referral, st program.Step, prev []string) ([]string, error) {
	var ids []string
	switch st.To {
	case program.OnCall:
		id, err := s.oncall.Current(ctx, r.Cohort)
		if err != nil && !errors.Is(err, oncall.ErrNobody) {
			return nil, err
		}
		if id != "" {
			ids = []string{id}
		}
	case program.Same:
		ids = prev
	case program.Next:
		rot, err := s.oncall.Rotation(ctx, r.Cohort)
		if err != nil {
			return nil, err
		}
		after := ""
		for _, id := range slices.Backward(r.PagedList) {
			if slices.Contains(rot, id) {
				after = id
				break
			}
		}
		id, err := s.oncall.Next(ctx, r.Cohort, after, r.PagedList)
		if err != nil && !errors.Is(err, oncall.ErrNobody) {
			return nil, err
		}
		if id != "" {
			ids = []string{id}
		}
	case program.Backup:
		ids = s.prog.Backups(r.Cohort)
	case program.Supervisors:
		ids = s.prog.Supervisors(r.Cohort)
	}
	var out []string
	for _, id := range ids {
		if _, known := s.prog.Person(id); !known {
			s.log.Error("escalation names an unknown person", "cohort", r.Cohort, "person", id)
			continue
		}
		if !slices.Contains(r.Declined, id) && !slices.Contains(r.Failed, id+"/"+string(st.By)) {
			out = append(out, id)
		}
	}
	return out, nil
}

// takeStep moves r from step `from` to step j, paging targets by st.By.
func (s *Service) takeStep(ctx context.Context, r *Referral, from, j int, st program.Step, targets []string, why string) error {
	now := s.now()
	set := []any{"step", j, "paged", strings.Join(targets, " "), "missed", ""}
	for _, id := range targets {
		set = append(set, "+paged_list", id)
	}
	if from >= 0 {
		set = append(set, "#escalations", 1)
	}
	c := change{from: []State{Paging}, guardField: "step", guardMode: "eq", guardValue: strconv.Itoa(from),
		event:  event(now, "step", strings.Join(targets, ","), strconv.Itoa(j)+"/"+string(st.By)+"/"+string(st.To)+"/"+why),
		set:    set,
		timers: []timer{{stepTimer(r.Code, j), now.Add(st.Wait)}}}
	applied, err := s.apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	if from >= 0 {
		s.metrics.steps.WithLabelValues(r.Cohort, why).Inc()
	}
	newPerson := false
	for _, id := range targets {
		newPerson = newPerson || !slices.Contains(r.PagedList, id)
		if err := s.rdb.Set(ctx, personPagedKey(id), r.Code, 0).Err(); err != nil {
			s.log.Error("remember page", "code", r.Code, "err", err)
		}
	}
	r.Step, r.Paged = j, targets
	for _, id := range targets {
		p, _ := s.prog.Person(id)
		if st.By == program.Call {
			s.pageByCall(ctx, r, j, p)
		} else {
			s.pageBySMS(ctx, r, j, p)
		}
	}
	if from >= 0 && newPerson {
		s.tell(ctx, r.Officer, pagingNext(r.Code))
	}
	return nil
}

// pageByCall calls p; when they answer, /twilio/voice/page reads the page
// out. The call's state is kept in Redis by CallSid, never in its URLs.
func (s *Service) pageByCall(ctx context.Context, r *Referral, step int, p *program.Person) {
	s.background(ctx, func(ctx context.Context) (string, error) {
		if s.caller == nil {
			return "", &phone.SendError{Final: true, Err: errors.New("no voice caller configured")}
		}
		return s.caller.Call(ctx, phone.Call{From: s.prog.Phone, To: p.Phone, Ring: ringTime,
			URL: s.publicURL + "/twilio/voice/page", StatusCallback: s.publicURL + "/twilio/status"})
	}, func(ctx context.Context, o outcome) { s.paged(ctx, r.Code, r.Cohort, step, p, program.Call, o) })
}

// pageRecordTTL is how long a page's message or call record is kept for its
// status callbacks and voice steps.
const pageRecordTTL = 24 * time.Hour

// paged records a page that went out, or moves on if it could not.
func (s *Service) paged(ctx context.Context, code, cohort string, step int, p *program.Person, by program.Channel, o outcome) {
	if o.err != nil {
		s.log.Warn("page not sent", "code", code, "to", phone.Mask(p.Phone), "by", by, "final", phone.IsFinal(o.err), "err", o.err)
		if err := s.missed(ctx, code, step, p.ID, by, phone.IsFinal(o.err)); err != nil {
			s.log.Error("move on after failed page", "code", code, "err", err)
		}
		return
	}
	s.metrics.pages.WithLabelValues(cohort, string(by)).Inc()
	early := o.status
	if by == program.Call {
		var err error
		early, err = recordPage.Run(ctx, s.rdb, []string{callKey(o.sid)}, code, p.ID, step, pageRecordTTL.Milliseconds()).Text()
		if err != nil {
			s.log.Error("record page", "code", code, "err", err)
			return
		}
	}
	if err := s.pageStatus(ctx, code, step, p.ID, by, early); err != nil {
		s.log.Error("act on early status", "code", code, "err", err)
	}
}

// missed records that step's page did not reach who by channel by (for
// good, if final), and moves on at once when nobody paged at the step is
// left to answer. A report about an earlier step changes nothing.
func (s *Service) missed(ctx context.Context, code string, step int, who string, by program.Channel, final bool) error {
	set := []any{"+missed", who}
	if final {
		set = append(set, "+failed", who+"/"+string(by))
	}
	c := change{from: []State{Paging}, guardField: "step", guardMode: "eq", guardValue: strconv.Itoa(step),
		event: event(s.now(), "missed", who, string(by)), set: set}
	fresh, applied, err := s.applyFresh(ctx, code, c)
	if err != nil || !applied {
		return err
	}
	if s.nobodyLeft(fresh) {
		return s.advance(ctx, code, step, whyMissed)
	}
	return nil
}

// nobodyLeft reports whether everyone the current step paged has declined
// or was not reached.
func (s *Service) nobodyLeft(r *Referral) bool {
	for _, id := range r.Paged {
		if !slices.Contains(r.Declined, id) && !slices.Contains(r.Missed, id) {
			return false
		}
	}
	return true
}

// giveUp marks r unanswered, if it is still paging at step `from`, and tells
// the officer.
func (s *Service) giveUp(ctx context.Context, r *Referral, from int) error {
	c := change{from: []State{Paging}, guardField: "step", guardMode: "eq", guardValue: strconv.Itoa(from),
		event: event(s.now(), "unanswered", "", "")}.to(Unanswered, s.now())
	applied, err := s.apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	s.log.Info("referral unanswered", "code", r.Code, "cohort", r.Cohort)
	s.metrics.referrals.WithLabelValues(r.Cohort, string(r.Type), "unanswered").Inc()
	s.tell(ctx, r.Officer, s.nobodyAccepted(r.Code))
	return nil
}

// ignoreGone makes a timer for a referral no longer stored a no-op.
func ignoreGone(err error) error {
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// FireTimers takes every escalation and retention step that is due, once
// across all instances, and returns how many it took.
func (s *Service) FireTimers(ctx context.Context) (int, error) {
	return s.timers.Fire(ctx, s.onTimer)
}

// RunTimers fires due timers every poll until ctx ends.
func (s *Service) RunTimers(ctx context.Context, poll time.Duration) {
	s.timers.Run(ctx, poll, s.onTimer)
}

func (s *Service) onTimer(ctx context.Context, t timers.Timer) error {
	kind, rest, _ := strings.Cut(t.ID, ":")
	switch kind {
	case "step":
		code, n, _ := strings.Cut(rest, ":")
		step, err := strconv.Atoi(n)
		if err != nil {
			s.log.Error("bad timer", "timer", t.ID)
			return nil
		}
		return ignoreGone(s.advance(ctx, code, step, whyTimeout))
	case "purge":
		return s.purge(ctx, rest)
	case "follow":
		code, n, _ := strings.Cut(rest, ":")
		return ignoreGone(s.followUpReminder(ctx, code, atoiOr(n, 0)))
	case "due":
		return ignoreGone(s.followUpDeadline(ctx, rest))
	case "ask", "appt", "note":
		return s.participantTimer(ctx, t.ID)
	case "forget":
		return s.forget(ctx, rest)
	}
	s.log.Error("unknown timer", "timer", t.ID)
	return nil
}
