// Package escalation owns a referral's chain, from the first page to an
// accept or to nobody: whom each step pages (one paging order, which the
// voice line's <Dial> follows too), pages by text and by call, their
// delivery reports, accepts and declines, and giving up. It moves the
// referral only through referral.Store's guarded changes.
//
// Keys (in the referral's hash tag):
//
//	leadline:{dispatch}:person:<id>:paged  string: the latest code paged to a person (replies without a code)
//	leadline:{dispatch}:person:<id>:pages  zset: codes paged to a person, by when (ms); those no longer paging are
//	                                       dropped as they are read; 7 days
//	leadline:{dispatch}:call:<CallSid>     hash: a page call: code, person, step, status, rank; reading (the code
//	                                       being read), prompts and wrong (keys not 1 or 2) for it, read and
//	                                       done (codes read out, and answered or passed, on the call); 24 h
//	leadline:{dispatch}:pagecall:<code>:<step>:<id>  hash: a page call's intent: sid once placed, until
//	                                        (an instance's claim to place it, Unix ms), attempts, deadline; 24 h
//	leadline:{dispatch}:person:<id>:line   hash: the one page call being placed or under way to a person: code,
//	                                       step, sid, joined ("<code>:<step>:<i>" of later pages read in it);
//	                                       freed by the call's last status; 15 min
//
//	leadline:{dispatch}:person:<id>:pagefailed string: "<code> <time>" of the first page text to a person that failed
//	                                        for good since their supervisors were last told; 7 days
//
// Timers (on the referral queue): referral.TimerStep, "step:<code>:<n>";
// TimerCall, "call:<code>:<n>:<i>"; TimerPageFailed, "pagefail:<person>".
package escalation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/followup"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

const prefix = "leadline:{dispatch}:"

func pagedKey(id string) string { return prefix + "person:" + id + ":paged" }
func pagesKey(id string) string { return prefix + "person:" + id + ":pages" }

// pagesTTL is how long a person's list of pages is kept after the last.
const pagesTTL = 7 * 24 * time.Hour

func callKey(sid string) string { return prefix + "call:" + sid }

// Why a referral moved to its next step.
const (
	whyStart    = "start"
	whyTimeout  = "timeout"
	whyDeclined = "declined"
	whyMissed   = "missed"
)

// rescueAfter is when a referral's first page is retried by whichever
// instance is polling timers, should the one that stored it not page it.
const rescueAfter = 10 * time.Second

// Caller places one voice call. phone.Client is one.
type Caller interface {
	Call(ctx context.Context, c phone.Call) (string, error)
}

// Config is what a Chain needs.
type Config struct {
	Program   *program.Program
	Redis     redis.UniversalClient
	Referrals *referral.Store
	OnCall    *oncall.Store
	Notify    *notify.Notifier
	Outbox    *outbox.Box
	Timers    *timers.Queue // the referral queue: a page call's retries move its timer
	Caller    Caller
	FollowUps *followup.Plans
	Away      Absences // who is off (OFF); nil: nobody ever is
	Metrics   *referral.Metrics
	PublicURL string
	Clock     func() time.Time
	Log       *slog.Logger
	// SendTimeout bounds the retries of one call (default 2m).
	SendTimeout time.Duration
}

// Chain runs escalation chains.
type Chain struct {
	Config
	sends sync.WaitGroup
}

// New returns the chain; Register wires its timers and outbox kind.
func New(c Config) *Chain {
	if c.SendTimeout == 0 {
		c.SendTimeout = 2 * time.Minute
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	return &Chain{Config: c}
}

// Register hands the chain's step timers to mux and its pages' results and
// delivery reports to the outbox.
func (ch *Chain) Register(mux *timers.Mux) {
	mux.Handle(referral.TimerStep, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		step := a.Int(1, -2)
		if step == -2 {
			ch.Log.Error("bad timer", "args", a)
			return nil
		}
		return referral.IgnoreGone(ch.advance(ctx, a.At(0), step, whyTimeout))
	})
	mux.Handle(TimerCall, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		return ch.placeCall(ctx, a.At(0), a.Int(1, -2), a.Int(2, 0))
	})
	mux.Handle(TimerPageFailed, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		return ch.reportPageFailed(ctx, a.At(0))
	})
	ch.Outbox.Register(KindPage, outbox.Hooks{Done: ch.pageSent, Status: ch.pageReport})
}

// Wait blocks until every call under way has been placed or given up on.
func (ch *Chain) Wait() { ch.sends.Wait() }

