package program

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/phone"
)

// FollowUp is what must happen after a referral of one type is accepted:
// the accepting case manager records it (INTAKE or FOLLOWED) within Due,
// and is reminded at each of Remind after the accept until then.
type FollowUp struct {
	Due    time.Duration
	Remind []time.Duration // ascending, each before Due
}

// DefaultFollowUps follow the program's usual practice: an arrest
// diversion's intake within 30 days, a social contact's first follow-up
// within 72 hours, and a community referral's first contact within a week
// of its accept or of its assignment to a case manager for follow-up.
var DefaultFollowUps = map[string]FollowUp{
	"arrest":    {Due: 30 * day, Remind: []time.Duration{1 * day, 7 * day, 14 * day, 25 * day, 29 * day}},
	"social":    {Due: 72 * time.Hour, Remind: []time.Duration{24 * time.Hour, 48 * time.Hour}},
	"community": {Due: 7 * day, Remind: []time.Duration{1 * day, 3 * day, 6 * day}},
}

// FollowUpTypes are the referral types a plan may be set for, in the order
// check prints them.
var FollowUpTypes = []string{"arrest", "social", "community"}

const day = 24 * time.Hour

// MaxIntakeDue is the longest an arrest diversion's intake may wait.
const MaxIntakeDue = 30 * day

// Participants is how participants are texted.
type Participants struct {
	// Sender signs every participant text; it never names the program's
	// purpose.
	Sender string
	// Reminders are how long before an appointment it is reminded of.
	Reminders []time.Duration
	// Window is when in the participant's day texts may go.
	Window participant.Limits
	// Keep is how long a participant's number is kept after the referral
	// ends and its last appointment is past.
	Keep time.Duration
	// Phone is the number participant texts come from and participants
	// call (E.164), when it is not the program's: "" for the program
	// number.
	Phone string
	// MessagingService is the Twilio Messaging Service (MG…) participant
	// texts are sent through, or "".
	MessagingService string
	// RedactAfterDelivery empties each participant text's body in
	// Twilio's log once it is delivered (default on).
	RedactAfterDelivery bool
}

// Shared reports whether participants text and call the number officers
// use: neither a number nor a Messaging Service of their own, or the
// program number given as theirs.
func (pp Participants) Shared(programPhone string) bool {
	return pp.MessagingService == "" && (pp.Phone == "" || pp.Phone == programPhone)
}

// Warnings are what `leadline check` points out in a valid config: today,
// that participants and officers share a number, so a participant who
// calls it reaches the officers' line (which then says nothing about
// officers to a caller it does not know).
func (p *Program) Warnings() []string {
	if p.Participants.Shared(p.Phone) {
		return []string{"participants and officers share the number " + phone.Mask(p.Phone) +
			": give participants their own (participants.phone or participants.messaging_service)"}
	}
	return nil
}

// messagingServiceSID is a Twilio Messaging Service SID.
var messagingServiceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)

// Participant defaults: reminders 3 days, 1 day and 2 hours before, as in
// the court-date reminder trials; texts 08:00–21:00, one a day, three a
// week.
var (
	DefaultSender    = "Care Team"
	DefaultReminders = []time.Duration{3 * day, 1 * day, 2 * time.Hour}
	DefaultWindow    = participant.Limits{From: 8 * time.Hour, To: 21 * time.Hour, PerDay: 1, PerWeek: 3}
	DefaultKeep      = 30 * day
)

// DailyDigest is when case managers get their open work; Off for never.
type DailyDigest struct {
	Off          bool
	Hour, Minute int
}

type followUpConfig struct {
	Due    string   `yaml:"due"`
	Remind []string `yaml:"remind"`
}

type participantsConfig struct {
	Phone            string   `yaml:"phone"`
	MessagingService string   `yaml:"messaging_service"`
	Sender           string   `yaml:"sender"`
	Reminders        []string `yaml:"reminders"`
	Hours            string   `yaml:"hours"`
	Keep             string   `yaml:"keep"`
	// RedactAfterDelivery is a pointer so that leaving it out means on.
	RedactAfterDelivery *bool `yaml:"redact_after_delivery"`
}

