package inbox

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/referral"
)

// verb is what a text asks for.
type verb int

const (
	vRefer verb = iota + 1
	vYes
	vStatus
	vCancel
	vHelp
	vAccept
	vDecline
	vETA
	vArrived
	vDone
	vWho
	vChoose
	vAppt
	vLang
	vTZ
	vFollowed
	vOK
	vSOS
	vMsg
	vFix
	vUnlock
	vOff
	vOn
)

// command is a parsed text. Only the fields of its verb are set.
type command struct {
	verb     verb
	refType  referral.Type
	location string // a referral's first line: the location, maybe notes after it (geo.Resolver.ResolveLeading splits them)
	notes    string // a referral's further lines
	code     string
	minutes  int
	outcome  string
	action   string        // APPT: "set", "cancel" or "move"
	text     string        // APPT: what follows the code and action, as typed; LANG, TZ: the setting; MSG: the words; UNLOCK: the badge
	span     time.Duration // OFF: for how long; 0 for until the next shift
}

// badgePattern is a badge UNLOCK names: what a caller can key.
var badgePattern = regexp.MustCompile(`^[0-9*]{1,20}$`)

// errUsage means the text was not understood; the sender gets a usage reply.
var errUsage = errors.New("not understood")

// maxNotes keeps a page within a few SMS segments whatever an officer types.
const maxNotes = 280

// maxETA is a sanity bound: a larger number is a typo, not a plan.
const maxETA = 600

// parseOfficer reads an officer's text: AD/SC/ARREST/SOCIAL <location>
// [notes], YES, STATUS [code], CANCEL [code], FIX <code> <location>, HELP.
func parseOfficer(body string) (command, error) {
	first, rest := splitVerb(body)
	if v, loc, ok := gluedRefer(first); ok {
		// "AD40.4473,-80.0076": the thumb missed the space.
		first, rest = v, strings.TrimSpace(loc+" "+rest)
	}
	switch first {
	case "AD", "ARREST":
		return parseRefer(referral.Arrest, rest)
	case "SC", "SOCIAL":
		return parseRefer(referral.Social, rest)
	case "YES", "Y":
		if rest == "" {
			return command{verb: vYes}, nil
		}
	case "STATUS":
		return withCode(vStatus, rest, false)
	case "CANCEL":
		return withCode(vCancel, rest, false)
	case "FIX", "MOVE":
		return parseFix(rest)
	case "HELP", "?", "INFO":
		return command{verb: vHelp}, nil
	}
	// A bare number answers "Did you mean 1) … 2) …?".
	if n, err := strconv.Atoi(first); err == nil && rest == "" && n >= 1 && n <= 9 {
		return command{verb: vChoose, minutes: n}, nil
	}
	return command{}, errUsage
}

// gluedRefer splits a referral verb typed against its location: a verb
// followed by a digit or sign ("AD40.44,-80.00", "SC-80.0,40.4",
// "SC101"). A word that merely starts with the letters ("ADAMS") is not.
func gluedRefer(word string) (verb, loc string, ok bool) {
	for _, v := range []string{"ARREST", "SOCIAL", "AD", "SC"} {
		if rest, found := strings.CutPrefix(word, v); found && rest != "" && strings.ContainsRune("0123456789+-", rune(rest[0])) {
			return v, rest, true
		}
	}
	return "", "", false
}

// parseRefer reads "<location> [notes]" with more notes on further lines.
// Where the location ends on its line is the resolver's to find (the
// longest leading part that is a place), so its first line is kept whole.
func parseRefer(t referral.Type, rest string) (command, error) {
	line, more, _ := strings.Cut(rest, "\n")
	line = strings.Join(strings.Fields(line), " ")
	if line == "" || strings.HasPrefix(line, "/") {
		return command{}, errUsage
	}
	notes := strings.Join(strings.Fields(more), " ")
	if r := []rune(notes); len(r) > maxNotes {
		notes = string(r[:maxNotes-1]) + "…"
	}
	return command{verb: vRefer, refType: t, location: line, notes: notes}, nil
}

// parseFix reads "<code> <location>": the officer moves a referral still
// paging.
func parseFix(rest string) (command, error) {
	code, loc := splitVerb(rest)
	loc = strings.Join(strings.Fields(loc), " ")
	if !referral.IsCode(code) || loc == "" || strings.HasPrefix(loc, "/") {
		return command{}, errUsage
	}
	return command{verb: vFix, code: code, location: loc}, nil
}

// parseCaseManager reads a case manager's (or supervisor's) text.
func parseCaseManager(body string) (command, error) {
	first, rest := splitVerb(body)
	switch first {
	case "1", "Y", "YES", "A", "ACCEPT":
		return codeAndMinutes(vAccept, rest, false)
	case "2", "N", "NO", "D", "DECLINE":
		return withCode(vDecline, rest, false)
	case "ETA":
		return codeAndMinutes(vETA, rest, true)
	case "ARRIVED", "HERE":
		return withCode(vArrived, rest, false)
	case "DONE":
		return parseDone(rest)
	case "WHO":
		if rest == "" {
			return command{verb: vWho}, nil
		}
	case "OFF":
		return parseOff(rest)
	case "ON":
		if rest == "" {
			return command{verb: vOn}, nil
		}
	case "HELP", "?", "INFO":
		if strings.EqualFold(rest, "ME") {
			return command{verb: vSOS}, nil
		}
		return command{verb: vHelp}, nil
	case "SOS", "MAYDAY":
		return withCode(vSOS, rest, false)
	case "OK", "OKAY":
		return withCode(vOK, rest, false)
	case "APPT", "APPOINTMENT":
		return parseAppt(rest)
	case "INTAKE", "FOLLOWED", "FOLLOWUP":
		return withCode(vFollowed, rest, false)
	case "LANG", "LANGUAGE":
		return codeAndSetting(vLang, rest)
	case "TZ":
		return codeAndSetting(vTZ, rest)
	case "UNLOCK":
		// A badge as keyed on a phone: digits (and the star key).
		if badge := strings.TrimSpace(rest); badgePattern.MatchString(badge) {
			return command{verb: vUnlock, text: badge}, nil
		}
	case "MSG", "MESSAGE":
		code, text := splitVerb(rest)
		if !referral.IsCode(code) || text == "" {
			return command{}, errUsage
		}
		return command{verb: vMsg, code: code, text: text}, nil
	}
	return command{}, errUsage
}

