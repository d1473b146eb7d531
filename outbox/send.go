package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/phone"
)

// process checks, sends and records one claimed message, then tells Done
// and lets the message go. It reports whether the message ended (sent,
// failed or skipped) here. Once claimed, a message is seen through even if
// ctx ends: giving up half way would leave a text Twilio may have taken
// without its "was sent" record.
func (b *Box) process(ctx context.Context, c claimed) bool {
	ctx = context.WithoutCancel(ctx)
	defer c.unhold()
	stop := b.hold(ctx, c)
	defer stop()
	r := Result{Message: c.Message, Attempts: c.Attempts, Queued: c.Queued}
	h := b.hooks(c.Kind)
	sms := phone.SMS{From: c.From, To: c.To, Body: c.Body, StatusCallback: c.StatusCallback}
	switch {
	case h.Service != "":
		sms.From, sms.Service = "", h.Service
	case h.From != "":
		sms.From = h.From
	}
	if check := h.Check; check != nil {
		ok, err := check(ctx, c.Message)
		if err != nil {
			return b.failed(ctx, c, r, fmt.Errorf("outbox: check: %w", err))
		}
		if !ok {
			r.Skipped = true
			return b.end(ctx, c, r, "skipped", "")
		}
	}
	sctx, cancel := context.WithTimeout(ctx, b.timeout)
	sid, err := b.sender.SendSMS(sctx, sms)
	cancel()
	if err != nil {
		return b.failed(ctx, c, r, err)
	}
	r.SID = sid
	return b.sent(ctx, c, r)
}

// markSent is the "was sent" record: the message is sent, whoever holds
// its claim now, and any status Twilio reported for its SID before this
// moment is picked up and returned. It returns {0} if the message had
// already ended (another instance sent it after our claim lapsed), else
// {1, status, error code}.
//
// KEYS: msg, sid, ready, later. ARGV: id, sid, sent ms, ttl ms.
var markSent = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if not st or st == 'sent' or st == 'failed' or st == 'skipped' then return {'0', ''} end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[2], 'id', ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local s = redis.call('HMGET', KEYS[2], 'status', 'code')
redis.call('HSET', KEYS[1], 'state', 'sent', 'sid', ARGV[2], 'sent', ARGV[3], 'status', s[1] or '', 'error', '')
if s[2] then redis.call('HSET', KEYS[1], 'code', s[2]) end
return {'1', s[1] or '', s[2] or ''}
`)

// sent records that Twilio took the message, then ends it.
func (b *Box) sent(ctx context.Context, c claimed, r Result) bool {
	at := b.now()
	var res []string
	err := b.durably(ctx, func() (err error) {
		res, err = markSent.Run(ctx, b.rdb, []string{msgKey(c.ID), sidKey(r.SID), readyKey, laterKey},
			c.ID, r.SID, at.UnixMilli(), b.ttl.Milliseconds()).StringSlice()
		return err
	})
	if err != nil {
		// Its claim lapses and it is sent again: a repeat beats a loss.
		b.log.Error("outbox: text sent but not recorded; it will be sent again", "id", c.ID, "kind", c.Kind,
			"to", phone.Mask(c.To), "sid", r.SID, "err", err)
		return false
	}
	if len(res) < 2 || res[0] != "1" {
		b.log.Warn("outbox: text sent twice: its claim lapsed while it was being sent", "id", c.ID, "kind", c.Kind,
			"to", phone.Mask(c.To), "sid", r.SID)
		b.settle(ctx, c)
		return false
	}
	r.Status = res[1]
	if len(res) > 2 {
		r.StatusCode = res[2]
	}
	b.metrics.ended(c.Priority, "sent")
	b.metrics.waited(c.Priority, at.Sub(c.Queued))
	b.finish(ctx, c, r)
	return true
}

// markEnded records that a message failed for good or was skipped, if the
// claim is still ours.
//
// KEYS: msg. ARGV: token, state, error.
var markEnded = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'claim', 'state')
if m[1] ~= ARGV[1] or m[2] ~= 'sending' then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'error', ARGV[3])
return 1
`)

// end records that a message ended unsent (state "failed" or "skipped"),
// then tells Done and lets it go.
func (b *Box) end(ctx context.Context, c claimed, r Result, state, errText string) bool {
	var ours int
	err := b.durably(ctx, func() (err error) {
		ours, err = markEnded.Run(ctx, b.rdb, []string{msgKey(c.ID)}, c.token, state, errText).Int()
		return err
	})
	if err != nil {
		b.log.Error("outbox: record end of text; it will be tried again", "id", c.ID, "state", state, "err", err)
		return false
	}
	if ours == 0 {
		// Another instance took it after our claim lapsed; it will end it.
		return false
	}
	b.metrics.ended(c.Priority, state)
	b.finish(ctx, c, r)
	return true
}

