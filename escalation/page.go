package escalation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// KindPage is a page text in the outbox: its result moves the chain.
const KindPage outbox.Kind = "page"

// ringTime is how long a page call rings before Twilio calls it no-answer.
const ringTime = 25 * time.Second

// pageRecordTTL is how long a page call's record is kept for its status
// callbacks and voice steps.
const pageRecordTTL = 24 * time.Hour

// pageMeta is what a page text carries through the outbox to its result.
const (
	metaCode   = "code"
	metaCohort = "cohort"
	metaStep   = "step"
	metaPerson = "person"
)

// pageBySMS texts the page to p. Its delivery reports come to /twilio/status
// and reach the step through the outbox's record of the message.
//
// A transient failure (429, 5xx, network) is tried again within the step's
// wait, so a Twilio outage shorter than that still reaches the person on
// call; a final error, or the wait running out, moves the chain on.
func (ch *Chain) pageBySMS(ctx context.Context, r *referral.Referral, step int, p *program.Person) {
	within := time.Duration(0)
	if st, ok := ch.stepOf(r, step); ok {
		within = st.Wait
	}
	m := outbox.Message{
		ID: "page:" + r.Code + ":" + strconv.Itoa(step) + ":" + p.ID, To: p.Phone, Body: ch.Page(r),
		Priority: outbox.Page, Kind: KindPage, MaxAttempts: 1, RetryWithin: within,
		Meta: map[string]string{metaCode: r.Code, metaCohort: r.Cohort, metaStep: strconv.Itoa(step), metaPerson: p.ID},
	}
	if err := ch.Notify.Text(ctx, m); err != nil {
		ch.paged(ctx, r.Code, r.Cohort, step, p, program.SMS, outcome{err: err})
	}
}

// pageByCall calls p now, the i-th person of the step; the step's
// TimerCall, stored with the step, recovers the call if this instance dies
// before Twilio answers. When they pick up, /twilio/voice/page reads the
// page out. The call's state is kept in Redis by CallSid, never in its URLs.
func (ch *Chain) pageByCall(ctx context.Context, code string, step, i int) {
	ch.background(ctx, func(ctx context.Context) (string, error) {
		return "", ch.placeCall(ctx, code, step, i)
	}, func(ctx context.Context, o outcome) {
		if o.err != nil {
			ch.Log.Error("page call; its timer tries again", "code", code, "err", o.err)
		}
	})
}

// outcome is what became of one outbound text or call.
type outcome struct {
	sid    string
	err    error
	status string // a status Twilio reported before the SID was recorded
}

// background runs do in the background with the send timeout, so the
// caller never waits on Twilio, then hands its result to then.
func (ch *Chain) background(ctx context.Context, do func(context.Context) (string, error), then func(context.Context, outcome)) {
	ctx = context.WithoutCancel(ctx)
	ch.sends.Add(1)
	go func() {
		defer ch.sends.Done()
		ctx, cancel := context.WithTimeout(ctx, ch.SendTimeout)
		defer cancel()
		sid, err := do(ctx)
		then(ctx, outcome{sid: sid, err: err})
	}()
}

// pageSent is the outbox's word on a page text.
func (ch *Chain) pageSent(ctx context.Context, r outbox.Result) {
	p, ok := ch.Program.Person(r.Meta[metaPerson])
	if !ok {
		return
	}
	if phone.IsFinal(r.Err) || (r.Err == nil && unreachedFor(r.Status, r.StatusCode)) {
		ch.pageFailed(ctx, p.ID, r.Meta[metaCode])
	}
	ch.paged(ctx, r.Meta[metaCode], r.Meta[metaCohort], stepOf(r.Meta), p, program.SMS,
		outcome{sid: r.SID, err: r.Err, status: r.Status})
}

// unreachedFor reports whether a text's delivery report says its number
// cannot get texts at all.
func unreachedFor(status, code string) bool {
	return (status == "undelivered" || status == "failed") && phone.IsUnreachable(code)
}

func stepOf(meta map[string]string) int {
	n, err := strconv.Atoi(meta[metaStep])
	if err != nil {
		return -2
	}
	return n
}