// parseOff reads OFF's time: none (until the next shift), or a span like
// 30m, 2h, 1h30m, 1h 30m, 90 min, 2 hours, 2d.
func parseOff(rest string) (command, error) {
	if rest == "" {
		return command{verb: vOff}, nil
	}
	d, ok := parseSpan(rest)
	if !ok {
		return command{}, errUsage
	}
	return command{verb: vOff, span: d}, nil
}

// spanUnits are the units a span may be written in.
var spanUnits = map[string]time.Duration{
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}

// parseSpan reads numbers each followed by a unit, with or without spaces
// ("1h30m", "1 h 30 min"); a bare number is minutes. Every unit counts
// once, largest first, so "30m2h" is a typo, not 2h30m.
func parseSpan(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	var total time.Duration
	last := time.Duration(1 << 62)
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		if i == 0 {
			return 0, false
		}
		if i < 0 {
			i = len(s)
		}
		n, err := strconv.Atoi(s[:i])
		if err != nil || n > 10000 {
			return 0, false
		}
		s = s[i:]
		j := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
		if j < 0 {
			j = len(s)
		}
		unit, ok := spanUnits[s[:j]]
		if s[:j] == "" && total == 0 && j == len(s) {
			unit, ok = time.Minute, true // a bare number
		}
		if !ok || unit >= last {
			return 0, false
		}
		last, total, s = unit, total+time.Duration(n)*unit, s[j:]
	}
	return total, total > 0
}

// parseAppt reads "<code> <phone> <date> <time> [@ place]", "<code>
// CANCEL", "<code> MOVE <date> <time> [@ place]" or "<code> NUMBER
// <phone>"; the phone, date, time and place are read by the handler, which
// knows the program's region and zone.
func parseAppt(rest string) (command, error) {
	code, more := splitVerb(rest)
	if !referral.IsCode(code) || more == "" {
		return command{}, errUsage
	}
	c := command{verb: vAppt, code: code, action: appointment.ActionSet, text: more}
	switch action, after := splitVerb(more); action {
	case "CANCEL":
		if after != "" {
			return command{}, errUsage
		}
		c.action, c.text = appointment.ActionCancel, ""
	case "MOVE":
		if after == "" {
			return command{}, errUsage
		}
		c.action, c.text = appointment.ActionMove, after
	case "NUMBER", "PHONE":
		if after == "" {
			return command{}, errUsage
		}
		c.action, c.text = appointment.ActionNumber, after
	}
	return c, nil
}

// codeAndSetting reads "<code> <setting>".
func codeAndSetting(v verb, rest string) (command, error) {
	f := strings.Fields(rest)
	if len(f) != 2 || !referral.IsCode(strings.ToUpper(f[0])) {
		return command{}, errUsage
	}
	return command{verb: v, code: strings.ToUpper(f[0]), text: f[1]}, nil
}

// codeAndMinutes reads "[code] [minutes]" in either order.
func codeAndMinutes(v verb, rest string, needMinutes bool) (command, error) {
	c := command{verb: v}
	for _, w := range strings.Fields(strings.ToUpper(rest)) {
		w = strings.TrimSuffix(strings.TrimSuffix(w, "MINS"), "MIN")
		switch n, err := strconv.Atoi(w); {
		case err == nil && c.minutes == 0 && n > 0 && n <= maxETA:
			c.minutes = n
		case c.code == "" && referral.IsCode(w):
			c.code = w
		case w == "": // "15 min" leaves the unit alone
		default:
			return command{}, errUsage
		}
	}
	if needMinutes && c.minutes == 0 {
		return command{}, errUsage
	}
	return c, nil
}

func withCode(v verb, rest string, need bool) (command, error) {
	w := strings.Fields(strings.ToUpper(rest))
	switch {
	case len(w) == 0 && !need:
		return command{verb: v}, nil
	case len(w) == 1 && referral.IsCode(w[0]):
		return command{verb: v, code: w[0]}, nil
	}
	return command{}, errUsage
}

func parseDone(rest string) (command, error) {
	c := command{verb: vDone}
	for _, w := range strings.Fields(strings.ToLower(rest)) {
		switch {
		case c.outcome == "" && slices.Contains(referral.Outcomes, w):
			c.outcome = w
		case c.code == "" && referral.IsCode(strings.ToUpper(w)):
			c.code = strings.ToUpper(w)
		default:
			return command{}, errUsage
		}
	}
	if c.outcome == "" {
		return command{}, errUsage
	}
	return c, nil
}

// splitVerb upper-cases the first word and returns the rest as typed, so a
// location or notes keep their case.
func splitVerb(body string) (string, string) {
	body = strings.TrimSpace(body)
	i := strings.IndexFunc(body, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if i < 0 {
		return strings.ToUpper(strings.TrimRight(body, ".!")), ""
	}
	return strings.ToUpper(body[:i]), strings.TrimSpace(body[i:])
}
