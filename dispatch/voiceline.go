package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/twilio/twilio-go/twiml"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
)

// The voice line: an officer calls the program number, is recognised by
// caller ID or signs in with badge and PIN, picks the referral type, says
// or keys where they are, confirms what Leadline understood, and is
// connected by <Dial> to the on-call case manager and then down the chain.
// The referral is created by start, exactly as for a text.
//
// Each call's progress is a hash under callKey(CallSid); the URL names only
// the step, never the call's data.

// How many times a caller may get something wrong before the call ends.
const (
	maxSignIns  = 3 // badge and PIN pairs
	maxWhere    = 3 // locations not understood
	maxSilences = 1 // empty answers to one prompt, after which the call ends
	dialRing    = 20
)

// lineCall is a voice-line call's state.
type lineCall map[string]string

func (s *Service) lineStep(ctx context.Context, step string, form url.Values) (string, error) {
	callSID := form.Get("CallSid")
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	if step == "" {
		return s.lineStart(ctx, callSID, get("From"))
	}
	if step == "line/whisper" {
		// The case manager's leg: its own CallSid, its parent is the line.
		callSID = get("ParentCallSid")
	}
	c, err := s.lineCall(ctx, callSID)
	if err != nil || c == nil {
		return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
	}
	input := get("Digits")
	switch step {
	case "line/badge":
		return s.lineBadge(ctx, callSID, c, input)
	case "line/pin":
		return s.linePIN(ctx, callSID, c, input)
	case "line/type":
		return s.lineType(ctx, callSID, c, input)
	case "line/where":
		return s.lineWhere(ctx, callSID, c, input, get("SpeechResult"))
	case "line/choose":
		return s.lineChoose(ctx, callSID, c, input)
	case "line/confirm":
		return s.lineConfirm(ctx, callSID, c, input)
	case "line/connect":
		return s.lineDial(ctx, callSID, c)
	case "line/whisper":
		return s.lineWhisper(ctx, callSID, c)
	case "line/dialled":
		return s.lineDialled(ctx, callSID, c, get("DialCallStatus"))
	}
	return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
}

func (s *Service) lineCall(ctx context.Context, callSID string) (lineCall, error) {
	if callSID == "" {
		return nil, nil
	}
	h, err := s.rdb.HGetAll(ctx, callKey(callSID)).Result()
	if err != nil {
		return nil, fmt.Errorf("load call: %w", err)
	}
	if h["line"] == "" {
		return nil, nil
	}
	return h, nil
}

// set stores fields of a call's state.
func (s *Service) set(ctx context.Context, callSID string, kv ...any) error {
	if err := s.rdb.HSet(ctx, callKey(callSID), kv...).Err(); err != nil {
		return fmt.Errorf("store call: %w", err)
	}
	return s.rdb.Expire(ctx, callKey(callSID), pageRecordTTL).Err()
}

func (s *Service) lineStart(ctx context.Context, callSID, from string) (string, error) {
	if callSID == "" {
		return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
	}
	if c, err := s.lineCall(ctx, callSID); err != nil {
		return "", err
	} else if c != nil {
		// Twilio retried the first request: the call goes on from where it is.
		return s.reprompt(c)
	}
	o, known := s.prog.PersonByPhone(from)
	if !known || o.Role != program.Officer {
		s.log.Info("voice line: unrecognised caller", "from", phone.Mask(from))
		if err := s.set(ctx, callSID, "line", "1", "stage", "badge"); err != nil {
			return "", err
		}
		return voice(s.prompt("badge")...)
	}
	if err := s.set(ctx, callSID, "line", "1", "stage", "type", "officer", o.ID); err != nil {
		return "", err
	}
	return voice(append([]twiml.Element{say("Leadline. Hello, " + o.Name + ".")}, s.prompt("type")...)...)
}

