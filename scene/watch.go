package scene

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twilio/twilio-go/twiml"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// ringTime is how long a check-in or SOS call rings.
const ringTime = 25 * time.Second

// Voice steps of the watch's calls (/twilio/voice/scene/<step>). They
// carry no referral: the texts sent with them say which.
const (
	VoiceCheckIn = "checkin"
	VoiceAlert   = "alert"
)

// stage is what one stage of a watch does when its timer fires: texts
// (person ID → body) sent first, under IDs that make a repeat harmless,
// then the change that records it and sets the next stage, then calls.
type stage struct {
	event referral.Line
	texts map[string]string
	calls []string // person IDs
	voice string   // the calls' step
	next  int
	at    time.Time // the next stage's due; zero for none
	count referral.Field
}

// plan is a watch's stage n for r, or false when it has no such stage.
type plan func(r *referral.Referral, n int, now time.Time) (stage, bool)

// Register hands the watch's timers to mux: each fires its stage once,
// across instances, and only while the referral is still where the timer
// expects it.
func (s *Scene) Register(mux *timers.Mux) {
	mux.Handle(referral.TimerNudge, s.handler(referral.TimerNudge, []referral.State{referral.Accepted}, s.nudgePlan))
	mux.Handle(referral.TimerCheckIn, s.handler(referral.TimerCheckIn, []referral.State{referral.OnScene}, s.checkInPlan))
	// An SOS pages even if the referral was closed a moment after.
	mux.Handle(referral.TimerSOS, s.handler(referral.TimerSOS, nil, s.sosPlan))
}

func (s *Scene) handler(kind timers.Kind, from []referral.State, p plan) timers.KindHandler {
	return func(ctx context.Context, t timers.Timer, a timers.Args) error {
		r, err := s.refs.Load(ctx, a.At(0))
		if err != nil {
			return referral.IgnoreGone(err)
		}
		n, due, raw, ok := r.Watched(kind)
		if !ok || due.UnixMilli() != t.Due.UnixMilli() || (from != nil && r.State != from[0]) {
			return nil // overtaken: an answer moved it, or the referral moved on
		}
		now := s.now()
		st, ok := p(r, n, now)
		if !ok {
			return nil
		}
		return s.fire(ctx, r, kind, from, raw, n, st)
	}
}

// fire carries out stage n of r's kind watch.
func (s *Scene) fire(ctx context.Context, r *referral.Referral, kind timers.Kind, from []referral.State, raw string, n int, st stage) error {
	for id, body := range st.texts {
		if p, ok := s.prog().Person(id); ok {
			s.note.Text(ctx, outbox.Message{ID: fmt.Sprintf("%s:%s:%s:%s", kind, r.Code, raw, id), To: p.Phone, Body: body,
				Priority: outbox.Page, Kind: notify.KindTell})
		}
	}
	c := referral.Change{From: from, Guard: referral.WatchHolds(kind, raw), Event: st.event}.Watch(kind, st.next, st.at)
	if st.count != "" {
		c.Set = append(c.Set, referral.Incr(st.count, 1))
	}
	applied, err := s.refs.Apply(ctx, r.Code, c)
	if err != nil || !applied {
		return err
	}
	for _, id := range st.calls {
		if err := s.call(ctx, id, st.voice); err != nil {
			s.chain.Log.Error("safety call not placed", "code", r.Code, "kind", kind, "err", err)
			s.callFailed(ctx, r, kind, raw, id, st.voice)
		}
	}
	return nil
}

// call rings id and plays the watch's step voice.
func (s *Scene) call(ctx context.Context, id, voice string) error {
	p, ok := s.prog().Person(id)
	ch := s.chain
	if !ok || ch.Caller == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, ch.SendTimeout)
	defer cancel()
	_, err := ch.Caller.Call(ctx, phone.Call{From: ch.Program.Phone, To: p.Phone, Ring: ringTime,
		URL: ch.PublicURL + "/twilio/voice/scene/" + voice})
	return err
}

// callFailed tells r's supervisors that the watch's call to id could not
// be placed, so a person does what the call would have: a check-in call
// to the case manager, with where and whom to phone; an SOS call to a
// supervisor, to say the alert rang nobody. The texts' IDs are the stage's,
// so a stage retried tells them once.
func (s *Scene) callFailed(ctx context.Context, r *referral.Referral, kind timers.Kind, raw, id, voice string) {
	var texts map[string]string
	if voice == VoiceCheckIn {
		texts = s.toSupervisors(r, fmt.Sprintf("%s (%s): the check-in call to %s, on scene since %s, could not be placed. Please check on them.",
			r.Code, s.prog().CohortName(r.Cohort), s.note.ShortName(id), s.note.When(r.OnSceneAt)))
	} else {
		texts = map[string]string{}
		for _, sup := range s.prog().Supervisors(r.Cohort) {
			texts[sup] = fmt.Sprintf("SOS %s: the alert call to %s could not be placed. The SOS text has the place and phones.",
				r.Code, s.note.ShortName(id))
		}
	}
	for to, body := range texts {
		if p, ok := s.prog().Person(to); ok {
			s.note.Text(ctx, outbox.Message{ID: fmt.Sprintf("%s:%s:%s:callfail:%s:%s", kind, r.Code, raw, id, to), To: p.Phone,
				Body: body, Priority: outbox.Page, Kind: notify.KindTell})
		}
	}
}

