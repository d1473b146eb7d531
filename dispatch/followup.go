package dispatch

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
)

// staffHours is when case managers and supervisors get reminders: a
// reminder due at night waits for the morning.
var staffHours = participant.Limits{From: 8 * time.Hour, To: 21 * time.Hour, PerDay: 1 << 20, PerWeek: 1 << 20}

func followTimer(code string, n int) string { return "follow:" + code + ":" + strconv.Itoa(n) }
func dueTimer(code string) string           { return "due:" + code }

// followUpTimers are the accepting case manager's reminders and the
// deadline of r's follow-up plan, counted from the accept.
func (s *Service) followUpTimers(r *Referral, accepted time.Time) []timer {
	plan, ok := s.prog.FollowUps[string(r.Type)]
	if !ok {
		return nil
	}
	var ts []timer
	for i, d := range plan.Remind {
		ts = append(ts, timer{followTimer(r.Code, i), participant.NextSlot(accepted.Add(d), s.prog.TimeZone, nil, staffHours)})
	}
	return append(ts, timer{dueTimer(r.Code), accepted.Add(plan.Due)})
}

// FollowUpDue is when r's intake or first follow-up is (or was) due: its
// type's plan counted from the accept. It is zero when r owes none: no
// plan for its type, never accepted, cancelled by the officer, or closed
// because the person refused or was gone. Reports use it as dispatch does.
func (r *Referral) FollowUpDue(prog *program.Program) time.Time {
	plan, ok := prog.FollowUps[string(r.Type)]
	if !ok || r.AcceptedAt.IsZero() || r.State == Cancelled || r.Outcome == "refused" || r.Outcome == "gone" {
		return time.Time{}
	}
	return r.AcceptedAt.Add(plan.Due)
}

// owesFollowUp reports whether r's case manager still owes its follow-up.
func (s *Service) owesFollowUp(r *Referral) bool {
	return r.FollowedAt.IsZero() && !r.FollowUpDue(s.prog).IsZero()
}

// owe records that the case manager owes r's follow-up, for the digest.
func (s *Service) owe(ctx context.Context, r *Referral) {
	due := r.FollowUpDue(s.prog)
	if due.IsZero() {
		return
	}
	if err := s.rdb.ZAdd(ctx, personOpenKey(r.AcceptedBy), redis.Z{Score: float64(due.UnixMilli()), Member: r.Code}).Err(); err != nil {
		s.log.Error("note open follow-up", "code", r.Code, "err", err)
	}
}

// followUpReminder reminds the case manager of r's follow-up.
func (s *Service) followUpReminder(ctx context.Context, code string, n int) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	if !s.owesFollowUp(r) {
		return s.rdb.ZRem(ctx, personOpenKey(r.AcceptedBy), code).Err()
	}
	s.tellAs(ctx, r.AcceptedBy, s.followUpText(r, r.FollowUpDue(s.prog)), outbox.Reminder, followTimer(code, n))
	return nil
}

// followUpDeadline reports an overdue follow-up to the cohort's
// supervisors and the case manager.
func (s *Service) followUpDeadline(ctx context.Context, code string) error {
	r, err := s.load(ctx, code)
	if err != nil {
		return err
	}
	if !s.owesFollowUp(r) {
		return nil
	}
	now := s.now()
	c := change{guardField: "overdue_at", guardMode: "eq", guardValue: "",
		event: event(now, "overdue", r.AcceptedBy, ""), set: []any{"overdue_at", formatTime(now)}}
	applied, err := s.apply(ctx, code, c)
	if err != nil || !applied {
		return err
	}
	s.log.Info("follow-up overdue", "code", code, "cohort", r.Cohort)
	due := r.FollowUpDue(s.prog)
	for _, id := range s.prog.Supervisors(r.Cohort) {
		s.tellAs(ctx, id, s.overdueToSupervisor(r, due), outbox.Reminder, "overdue:"+code+":"+id)
	}
	if !slices.Contains(s.prog.Supervisors(r.Cohort), r.AcceptedBy) {
		s.tellAs(ctx, r.AcceptedBy, s.overdueToCaseManager(r, due), outbox.Reminder, "overdue:"+code+":"+r.AcceptedBy)
	}
	return nil
}

// followedUp records INTAKE or FOLLOWED: the follow-up is done and its
// reminders stop.
func (s *Service) followedUp(ctx context.Context, p *program.Person, r *Referral) (string, error) {
	if r.AcceptedBy == "" {
		return r.Code + " is not accepted yet.", nil
	}
	what := followUpWord(r.Type)
	if !r.FollowedAt.IsZero() {
		return r.Code + ": " + what + " already recorded on " + s.when(r.FollowedAt) + ".", nil
	}
	now := s.now()
	c := change{guardField: "followed_at", guardMode: "eq", guardValue: "",
		event: event(now, "followed", p.ID, ""), set: []any{"followed_at", formatTime(now)}}
	applied, err := s.apply(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		return r.Code + ": " + what + " already recorded.", nil
	}
	if err := s.rdb.ZRem(ctx, personOpenKey(r.AcceptedBy), r.Code).Err(); err != nil {
		s.log.Error("close follow-up", "code", r.Code, "err", err)
	}
	s.log.Info("follow-up recorded", "code", r.Code, "by", p.ID)
	return r.Code + ": " + what + " recorded. Reminders stopped.", nil
}

