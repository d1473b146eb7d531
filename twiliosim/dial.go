package twiliosim

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// dialStatuses are the outcomes DialOutcome accepts, Twilio's
// DialCallStatus values for a dialled number.
var dialStatuses = []string{"completed", "no-answer", "busy", "failed"}

// dialDuration is the DialCallDuration, in seconds, of an answered Dial:
// the dialled person talks for half a minute.
const dialDuration = "30"

// DialInfo is one <Dial> a call ran: the numbers dialled, in order, and
// its attributes as written (zero or empty where absent), except Action,
// resolved to an absolute URL.
type DialInfo struct {
	Numbers  []string
	CallerID string
	Timeout  int
	Action   string
}

// dialling is a parsed <Dial>.
type dialling struct {
	info DialInfo
	legs []leg
}

// leg is one number a Dial rings, with the URL of the TwiML played to the
// person who answers ("" for none).
type leg struct {
	number, url string
}

// outcomes holds how dialled numbers answer; a number not in it answers.
type outcomes struct {
	mu       sync.Mutex
	byNumber map[string]string
}

func newOutcomes() *outcomes { return &outcomes{byNumber: make(map[string]string)} }

func (o *outcomes) of(number string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if st, ok := o.byNumber[number]; ok {
		return st
	}
	return "completed"
}

// DialOutcome sets how number answers when a <Dial> rings it, from now on:
// "completed" (the default: it answers, talks and hangs up), "no-answer",
// "busy" or "failed". It panics for another status, a mistake in the test.
func (s *Server) DialOutcome(number, status string) {
	if !slices.Contains(dialStatuses, status) {
		panic(fmt.Sprintf("twiliosim: DialOutcome(%q, %q): want one of %q", number, status, dialStatuses))
	}
	o := s.outcomes
	o.mu.Lock()
	defer o.mu.Unlock()
	if status == "completed" {
		delete(o.byNumber, number)
		return
	}
	o.byNumber[number] = status
}

// Dials returns every <Dial> the call has run, oldest first, over all its
// steps.
func (s *Session) Dials() []DialInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]DialInfo, len(s.dials))
	for i, d := range s.dials {
		d.Numbers = slices.Clone(d.Numbers)
		out[i] = d
	}
	return out
}

// Whispered returns the text of every <Say> played to a dialled person in
// the latest step, in order, trimmed: the TwiML of a <Number url="...">,
// which the dialled person hears on answering, before being connected.
func (s *Session) Whispered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.cur.whispered)
}

// parseDial reads a <Dial> from a document fetched from base: its
// <Number>s, or else its own text, and its attributes. Other nouns
// (<Client>, <Conference>, …) are not simulated.
func parseDial(base string, v verb) (dialling, error) {
	var d dialling
	for _, c := range v.children {
		if c.name != "Number" {
			return d, fmt.Errorf("twiliosim: <Dial><%s> is not simulated", c.name)
		}
		l := leg{number: strings.TrimSpace(c.text)}
		if u := strings.TrimSpace(c.attrs["url"]); u != "" {
			if err := postOnly(c); err != nil {
				return d, err
			}
			var err error
			if l.url, err = resolve(base, u); err != nil {
				return d, err
			}
		}
		d.legs = append(d.legs, l)
	}
	if len(d.legs) == 0 {
		if n := strings.TrimSpace(v.text); n != "" {
			d.legs = append(d.legs, leg{number: n})
		}
	}
	if len(d.legs) == 0 {
		return d, errors.New("twiliosim: <Dial> has no number")
	}
	for _, l := range d.legs {
		d.info.Numbers = append(d.info.Numbers, l.number)
	}
	d.info.CallerID = v.attrs["callerId"]
	if t, ok := v.attrs["timeout"]; ok {
		secs, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || secs < 1 {
			return d, fmt.Errorf("twiliosim: <Dial timeout=%q>: want a positive whole number of seconds", t)
		}
		d.info.Timeout = secs
	}
	if a := strings.TrimSpace(v.attrs["action"]); a != "" {
		if err := postOnly(v); err != nil {
			return d, err
		}
		var err error
		if d.info.Action, err = resolve(base, a); err != nil {
			return d, err
		}
	}
	return d, nil
}

// dial rings d's numbers in order until one answers, as DialOutcome says
// and its whisper allows, records the Dial and returns the fields Twilio
// posts to the Dial's action.
func (p *player) dial(ctx context.Context, d dialling) (url.Values, error) {
	p.heard.dialled = append(p.heard.dialled, d.info.Numbers...)
	p.heard.dials = append(p.heard.dials, d.info)
	status := "no-answer"
	for _, l := range d.legs {
		if status = p.sess.srv.outcomes.of(l.number); status != "completed" {
			continue
		}
		child := newSID("CA")
		if l.url != "" {
			connected, err := p.whisper(ctx, l.url, p.childFields(child, d.info, l.number))
			if err != nil {
				return nil, err
			}
			if !connected {
				status = "no-answer"
				continue
			}
		}
		return url.Values{
			"DialCallStatus":   {"completed"},
			"DialCallSid":      {child},
			"DialCallDuration": {dialDuration},
		}, nil
	}
	return url.Values{"DialCallStatus": {status}, "DialCallDuration": {"0"}}, nil
}

// childFields are what Twilio posts about the call a Dial places to number.
func (p *player) childFields(sid string, d DialInfo, number string) url.Values {
	from := d.CallerID
	if from == "" {
		from = p.sess.call.To
	}
	return url.Values{
		"CallSid":       {sid},
		"ParentCallSid": {p.sess.call.SID},
		"AccountSid":    {p.sess.srv.accountSID},
		"From":          {from},
		"To":            {number},
		"CallStatus":    {"in-progress"},
		"Direction":     {"outbound-dial"},
		"ApiVersion":    {apiVersion},
	}
}

// whisper posts the dialled person's call fields to target and plays the
// TwiML it answers to them, recording its Says. It reports false if that
// TwiML hangs up on them, so they are never connected.
func (p *player) whisper(ctx context.Context, target string, fields url.Values) (connected bool, err error) {
	body, err := p.sess.srv.post(ctx, target, fields)
	if err != nil {
		return false, err
	}
	verbs, err := parseVoiceTwiML(body)
	if err != nil {
		return false, err
	}
	for _, v := range verbs {
		switch v.name {
		case "Say":
			if text := said(v); text != "" {
				p.heard.whispered = append(p.heard.whispered, text)
			}
		case "Play", "Pause":
		case "Hangup":
			return false, nil
		default:
			return false, fmt.Errorf("twiliosim: TwiML verb <%s> is not simulated in a <Number url>", v.name)
		}
	}
	return true, nil
}
