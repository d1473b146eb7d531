// Package voiceline is the officers' voice line: an officer calls the
// program number, is recognised by caller ID or signs in with badge and
// PIN, picks the referral type, says or keys where they are, confirms what
// Leadline understood, and is connected by <Dial> to the case managers in
// the order the cohort's chain pages them. The referral is started exactly
// as for a text.
//
// Keys (in the referral's hash tag):
//
//	leadline:{dispatch}:line:<CallSid>     hash: the call's state (see field); 24 h
//	leadline:{dispatch}:callsid:<CallSid>  string: that call reached the line; kept retention.Kept, so a replayed call changes nothing
//
// The URL names only the step, never the call's data.
package voiceline

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/twilio/twilio-go/twiml"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// How many times a caller may get something wrong before the call ends.
const (
	maxSignIns  = 3 // badge and PIN pairs
	maxWhere    = 3 // locations not understood
	maxSilences = 1 // empty answers to one prompt, after which the call ends
	dialRing    = 20
)

// stepsOf are the steps a call may take at each stage: the answer to the
// stage's question (a place code answers "where" too), and once the
// officer is connected the dial's own steps, and Twilio's retry of the
// confirm that connected them.
var stepsOf = map[stage][]string{
	stBadge: {"line/badge"}, stPIN: {"line/pin"}, stType: {"line/type"},
	stWhere: {"line/where"}, stCode: {"line/where"}, stChoose: {"line/choose"}, stConfirm: {"line/confirm"},
	stConnect: {"line/confirm", "line/connect", "line/whisper", "line/dialled"},
}

// callTTL is how long a call's state is kept.
const callTTL = 24 * time.Hour

// Guard counts failed PINs across calls and locks a badge and the number
// that called after too many. lockout.Guard is one.
type Guard interface {
	Locked(ctx context.Context, badge, number string) (bool, error)
	Failed(ctx context.Context, badge, number string) error
	Succeeded(ctx context.Context, badge, number string) error
}

// Line answers the voice line's steps.
type Line struct {
	prog      *program.Program
	rdb       redis.UniversalClient
	refs      *referral.Store
	chain     *escalation.Chain
	desk      *officer.Desk
	note      *notify.Notifier
	resolver  *geo.Resolver
	guard     Guard
	publicURL string
	log       *slog.Logger
}

// New returns the line; guard keeps its sign-in lockouts.
func New(prog *program.Program, rdb redis.UniversalClient, refs *referral.Store, chain *escalation.Chain, desk *officer.Desk,
	note *notify.Notifier, resolver *geo.Resolver, guard Guard, publicURL string, log *slog.Logger) *Line {
	return &Line{prog: prog, rdb: rdb, refs: refs, chain: chain, desk: desk, note: note, resolver: resolver, guard: guard,
		publicURL: strings.TrimSuffix(publicURL, "/"), log: log}
}

// Step answers one step of a call to the line and returns TwiML: "" is the
// call arriving, "line/<stage>" the answer to a stage's question.
func (l *Line) Step(ctx context.Context, step string, form url.Values) (string, error) {
	sid := form.Get("CallSid")
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	if step == "" {
		return l.start(ctx, sid, get("From"), get("To"))
	}
	if step == "line/whisper" {
		// The case manager's leg: its own CallSid, its parent is the line.
		sid = get("ParentCallSid")
	}
	c, err := l.load(ctx, sid)
	if err != nil || c == nil {
		return phone.Goodbye(spokenGoodbye)
	}
	if !slices.Contains(stepsOf[c.stage], step) {
		// The URL names a step this call is not at: a forged or stale
		// request. It ends the call and changes nothing.
		l.log.Warn("voice line: step out of turn", "step", step, "stage", c.stage)
		return phone.Goodbye(spokenGoodbye)
	}
	input := get("Digits")
	switch step {
	case "line/badge":
		return l.badge(ctx, c, input)
	case "line/pin":
		return l.pin(ctx, c, input, get("From"))
	case "line/type":
		return l.pickType(ctx, c, input)
	case "line/where":
		return l.where(ctx, c, input, get("SpeechResult"))
	case "line/choose":
		return l.choose(ctx, c, input)
	case "line/confirm":
		return l.confirm(ctx, c, input)
	case "line/connect":
		return l.dial(ctx, c)
	case "line/whisper":
		return l.whisper(ctx, c)
	case "line/dialled":
		return l.dialled(ctx, c, get("DialCallStatus"))
	}
	return phone.Goodbye(spokenGoodbye)
}

