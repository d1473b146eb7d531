// Package redaction empties, in Twilio's message log, the body of each
// text once it is delivered: participants' by default
// (participants.redact_after_delivery), staff texts' if the program asks
// (program.redact_staff_texts). Twilio keeps the record (numbers, status,
// price) and drops the words.
//
// A delivery status schedules a durable timer on the dispatch queue, so the
// redaction survives the instance that heard the status, and a failed
// attempt is tried again later. A text Twilio reports "sent" but never
// "delivered" (carriers that send no receipts) is redacted an hour later.
//
// Keys (in the dispatch hash tag, beside the timer queue):
//
//	leadline:{dispatch}:redact:<MessageSid>  string: "sent" or "final", the redaction that text has
//	                                         scheduled; kept 2 days, so a repeated callback schedules nothing
//
// Timers: redact:<MessageSid>[:<attempt>].
package redaction

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/timers"
)

// TimerRedact is the timer kind that redacts one text.
const TimerRedact timers.Kind = "redact"

const prefix = "leadline:{dispatch}:redact:"

// How long a text reported only "sent" waits before its redaction, how
// long a scheduled redaction is remembered, and how often one is tried.
const (
	unconfirmed = time.Hour
	remembered  = 48 * time.Hour
	maxAttempts = 8
)

// Redactor empties a text's body at Twilio. phone.Client is one.
type Redactor interface {
	RedactSMS(ctx context.Context, sid string) error
}

// Texts redacts delivered texts.
type Texts struct {
	prog *program.Program
	rdb  redis.UniversalClient
	tw   Redactor
	q    *timers.Queue
	now  func() time.Time
	log  *slog.Logger
}

// New returns the program's redactions, scheduled on q.
func New(prog *program.Program, rdb redis.UniversalClient, tw Redactor, q *timers.Queue, clock func() time.Time, log *slog.Logger) *Texts {
	return &Texts{prog: prog, rdb: rdb, tw: tw, q: q, now: clock, log: log}
}

// Register handles the redaction timers on mux.
func (t *Texts) Register(mux *timers.Mux) {
	mux.Handle(TimerRedact, func(ctx context.Context, _ timers.Timer, a timers.Args) error {
		return t.redact(ctx, a.At(0), a.Int(1, 1))
	})
}

// wanted reports whether texts to `to` are redacted.
func (t *Texts) wanted(to string) bool {
	if _, staff := t.prog.PersonByPhone(to); staff {
		return t.prog.RedactStaffTexts
	}
	return t.prog.Participants.RedactAfterDelivery
}

// scheduleScript schedules a text's redaction once: a final status
// (delivered, undelivered, failed) at once, unless one was scheduled for a
// final status already; "sent" later, unless any was scheduled.
//
// KEYS: marker, due. ARGV: final (1/0), due ms, timer ID, keep ms.
var scheduleScript = redis.NewScript(`
local m = redis.call('GET', KEYS[1])
if m == 'final' or (m and ARGV[1] ~= '1') then return 0 end
local v = 'sent'
if ARGV[1] == '1' then v = 'final' end
redis.call('SET', KEYS[1], v, 'PX', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
`)

// Status is told each of Twilio's status callbacks for a text: to whom it
// went, and its MessageStatus.
func (t *Texts) Status(ctx context.Context, sid, to, status string) error {
	if sid == "" || !t.wanted(to) {
		return nil
	}
	final, at := "1", t.now()
	switch status {
	case "delivered", "undelivered", "failed":
	case "sent":
		final, at = "0", at.Add(unconfirmed)
	default:
		return nil
	}
	if err := scheduleScript.Run(ctx, t.rdb, []string{prefix + sid, t.q.DueKey()},
		final, at.UnixMilli(), TimerRedact.ID(sid), remembered.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("redaction: schedule %s: %w", sid, err)
	}
	return nil
}

// redact empties the text's body at Twilio. A refusal because Twilio has
// not finished with it, or a failure that may pass, is tried again later
// (1, 2, 4… minutes, up to maxAttempts); any other failure is logged and
// given up, since trying cannot help.
func (t *Texts) redact(ctx context.Context, sid string, attempt int) error {
	if sid == "" {
		return nil
	}
	err := t.tw.RedactSMS(ctx, sid)
	if err == nil {
		t.log.Info("text redacted at Twilio", "sid", sid)
		return nil
	}
	var se *phone.SendError
	later := errors.As(err, &se) && se.Code == phone.CodeNotComplete || !phone.IsFinal(err)
	if !later || attempt >= maxAttempts {
		t.log.Error("text not redacted at Twilio; its body stays in Twilio's log", "sid", sid, "attempt", attempt, "err", err)
		return nil
	}
	wait := time.Minute << (attempt - 1)
	t.log.Warn("text not redacted yet; trying again", "sid", sid, "attempt", attempt, "in", wait.String(), "err", err)
	return t.q.Schedule(ctx, TimerRedact.ID(sid, strconv.Itoa(attempt+1)), t.now().Add(wait))
}
