package voiceline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/twilio/twilio-go/twiml"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

func (l *Line) badge(ctx context.Context, c *call, digits string) (string, error) {
	if digits == "" {
		return l.silence(ctx, c)
	}
	return l.next(ctx, c, stPIN, nil, fBadge, digits)
}

// pin checks the badge and PIN keyed from number. A locked badge or number
// is answered exactly as a wrong PIN, after the same bcrypt comparison, so
// the caller learns neither that it is locked nor whether the badge exists.
func (l *Line) pin(ctx context.Context, c *call, pin, number string) (string, error) {
	if pin == "" {
		return l.silence(ctx, c)
	}
	o, ok := l.prog.SignIn(c.badge, pin)
	locked, err := l.guard.Locked(ctx, c.badge, number)
	if err != nil {
		return "", err
	}
	if ok && !locked {
		if err := l.guard.Succeeded(ctx, c.badge, number); err != nil {
			l.log.Error("voice line: clear failed PINs", "err", err)
		}
		return l.next(ctx, c, stType, []string{"Hello, " + o.Name + "."}, fOfficer, o.ID)
	}
	if err := l.guard.Failed(ctx, c.badge, number); err != nil {
		return "", err
	}
	tries, err := l.count(ctx, c.sid, fSignIns)
	if err != nil {
		return "", err
	}
	l.log.Warn("voice line: badge and PIN do not match", "tries", tries)
	if tries >= maxSignIns {
		return phone.Goodbye(spokenNoMatchBye)
	}
	// Whether the badge or the PIN was wrong is not said.
	return l.next(ctx, c, stBadge, []string{spokenNoMatch})
}

func (l *Line) pickType(ctx context.Context, c *call, digits string) (string, error) {
	switch digits {
	case "":
		return l.silence(ctx, c)
	case "1":
		return l.next(ctx, c, stWhere, nil, fType, string(referral.Arrest))
	case "2":
		return l.next(ctx, c, stWhere, nil, fType, string(referral.Social))
	}
	return l.reprompt(c, spokenWrongKey)
}

func (l *Line) where(ctx context.Context, c *call, digits, speech string) (string, error) {
	text, given := digits, "place "+digits
	if digits == "" {
		text, given = geo.NormaliseSpeech(speech), speech
	}
	if text == "" {
		return l.silence(ctx, c)
	}
	cands, err := l.resolver.Resolve(ctx, text)
	if err != nil {
		tries, err := l.count(ctx, c.sid, fWhereTries)
		if err != nil {
			return "", err
		}
		if tries >= maxWhere {
			return phone.Goodbye(spokenTextInstead)
		}
		// Speech failed: keys are surer.
		return l.next(ctx, c, stCode, []string{spokenNotUnderstood})
	}
	if len(cands) > 1 {
		cands = cands[:min(len(cands), officer.MaxChoices)]
		data, err := json.Marshal(cands)
		if err != nil {
			return "", fmt.Errorf("encode choices: %w", err)
		}
		return l.next(ctx, c, stChoose, []string{l.spokenChoices(cands)}, fChoices, string(data), fGiven, given)
	}
	return l.candidate(ctx, c, given, cands[0])
}

// choose takes the caller's pick among candidates in different cohorts.
func (l *Line) choose(ctx context.Context, c *call, digits string) (string, error) {
	n, err := strconv.Atoi(digits)
	switch {
	case digits == "":
		return l.silence(ctx, c)
	case digits == "0":
		return l.next(ctx, c, stWhere, nil)
	case err != nil || n < 1 || n > len(c.choices):
		return phone.Voice(l.prompt(stChoose, spokenWrongKey, l.spokenChoices(c.choices))...)
	}
	return l.candidate(ctx, c, c.given, c.choices[n-1])
}

// candidate reads back where the referral will be and asks to confirm.
func (l *Line) candidate(ctx context.Context, c *call, given string, cand geo.Candidate) (string, error) {
	place := cand.Label
	if place == "" || place == given {
		place = "That location"
	}
	cohort, outside := cand.Cohort, 0.0
	readback := fmt.Sprintf("%s, %s cohort.", place, l.prog.CohortName(cohort))
	if cand.NearBoundary {
		readback = fmt.Sprintf("%s, near the %s boundary.", place, l.prog.CohortName(cohort))
	}
	if cohort == "" {
		cohort, outside = l.prog.Areas.Nearest(cand.Point)
		readback = fmt.Sprintf("%s is outside every cohort area. The nearest is %s, %s away.",
			place, l.prog.CohortName(cohort), l.prog.Units.Spoken(outside))
	}
	near := ""
	if cand.NearBoundary {
		near = "1"
	}
	return l.next(ctx, c, stConfirm, []string{readback}, fReadback, readback, fGiven, given,
		fLat, strconv.FormatFloat(cand.Point.Lat(), 'f', -1, 64), fLon, strconv.FormatFloat(cand.Point.Lon(), 'f', -1, 64),
		fPlace, cand.Label, fCohort, cohort, fOutside, strconv.FormatFloat(outside, 'f', 0, 64), fNear, near)
}

