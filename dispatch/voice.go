package dispatch

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/twilio/twilio-go/twiml"

	"github.com/leadline/leadline/program"
)

// Voice answers one step of a call and returns TwiML: "" is a call to the
// program number (the voice line, "line/…" its steps); "page" is a page
// call picked up, "page/answer" the key pressed on it. What
// the call is about comes from Redis by CallSid, never from the URL, so a
// forged or replayed step can do no more than the case manager could.
func (s *Service) Voice(ctx context.Context, step string, form url.Values) (string, error) {
	switch step {
	case "page":
		return s.voicePage(ctx, form.Get("CallSid"))
	case "page/answer":
		return s.voiceAnswer(ctx, form.Get("CallSid"), form.Get("Digits"))
	}
	if step == "" || strings.HasPrefix(step, "line/") {
		return s.lineStep(ctx, step, form)
	}
	return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
}

// maxPrompts is how often a page is read out before the call ends: once,
// and once more after silence or a wrong key.
const maxPrompts = 2

func (s *Service) voicePage(ctx context.Context, callSID string) (string, error) {
	r, p, err := s.pageCall(ctx, callSID)
	if err != nil || r == nil {
		return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
	}
	n, err := s.rdb.HIncrBy(ctx, callKey(callSID), "prompts", 1).Result()
	if err != nil {
		return "", fmt.Errorf("count prompts: %w", err)
	}
	if n > maxPrompts {
		return voice(say(spokenNoAnswer), &twiml.VoiceHangup{})
	}
	if r.State != Paging && r.State != Unanswered {
		return voice(say(s.spokenSettled(r, p.ID)), &twiml.VoiceHangup{})
	}
	return voice(
		&twiml.VoiceGather{Input: "dtmf", NumDigits: "1", Timeout: "8", Action: s.publicURL + "/twilio/voice/page/answer",
			Method: "POST", InnerElements: []twiml.Element{say(s.spokenPage(r))}},
		// Silence: read it once more, or end if that was the second time.
		&twiml.VoiceRedirect{Url: s.publicURL + "/twilio/voice/page", Method: "POST"},
	)
}

func (s *Service) voiceAnswer(ctx context.Context, callSID, digits string) (string, error) {
	r, p, err := s.pageCall(ctx, callSID)
	if err != nil || r == nil {
		return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
	}
	switch digits {
	case "1":
		reply, applied, err := s.accept(ctx, p, r, 0)
		if err != nil {
			return "", err
		}
		if !applied {
			return voice(say(s.spokenSettled(r, p.ID)), &twiml.VoiceHangup{})
		}
		// The next steps (ETA, ARRIVED, DONE) are by text; say how.
		s.tell(ctx, p.ID, reply)
		return voice(say(spokenAccepted), &twiml.VoiceHangup{})
	case "2":
		if _, err := s.decline(ctx, p, r); err != nil {
			return "", err
		}
		return voice(say(spokenDeclined), &twiml.VoiceHangup{})
	}
	return voice(say(spokenWrongKey), &twiml.VoiceRedirect{Url: s.publicURL + "/twilio/voice/page", Method: "POST"})
}

// pageCall is the referral and person a page call is for, or nil if the
// CallSid is not one of ours.
func (s *Service) pageCall(ctx context.Context, callSID string) (*Referral, *program.Person, error) {
	if callSID == "" {
		return nil, nil, nil
	}
	rec, err := s.rdb.HMGet(ctx, callKey(callSID), "code", "person").Result()
	if err != nil {
		return nil, nil, fmt.Errorf("load call: %w", err)
	}
	code, _ := rec[0].(string)
	id, _ := rec[1].(string)
	p, ok := s.prog.Person(id)
	if code == "" || !ok {
		return nil, nil, nil
	}
	r, err := s.load(ctx, code)
	if errors.Is(err, errNotFound) {
		return nil, nil, nil
	}
	return r, p, err
}

func say(text string) twiml.Element { return &twiml.VoiceSay{Message: text} }

// voice is the TwiML document of verbs. Every voice response Leadline
// gives is built here.
func voice(verbs ...twiml.Element) (string, error) {
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return "", fmt.Errorf("build TwiML: %w", err)
	}
	return doc, nil
}
