// Package inbox is the SMS front door: every text to the program number
// comes in here. It makes a text Twilio retries (same MessageSid) change
// nothing the second time, reads each sender's grammar, and hands the
// command to the package that owns it: officers' to officer, case
// managers' to escalation, scene, followup, appointment and handoff,
// participants' to appointment. A stranger learns nothing.
//
// Keys (in the referral's hash tag):
//
//	leadline:{dispatch}:sms:<MessageSid>        string: that inbound text was handled (kept retention.Kept: open + details); retries and replays are no-ops
//	leadline:{dispatch}:stranger:<name>:<hour>  counter: replies sent to an unknown number in that hour
//	leadline:{dispatch}:strangers:<hour>        counter: replies sent to all unknown numbers in that hour
package inbox

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/followup"
	"github.com/leadline/leadline/handoff"
	"github.com/leadline/leadline/internal/lease"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/scene"
)

const prefix = "leadline:{dispatch}:"

func inboundKey(messageSID string) string { return prefix + "sms:" + messageSID }
func strangerKey(hash string, hour int64) string {
	return prefix + "stranger:" + hash + ":" + strconv.FormatInt(hour, 10)
}
func strangersKey(hour int64) string { return prefix + "strangers:" + strconv.FormatInt(hour, 10) }

// pending marks a MessageSid whose text is being handled right now, with
// the claiming request's own token after it. The claim is a short lease,
// renewed while the text is handled (lease.Renew), so one that nobody works
// on any more lapses in seconds: a request that died mid-way, or whose
// claim reached a stalled Redis after it gave up, does not block Twilio's
// retry. A retry that finds a claim waits for it to be done or to lapse.
const (
	pending      = "pending:"
	claimLease   = 3 * time.Second
	claimRecheck = 100 * time.Millisecond
)

// claimWait is how long a retry waits on another request's claim: two
// leases, under Twilio's 15 s webhook timeout. A variable for a test.
var claimWait = 2 * claimLease

// release deletes a claim only if it is still the caller's.
var release = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// renew extends a claim only if it is still the caller's.
var renew = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

// strangerReplies is how many times an hour an unknown number is answered,
// and allStrangerReplies how many unknown numbers' texts in all: a flood
// from many numbers must not become a flood of replies.
const (
	strangerReplies    = 3
	allStrangerReplies = 100
)

// strangerReply is all an unknown number ever learns.
const strangerReply = "This number does not accept messages."

// Unlocker answers a supervisor's UNLOCK <badge>. lockout.Guard is one.
type Unlocker interface {
	Text(ctx context.Context, p *program.Person, badge string) (string, error)
}

// Inbox routes texts. Its fields are the packages it hands commands to.
type Inbox struct {
	Program   *program.Program
	Redis     redis.UniversalClient
	Referrals *referral.Store
	Notify    *notify.Notifier
	Officers  *officer.Desk
	Chain     *escalation.Chain
	Scene     *scene.Scene
	FollowUps *followup.Plans
	Book      *appointment.Book
	Handoff   *handoff.Texts
	Lockout   Unlocker
	// Names names a stranger's number in its counter's key (datakey.Keys).
	Names interface{ Name(number string) string }
	Clock func() time.Time
	Log   *slog.Logger
}

// Receive handles one inbound text. Whatever it stores, the reply to the
// sender included (queued in the outbox), is stored before it returns. The
// same messageSID a second time changes nothing and sends nothing. It
// returns a reply only when nothing could be stored: that one goes back as
// TwiML, telling the sender that nothing was recorded.
func (in *Inbox) Receive(ctx context.Context, from, body, messageSID string) (string, error) {
	log := in.Log.With("from", phone.Mask(from), "sid", messageSID)
	body = strings.ToValidUTF8(body, "\uFFFD") // invalid bytes are replaced, never stored
	claim := pending + rand.Text()
	if messageSID != "" {
		ours, err := in.claim(ctx, messageSID, claim)
		if err != nil {
			return in.notRecorded(from), fmt.Errorf("claim %s: %w", messageSID, err)
		}
		if !ours {
			// Handled, or being handled by a request that is still
			// working on it: either way its reply is that request's to send.
			log.Info("retried text ignored")
			return "", nil
		}
		key := inboundKey(messageSID)
		stop := lease.Renew(ctx, claimLease, func(ctx context.Context) bool {
			n, err := renew.Run(ctx, in.Redis, []string{key}, claim, claimLease.Milliseconds()).Int()
			return err == nil && n == 1
		})
		defer stop()
	}
	reply, kind, err := in.handle(ctx, from, body)
	if err == nil && reply != "" {
		err = in.Notify.Reply(ctx, from, reply, messageSID, kind)
	}
	if err != nil {
		if messageSID != "" {
			// Let Twilio's retry, or the officer's resend, try again.
			release.Run(context.WithoutCancel(ctx), in.Redis, []string{inboundKey(messageSID)}, claim)
		}
		return in.notRecorded(from), err
	}
	if messageSID != "" {
		// Kept as long as any referral's details are (not the day Twilio
		// retries within): a captured signed request replayed later must
		// change nothing either. About 180 bytes each (BENCHMARKS.md).
		if err := in.Redis.Set(ctx, inboundKey(messageSID), "done", in.Program.Retention.Kept()).Err(); err != nil {
			log.Error("remember text", "err", err)
		}
	}
	return "", nil
}