func (l *Line) confirm(ctx context.Context, c *call, digits string) (string, error) {
	switch digits {
	case "":
		return l.silence(ctx, c)
	case "2":
		return l.next(ctx, c, stWhere, nil)
	case "1":
	default:
		return l.reprompt(c, spokenWrongKey)
	}
	// One referral per call, however often Twilio retries this step.
	claimed, err := l.rdb.HSetNX(ctx, callKey(c.sid), string(fConfirmed), "1").Result()
	if err != nil {
		return "", fmt.Errorf("claim call: %w", err)
	}
	if !claimed {
		return phone.Voice(&twiml.VoicePause{Length: "1"}, &twiml.VoiceRedirect{Url: l.publicURL + "/twilio/voice/line/connect", Method: "POST"})
	}
	r := &referral.Referral{Type: referral.Type(c.refType), Officer: c.officer, Location: c.given, Place: c.point.Place,
		Cohort: c.point.Cohort, Lat: c.point.Point.Lat(), Lon: c.point.Point.Lon(), OutsideMetres: c.outside,
		NearBoundary: c.point.NearBoundary}
	reply, err := l.desk.Start(ctx, r)
	if err != nil {
		l.rdb.HDel(context.WithoutCancel(ctx), callKey(c.sid), string(fConfirmed))
		return phone.Goodbye(spokenNotRecorded)
	}
	// The officer gets the code in writing, as if they had texted.
	l.note.Tell(ctx, r.Officer, reply)
	queue, err := l.chain.Order(ctx, r, program.Call)
	if err != nil {
		return "", err
	}
	if err := l.set(ctx, c.sid, fStage, string(stConnect), fCode, r.Code, fQueue, strings.Join(queue, " ")); err != nil {
		return "", err
	}
	c.code, c.queue = r.Code, queue
	return l.dial(ctx, c, spokenReferred(r.Code))
}

// dial connects the officer to the next person in the call's queue, or,
// with nobody left, tells them the page stands.
func (l *Line) dial(ctx context.Context, c *call, before ...string) (string, error) {
	var verbs []twiml.Element
	for _, b := range before {
		verbs = append(verbs, phone.Say(b))
	}
	r, err := l.refs.Load(ctx, c.code)
	if errors.Is(err, referral.ErrNotFound) {
		return phone.Goodbye(spokenGoodbye)
	}
	if err != nil {
		return "", err
	}
	queue := c.queue
	for len(queue) > 0 && (r.State == referral.Paging || r.State == referral.Unanswered) {
		id := queue[0]
		queue = queue[1:]
		p, _ := l.prog.Person(id)
		applied, err := l.chain.Dialled(ctx, r, id)
		if err != nil {
			return "", err
		}
		if !applied {
			break
		}
		if err := l.set(ctx, c.sid, fQueue, strings.Join(queue, " "), fDialling, id,
			fTexted, strconv.FormatBool(slices.Contains(r.PagedList, id))); err != nil {
			return "", err
		}
		verbs = append(verbs, &twiml.VoiceDial{CallerId: l.prog.Phone, Timeout: strconv.Itoa(dialRing),
			Action: l.publicURL + "/twilio/voice/line/dialled", Method: "POST",
			InnerElements: []twiml.Element{&twiml.VoiceNumber{PhoneNumber: p.Phone,
				Url: l.publicURL + "/twilio/voice/line/whisper", Method: "POST"}}})
		return phone.Voice(verbs...)
	}
	if r.State == referral.Accepted || r.State == referral.OnScene {
		verbs = append(verbs, phone.Say(notify.EndSentence(l.chain.AcceptedToOfficer(r))))
		return phone.Voice(append(verbs, &twiml.VoiceHangup{})...)
	}
	return phone.Voice(append(verbs, phone.Say(spokenPageStands), &twiml.VoiceHangup{})...)
}

// whisper runs on the case manager's phone when they pick up, before the
// officer is connected: answering is accepting.
func (l *Line) whisper(ctx context.Context, c *call) (string, error) {
	p, ok := l.prog.Person(c.dialling)
	r, err := l.refs.Load(ctx, c.code)
	if !ok || err != nil {
		return phone.Goodbye(spokenGoodbye)
	}
	reply, applied, err := l.chain.Accept(ctx, p, r, 0)
	if err != nil {
		return "", err
	}
	if !applied {
		return phone.Voice(phone.Say(l.chain.SpokenSettled(r, p.ID) + " Connecting you to the officer."))
	}
	if !c.texted {
		l.note.Tell(ctx, p.ID, l.chain.Page(r))
	}
	l.note.Tell(ctx, p.ID, reply)
	return phone.Voice(phone.Say(l.spokenWhisper(r)))
}

// dialled is the end of one <Dial>: the call took place, or the next
// person is tried.
func (l *Line) dialled(ctx context.Context, c *call, status string) (string, error) {
	if status == "completed" || status == "answered" {
		return phone.Goodbye(spokenCallEnded)
	}
	if p, ok := l.prog.Person(c.dialling); ok {
		l.log.Info("voice line: no answer", "code", c.code, "person", p.ID, "status", status)
	}
	return l.dial(ctx, c, spokenTryingNext)
}
