package dispatch

import (
	"context"
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
)

// advanceStatus sets the record's status if the new one ranks higher, and
// returns the record's code, person and step then, or nothing when it did
// not move. A callback can beat the sender to the record (Twilio reports
// while the send request is still returning), so the status is kept even
// before the record exists, and recordPage acts on it.
var advanceStatus = redis.NewScript(`
local rec = redis.call('HMGET', KEYS[1], 'code', 'person', 'step', 'rank')
if tonumber(rec[4] or '0') >= tonumber(ARGV[2]) then return {} end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'rank', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if not rec[1] then return {} end
return {rec[1], rec[2], rec[3]}
`)

// recordPage stores which referral, person and step a page text or call is
// for, and returns any status reported before it was stored.
var recordPage = redis.NewScript(`
redis.call('HSET', KEYS[1], 'code', ARGV[1], 'person', ARGV[2], 'step', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return redis.call('HGET', KEYS[1], 'status') or ''
`)

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

// Status handles one of Twilio's status callbacks for a text or call.
// A page that could not be delivered, or a call nobody took, moves the
// referral on at once instead of waiting out the step. Callbacks for
// anything else, late ones, repeated ones and ones that would go backwards
// change nothing.
func (s *Service) Status(ctx context.Context, form url.Values) error {
	if sid := form.Get("MessageSid"); sid != "" {
		return s.messageStatus(ctx, sid, form.Get("MessageStatus"), form.Get("ErrorCode"))
	}
	sid, status := form.Get("CallSid"), form.Get("CallStatus")
	rank := phone.StatusRank(status)
	if sid == "" || rank == 0 {
		return nil
	}
	res, err := advanceStatus.Run(ctx, s.rdb, []string{callKey(sid)}, status, rank, pageRecordTTL.Milliseconds()).StringSlice()
	if err != nil {
		return fmt.Errorf("record call status: %w", err)
	}
	if len(res) < 3 {
		return nil
	}
	return s.pageStatus(ctx, res[0], atoiOr(res[2], -2), res[1], program.Call, status)
}

// messageStatus records a text's status in the outbox and acts on what it
// means: a page not delivered moves its referral on, and a participant's
// carrier saying they opted out stops texts to them.
func (s *Service) messageStatus(ctx context.Context, sid, status, errorCode string) error {
	m, moved, err := s.outbox.Status(ctx, sid, status, errorCode)
	if err != nil || !moved {
		return err
	}
	switch m.Kind {
	case kindPage:
		return s.pageStatus(ctx, m.Meta["code"], atoiOr(m.Meta["step"], -2), m.Meta["person"], program.SMS, status)
	case kindAsk, kindReminder, kindPartReply:
		if errorCode == optedOutCode {
			return s.optedOut(ctx, m.To, stopCarrier)
		}
	}
	return nil
}

// optedOutCode is Twilio's error for a recipient who texted STOP.
const optedOutCode = "21610"

// pageStatus acts on a page's status: one that did not reach its person
// moves the referral on if nobody else at the step is left.
func (s *Service) pageStatus(ctx context.Context, code string, step int, who string, by program.Channel, status string) error {
	if !unreached(status) {
		return nil
	}
	s.log.Info("page not answered", "code", code, "person", who, "by", by, "status", status)
	return s.missed(ctx, code, step, who, by, by == program.Call && status == "failed")
}
