package twiliosim

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// GatherInfo is what a <Gather> asks for, its attributes as written: zero
// or empty where absent, when Twilio's defaults apply (input "dtmf",
// finishOnKey "#", timeout 5 seconds, language "en-US"). Action is the
// absolute URL the input is posted to: the action resolved against the
// document's URL, or that URL itself when there is no action.
type GatherInfo struct {
	Input         string
	NumDigits     int
	FinishOnKey   string
	Timeout       int
	Hints         string
	Action        string
	SpeechTimeout string
	Language      string
}

// gather is a <Gather> waiting for the caller.
type gather struct {
	info        GatherInfo
	action      string // absolute URL the result is posted to
	numDigits   int    // 0 for no limit
	finishOnKey string // "" for none
	dtmf        bool   // whether keys are listened for
	speech      bool   // whether speech is listened for
	onEmpty     bool   // actionOnEmptyResult: post even with no input
	base        string // URL of the document the Gather is in
	rest        []verb // the verbs after it, run when nothing is entered
}

func newGather(base string, v verb, rest []verb) (*gather, error) {
	if err := postOnly(v); err != nil {
		return nil, err
	}
	g := &gather{finishOnKey: "#", base: base, rest: rest, dtmf: true}
	action := base
	if a, ok := v.attrs["action"]; ok && strings.TrimSpace(a) != "" {
		var err error
		if action, err = resolve(base, a); err != nil {
			return nil, err
		}
	}
	g.action = action
	if n, ok := v.attrs["numDigits"]; ok {
		d, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || d < 1 {
			return nil, fmt.Errorf("twiliosim: <Gather numDigits=%q>: want a positive whole number", n)
		}
		g.numDigits = d
	}
	timeout := 0
	if t, ok := v.attrs["timeout"]; ok {
		var err error
		if timeout, err = strconv.Atoi(strings.TrimSpace(t)); err != nil || timeout < 0 {
			return nil, fmt.Errorf("twiliosim: <Gather timeout=%q>: want a whole number of seconds", t)
		}
	}
	if k, ok := v.attrs["finishOnKey"]; ok {
		g.finishOnKey = k
	}
	if in, ok := v.attrs["input"]; ok {
		var err error
		if g.dtmf, g.speech, err = inputs(in); err != nil {
			return nil, err
		}
	}
	g.onEmpty = v.attrs["actionOnEmptyResult"] == "true"
	g.info = GatherInfo{
		Input:         v.attrs["input"],
		NumDigits:     g.numDigits,
		FinishOnKey:   v.attrs["finishOnKey"],
		Timeout:       timeout,
		Hints:         v.attrs["hints"],
		Action:        action,
		SpeechTimeout: v.attrs["speechTimeout"],
		Language:      v.attrs["language"],
	}
	return g, nil
}

// inputs reads a Gather's input attribute: "dtmf", "speech" or both,
// separated by a space.
func inputs(in string) (dtmf, speech bool, err error) {
	for _, f := range strings.Fields(in) {
		switch f {
		case "dtmf":
			dtmf = true
		case "speech":
			speech = true
		default:
			return false, false, fmt.Errorf("twiliosim: <Gather input=%q>: want dtmf, speech or both", in)
		}
	}
	if !dtmf && !speech {
		return false, false, fmt.Errorf("twiliosim: <Gather input=%q>: want dtmf, speech or both", in)
	}
	return dtmf, speech, nil
}

// collect returns the Digits Twilio reports for keys pressed: up to the
// finish key, which is not included, or numDigits of them.
func (g *gather) collect(keys string) string {
	var got strings.Builder
	for _, k := range keys {
		if g.finishOnKey != "" && string(k) == g.finishOnKey {
			break
		}
		got.WriteRune(k)
		if g.numDigits > 0 && got.Len() == g.numDigits {
			break
		}
	}
	return got.String()
}

// Gather returns what the <Gather> the call waits in asks for, and false
// when Gathering is false.
func (s *Session) Gather() (GatherInfo, bool) {
	g, err := s.waiting()
	if err != nil {
		return GatherInfo{}, false
	}
	return g.info, true
}

// Press enters digits (0-9, * and #) into the waiting <Gather>: it posts
// the call's fields plus Digits to the Gather's action, resolved against
// the URL of the document holding the Gather (that URL itself when there
// is no action), and runs the TwiML it gets back as the new step. As on a
// phone, Digits stops before the Gather's finishOnKey (default #) and at
// numDigits keys; pressing only the finish key is the same as Silence. It
// fails if the Gather's input leaves out dtmf.
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

// Speak says speech into the waiting <Gather>, whose input must include
// speech (Twilio's default is dtmf only): like Press, it posts the call's
// fields, here plus SpeechResult and Confidence, to the Gather's action
// and runs the TwiML it gets back as the new step. Confidence, between 0
// and 1, is posted in the shortest decimal form that reads back as the
// same float64, e.g. "0.9123". To say nothing, use Silence.
func (s *Session) Speak(ctx context.Context, speech string, confidence float64) error {
	s.step.Lock()
	defer s.step.Unlock()
	g, err := s.waiting()
	if err != nil {
		return err
	}
	if !g.speech {
		return fmt.Errorf("twiliosim: call %s: the Gather does not listen for speech", s.call.SID)
	}
	if strings.TrimSpace(speech) == "" {
		return fmt.Errorf("twiliosim: speak %q: nothing to say; use Silence", speech)
	}
	if math.IsNaN(confidence) || confidence < 0 || confidence > 1 {
		return fmt.Errorf("twiliosim: speak with confidence %v: want 0 to 1", confidence)
	}
	return s.play(ctx, func(p *player) error {
		return p.fetch(ctx, g.action, url.Values{
			"SpeechResult": {speech},
			"Confidence":   {strconv.FormatFloat(confidence, 'f', -1, 64)},
		})
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