// prompt is a stage's question: a <Gather> posting to the stage, then, if
// the caller says nothing, the same URL again without input.
func (s *Service) prompt(stage string, before ...string) []twiml.Element {
	var g *twiml.VoiceGather
	action := s.publicURL + "/twilio/voice/line/" + stage
	text := ""
	switch stage {
	case "badge":
		g, text = &twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#"}, spokenBadge
	case "pin":
		g, text = &twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#"}, spokenPIN
	case "type":
		g, text = &twiml.VoiceGather{Input: "dtmf", NumDigits: "1"}, spokenType
	case "where":
		g, text = &twiml.VoiceGather{Input: "speech dtmf", FinishOnKey: "#", SpeechTimeout: "auto",
			Hints: strings.Join(s.prog.Places.Names(), ", ")}, spokenWhere
	case "code":
		g, text = &twiml.VoiceGather{Input: "dtmf", FinishOnKey: "#"}, spokenPlaceCode
		action = s.publicURL + "/twilio/voice/line/where"
	case "confirm":
		g, text = &twiml.VoiceGather{Input: "dtmf", NumDigits: "1"}, spokenConfirm
	case "choose":
		g, text = &twiml.VoiceGather{Input: "dtmf", NumDigits: "1"}, spokenChoose
	}
	g.Action, g.Method, g.Timeout = action, "POST", "8"
	for _, b := range before {
		g.InnerElements = append(g.InnerElements, say(b))
	}
	g.InnerElements = append(g.InnerElements, say(text))
	return []twiml.Element{g, &twiml.VoiceRedirect{Url: action, Method: "POST"}}
}

// reprompt asks the current stage's question again.
func (s *Service) reprompt(c lineCall, before ...string) (string, error) {
	stage := c["stage"]
	switch stage {
	case "confirm":
		before = append(before, c["readback"])
	case "choose":
		var cands []geo.Candidate
		if json.Unmarshal([]byte(c["choices"]), &cands) == nil {
			before = append(before, s.spokenChoices(cands))
		}
	}
	return voice(s.prompt(stage, before...)...)
}

// silence handles an empty answer: the question once more, then goodbye.
func (s *Service) silence(ctx context.Context, callSID string, c lineCall) (string, error) {
	n, err := s.rdb.HIncrBy(ctx, callKey(callSID), "silences", 1).Result()
	if err != nil {
		return "", fmt.Errorf("count silences: %w", err)
	}
	if n > maxSilences {
		return voice(say(spokenNothingHeard), &twiml.VoiceHangup{})
	}
	return s.reprompt(c)
}

// next moves the call to stage and asks its question.
func (s *Service) next(ctx context.Context, callSID, stage string, before []string, kv ...any) (string, error) {
	if err := s.set(ctx, callSID, append(kv, "stage", stage, "silences", 0)...); err != nil {
		return "", err
	}
	return voice(s.prompt(stage, before...)...)
}

func (s *Service) lineBadge(ctx context.Context, callSID string, c lineCall, digits string) (string, error) {
	if digits == "" {
		return s.silence(ctx, callSID, c)
	}
	return s.next(ctx, callSID, "pin", nil, "badge", digits)
}

func (s *Service) linePIN(ctx context.Context, callSID string, c lineCall, pin string) (string, error) {
	if pin == "" {
		return s.silence(ctx, callSID, c)
	}
	if o, ok := s.prog.SignIn(c["badge"], pin); ok {
		return s.next(ctx, callSID, "type", []string{"Hello, " + o.Name + "."}, "officer", o.ID)
	}
	tries, err := s.rdb.HIncrBy(ctx, callKey(callSID), "sign_ins", 1).Result()
	if err != nil {
		return "", fmt.Errorf("count sign-ins: %w", err)
	}
	s.log.Warn("voice line: badge and PIN do not match", "tries", tries)
	if tries >= maxSignIns {
		return voice(say(spokenNoMatchBye), &twiml.VoiceHangup{})
	}
	// Whether the badge or the PIN was wrong is not said.
	return s.next(ctx, callSID, "badge", []string{spokenNoMatch})
}

func (s *Service) lineType(ctx context.Context, callSID string, c lineCall, digits string) (string, error) {
	switch digits {
	case "":
		return s.silence(ctx, callSID, c)
	case "1":
		return s.next(ctx, callSID, "where", nil, "type", string(Arrest))
	case "2":
		return s.next(ctx, callSID, "where", nil, "type", string(Social))
	}
	return s.reprompt(c, spokenWrongKey)
}

func (s *Service) lineWhere(ctx context.Context, callSID string, c lineCall, digits, speech string) (string, error) {
	if c["stage"] != "where" && c["stage"] != "code" {
		return s.reprompt(c)
	}
	text, given := digits, "place "+digits
	if digits == "" {
		text, given = geo.NormaliseSpeech(speech), speech
	}
	if text == "" {
		return s.silence(ctx, callSID, c)
	}
	cands, err := s.resolver.Resolve(ctx, text)
	if err != nil {
		tries, err := s.rdb.HIncrBy(ctx, callKey(callSID), "where_tries", 1).Result()
		if err != nil {
			return "", fmt.Errorf("count tries: %w", err)
		}
		if tries >= maxWhere {
			return voice(say(spokenTextInstead), &twiml.VoiceHangup{})
		}
		// Speech failed: keys are surer.
		return s.next(ctx, callSID, "code", []string{spokenNotUnderstood})
	}
	if len(cands) > 1 {
		cands = cands[:min(len(cands), maxChoices)]
		data, err := json.Marshal(cands)
		if err != nil {
			return "", fmt.Errorf("encode choices: %w", err)
		}
		return s.next(ctx, callSID, "choose", []string{s.spokenChoices(cands)}, "choices", string(data), "given", given)
	}
	return s.lineCandidate(ctx, callSID, given, cands[0])
}

