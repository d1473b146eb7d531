// Package followup owns what a case manager owes after an accept: the
// follow-up plan of each referral type (an intake within 30 days for an
// arrest diversion), its reminders and deadline, the overdue report to the
// supervisors, INTAKE/FOLLOWED, and the daily digest of what is open.
//
// Keys (in the referral's hash tag, beside the referral they index):
//
//	leadline:{dispatch}:person:<id>:open  zset: referrals whose follow-up the case manager owes, by due time (ms)
//
// Timers (on the referral queue): "follow:<code>:<n>", the n-th reminder to
// the case manager; "due:<code>", the follow-up's deadline.
package followup

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// Timer kinds of a follow-up plan.
const (
	TimerRemind timers.Kind = "follow"
	TimerDue    timers.Kind = "due"
)

func openKey(id string) string { return "leadline:{dispatch}:person:" + id + ":open" }

// staffHours is when case managers and supervisors get reminders: a
// reminder due at night waits for the morning.
var staffHours = participant.Limits{From: 8 * time.Hour, To: 21 * time.Hour, PerDay: 1 << 20, PerWeek: 1 << 20}

// Appointments lists, for the digest, the appointments a person made: those
// today, coming ones still waiting for the participant's consent, and
// those whose participant's number cannot get texts.
type Appointments interface {
	DigestLines(ctx context.Context, person string, from, to time.Time) (today, waiting, unreachable []string, err error)
}

// Plans runs follow-up plans.
type Plans struct {
	prog  *program.Program
	rdb   redis.UniversalClient
	refs  *referral.Store
	note  *notify.Notifier
	appts Appointments
	now   func() time.Time
	log   *slog.Logger
}

// New returns the follow-up plans of prog; appts feeds the digest.
func New(prog *program.Program, rdb redis.UniversalClient, refs *referral.Store, note *notify.Notifier,
	appts Appointments, clock func() time.Time, log *slog.Logger) *Plans {
	return &Plans{prog: prog, rdb: rdb, refs: refs, note: note, appts: appts, now: clock, log: log}
}

// Register hands the plan's timers to mux.
func (p *Plans) Register(mux *timers.Mux) {
	mux.Handle(TimerRemind, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		return referral.IgnoreGone(p.remind(ctx, a.At(0), a.Int(1, 0)))
	})
	mux.Handle(TimerDue, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		return referral.IgnoreGone(p.deadline(ctx, a.At(0)))
	})
}

// Timers are the accepting case manager's reminders and the deadline of
// r's plan, counted from the accept: the accept sets them in its own step.
func Timers(prog *program.Program, r *referral.Referral, accepted time.Time) []referral.Timer {
	plan, ok := prog.FollowUps[string(r.Type)]
	if !ok {
		return nil
	}
	var ts []referral.Timer
	for i, d := range plan.Remind {
		ts = append(ts, referral.Timer{Kind: TimerRemind, Args: []int{i},
			At: participant.NextSlot(accepted.Add(d), prog.TimeZone, nil, staffHours)})
	}
	return append(ts, referral.Timer{Kind: TimerDue, At: accepted.Add(plan.Due)})
}

// Owe records that the case manager owes r's follow-up, for the digest.
func (p *Plans) Owe(ctx context.Context, r *referral.Referral) {
	due := r.FollowUpDue(p.prog)
	if due.IsZero() {
		return
	}
	if err := p.rdb.ZAdd(ctx, openKey(r.AcceptedBy), redis.Z{Score: float64(due.UnixMilli()), Member: r.Code}).Err(); err != nil {
		p.log.Error("note open follow-up", "code", r.Code, "err", err)
	}
}