// caseReferral is a referral a case manager's APPT, LANG, TZ or INTAKE is
// about: one they accepted, or one in a cohort they supervise. The code
// may be left out for the latest one paged to them.
func (s *Service) caseReferral(ctx context.Context, p *program.Person, code string) (*Referral, string, error) {
	if code == "" {
		r, reply, err := s.pagedReferral(ctx, p, "")
		if r == nil {
			return nil, reply, err
		}
		code = r.Code
	}
	r, err := s.load(ctx, code)
	if err == errNotFound {
		return nil, notYours(code), nil
	}
	if err != nil {
		return nil, "", err
	}
	if r.AcceptedBy == p.ID || slices.Contains(s.prog.Supervisors(r.Cohort), p.ID) {
		return r, "", nil
	}
	if r.AcceptedBy == "" && slices.Contains(r.PagedList, p.ID) {
		return nil, r.Code + " is not accepted yet. Reply 1 " + r.Code + " to accept.", nil
	}
	return nil, notYours(code), nil
}

// DailyDigest texts each case manager with anything open their follow-ups
// due (with days left) and today's appointments; nobody with nothing open
// gets a text. at is the firing's local time.
func (s *Service) DailyDigest(ctx context.Context, at time.Time) error {
	loc := s.prog.TimeZone
	l := at.In(loc)
	dayStart := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	dayEnd := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, loc)
	for _, p := range s.prog.People {
		if p.Role == program.Officer {
			continue
		}
		open, err := s.digestOpen(ctx, p.ID, dayStart)
		if err != nil {
			return err
		}
		appts, waiting, err := s.digestAppts(ctx, p.ID, dayStart, dayEnd)
		if err != nil {
			return err
		}
		if len(open) == 0 && len(appts) == 0 && len(waiting) == 0 {
			continue
		}
		s.tellAs(ctx, p.ID, digestText(open, appts, waiting), outbox.Reminder, "digest:"+p.ID+":"+dayStart.Format("2006-01-02"))
	}
	return nil
}

// digestOpen lists the follow-ups p owes, soonest due first.
func (s *Service) digestOpen(ctx context.Context, id string, today time.Time) ([]string, error) {
	codes, err := s.rdb.ZRange(ctx, personOpenKey(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("digest of %s: %w", id, err)
	}
	var lines []string
	for _, code := range codes {
		r, err := s.load(ctx, code)
		if err == errNotFound || (err == nil && (!s.owesFollowUp(r) || r.AcceptedBy != id)) {
			s.rdb.ZRem(ctx, personOpenKey(id), code)
			continue
		}
		if err != nil {
			return nil, err
		}
		lines = append(lines, code+" "+followUpWord(r.Type)+" "+daysLeft(today, r.FollowUpDue(s.prog), s.prog.TimeZone))
	}
	return lines, nil
}

// digestAppts lists the appointments p made for today, earliest first,
// and the referrals whose coming appointment waits on the participant's
// consent: no reminder goes until they answer, so the case manager should
// know.
func (s *Service) digestAppts(ctx context.Context, id string, from, to time.Time) (today, waiting []string, err error) {
	key := personApptsKey(id)
	// Appointments past by more than a day are no longer anyone's business here.
	s.rdb.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(from.AddDate(0, 0, -1).UnixMilli(), 10))
	codes, err := s.rdb.ZRangeByScore(ctx, key, &redis.ZRangeBy{Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, nil, fmt.Errorf("digest of %s: %w", id, err)
	}
	for _, code := range codes {
		r, err := s.load(ctx, code)
		if err == errNotFound {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if r.ApptState == apptCancelled || r.Appt.Before(from) || r.Participant == "" {
			continue
		}
		if r.Appt.Before(to) {
			today = append(today, code+" "+strings.TrimSpace(r.Appt.In(s.prog.TimeZone).Format("3:04 PM")))
		}
		rec, _, err := s.participantRecord(ctx, numberHash(r.Participant))
		if err != nil {
			return nil, nil, err
		}
		if rec.Consent == consentAsked && rec.Stopped == "" {
			waiting = append(waiting, code)
		}
	}
	return today, waiting, nil
}

// daysLeft says how long until due, in the program's calendar days.
func daysLeft(today, due time.Time, loc *time.Location) string {
	d := due.In(loc)
	dueDay := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
	n := int(dueDay.Sub(today).Hours()/24 + 0.5)
	switch {
	case n == 0:
		return "due today"
	case n == 1:
		return "due tomorrow"
	case n > 1:
		return strconv.Itoa(n) + " days left"
	case n == -1:
		return "overdue 1 day"
	}
	return "overdue " + strconv.Itoa(-n) + " days"
}
