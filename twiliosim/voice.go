package twiliosim

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// maxFetches bounds the webhooks one step may fetch, so a Redirect loop
// fails the test instead of hanging it.
const maxFetches = 20

// Session is a call in progress as the phone at the far end from the
// service hears it: an outbound call the callee answered, or an inbound
// call the caller placed. Said, Gathering, Gather, Dialled, Whispered and
// HungUp describe the latest step: the TwiML run by Answer or PlaceCall, or
// by the last Press, Speak or Silence, Redirects and Dial actions included.
// It is safe for concurrent use; steps run one at a time.
type Session struct {
	srv     *Server
	call    Call
	inbound bool // placed by PlaceCall rather than by the service

	step sync.Mutex // held while a step runs, so steps never overlap

	mu    sync.Mutex
	cur   heard
	dials []DialInfo // every Dial of the call, oldest first
}

// SID is the call's CallSid, as the service sees it.
func (s *Session) SID() string { return s.call.SID }

// heard is what one step did.
type heard struct {
	said, dialled, whispered []string
	dials                    []DialInfo
	gather                   *gather // non-nil while waiting for input
	hungUp                   bool
}

// Answer picks up the queued call callSID: it posts Twilio's voice fields
// (CallSid, AccountSid, From, To, CallStatus "in-progress", Direction,
// ApiVersion), signed, to the call's URL and runs the TwiML it gets back.
// When the call ends, by <Hangup/>, by running out of verbs, or because a
// webhook failed or answered invalid TwiML (Twilio hangs up then too), the
// call's StatusCallback, if any, is posted "completed" with CallDuration.
// It fails for an unknown call or one already answered or ended; any other
// error means the call has ended, and names a webhook's non-2xx status.
func (s *Server) Answer(ctx context.Context, callSID string) (*Session, error) {
	c, err := s.calls.answer(callSID, s.now())
	if err != nil {
		return nil, err
	}
	sess := &Session{srv: s, call: c}
	sess.step.Lock()
	defer sess.step.Unlock()
	if err := sess.play(ctx, func(p *player) error { return p.fetch(ctx, c.URL, nil) }); err != nil {
		return nil, err
	}
	return sess, nil
}

// Said returns the text of every <Say> in the latest step, in order,
// trimmed, those nested in a <Gather> included.
func (s *Session) Said() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cur.said...)
}

// Gathering reports whether the call is waiting in a <Gather> for Press,
// Speak or Silence.
func (s *Session) Gathering() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.gather != nil && !s.cur.hungUp && !s.srv.calls.ended(s.call.SID)
}

// Dialled returns the numbers of every <Dial> in the latest step, in order,
// whether they answered or not; see Dials and DialOutcome.
func (s *Session) Dialled() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.cur.dialled...)
}

// HungUp reports whether the call has ended, by <Hangup/>, by running out
// of verbs without a Gather, by a failed webhook, or by EndCall.
func (s *Session) HungUp() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.hungUp || s.srv.calls.ended(s.call.SID)
}

// play runs one step with start, makes what it heard current and, if the
// call ended, ends it and posts the status callback. The caller holds step.
func (s *Session) play(ctx context.Context, start func(*player) error) error {
	p := &player{sess: s}
	err := start(p)
	if err != nil {
		p.heard.gather = nil
		p.heard.hungUp = true
	}
	s.mu.Lock()
	s.cur = p.heard
	s.dials = append(s.dials, p.heard.dials...)
	s.mu.Unlock()
	if p.heard.hungUp {
		err = errors.Join(err, s.srv.hangUp(ctx, s.call))
	}
	return err
}

// fields are what Twilio posts with every request about the session's call.
func (s *Session) fields(status string) url.Values {
	f := s.srv.callFields(s.call, status)
	if s.inbound {
		f.Set("Direction", "inbound")
		f.Set("Caller", s.call.From)
		f.Set("Called", s.call.To)
	}
	return f
}

// callFields are what Twilio posts with every request about a call the
// service placed.
func (s *Server) callFields(c Call, status string) url.Values {
	return url.Values{
		"CallSid":    {c.SID},
		"AccountSid": {s.accountSID},
		"From":       {c.From},
		"To":         {c.To},
		"CallStatus": {status},
		"Direction":  {"outbound-api"},
		"ApiVersion": {apiVersion},
	}
}

// player runs the TwiML of one step.
type player struct {
	sess    *Session
	heard   heard
	fetches int
}

// fetch posts the call's fields and extra to target and runs the TwiML it
// answers.
func (p *player) fetch(ctx context.Context, target string, extra url.Values) error {
	return p.fetchAs(ctx, target, "in-progress", extra)
}

// fetchAs is fetch with the CallStatus status.
func (p *player) fetchAs(ctx context.Context, target, status string, extra url.Values) error {
	if p.fetches++; p.fetches > maxFetches {
		return fmt.Errorf("twiliosim: call %s: more than %d webhooks in one step; a Redirect loop?", p.sess.call.SID, maxFetches)
	}
	params := p.sess.fields(status)
	for k, v := range extra {
		params[k] = v
	}
	body, err := p.sess.srv.post(ctx, target, params)
	if err != nil {
		return err
	}
	verbs, err := parseVoiceTwiML(body)
	if err != nil {
		return err
	}
	return p.run(ctx, target, verbs)
}

// run executes verbs from a document fetched from base, until the call
// waits in a Gather, moves to another document or ends.
func (p *player) run(ctx context.Context, base string, verbs []verb) error {
	for i, v := range verbs {
		switch v.name {
		case "Say":
			p.say(v)
		case "Play", "Pause":
			// Nothing to hear in a test.
		case "Gather":
			g, err := newGather(base, v, verbs[i+1:])
			if err != nil {
				return err
			}
			for _, c := range v.children {
				switch c.name {
				case "Say":
					p.say(c)
				case "Play", "Pause":
				default:
					return fmt.Errorf("twiliosim: <%s> is not allowed in <Gather>", c.name)
				}
			}
			p.heard.gather = g
			return nil
		case "Redirect":
			target, err := redirect(base, v)
			if err != nil {
				return err
			}
			return p.fetch(ctx, target, nil)
		case "Dial":
			d, err := parseDial(base, v)
			if err != nil {
				return err
			}
			result, err := p.dial(ctx, d)
			if err != nil {
				return err
			}
			if d.info.Action != "" {
				// The action's TwiML replaces the rest of this document.
				return p.fetch(ctx, d.info.Action, result)
			}
		case "Hangup":
			p.heard.hungUp = true
			return nil
		default:
			return fmt.Errorf("twiliosim: TwiML verb <%s> is not simulated", v.name)
		}
	}
	// Twilio hangs up when a document runs out of verbs.
	p.heard.hungUp = true
	return nil
}

func (p *player) say(v verb) {
	if text := said(v); text != "" {
		p.heard.said = append(p.heard.said, text)
	}
}

func redirect(base string, v verb) (string, error) {
	if err := postOnly(v); err != nil {
		return "", err
	}
	if strings.TrimSpace(v.text) == "" {
		return "", errors.New("twiliosim: <Redirect> has no URL")
	}
	return resolve(base, v.text)
}

// hangUp ends an answered call and posts its status callback, once.
func (s *Server) hangUp(ctx context.Context, c Call) error {
	d, first := s.calls.end(c.SID, s.now())
	if !first || c.StatusCallback == "" {
		return nil
	}
	return s.callStatus(ctx, c, "completed", d)
}