// Start stores a new referral and pages the cohort's on-call case manager.
// The referral is stored before this returns; the page goes out after.
func (ch *Chain) Start(ctx context.Context, r *referral.Referral) error {
	now := ch.Clock()
	r.State, r.Received, r.PagingAt, r.Step = referral.Paging, now, now, -1
	if o, ok := ch.Program.Person(r.Officer); ok && r.Agency == "" {
		r.Agency = o.Agency // kept past the purge, for reports by agency
	}
	rescue := referral.Timer{Kind: referral.TimerStep, Args: []int{-1}, At: now.Add(rescueAfter)}
	if err := ch.Referrals.Insert(ctx, r, rescue); err != nil {
		return err
	}
	ch.Log.Info("referral received", "code", r.Code, "type", r.Type, "cohort", r.Cohort, "officer", r.Officer)
	if err := ch.advance(ctx, r.Code, -1, whyStart); err != nil {
		// Stored all the same, with its rescue timer: the officer has a
		// code, another instance pages it, and STATUS tells the truth.
		ch.Log.Error("first page", "code", r.Code, "err", err)
	}
	return nil
}

// advance moves r from step `from` to the next step that has someone to
// page, pages them and sets that step's timer; with no step left, r is
// unanswered and the officer is told. It does nothing unless r is still
// paging at step `from`, so a stale timer, a late callback or a second
// instance firing the same timer finds it moved on and stops.
func (ch *Chain) advance(ctx context.Context, code string, from int, why string) error {
	r, err := ch.Referrals.Load(ctx, code)
	if err != nil {
		return err
	}
	if r.State != referral.Paging || r.Step != from {
		return nil
	}
	cohort, ok := ch.Program.Cohort(r.Cohort)
	if !ok {
		return fmt.Errorf("referral %s names unknown cohort %q", code, r.Cohort)
	}
	l, err := ch.lineup(ctx, r)
	if err != nil {
		return err
	}
	steps := cohort.Escalation.Steps
	prev := r.Paged
	for j := from + 1; j < len(steps); j++ {
		if targets := ch.targets(r, l, steps[j], prev); len(targets) > 0 {
			return ch.takeStep(ctx, r, from, j, steps[j], targets, why)
		}
		// Nobody to page at this step (everyone off, declined or paged):
		// skip it now rather than wait it out.
		prev = nil
	}
	return ch.giveUp(ctx, r, from)
}

// takeStep moves r from step `from` to step j, paging targets by st.By.
func (ch *Chain) takeStep(ctx context.Context, r *referral.Referral, from, j int, st program.Step, targets []string, why string) error {
	now := ch.Clock()
	set := []referral.Write{referral.Set(referral.FStep, j), referral.Set(referral.FPaged, strings.Join(targets, " ")),
		referral.Set(referral.FMissed, "")}
	for _, id := range targets {
		set = append(set, referral.AddWord(referral.FPagedList, id))
	}
	if from >= 0 {
		set = append(set, referral.Incr(referral.FEscalations, 1))
	}
	c := referral.Change{From: []referral.State{referral.Paging}, Guard: referral.Is(referral.FStep, strconv.Itoa(from)),
		Event: referral.At(now, referral.EvStep, strings.Join(targets, ","),
			strconv.Itoa(j)+"/"+string(st.By)+"/"+string(st.To)+"/"+why),
		Set:    set,
		Timers: []referral.Timer{{Kind: referral.TimerStep, Args: []int{j}, At: now.Add(st.Wait)}}}
	if st.By == program.Call {
		// The intent to call each of them, stored with the step: if this
		// instance dies before Twilio answers, another places the call.
		for i := range targets {
			c.Timers = append(c.Timers, referral.Timer{Kind: TimerCall, Args: []int{j, i}, At: now.Add(callLease)})
		}
	}
	applied, err := ch.Referrals.Apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	if from >= 0 {
		ch.Metrics.Steps.WithLabelValues(r.Cohort, why).Inc()
	}
	newPerson := false
	for _, id := range targets {
		newPerson = newPerson || !slices.Contains(r.PagedList, id)
		ch.remember(ctx, id, r.Code)
	}
	r.Step, r.Paged = j, targets
	for i, id := range targets {
		p, _ := ch.Program.Person(id)
		if st.By == program.Call {
			ch.pageByCall(ctx, r.Code, j, i)
		} else {
			ch.pageBySMS(ctx, r, j, p)
		}
	}
	if from >= 0 && newPerson {
		ch.Notify.Tell(ctx, r.Officer, pagingNext(r.Code, st.To))
		ch.TellReferrer(ctx, r, "step"+strconv.Itoa(j), referrerPagingNext(r.Code))
	}
	return nil
}

