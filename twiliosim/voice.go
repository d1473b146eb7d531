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

// Session is an answered call as the callee hears it. Said, Gathering,
// Dialled and HungUp describe the latest step: the TwiML run by Answer, or
// by the last Press or Silence, Redirects included. It is safe for
// concurrent use; steps run one at a time.
type Session struct {
	srv  *Server
	call Call

	step sync.Mutex // held while a step runs, so steps never overlap

	mu  sync.Mutex
	cur heard
}

// heard is what one step did.
type heard struct {
	said, dialled []string
	gather        *gather // non-nil while waiting for input
	hungUp        bool
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

// Gathering reports whether the call is waiting in a <Gather> for Press or
// Silence.
func (s *Session) Gathering() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur.gather != nil && !s.cur.hungUp && !s.srv.calls.ended(s.call.SID)
}

// Dialled returns the numbers <Dial> connected the callee to in the latest
// step. The dialled party is taken to answer and hang up at once: the call
// goes on with the Dial's action, if it has one, posted with
// DialCallStatus "completed", or else with the verbs after it.
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

// Press enters digits (0-9, * and #) into the waiting <Gather>: it posts
// the call's fields plus Digits to the Gather's action, resolved against
// the URL of the document holding the Gather (that URL itself when there
// is no action), and runs the TwiML it gets back as the new step. As on a
// phone, Digits stops before the Gather's finishOnKey (default #) and at
// numDigits keys; pressing only the finish key is the same as Silence.
func (s *Session) Press(ctx context.Context, digits string) error {
	s.step.Lock()
	defer s.step.Unlock()
	g, err := s.waiting()
	if err != nil {
		return err
	}
	if !g.dtmf {
		return fmt.Errorf("twiliosim: call %s: the Gather does not listen for keys", s.call.SID)
	}
	if digits == "" || strings.Trim(digits, "0123456789*#") != "" {
		return fmt.Errorf("twiliosim: press %q: want one or more of 0-9, * and #", digits)
	}
	entered := g.collect(digits)
	if entered == "" {
		return s.silence(ctx, g)
	}
	return s.play(ctx, func(p *player) error {
		return p.fetch(ctx, g.action, url.Values{"Digits": {entered}})
	})
}

// Silence lets the waiting <Gather> time out with no input. As on Twilio,
// the call goes on with the verbs after the Gather in the same document,
// or, if the Gather has actionOnEmptyResult="true", posts to its action
// without Digits.
func (s *Session) Silence(ctx context.Context) error {
	s.step.Lock()
	defer s.step.Unlock()
	g, err := s.waiting()
	if err != nil {
		return err
	}
	return s.silence(ctx, g)
}

func (s *Session) silence(ctx context.Context, g *gather) error {
	if g.onEmpty {
		return s.play(ctx, func(p *player) error { return p.fetch(ctx, g.action, nil) })
	}
	return s.play(ctx, func(p *player) error { return p.run(ctx, g.base, g.rest) })
}

// waiting returns the Gather the call waits in.
func (s *Session) waiting() (*gather, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.cur.hungUp || s.srv.calls.ended(s.call.SID):
		return nil, fmt.Errorf("twiliosim: call %s has ended", s.call.SID)
	case s.cur.gather == nil:
		return nil, fmt.Errorf("twiliosim: call %s is not in a Gather", s.call.SID)
	}
	return s.cur.gather, nil
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
	s.mu.Unlock()
	if p.heard.hungUp {
		err = errors.Join(err, s.srv.hangUp(ctx, s.call))
	}
	return err
}

// callFields are what Twilio posts with every request about a call.
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
	if p.fetches++; p.fetches > maxFetches {
		return fmt.Errorf("twiliosim: call %s: more than %d webhooks in one step; a Redirect loop?", p.sess.call.SID, maxFetches)
	}
	params := p.sess.srv.callFields(p.sess.call, "in-progress")
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
			p.heard.dialled = append(p.heard.dialled, numbers(v)...)
			if action := strings.TrimSpace(v.attrs["action"]); action != "" {
				target, err := resolve(base, action)
				if err != nil {
					return err
				}
				if err := postOnly(v); err != nil {
					return err
				}
				return p.fetch(ctx, target, url.Values{
					"DialCallSid":      {newSID("CA")},
					"DialCallStatus":   {"completed"},
					"DialCallDuration": {"0"},
				})
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