func (l *Line) start(ctx context.Context, sid, from, to string) (string, error) {
	if sid == "" {
		return phone.Goodbye(spokenGoodbye)
	}
	pp := l.prog.Participants
	if !pp.Shared(l.prog.Phone) && pp.Phone != "" && to == pp.Phone {
		// The participants' number: never the officers' line.
		return phone.Voice(l.greeting(nil)...)
	}
	if c, err := l.load(ctx, sid); err != nil {
		return "", err
	} else if c != nil {
		// Twilio retried the first request: the call goes on from where it is.
		return l.reprompt(c)
	}
	// A call whose state has lapsed but that came before is a replay of
	// captured requests: it starts nothing.
	first, err := l.rdb.SetNX(ctx, seenKey(sid), "1", l.prog.Retention.Kept()).Result()
	if err != nil {
		return "", fmt.Errorf("remember call: %w", err)
	}
	if !first {
		l.log.Warn("voice line: a call that was over came again; ignored")
		return phone.Goodbye(spokenGoodbye)
	}
	o, known := l.prog.PersonByPhone(from)
	if !known || o.Role != program.Officer || l.prog.Voice.RequirePIN {
		// voice.require_pin: caller ID can be spoofed, so a registered
		// officer's number signs in like any other.
		l.log.Info("voice line: caller signs in", "from", phone.Mask(from))
		if err := l.set(ctx, sid, fStage, string(stBadge)); err != nil {
			return "", err
		}
		if pp.Shared(l.prog.Phone) {
			// Participants call this number too: the caller hears only the
			// neutral greeting, while an officer who knows to may key their
			// badge and pound over it to sign in.
			return phone.Voice(l.greeting(&twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#", Timeout: "5",
				Action: l.publicURL + "/twilio/voice/line/badge", Method: "POST"})...)
		}
		return phone.Voice(l.prompt(stBadge)...)
	}
	if err := l.set(ctx, sid, fStage, string(stType), fOfficer, o.ID); err != nil {
		return "", err
	}
	return phone.Voice(append([]twiml.Element{phone.Say("Leadline. Hello, " + o.Name + ".")}, l.prompt(stType)...)...)
}

// greeting is what a caller hears on a number participants use: the
// participants' sender name, and the support line (dialled when the
// program has one), nothing about officers or the program's purpose. Said
// inside g when given, so keys pressed over it are taken.
func (l *Line) greeting(g *twiml.VoiceGather) []twiml.Element {
	say := phone.Say(spokenGreeting(l.prog.Participants.Sender, l.prog.SupportPhone != ""))
	var out []twiml.Element
	if g != nil {
		g.InnerElements = []twiml.Element{say}
		out = append(out, g)
	} else {
		out = append(out, say)
	}
	if l.prog.SupportPhone == "" {
		return append(out, &twiml.VoiceHangup{})
	}
	return append(out, &twiml.VoiceDial{CallerId: l.prog.Phone,
		InnerElements: []twiml.Element{&twiml.VoiceNumber{PhoneNumber: l.prog.SupportPhone}}})
}

// prompt is a stage's question: a <Gather> posting to the stage, then, if
// the caller says nothing, the same URL again without input. A stage with
// no question ends the call.
func (l *Line) prompt(st stage, before ...string) []twiml.Element {
	var g *twiml.VoiceGather
	action := l.publicURL + "/twilio/voice/line/" + string(st)
	text := ""
	switch st {
	case stBadge:
		g, text = &twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#"}, spokenBadge
	case stPIN:
		g, text = &twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#"}, spokenPIN
	case stType:
		g, text = &twiml.VoiceGather{Input: "dtmf", NumDigits: "1"}, spokenType
	case stWhere:
		g, text = &twiml.VoiceGather{Input: "speech dtmf", FinishOnKey: "#", SpeechTimeout: "auto",
			Hints: strings.Join(l.prog.Places.Names(), ", ")}, spokenWhere
	case stCode:
		g, text = &twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#"}, spokenPlaceCode
		action = l.publicURL + "/twilio/voice/line/where"
	case stConfirm:
		g, text = &twiml.VoiceGather{Input: "dtmf", NumDigits: "1"}, spokenConfirm
	case stChoose:
		g, text = &twiml.VoiceGather{Input: "dtmf", NumDigits: "1"}, spokenChoose
	default:
		return []twiml.Element{phone.Say(spokenGoodbye), &twiml.VoiceHangup{}}
	}
	g.Action, g.Method, g.Timeout = action, "POST", "8"
	for _, b := range before {
		g.InnerElements = append(g.InnerElements, phone.Say(b))
	}
	g.InnerElements = append(g.InnerElements, phone.Say(text))
	return []twiml.Element{g, &twiml.VoiceRedirect{Url: action, Method: "POST"}}
}

// reprompt asks the current stage's question again.
func (l *Line) reprompt(c *call, before ...string) (string, error) {
	switch c.stage {
	case stConfirm:
		before = append(before, c.readback)
	case stChoose:
		before = append(before, l.spokenChoices(c.choices))
	}
	return phone.Voice(l.prompt(c.stage, before...)...)
}

// silence handles an empty answer: the question once more, then goodbye.
func (l *Line) silence(ctx context.Context, c *call) (string, error) {
	n, err := l.count(ctx, c.sid, fSilences)
	if err != nil {
		return "", err
	}
	if n > maxSilences {
		return phone.Goodbye(spokenNothingHeard)
	}
	return l.reprompt(c)
}

// next moves the call to stage and asks its question.
func (l *Line) next(ctx context.Context, c *call, st stage, before []string, kv ...any) (string, error) {
	if err := l.set(ctx, c.sid, append(kv, fStage, string(st), fSilences, 0)...); err != nil {
		return "", err
	}
	return phone.Voice(l.prompt(st, before...)...)
}