// remember makes code the latest page to id, so a reply without a code
// means it.
func (ch *Chain) remember(ctx context.Context, id, code string) {
	_, err := ch.Redis.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, pagedKey(id), code, 0)
		p.ZAdd(ctx, pagesKey(id), redis.Z{Score: float64(ch.Clock().UnixMilli()), Member: code})
		p.Expire(ctx, pagesKey(id), pagesTTL)
		return nil
	})
	if err != nil {
		ch.Log.Error("remember page", "code", code, "err", err)
	}
}

// Open is the referrals still paging that were paged to a person who has
// not declined them, oldest page first: the pages a bare 1 or 2 could
// mean.
func (ch *Chain) Open(ctx context.Context, id string) ([]*referral.Referral, error) {
	codes, err := ch.Redis.ZRange(ctx, pagesKey(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("open pages: %w", err)
	}
	rs, err := ch.Referrals.LoadMany(ctx, codes)
	if err != nil {
		return nil, err
	}
	var open []*referral.Referral
	var gone []any
	for i, r := range rs {
		switch {
		case r == nil || r.State != referral.Paging:
			gone = append(gone, codes[i])
		case slices.Contains(r.PagedList, id) && !slices.Contains(r.Declined, id):
			open = append(open, r)
		}
	}
	if len(gone) > 0 {
		if err := ch.Redis.ZRem(ctx, pagesKey(id), gone...).Err(); err != nil {
			ch.Log.Error("drop settled pages", "err", err)
		}
	}
	return open, nil
}

// Latest is the code last paged to a person, or "".
func (ch *Chain) Latest(ctx context.Context, id string) (string, error) {
	c, err := ch.Redis.Get(ctx, pagedKey(id)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("latest page: %w", err)
	}
	return c, nil
}

// missed records that step's page did not reach who by channel by (for
// good, if final), and moves on at once when nobody paged at the step is
// left to answer. A report about an earlier step changes nothing.
func (ch *Chain) missed(ctx context.Context, code string, step int, who string, by program.Channel, final bool) error {
	set := []referral.Write{referral.AddWord(referral.FMissed, who)}
	if final {
		set = append(set, referral.AddWord(referral.FFailed, who+"/"+string(by)))
	}
	c := referral.Change{From: []referral.State{referral.Paging}, Guard: referral.Is(referral.FStep, strconv.Itoa(step)),
		Event: referral.At(ch.Clock(), referral.EvMissed, who, string(by)), Set: set}
	fresh, applied, err := ch.Referrals.ApplyFresh(ctx, code, c)
	if err != nil || !applied {
		return err
	}
	if nobodyLeft(fresh) {
		return ch.advance(ctx, code, step, whyMissed)
	}
	return nil
}

// nobodyLeft reports whether everyone the current step paged has declined
// or was not reached.
func nobodyLeft(r *referral.Referral) bool {
	for _, id := range r.Paged {
		if !slices.Contains(r.Declined, id) && !slices.Contains(r.Missed, id) {
			return false
		}
	}
	return true
}

// giveUp marks r unanswered, if it is still paging at step `from`, and tells
// the officer.
func (ch *Chain) giveUp(ctx context.Context, r *referral.Referral, from int) error {
	now := ch.Clock()
	c := referral.Change{From: []referral.State{referral.Paging}, Guard: referral.Is(referral.FStep, strconv.Itoa(from)),
		Event: referral.At(now, referral.EvUnanswered, "", "")}.To(referral.Unanswered, now)
	applied, err := ch.Referrals.Apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	ch.Log.Info("referral unanswered", "code", r.Code, "cohort", r.Cohort)
	ch.Metrics.Referrals.WithLabelValues(r.Cohort, string(r.Type), "unanswered").Inc()
	ch.Notify.Tell(ctx, r.Officer, ch.nobodyAccepted(r))
	ch.TellReferrer(ctx, r, toReferrerNobody, ch.referrerNobody(r.Code))
	return nil
}

// StillPaged is everyone paged for r who has not declined, can get a text,
// and is not except: the people to tell when it is settled.
func StillPaged(r *referral.Referral, except string) []string {
	var ids []string
	for _, id := range r.PagedList {
		if id != except && !slices.Contains(r.Declined, id) && r.Reached(id, "sms") {
			ids = append(ids, id)
		}
	}
	return ids
}