// remind reminds the case manager of r's follow-up.
func (p *Plans) remind(ctx context.Context, code string, n int) error {
	r, err := p.refs.Load(ctx, code)
	if err != nil {
		return err
	}
	if !r.OwesFollowUp(p.prog) {
		return p.rdb.ZRem(ctx, openKey(r.AcceptedBy), code).Err()
	}
	id := referral.Timer{Kind: TimerRemind, Args: []int{n}}.ID(code)
	p.note.Remind(ctx, r.AcceptedBy, p.reminderText(r, r.FollowUpDue(p.prog)), id)
	return nil
}

// deadline reports an overdue follow-up to the cohort's supervisors and
// the case manager, once.
func (p *Plans) deadline(ctx context.Context, code string) error {
	r, err := p.refs.Load(ctx, code)
	if err != nil {
		return err
	}
	if !r.OwesFollowUp(p.prog) {
		return nil
	}
	now := p.now()
	c := referral.Change{Guard: referral.Is(referral.FOverdueAt, ""),
		Event: referral.At(now, referral.EvOverdue, r.AcceptedBy, ""),
		Set:   []referral.Write{referral.Set(referral.FOverdueAt, referral.FormatTime(now))}}
	applied, err := p.refs.Apply(ctx, code, c)
	if err != nil || !applied {
		return err
	}
	p.log.Info("follow-up overdue", "code", code, "cohort", r.Cohort)
	due := r.FollowUpDue(p.prog)
	sups := p.prog.Supervisors(r.Cohort)
	for _, id := range sups {
		p.note.Remind(ctx, id, p.overdueToSupervisor(r, due), "overdue:"+code+":"+id)
	}
	if !slices.Contains(sups, r.AcceptedBy) {
		p.note.Remind(ctx, r.AcceptedBy, p.overdueToCaseManager(r, due), "overdue:"+code+":"+r.AcceptedBy)
	}
	return nil
}

// Followed records INTAKE or FOLLOWED: the follow-up is done and its
// reminders stop. It returns the reply to by.
func (p *Plans) Followed(ctx context.Context, by *program.Person, r *referral.Referral) (string, error) {
	if r.AcceptedBy == "" {
		return r.Code + " is not accepted yet.", nil
	}
	what := Word(r.Type)
	if !r.FollowedAt.IsZero() {
		return r.Code + ": " + what + " already recorded on " + p.note.When(r.FollowedAt) + ".", nil
	}
	now := p.now()
	c := referral.Change{Guard: referral.Is(referral.FFollowedAt, ""),
		Event: referral.At(now, referral.EvFollowed, by.ID, ""),
		Set:   []referral.Write{referral.Set(referral.FFollowedAt, referral.FormatTime(now))}}
	applied, err := p.refs.Apply(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		return r.Code + ": " + what + " already recorded.", nil
	}
	if err := p.rdb.ZRem(ctx, openKey(r.AcceptedBy), r.Code).Err(); err != nil {
		p.log.Error("close follow-up", "code", r.Code, "err", err)
	}
	p.log.Info("follow-up recorded", "code", r.Code, "by", by.ID)
	return r.Code + ": " + what + " recorded. Reminders stopped.", nil
}

// Assign stores r, a community referral staff entered (r.EnteredBy), as
// assigned to case manager cm for follow-up: nobody is paged; it is stored
// accepted by cm, with its type's plan counted from now set in the same
// step, and cm is texted what they need to follow it up.
func (p *Plans) Assign(ctx context.Context, r *referral.Referral, cm string) error {
	now := p.now()
	r.State, r.Received, r.AcceptedAt, r.Step = referral.Accepted, now, now, -1
	r.AcceptedBy, r.AssignedBy = cm, r.EnteredBy
	if err := p.refs.Insert(ctx, r, Timers(p.prog, r, now)...); err != nil {
		return err
	}
	p.log.Info("referral assigned for follow-up", "code", r.Code, "cohort", r.Cohort, "to", cm, "by", r.EnteredBy)
	p.Owe(ctx, r)
	p.note.Tell(ctx, cm, p.assignedText(r))
	return nil
}
