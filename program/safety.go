package program

import (
	"fmt"
	"time"
)

// Safety is the watch kept on a case manager after their accept: on the
// way (a nudge when the ETA passes unannounced) and on scene (check-ins
// while no DONE comes).
type Safety struct {
	// Nudge is when an accepted referral with no ETA gets its nudge, after
	// the accept; with an ETA the nudge comes when the ETA passes.
	Nudge time.Duration
	// NudgeAnswer is how long a nudge waits for ETA or ARRIVED before the
	// supervisors and the officer are told the case manager is delayed.
	NudgeAnswer time.Duration
	// CheckIn is how long a case manager is on scene without DONE (or
	// since their last OK) before a check-in text.
	CheckIn time.Duration
	// CheckInAnswer is how long a check-in waits for an answer before a
	// call; the call waits as long again before the supervisors are told.
	CheckInAnswer time.Duration
}

// Safety defaults: the 30 minutes with no ETA, an hour on scene,
// ten minutes for each answer.
var DefaultSafety = Safety{Nudge: 30 * time.Minute, NudgeAnswer: 10 * time.Minute,
	CheckIn: 60 * time.Minute, CheckInAnswer: 10 * time.Minute}

// NudgeAt is when a referral accepted (or given an ETA) at t with an ETA
// of eta minutes (0 for none) gets its nudge.
func (s Safety) NudgeAt(t time.Time, eta int) time.Time {
	if eta > 0 {
		return t.Add(time.Duration(eta) * time.Minute)
	}
	return t.Add(s.Nudge)
}

type safetyConfig struct {
	Nudge         string `yaml:"nudge"`
	NudgeAnswer   string `yaml:"nudge_answer"`
	CheckIn       string `yaml:"check_in"`
	CheckInAnswer string `yaml:"check_in_answer"`
}

// safety reads after_accept, defaulting each setting; every one is a
// positive duration of at most a day (a safety check a day late is none).
func (v *validator) safety(p *Program, sc safetyConfig) {
	p.Safety = DefaultSafety
	for _, s := range []struct {
		name, text string
		dst        *time.Duration
	}{{"nudge", sc.Nudge, &p.Safety.Nudge}, {"nudge_answer", sc.NudgeAnswer, &p.Safety.NudgeAnswer},
		{"check_in", sc.CheckIn, &p.Safety.CheckIn}, {"check_in_answer", sc.CheckInAnswer, &p.Safety.CheckInAnswer}} {
		if s.text == "" {
			continue
		}
		d, err := parseDays(s.text)
		switch {
		case err != nil:
			v.add("after_accept."+s.name, err.Error())
		case d < time.Minute || d > 24*time.Hour:
			v.add("after_accept."+s.name, fmt.Sprintf("%s: want from 1m to 24h", s.text))
		default:
			*s.dst = d
		}
	}
}