// claim takes messageSID for this request. A claim is known by its token:
// when Redis stalls, the client may send SET NX twice and Redis run both,
// and the second's "taken" is then this request's own first, not another
// request's. A claim of another request is waited on, for up to claimWait:
// done, it is refused; lapsed or released, this request takes it.
func (in *Inbox) claim(ctx context.Context, messageSID, token string) (bool, error) {
	key := inboundKey(messageSID)
	wait := time.NewTimer(claimWait)
	defer wait.Stop()
	for {
		ok, err := in.Redis.SetNX(ctx, key, token, claimLease).Result()
		if err != nil || ok {
			return ok, err
		}
		v, err := in.Redis.Get(ctx, key).Result()
		switch {
		case errors.Is(err, redis.Nil):
			continue // it ended (lapsed or released) since: try again
		case err != nil:
			return false, err
		case v == token:
			return true, nil
		case !strings.HasPrefix(v, pending):
			return false, nil // handled
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-wait.C:
			return false, nil // its holder is still at work
		case <-time.After(claimRecheck):
		}
	}
}

// handle acts on one inbound text and returns the reply to its sender and
// what kind of text that reply is.
func (in *Inbox) handle(ctx context.Context, from, body string) (string, outbox.Kind, error) {
	person, known := in.Program.PersonByPhone(from)
	if !known {
		return in.unknownSender(ctx, from, body)
	}
	var reply string
	var err error
	switch person.Role {
	case program.Officer:
		reply, err = in.officerText(ctx, person, body)
	default:
		reply, err = in.caseManagerText(ctx, person, body)
	}
	return reply, notify.KindTell, err
}

// notRecorded is the answer when nothing could be stored: for staff, who
// should send again or call; an unknown number learns nothing, not even the
// support line, in this state as in any other.
func (in *Inbox) notRecorded(from string) string {
	if _, staff := in.Program.PersonByPhone(from); !staff {
		return ""
	}
	return "Sorry, that was not recorded. Please send it again." + in.Notify.SupportLine("Or call ")
}

// unknownSender handles a text from a number that is not staff: a
// participant's reply, or a stranger's.
func (in *Inbox) unknownSender(ctx context.Context, from, body string) (string, outbox.Kind, error) {
	known, stopped, err := in.Book.Known(ctx, from)
	if err != nil {
		return "", "", err
	}
	if known {
		reply, err := in.Book.Text(ctx, from, body)
		return reply, appointment.KindReply, err
	}
	if stopped {
		return "", "", nil // a number forgotten but for its opt-out
	}
	if !phone.IsE164(from) {
		return "", "", nil // "abc", "client:alice": nobody to answer
	}
	answer, err := in.countStranger(ctx, from)
	if !answer || err != nil {
		return "", "", err
	}
	return strangerReply, notify.KindTell, nil
}

// countStranger counts a text from an unknown number and reports whether
// to answer it: a few times an hour, with a reply that says nothing about
// the program, then not at all. The counter's key holds the number's keyed
// name, not the number.
func (in *Inbox) countStranger(ctx context.Context, from string) (bool, error) {
	hour := in.Clock().Unix() / 3600
	key, all := strangerKey(in.Names.Name(from), hour), strangersKey(hour)
	var n, total *redis.IntCmd
	_, err := in.Redis.TxPipelined(ctx, func(p redis.Pipeliner) error {
		n = p.Incr(ctx, key)
		p.Expire(ctx, key, 2*time.Hour)
		total = p.Incr(ctx, all)
		p.Expire(ctx, all, 2*time.Hour)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("count unknown sender: %w", err)
	}
	in.Log.Info("text from unknown number", "from", phone.Mask(from), "count", n.Val(), "all", total.Val())
	return n.Val() <= strangerReplies && total.Val() <= allStrangerReplies, nil
}