func (v *validator) followUps(p *Program, fc map[string]followUpConfig) {
	p.FollowUps = map[string]FollowUp{}
	for t, f := range DefaultFollowUps {
		p.FollowUps[t] = f
	}
	for t, c := range fc {
		item := "follow_up." + t
		if _, ok := DefaultFollowUps[t]; !ok {
			v.add(item, "unknown referral type: want arrest, social or community")
			continue
		}
		f := p.FollowUps[t]
		if c.Due != "" {
			d, err := parseDays(c.Due)
			if err != nil {
				v.add(item+".due", err.Error())
				continue
			}
			f.Due = d
		}
		if c.Remind != nil {
			f.Remind = nil
		}
		for i, s := range c.Remind {
			d, err := parseDays(s)
			if err != nil {
				v.add(fmt.Sprintf("%s.remind[%d]", item, i), err.Error())
				continue
			}
			f.Remind = append(f.Remind, d)
		}
		slices.Sort(f.Remind)
		if t == "arrest" && f.Due > MaxIntakeDue {
			v.add(item+".due", "an arrest diversion's intake is due within 30 days at most")
		}
		if len(f.Remind) > 0 && f.Remind[len(f.Remind)-1] >= f.Due {
			v.add(item+".remind", "every reminder must come before the due time")
		}
		p.FollowUps[t] = f
	}
}

func (v *validator) participants(p *Program, c participantsConfig) {
	p.Participants = Participants{Sender: DefaultSender, Reminders: DefaultReminders, Window: DefaultWindow, Keep: DefaultKeep,
		RedactAfterDelivery: c.RedactAfterDelivery == nil || *c.RedactAfterDelivery}
	if c.Sender != "" {
		p.Participants.Sender = strings.Join(strings.Fields(c.Sender), " ")
	}
	if w := participant.Forbidden(p.Participants.Sender); w != "" {
		v.add("participants.sender", fmt.Sprintf("%q names %q: participant texts never say what the program is", c.Sender, w))
	} else if n, ok := participant.Septets(p.Participants.Sender); !ok || n > 30 {
		v.add("participants.sender", "must be at most 30 plain (GSM-7) characters: it starts every 160-character text")
	}
	if c.Reminders != nil {
		p.Participants.Reminders = nil
	}
	for i, s := range c.Reminders {
		d, err := parseDays(s)
		if err != nil {
			v.add(fmt.Sprintf("participants.reminders[%d]", i), err.Error())
			continue
		}
		p.Participants.Reminders = append(p.Participants.Reminders, d)
	}
	slices.SortFunc(p.Participants.Reminders, func(a, b time.Duration) int { return int(b - a) })
	if c.Hours != "" {
		from, to, err := parseHours(c.Hours)
		if err != nil {
			v.add("participants.hours", err.Error())
		} else {
			p.Participants.Window.From, p.Participants.Window.To = from, to
		}
	}
	if c.Phone != "" {
		if pn, err := phone.Parse(c.Phone, p.Region); err != nil {
			v.add("participants.phone", "must be a valid number: "+err.Error())
		} else {
			p.Participants.Phone = pn
		}
	}
	if c.MessagingService != "" && !messagingServiceSID.MatchString(c.MessagingService) {
		v.add("participants.messaging_service", "must be a Messaging Service SID: MG and 32 hex digits")
	} else {
		p.Participants.MessagingService = c.MessagingService
	}
	if c.Keep != "" {
		if d, err := parseDays(c.Keep); err != nil {
			v.add("participants.keep", err.Error())
		} else {
			p.Participants.Keep = d
		}
	}
}

// parseHours reads "08:00-21:00".
func parseHours(s string) (from, to time.Duration, err error) {
	a, b, ok := strings.Cut(strings.ReplaceAll(s, " ", ""), "-")
	ta, errA := time.Parse("15:04", a)
	tb, errB := time.Parse("15:04", b)
	if !ok || errA != nil || errB != nil {
		return 0, 0, fmt.Errorf("%q: want a local time range like 08:00-21:00", s)
	}
	from = time.Duration(ta.Hour())*time.Hour + time.Duration(ta.Minute())*time.Minute
	to = time.Duration(tb.Hour())*time.Hour + time.Duration(tb.Minute())*time.Minute
	if to-from < time.Hour {
		return 0, 0, fmt.Errorf("%q: the window must be at least an hour, within one day", s)
	}
	return from, to, nil
}

// parseDailyDigest reads "08:00" or "off".
func parseDailyDigest(s string) (DailyDigest, error) {
	if s == "" {
		return DailyDigest{Hour: 8}, nil
	}
	if strings.EqualFold(s, "off") {
		return DailyDigest{Off: true}, nil
	}
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return DailyDigest{}, errors.New(`want a local time like "08:00", or "off"`)
	}
	return DailyDigest{Hour: t.Hour(), Minute: t.Minute()}, nil
}