// paged records a page that went out, or moves on if it could not.
func (ch *Chain) paged(ctx context.Context, code, cohort string, step int, p *program.Person, by program.Channel, o outcome) {
	if o.err != nil {
		ch.Log.Warn("page not sent", "code", code, "to", phone.Mask(p.Phone), "by", by, "final", phone.IsFinal(o.err), "err", o.err)
		if err := ch.missed(ctx, code, step, p.ID, by, phone.IsFinal(o.err)); err != nil {
			ch.Log.Error("move on after failed page", "code", code, "err", err)
		}
		return
	}
	ch.Metrics.Pages.WithLabelValues(cohort, string(by)).Inc()
	early := o.status
	if by == program.Call {
		var err error
		early, err = recordPage.Run(ctx, ch.Redis, []string{callKey(o.sid), intentKey(code, step, p.ID), lineKey(p.ID)},
			code, p.ID, step, pageRecordTTL.Milliseconds(), o.sid, lineTTL.Milliseconds()).Text()
		if err != nil {
			ch.Log.Error("record page", "code", code, "err", err)
			return
		}
	}
	if err := ch.pageStatus(ctx, code, step, p.ID, by, early); err != nil {
		ch.Log.Error("act on early status", "code", code, "err", err)
	}
	if by == program.Call && unreached(early) {
		ch.lineEnded(ctx, p.ID, o.sid, code, early, nil)
	}
}

// advanceStatus sets the record's status if the new one ranks higher, and
// returns the record's code, person and step then, or nothing when it did
// not move. A callback can beat the sender to the record (Twilio reports
// while the call request is still returning), so the status is kept even
// before the record exists, and recordPage acts on it.
var advanceStatus = redis.NewScript(`
local rec = redis.call('HMGET', KEYS[1], 'code', 'person', 'step', 'rank')
if tonumber(rec[4] or '0') >= tonumber(ARGV[2]) then return {} end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'rank', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if not rec[1] then return {} end
return {rec[1], rec[2], rec[3]}
`)

// recordPage stores which referral, person and step a page call is for,
// its CallSid in the call's intent (so it is not placed again) and in the
// person's line if the call holds it, and returns any status reported
// before it was stored.
//
// KEYS: call, intent, line. ARGV: code, person, step, ttl ms, CallSid, line ttl ms.
var recordPage = redis.NewScript(`
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'person', ARGV[2], 'step', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[2], 'sid', ARGV[5], 'until', 0)
redis.call('PEXPIRE', KEYS[2], ARGV[4])
if redis.call('HGET', KEYS[3], 'code') == ARGV[1] then
  redis.call('HSET', KEYS[3], 'sid', ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
return redis.call('HGET', KEYS[1], 'status') or ''
`)

// CallStatus handles Twilio's status callback for a call. A page call
// nobody took moves the referral on at once instead of waiting out the
// step. Callbacks for other calls, late ones, repeated ones and ones that
// would go backwards change nothing.
func (ch *Chain) CallStatus(ctx context.Context, sid, status string) error {
	rank := phone.StatusRank(status)
	if sid == "" || rank == 0 {
		return nil
	}
	res, err := advanceStatus.Run(ctx, ch.Redis, []string{callKey(sid)}, status, rank, pageRecordTTL.Milliseconds()).StringSlice()
	if err != nil {
		return fmt.Errorf("record call status: %w", err)
	}
	if len(res) < 3 {
		return nil
	}
	step, err := strconv.Atoi(res[2])
	if err != nil {
		step = -2
	}
	if err := ch.pageStatus(ctx, res[0], step, res[1], program.Call, status); err != nil {
		return err
	}
	if unreached(status) {
		read, err := ch.Redis.HGet(ctx, callKey(sid), "read").Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return fmt.Errorf("load call: %w", err)
		}
		ch.lineEnded(ctx, res[1], sid, res[0], status, strings.Fields(read))
	}
	return nil
}

// pageReport is a page text's delivery report, from the outbox.
func (ch *Chain) pageReport(ctx context.Context, m outbox.Message, status, errorCode string) error {
	if unreachedFor(status, errorCode) {
		ch.pageFailed(ctx, m.Meta[metaPerson], m.Meta[metaCode])
	}
	return ch.pageStatus(ctx, m.Meta[metaCode], stepOf(m.Meta), m.Meta[metaPerson], program.SMS, status)
}

// unreached reports whether a final status means the page did not reach
// its person. A call that completed reaches here only if the case manager
// hung up without pressing 1 or 2: for this step, not reached either.
func unreached(status string) bool {
	switch status {
	case "undelivered", "failed", "busy", "no-answer", "canceled", "completed":
		return true
	}
	return false
}

// pageStatus acts on a page's status: one that did not reach its person
// moves the referral on if nobody else at the step is left.
func (ch *Chain) pageStatus(ctx context.Context, code string, step int, who string, by program.Channel, status string) error {
	if !unreached(status) {
		return nil
	}
	ch.Log.Info("page not answered", "code", code, "person", who, "by", by, "status", status)
	return ch.missed(ctx, code, step, who, by, by == program.Call && status == "failed")
}