// lineChoose takes the caller's pick among candidates in different cohorts.
func (s *Service) lineChoose(ctx context.Context, callSID string, c lineCall, digits string) (string, error) {
	var cands []geo.Candidate
	if err := json.Unmarshal([]byte(c["choices"]), &cands); err != nil {
		return "", fmt.Errorf("decode choices: %w", err)
	}
	n, err := strconv.Atoi(digits)
	switch {
	case digits == "":
		return s.silence(ctx, callSID, c)
	case digits == "0":
		return s.next(ctx, callSID, "where", nil)
	case err != nil || n < 1 || n > len(cands):
		return voice(s.prompt("choose", spokenWrongKey, s.spokenChoices(cands))...)
	}
	return s.lineCandidate(ctx, callSID, c["given"], cands[n-1])
}

// lineCandidate reads back where the referral will be and asks to confirm.
func (s *Service) lineCandidate(ctx context.Context, callSID, given string, c geo.Candidate) (string, error) {
	place := c.Label
	if place == "" || place == given {
		place = "That location"
	}
	cohort, outside := c.Cohort, 0.0
	readback := fmt.Sprintf("%s, %s cohort.", place, s.prog.CohortName(cohort))
	if c.NearBoundary {
		readback = fmt.Sprintf("%s, near the %s boundary.", place, s.prog.CohortName(cohort))
	}
	if cohort == "" {
		cohort, outside = s.prog.Areas.Nearest(c.Point)
		readback = fmt.Sprintf("%s is outside every cohort area. The nearest is %s, %s away.",
			place, s.prog.CohortName(cohort), geo.FormatDistance(outside))
	}
	near := ""
	if c.NearBoundary {
		near = "1"
	}
	return s.next(ctx, callSID, "confirm", []string{readback}, "readback", readback, "given", given,
		"lat", strconv.FormatFloat(c.Point.Lat(), 'f', -1, 64), "lon", strconv.FormatFloat(c.Point.Lon(), 'f', -1, 64),
		"place", c.Label, "cohort", cohort, "outside_m", strconv.FormatFloat(outside, 'f', 0, 64), "near", near)
}

func (s *Service) lineConfirm(ctx context.Context, callSID string, c lineCall, digits string) (string, error) {
	switch digits {
	case "":
		return s.silence(ctx, callSID, c)
	case "2":
		return s.next(ctx, callSID, "where", nil)
	case "1":
	default:
		return s.reprompt(c, spokenWrongKey)
	}
	// One referral per call, however often Twilio retries this step.
	claimed, err := s.rdb.HSetNX(ctx, callKey(callSID), "confirmed", "1").Result()
	if err != nil {
		return "", fmt.Errorf("claim call: %w", err)
	}
	if !claimed {
		return voice(&twiml.VoicePause{Length: "1"}, &twiml.VoiceRedirect{Url: s.publicURL + "/twilio/voice/line/connect", Method: "POST"})
	}
	r := &Referral{Type: Type(c["type"]), Officer: c["officer"], Location: c["given"], Place: c["place"], Cohort: c["cohort"]}
	r.Lat, _ = strconv.ParseFloat(c["lat"], 64)
	r.Lon, _ = strconv.ParseFloat(c["lon"], 64)
	r.OutsideMetres, _ = strconv.ParseFloat(c["outside_m"], 64)
	r.NearBoundary = c["near"] == "1"
	reply, err := s.start(ctx, r)
	if err != nil {
		s.rdb.HDel(context.WithoutCancel(ctx), callKey(callSID), "confirmed")
		return voice(say(spokenNotRecorded), &twiml.VoiceHangup{})
	}
	// The officer gets the code in writing, as if they had texted.
	s.tell(ctx, r.Officer, reply)
	queue, err := s.dialQueue(ctx, r)
	if err != nil {
		return "", err
	}
	if err := s.set(ctx, callSID, "stage", "connect", "code", r.Code, "queue", strings.Join(queue, " ")); err != nil {
		return "", err
	}
	c["code"], c["queue"] = r.Code, strings.Join(queue, " ")
	return s.lineDial(ctx, callSID, c, spokenReferred(r.Code))
}

