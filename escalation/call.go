package escalation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
// A person gets one page call at a time: pages due as calls while one is
// placed or under way join it (see claimCall), and the call reads them one
// after another, oldest first, each with its own keys.
//
// to is the number the call rang: a page call placed by an instance that
// died before storing its CallSid is found by it (see calledAs).
func (ch *Chain) VoicePage(ctx context.Context, callSID, to string) (string, error) {
	own, p, err := ch.pageCall(ctx, callSID, to)
	if err != nil || own == nil {
		return phone.Goodbye(spokenGoodbye)
	}
	st, err := ch.loadCallState(ctx, callSID)
	if err != nil {
		return "", err
	}
	left, err := ch.callPages(ctx, callSID, p, own, st.done)
	if err != nil {
		return "", err
	}
	if len(left) == 0 {
		if len(st.done) == 0 {
			return phone.Goodbye(ch.SpokenSettled(own, p.ID))
		}
		return phone.Goodbye(spokenNoMorePages)
	}
	r := left[0]
	if r.Code != st.reading {
		st.reading, st.prompts, st.wrong = r.Code, 0, 0
	}
	st.prompts++
	if !slices.Contains(st.read, r.Code) {
		st.read = append(st.read, r.Code)
	}
	if st.prompts > maxPrompts {
		// Nobody is listening: the pages not yet read go on as this one
		// does, rather than ringing again at once.
		for _, x := range left {
			if !slices.Contains(st.read, x.Code) {
				st.read = append(st.read, x.Code)
			}
		}
	}
	if err := ch.saveCallState(ctx, callSID, st); err != nil {
		return "", err
	}
	if st.prompts > maxPrompts {
		if st.wrong > 0 {
			return phone.Goodbye(spokenWrongKeys(r.Code))
		}
		return phone.Goodbye(spokenNoAnswer(r.Code))
	}
	say := ch.spokenPage(r)
	if total := len(st.done) + len(left); total > 1 {
		say = spokenPageOf(len(st.done)+1, total) + say
	}
	return phone.Voice(
		&twiml.VoiceGather{Input: "dtmf", NumDigits: "1", Timeout: "8", Action: ch.PublicURL + "/twilio/voice/page/answer",
			Method: "POST", InnerElements: []twiml.Element{phone.Say(say)}},
		// Silence: read it once more, or end if that was the second time.
		&twiml.VoiceRedirect{Url: ch.PublicURL + "/twilio/voice/page", Method: "POST"},
	)
}

// VoiceAnswer takes the key pressed on a page call for the page being
// read: 1 accepts, 2 declines. With more pages waiting in the call, it
// says what was done and reads the next.
func (ch *Chain) VoiceAnswer(ctx context.Context, callSID, digits string) (string, error) {
	own, p, err := ch.pageCall(ctx, callSID, "")
	if err != nil || own == nil {
		return phone.Goodbye(spokenGoodbye)
	}
	st, err := ch.loadCallState(ctx, callSID)
	if err != nil {
		return "", err
	}
	r := own
	if st.reading != "" && st.reading != own.Code {
		if r, err = ch.Referrals.Load(ctx, st.reading); errors.Is(err, referral.ErrNotFound) {
			return phone.Goodbye(spokenGoodbye)
		} else if err != nil {
			return "", err
		}
	}
	var said string
	switch digits {
	case "1":
		reply, applied, err := ch.Accept(ctx, p, r, 0)
		if err != nil {
			return "", err
		}
		said = spokenAccepted
		if !applied {
			said = ch.SpokenSettled(r, p.ID)
		} else {
			// The next steps (ETA, ARRIVED, DONE) are by text; say how.
			ch.Notify.Tell(ctx, p.ID, reply)
		}
	case "2":
		if _, err := ch.Decline(ctx, p, r); err != nil {
			return "", err
		}
		said = spokenDeclined
	default:
		st.wrong++
		if err := ch.saveCallState(ctx, callSID, st); err != nil {
			return "", err
		}
		return phone.Voice(phone.Say(spokenWrongKey), &twiml.VoiceRedirect{Url: ch.PublicURL + "/twilio/voice/page", Method: "POST"})
	}
	st.done, st.reading = append(st.done, r.Code), ""
	if err := ch.saveCallState(ctx, callSID, st); err != nil {
		return "", err
	}
	left, err := ch.callPages(ctx, callSID, p, own, st.done)
	if err != nil {
		return "", err
	}
	if len(left) == 0 {
		return phone.Goodbye(said)
	}
	return phone.Voice(phone.Say(strings.TrimSuffix(said, " Goodbye.")),
		&twiml.VoiceRedirect{Url: ch.PublicURL + "/twilio/voice/page", Method: "POST"})
}

// callState is where a page call is in reading its pages.
type callState struct {
	reading    string   // the code being read
	prompts    int      // times it was read
	wrong      int      // keys pressed for it that were not 1 or 2
	read, done []string // codes read out, and answered (or passed) on the call
}

func (ch *Chain) loadCallState(ctx context.Context, sid string) (callState, error) {
	v, err := ch.Redis.HMGet(ctx, callKey(sid), "reading", "prompts", "wrong", "read", "done").Result()
	if err != nil {
		return callState{}, fmt.Errorf("load call: %w", err)
	}
	str := func(i int) string { s, _ := v[i].(string); return s }
	num := func(i int) int { n, _ := strconv.Atoi(str(i)); return n }
	return callState{reading: str(0), prompts: num(1), wrong: num(2),
		read: strings.Fields(str(3)), done: strings.Fields(str(4))}, nil
}

func (ch *Chain) saveCallState(ctx context.Context, sid string, st callState) error {
	err := ch.Redis.HSet(ctx, callKey(sid), "reading", st.reading, "prompts", st.prompts, "wrong", st.wrong,
		"read", strings.Join(st.read, " "), "done", strings.Join(st.done, " ")).Err()
	if err != nil {
		return fmt.Errorf("save call: %w", err)
	}
	return nil
}

// callPages is what a page call has still to read to p, oldest referral
// first: its own page and the pages that joined its line, each while it
// still waits for an answer from p and was not answered on this call.
func (ch *Chain) callPages(ctx context.Context, sid string, p *program.Person, own *referral.Referral, done []string) ([]*referral.Referral, error) {
	line, err := ch.Redis.HMGet(ctx, lineKey(p.ID), "sid", "joined").Result()
	if err != nil {
		return nil, fmt.Errorf("load page call line: %w", err)
	}
	rs := []*referral.Referral{own}
	if on, _ := line[0].(string); on == sid {
		joined, _ := line[1].(string)
		var codes []string
		for _, j := range parseJoined(joined) {
			codes = append(codes, j.code)
		}
		more, err := ch.Referrals.LoadMany(ctx, codes)
		if err != nil {
			return nil, err
		}
		rs = append(rs, more...)
	}
	var left []*referral.Referral
	for _, r := range rs {
		if r != nil && (r.State == referral.Paging || r.State == referral.Unanswered) &&
			!slices.Contains(r.Declined, p.ID) && !slices.Contains(done, r.Code) {
			left = append(left, r)
		}
	}
	slices.SortStableFunc(left, func(a, b *referral.Referral) int { return a.Received.Compare(b.Received) })
	return left, nil
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