// retryScript puts a message in later for another attempt and frees its
// recipient, if the claim is still ours.
//
// KEYS: msg, inflight, busy, later. ARGV: id, token, at ms, error.
var retryScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'claim', 'state', 'rcpt')
m[3] = m[3] or redis.call('HGET', KEYS[1], 'to')
if m[1] ~= ARGV[2] or m[2] ~= 'sending' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'retry', 'error', ARGV[4], 'claim', '')
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[3], m[3]) == ARGV[1] then redis.call('HDEL', KEYS[3], m[3]) end
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return 1
`)

// failed ends a message whose send failed for good (a final error, or its
// last attempt), or schedules its next attempt. It reports whether the
// message ended.
func (b *Box) failed(ctx context.Context, c claimed, r Result, err error) bool {
	wait, again := b.retryWait(c)
	if phone.IsFinal(err) || !again {
		r.Err = err
		b.log.Info("outbox: text failed", "id", c.ID, "kind", c.Kind, "to", phone.Mask(c.To),
			"attempts", c.Attempts, "final", phone.IsFinal(err), "err", err)
		return b.end(ctx, c, r, "failed", err.Error())
	}
	at := b.now().Add(wait)
	rerr := b.durably(ctx, func() error {
		return retryScript.Run(ctx, b.rdb, []string{msgKey(c.ID), inflightKey, busyKey, laterKey},
			c.ID, c.token, at.UnixMilli(), err.Error()).Err()
	})
	if rerr != nil {
		// The claim lapses and the message is tried again then instead.
		b.log.Error("outbox: schedule retry", "id", c.ID, "err", rerr)
		return false
	}
	b.log.Info("outbox: text will be retried", "id", c.ID, "kind", c.Kind, "to", phone.Mask(c.To),
		"attempts", c.Attempts, "in", wait, "err", err)
	b.metrics.ended(c.Priority, "retried")
	return false
}

// quickRetries are the waits between the tries of a message with
// RetryWithin; later tries wait the last.
var quickRetries = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}

// retryWait is how long c waits before its next try after a transient
// failure, and whether it has one.
func (b *Box) retryWait(c claimed) (time.Duration, bool) {
	if c.RetryWithin > 0 {
		wait := quickRetries[min(c.Attempts, len(quickRetries))-1]
		return wait, !b.now().Add(wait).After(c.Queued.Add(c.RetryWithin))
	}
	most := c.MaxAttempts
	if most <= 0 {
		most = len(b.retries) + 1
	}
	return b.retries[min(c.Attempts, len(b.retries))-1], c.Attempts < most
}

// settleScript lets go of an ended message: frees its recipient and its
// claim, if still ours, and starts its record's TTL.
//
// KEYS: msg, inflight, busy. ARGV: id, token, ttl ms.
var settleScript = redis.NewScript(`
local m = redis.call('HMGET', KEYS[1], 'claim', 'rcpt', 'state')
m[2] = m[2] or redis.call('HGET', KEYS[1], 'to')
if m[1] == ARGV[2] then
  redis.call('ZREM', KEYS[2], ARGV[1])
  if redis.call('HGET', KEYS[3], m[2]) == ARGV[1] then redis.call('HDEL', KEYS[3], m[2]) end
  redis.call('HSET', KEYS[1], 'claim', '')
end
if m[3] == 'sent' or m[3] == 'failed' or m[3] == 'skipped' then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
`)

// finish tells Done, then lets the message go: while Done runs the
// recipient stays busy, so what Done texts them comes after.
func (b *Box) finish(ctx context.Context, c claimed, r Result) {
	if done := b.hooks(c.Kind).Done; done != nil {
		done(ctx, r)
	}
	b.settle(ctx, c)
}

func (b *Box) settle(ctx context.Context, c claimed) {
	err := b.durably(ctx, func() error {
		return settleScript.Run(ctx, b.rdb, []string{msgKey(c.ID), inflightKey, busyKey},
			c.ID, c.token, b.ttl.Milliseconds()).Err()
	})
	if err != nil {
		// The claim lapses instead, and its ended record lets it go then.
		b.log.Error("outbox: release ended text", "id", c.ID, "err", err)
	}
}

// durably runs a write that records something already done (a text sent,
// an attempt failed) again and again, 50 ms apart and doubling to 1 s, for
// about 8 s before giving up: losing it means doing that again once the
// claim lapses. A Redis restarting from its append-only file refuses
// writes (LOADING) or connections for a moment; the 0.75 s this once
// waited was too short for that, and a page sent then stayed unrecorded,
// its recipient busy, until the lease lapsed and it was sent again.
func (b *Box) durably(ctx context.Context, write func() error) error {
	wait := 50 * time.Millisecond
	for try := 1; ; try++ {
		err := write()
		if err == nil || try == 12 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}