// dialQueue is whom the officer's call tries, in the order of the cohort's
// chain: the on-call case manager, the rest of the rotation, then the
// supervisors; never someone who declined or whose number cannot be called.
func (s *Service) dialQueue(ctx context.Context, r *Referral) ([]string, error) {
	rot, err := s.oncall.Rotation(ctx, r.Cohort)
	if err != nil {
		return nil, err
	}
	var q []string
	for _, id := range slices.Concat(rot, s.prog.Backups(r.Cohort), s.prog.Supervisors(r.Cohort)) {
		if _, ok := s.prog.Person(id); ok && !slices.Contains(q, id) &&
			!slices.Contains(r.Declined, id) && !slices.Contains(r.Failed, id+"/call") {
			q = append(q, id)
		}
	}
	return q, nil
}

// lineDial connects the officer to the next person in the call's queue,
// or, with nobody left, tells them the page stands.
func (s *Service) lineDial(ctx context.Context, callSID string, c lineCall, before ...string) (string, error) {
	var verbs []twiml.Element
	for _, b := range before {
		verbs = append(verbs, say(b))
	}
	queue := strings.Fields(c["queue"])
	r, err := s.load(ctx, c["code"])
	if errors.Is(err, errNotFound) {
		return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
	}
	if err != nil {
		return "", err
	}
	for len(queue) > 0 && (r.State == Paging || r.State == Unanswered) {
		id := queue[0]
		queue = queue[1:]
		p, _ := s.prog.Person(id)
		// Dialled is paged: the case manager may also answer by text.
		applied, err := s.apply(ctx, r.Code, change{from: []State{Paging, Unanswered}, event: event(s.now(), "dialled", id, ""),
			set: []any{"+paged_list", id}})
		if err != nil {
			return "", err
		}
		if !applied {
			break
		}
		if err := s.rdb.Set(ctx, personPagedKey(id), r.Code, 0).Err(); err != nil {
			s.log.Error("remember page", "code", r.Code, "err", err)
		}
		if err := s.set(ctx, callSID, "queue", strings.Join(queue, " "), "dialling", id,
			"texted", strconv.FormatBool(slices.Contains(r.PagedList, id))); err != nil {
			return "", err
		}
		verbs = append(verbs, &twiml.VoiceDial{CallerId: s.prog.Phone, Timeout: strconv.Itoa(dialRing),
			Action: s.publicURL + "/twilio/voice/line/dialled", Method: "POST",
			InnerElements: []twiml.Element{&twiml.VoiceNumber{PhoneNumber: p.Phone,
				Url: s.publicURL + "/twilio/voice/line/whisper", Method: "POST"}}})
		return voice(verbs...)
	}
	if r.State == Accepted || r.State == OnScene {
		verbs = append(verbs, say(endSentence(s.acceptedToOfficer(r))))
		return voice(append(verbs, &twiml.VoiceHangup{})...)
	}
	return voice(append(verbs, say(spokenPageStands), &twiml.VoiceHangup{})...)
}

// lineWhisper runs on the case manager's phone when they pick up, before
// the officer is connected: answering is accepting.
func (s *Service) lineWhisper(ctx context.Context, callSID string, c lineCall) (string, error) {
	p, ok := s.prog.Person(c["dialling"])
	r, err := s.load(ctx, c["code"])
	if !ok || err != nil {
		return voice(say(spokenGoodbye), &twiml.VoiceHangup{})
	}
	reply, applied, err := s.accept(ctx, p, r, 0)
	if err != nil {
		return "", err
	}
	if !applied {
		return voice(say(s.spokenSettled(r, p.ID) + " Connecting you to the officer."))
	}
	if c["texted"] != "true" {
		s.tell(ctx, p.ID, s.page(r))
	}
	s.tell(ctx, p.ID, reply)
	return voice(say(s.spokenWhisper(r)))
}

// lineDialled is the end of one <Dial>: the call took place, or the next
// person is tried.
func (s *Service) lineDialled(ctx context.Context, callSID string, c lineCall, status string) (string, error) {
	if status == "completed" || status == "answered" {
		return voice(say(spokenCallEnded), &twiml.VoiceHangup{})
	}
	if p, ok := s.prog.Person(c["dialling"]); ok {
		s.log.Info("voice line: no answer", "code", c["code"], "person", p.ID, "status", status)
	}
	return s.lineDial(ctx, callSID, c, spokenTryingNext)
}
