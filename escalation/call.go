package escalation

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/twilio/twilio-go/twiml"

	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// maxPrompts is how often a page is read out before the call ends: once,
// and once more after silence or a wrong key.
const maxPrompts = 2

// VoicePage reads a page out to the case manager who picked up a page
// call. What the call is about comes from Redis by CallSid, never from the
// URL, so a forged or replayed step can do no more than the case manager
// could.
//
// to is the number the call rang: a page call placed by an instance that
// died before storing its CallSid is found by it (see calledAs).
func (ch *Chain) VoicePage(ctx context.Context, callSID, to string) (string, error) {
	r, p, err := ch.pageCall(ctx, callSID, to)
	if err != nil || r == nil {
		return phone.Goodbye(spokenGoodbye)
	}
	n, err := ch.Redis.HIncrBy(ctx, callKey(callSID), "prompts", 1).Result()
	if err != nil {
		return "", fmt.Errorf("count prompts: %w", err)
	}
	if n > maxPrompts {
		wrong, err := ch.Redis.HGet(ctx, callKey(callSID), "wrong").Int()
		if err != nil && !errors.Is(err, redis.Nil) {
			return "", fmt.Errorf("load call: %w", err)
		}
		if wrong > 0 {
			return phone.Goodbye(spokenWrongKeys(r.Code))
		}
		return phone.Goodbye(spokenNoAnswer(r.Code))
	}
	if r.State != referral.Paging && r.State != referral.Unanswered {
		return phone.Goodbye(ch.SpokenSettled(r, p.ID))
	}
	return phone.Voice(
		&twiml.VoiceGather{Input: "dtmf", NumDigits: "1", Timeout: "8", Action: ch.PublicURL + "/twilio/voice/page/answer",
			Method: "POST", InnerElements: []twiml.Element{phone.Say(ch.spokenPage(r))}},
		// Silence: read it once more, or end if that was the second time.
		&twiml.VoiceRedirect{Url: ch.PublicURL + "/twilio/voice/page", Method: "POST"},
	)
}

// VoiceAnswer takes the key pressed on a page call: 1 accepts, 2 declines.
func (ch *Chain) VoiceAnswer(ctx context.Context, callSID, digits string) (string, error) {
	r, p, err := ch.pageCall(ctx, callSID, "")
	if err != nil || r == nil {
		return phone.Goodbye(spokenGoodbye)
	}
	switch digits {
	case "1":
		reply, applied, err := ch.Accept(ctx, p, r, 0)
		if err != nil {
			return "", err
		}
		if !applied {
			return phone.Goodbye(ch.SpokenSettled(r, p.ID))
		}
		// The next steps (ETA, ARRIVED, DONE) are by text; say how.
		ch.Notify.Tell(ctx, p.ID, reply)
		return phone.Goodbye(spokenAccepted)
	case "2":
		if _, err := ch.Decline(ctx, p, r); err != nil {
			return "", err
		}
		return phone.Goodbye(spokenDeclined)
	}
	if err := ch.Redis.HIncrBy(ctx, callKey(callSID), "wrong", 1).Err(); err != nil {
		return "", fmt.Errorf("count wrong keys: %w", err)
	}
	return phone.Voice(phone.Say(spokenWrongKey), &twiml.VoiceRedirect{Url: ch.PublicURL + "/twilio/voice/page", Method: "POST"})
}

// pageCall is the referral and person a page call is for, or nil if the
// CallSid is not one of ours. With to, a call we have no record of is
// looked for as the page call under way to that number.
func (ch *Chain) pageCall(ctx context.Context, callSID, to string) (*referral.Referral, *program.Person, error) {
	if callSID == "" {
		return nil, nil, nil
	}
	rec, err := ch.Redis.HMGet(ctx, callKey(callSID), "code", "person").Result()
	if err != nil {
		return nil, nil, fmt.Errorf("load call: %w", err)
	}
	code, _ := rec[0].(string)
	id, _ := rec[1].(string)
	if code == "" && to != "" {
		if code, id, err = ch.calledAs(ctx, callSID, to); err != nil {
			return nil, nil, err
		}
	}
	p, ok := ch.Program.Person(id)
	if code == "" || !ok {
		return nil, nil, nil
	}
	r, err := ch.Referrals.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) {
		return nil, nil, nil
	}
	return r, p, err
}