func (s *Scene) prog() *program.Program { return s.chain.Program }

// nudgePlan: stage 0 asks the case manager on the way; stage 1 tells the
// supervisors and the officer that they are delayed.
func (s *Scene) nudgePlan(r *referral.Referral, n int, now time.Time) (stage, bool) {
	switch n {
	case 0:
		return stage{event: referral.At(now, referral.EvNudged, r.AcceptedBy, strconv.Itoa(r.ETAMinutes)),
			texts: map[string]string{r.AcceptedBy: r.Code + ": are you on your way? Reply ETA <min> or ARRIVED."},
			next:  1, at: now.Add(s.prog().Safety.NudgeAnswer), count: referral.FNudges}, true
	case 1:
		texts := s.toSupervisors(r, fmt.Sprintf("%s (%s): %s accepted at %s%s, has not arrived and does not answer.",
			r.Code, s.prog().CohortName(r.Cohort), s.note.ShortName(r.AcceptedBy), s.note.When(r.AcceptedAt),
			escalation.ETAText(r.ETAMinutes)))
		texts[r.Officer] = notify.EndSentence(r.Code+": "+s.note.ShortName(r.AcceptedBy)+" is delayed") +
			" Their supervisor has been told." + s.note.SupportLine("Program line: ")
		return stage{event: referral.At(now, referral.EvDelayed, r.AcceptedBy, ""), texts: texts, next: 2}, true
	}
	return stage{}, false
}

// checkInPlan: stage 0 texts the case manager on scene, stage 1 calls
// them, stage 2 tells the supervisors.
func (s *Scene) checkInPlan(r *referral.Referral, n int, now time.Time) (stage, bool) {
	wait := s.prog().Safety.CheckInAnswer
	switch n {
	case 0:
		return stage{event: referral.At(now, referral.EvCheckIn, r.AcceptedBy, ""),
			texts: map[string]string{r.AcceptedBy: CheckInText(r.Code)},
			next:  1, at: now.Add(wait), count: referral.FCheckIns}, true
	case 1:
		return stage{event: referral.At(now, referral.EvCheckInCall, r.AcceptedBy, ""),
			calls: []string{r.AcceptedBy}, voice: VoiceCheckIn, next: 2, at: now.Add(wait)}, true
	case 2:
		texts := s.toSupervisors(r, fmt.Sprintf("%s (%s): %s, on scene since %s, does not answer a check-in or a call.",
			r.Code, s.prog().CohortName(r.Cohort), s.fullName(r.AcceptedBy), s.note.When(r.OnSceneAt)))
		return stage{event: referral.At(now, referral.EvCheckInAlarm, r.AcceptedBy, ""), texts: texts, next: 3}, true
	}
	return stage{}, false
}

// sosPlan: stage 0 pages the supervisors by text and call.
func (s *Scene) sosPlan(r *referral.Referral, n int, now time.Time) (stage, bool) {
	if n != 0 {
		return stage{}, false
	}
	sups := s.prog().Supervisors(r.Cohort)
	texts := s.toSupervisors(r, fmt.Sprintf("SOS %s (%s): %s asks for help.", r.Code, s.prog().CohortName(r.Cohort), s.fullName(r.AcceptedBy)))
	return stage{event: referral.At(now, referral.EvSOS, strings.Join(sups, ","), "paged"), texts: texts,
		calls: sups, voice: VoiceAlert, next: 1, count: referral.FSOSes}, true
}

// toSupervisors is head, then where and whom to phone, for each of r's
// cohort's supervisors.
func (s *Scene) toSupervisors(r *referral.Referral, head string) map[string]string {
	body := head + "\nAt: " + escalation.Where(r)
	if p, ok := s.prog().Person(r.AcceptedBy); ok {
		body += "\n" + p.ShortName() + ": " + p.Phone
	}
	if o, ok := s.prog().Person(r.Officer); ok {
		body += "\nOfficer " + o.ShortName() + ": " + o.Phone
	}
	texts := map[string]string{}
	for _, id := range s.prog().Supervisors(r.Cohort) {
		texts[id] = body
	}
	return texts
}

func (s *Scene) fullName(id string) string {
	if p, ok := s.prog().Person(id); ok {
		return p.Name
	}
	return "a case manager"
}

// CheckInText asks a case manager on scene whether all is well.
func CheckInText(code string) string {
	return code + ": all OK? Reply OK, or DONE ENGAGED|REFUSED|GONE. SOS if you need help."
}

// Voice is the TwiML of a watch call's step: a check-in to the case
// manager, or an alert to a supervisor. Neither names the referral: the
// texts do.
func Voice(step string) (string, error) {
	switch step {
	case VoiceCheckIn:
		return phone.Goodbye("This is Leadline, checking on you. Text OK if all is well, DONE when you are finished, or SOS if you need help. Goodbye.")
	case VoiceAlert:
		say := phone.Say("Leadline alert. A case manager has asked for help. Read your text messages now.")
		return phone.Voice(say, say, &twiml.VoiceHangup{})
	}
	return phone.Goodbye("This call is no longer active. Goodbye.")
}
