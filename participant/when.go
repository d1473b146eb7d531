package participant

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/timetext"
)

// The errors of ParseWhen other than *Ambiguous and a usage error. Their
// text, and the text of every error ParseWhen returns, is a reply to send
// back to the case manager as it is (at most 100 characters), which is why
// it is written in sentences. ParseWhen often returns a more precise message
// that wraps one of these: test with errors.Is.
var (
	ErrPast   = errors.New("That time has passed. Send a later date and time.")
	ErrTooFar = errors.New("That is more than a year away. Send a date within a year.")
)

// Ambiguous is the error for a time of 1 to 11 o'clock typed with no am or
// pm and no leading zero, such as "11/25 2:30": it could be either.
type Ambiguous struct {
	// Options are the AM and the PM reading on the date given, in that
	// order (so always two, earlier first). For a time typed without a date
	// one of them may already have passed; the caller should not book an
	// option without asking, and the question asks for the time again.
	Options []time.Time
	// Clock is the time as typed, for the question: "2:30".
	Clock string
}

// Error asks the case manager which was meant.
func (a *Ambiguous) Error() string {
	return a.Clock + " AM or PM? Send it again with am or pm."
}

// whenError is a reply to the case manager that still is ErrPast or
// ErrTooFar to errors.Is.
type whenError struct {
	msg string
	err error
}

func (e *whenError) Error() string { return e.msg }
func (e *whenError) Unwrap() error { return e.err }

// example is how every usage error ends.
const example = "Send the date and time like 11/25 2:30pm."

// usage is a reply saying what was wrong and how to write it.
func usage(format string, args ...any) error {
	return fmt.Errorf(format+" "+example, args...)
}

// Replies for a date and time typed without one of its parts, or with too
// many.
var (
	errNoTime  = errors.New("Add a time, like 11/25 2:30pm.")
	errTwoOf   = errors.New("Send one date and one time, like 11/25 2:30pm.")
	errNothing = errors.New(example)
)

// ParseWhen reads the date and time of an appointment that a case manager
// typed, in the zone of in (the program's Times in the participant's zone),
// relative to now; replies write times as in does. It is forgiving about
// form: "11/25 2:30pm", "11/25 2:30 pm", "11-25 2:30p", "11/25/26 14:30",
// "11/25/2026 2pm", "2026-11-25 14:30", "Nov 25 2:30pm", "25 Nov 2:30 PM",
// "november 25th at 2:30pm", "tomorrow 10am", "tmrw 9am", "today 3:15pm",
// "wed 10am", "wednesday 10:30am", "2:30pm 11/25" (time first), "noon",
// and a time alone ("14:30", "2pm"). Case, commas and "at" do not matter.
//
// Dates are US month/day. A date without a year is this year if it is today
// or later, else next year; a two-digit year is 20xx. A bare weekday is the
// next one after today, never today: "wed" typed on a Wednesday is a week
// away. A weekday with a date must agree with it. A time without a date is
// today, and an error asking for a date if it is not still ahead.
//
// The hour is read as 24-hour when it is 0 or 13 to 23, or written with a
// leading zero ("08:30"); 12 without am or pm is noon. Any other hour without
// am or pm, "2:30" or a bare "2", is *Ambiguous. A wall clock time the clocks
// skip (2:30 AM on the day they go forward) is an error; one they show twice
// (1:30 AM on the day they go back) is the first of the two.
//
// Other errors: ErrPast if the time is not after now, ErrTooFar if it is
// more than a year after now (both wrapped in a more precise message), and a
// usage error for anything unreadable or impossible ("2/30", "25:00").
func ParseWhen(s string, now time.Time, in timetext.Style) (time.Time, error) {
	loc := in.Zone
	w, err := scanWhen(s)
	if err != nil {
		return time.Time{}, err
	}
	if w.clock == nil {
		return time.Time{}, errNoTime
	}
	nowL := now.In(loc)
	y, m, d, dated, err := w.day(nowL)
	if err != nil {
		return time.Time{}, err
	}
	c := w.clock
	if c.ambiguous() {
		am, _ := localTime(y, m, d, c.hour, c.min, 0, 0, loc)
		pm, _ := localTime(y, m, d, c.hour+12, c.min, 0, 0, loc)
		if err := acceptable(pm, nowL, dated, in); err != nil && errors.Is(err, ErrPast) {
			return time.Time{}, err
		}
		if err := acceptable(am, nowL, dated, in); err != nil && errors.Is(err, ErrTooFar) {
			return time.Time{}, err
		}
		return time.Time{}, &Ambiguous{Options: []time.Time{am, pm}, Clock: c.typed}
	}
	t, exists := localTime(y, m, d, c.hour, c.min, 0, 0, loc)
	if !exists {
		return time.Time{}, fmt.Errorf("%s is skipped on %s when clocks change. Send another time.",
			in.HourMinute(c.hour, c.min), in.Day(time.Date(y, m, d, 12, 0, 0, 0, loc)))
	}
	if err := acceptable(t, nowL, dated, in); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// acceptable checks that an appointment at t is after now and at most a
// year after it. dated says whether a date was typed: if not, the reply asks
// for one. Replies write times as in does.
func acceptable(t, now time.Time, dated bool, in timetext.Style) error {
	switch {
	case !t.After(now) && !dated:
		tomorrow := now.AddDate(0, 0, 1)
		// The example is in the form ParseWhen reads: "11/24 2:30pm".
		typed := timetext.Style{Clock: timetext.Hour12}.HourMinute(t.Hour(), t.Minute())
		return &whenError{fmt.Sprintf("%s today has passed. Add a date, like %d/%d %s.",
			in.HourMinute(t.Hour(), t.Minute()), tomorrow.Month(), tomorrow.Day(),
			strings.ToLower(strings.ReplaceAll(typed, " ", ""))), ErrPast}
	case !t.After(now):
		return &whenError{in.DateTime(t) + " has passed. Send a later date and time.", ErrPast}
	case t.After(now.AddDate(1, 0, 0)):
		// The year is shown here because it is the point.
		return &whenError{in.DateTimeInYear(t) + " is more than a year away. Send a date within a year.", ErrTooFar}
	}
	return nil
}

// when is what a case manager typed, before it is placed on the calendar.
type when struct {
	// Exactly one way of giving the day, or none.
	dated                   bool // a month and day were typed
	month, dayOfMonth, year int  // year 0 when not typed
	relative                int  // days from today; -1 when not typed
	weekday                 time.Weekday
	hasWeekday              bool
	clock                   *clock
}

// clock is a time of day as typed.
type clock struct {
	hour, min int    // 24-hour, once am/pm is applied
	meridiem  bool   // am or pm was typed
	zero      bool   // the hour was typed with a leading zero
	typed     string // as typed, for the Ambiguous question
}

// ambiguous reports whether the clock could be AM or PM.
func (c *clock) ambiguous() bool {
	return !c.meridiem && !c.zero && c.hour >= 1 && c.hour <= 11
}

var (
	numericDate = regexp.MustCompile(`^(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2}|\d{4}))?$`)
	isoDate     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	clockRE     = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(am|pm|a|p)?$`)
	dayRE       = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?$`)
	yearRE      = regexp.MustCompile(`^\d{4}$`)
)

var months = map[string]time.Month{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10,
	"nov": 11, "november": 11, "dec": 12, "december": 12,
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

var relativeDays = map[string]int{
	"today": 0, "tdy": 0,
	"tomorrow": 1, "tmrw": 1, "tmr": 1, "tmw": 1, "tomorow": 1, "tommorow": 1, "tommorrow": 1,
}

// ignored are words that carry nothing: "Nov 25 at 2pm", "on wed".
var ignored = map[string]bool{"at": true, "on": true, "the": true, "of": true, "@": true}

// scanWhen reads the words of s into a when, without a calendar.
func scanWhen(s string) (*when, error) {
	toks := whenTokens(s)
	if len(toks) == 0 {
		return nil, errNothing
	}
	w := &when{relative: -1}
	dates := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case ignored[t]:
		case t == "noon":
			if w.clock != nil {
				return nil, errTwoOf
			}
			w.clock = &clock{hour: 12, meridiem: true, typed: t}
		case isRelative(t):
			w.relative = relativeDays[t]
			dates++
		case isWeekday(t):
			if w.hasWeekday {
				return nil, errTwoOf
			}
			w.weekday, w.hasWeekday = weekdays[t], true
		case numericDate.MatchString(t):
			p := numericDate.FindStringSubmatch(t)
			w.month, w.dayOfMonth, w.year, w.dated = atoi(p[1]), atoi(p[2]), year(p[3]), true
			dates++
		case isoDate.MatchString(t):
			p := isoDate.FindStringSubmatch(t)
			w.year, w.month, w.dayOfMonth, w.dated = atoi(p[1]), atoi(p[2]), atoi(p[3]), true
			dates++
		case isMonth(t) && i+1 < len(toks) && dayRE.MatchString(toks[i+1]):
			// "nov 25", "november 25th", perhaps "nov 25 2026"
			w.month, w.dayOfMonth, w.dated = int(months[t]), atoi(dayRE.FindStringSubmatch(toks[i+1])[1]), true
			i++
			if i+1 < len(toks) && yearRE.MatchString(toks[i+1]) {
				w.year = atoi(toks[i+1])
				i++
			}
			dates++
		case dayRE.MatchString(t) && i+1 < len(toks) && isMonth(toks[i+1]):
			// "25 nov", "25th november", perhaps "25 nov 2026"
			w.month, w.dayOfMonth, w.dated = int(months[toks[i+1]]), atoi(dayRE.FindStringSubmatch(t)[1]), true
			i++
			if i+1 < len(toks) && yearRE.MatchString(toks[i+1]) {
				w.year = atoi(toks[i+1])
				i++
			}
			dates++
		case clockRE.MatchString(t):
			if w.clock != nil {
				return nil, errTwoOf
			}
			c, err := readClock(t)
			if err != nil {
				return nil, err
			}
			w.clock = c
		default:
			return nil, usage("Could not read %q.", shorten(t, 20))
		}
	}
	if dates > 1 {
		return nil, errTwoOf
	}
	return w, nil
}

// whenTokens lowercases s and splits it into words, with "p.m." written
// "pm", a trailing dot dropped ("Nov."), and a lone "pm" joined to the time
// before it ("2:30 pm" → "2:30pm").
func whenTokens(s string) []string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("a.m.", "am", "p.m.", "pm", "a. m.", "am", "p. m.", "pm",
		",", " ", ";", " ", "@", " @ ", "12 noon", "noon").Replace(s)
	var toks []string
	for _, f := range strings.Fields(s) {
		if f != "." {
			f = strings.TrimSuffix(f, ".")
		}
		switch f {
		case "am", "pm", "a", "p":
			if n := len(toks); n > 0 && clockRE.MatchString(toks[n-1]) && !strings.HasSuffix(toks[n-1], "m") {
				toks[n-1] += f
				continue
			}
		}
		toks = append(toks, f)
	}
	return toks
}

// readClock reads a token clockRE matched: "2:30pm", "14:30", "2p", "2".
func readClock(t string) (*clock, error) {
	p := clockRE.FindStringSubmatch(t)
	c := &clock{hour: atoi(p[1]), zero: len(p[1]) == 2 && p[1][0] == '0', typed: t}
	if p[2] != "" {
		c.min = atoi(p[2])
	}
	if c.min > 59 {
		return nil, usage("%s is not a time.", t)
	}
	if p[3] == "" {
		if c.hour > 23 {
			return nil, usage("%s is not a time.", t)
		}
		return c, nil
	}
	if c.hour < 1 || c.hour > 12 {
		return nil, usage("%s is not a time.", t)
	}
	c.meridiem = true
	c.hour %= 12
	if p[3][0] == 'p' {
		c.hour += 12
	}
	return c, nil
}

// day places the date typed on the calendar: its year, month and day, and
// whether a date was typed at all (else it is today).
func (w *when) day(now time.Time) (y int, m time.Month, d int, dated bool, err error) {
	ny, nm, nd := now.Date()
	switch {
	case w.relative >= 0:
		y, m, d = ny, nm, nd+w.relative
	case w.dated:
		if w.month < 1 || w.month > 12 || w.dayOfMonth < 1 || w.dayOfMonth > 31 {
			return 0, 0, 0, false, usage("%d/%d is not a date.", w.month, w.dayOfMonth)
		}
		y, m, d = w.year, time.Month(w.month), w.dayOfMonth
		if y == 0 {
			// This year if the date is today or later, else next year.
			y = ny
			if m < nm || m == nm && d < nd {
				y++
			}
		}
		if t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); t.Day() != d {
			return 0, 0, 0, false, usage("%s %d %d is not a date.", m.String()[:3], d, y)
		}
	case w.hasWeekday:
		ahead := (int(w.weekday) - int(now.Weekday()) + 7) % 7
		if ahead == 0 {
			ahead = 7 // a bare weekday is never today
		}
		return ny, nm, nd + ahead, true, nil
	default:
		return ny, nm, nd, false, nil
	}
	if date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); w.hasWeekday && date.Weekday() != w.weekday {
		return 0, 0, 0, false, fmt.Errorf("%s is a %s, not a %s. Send it again.",
			date.Format("2 Jan 2006"), date.Format("Mon"), w.weekday.String()[:3])
	}
	return y, m, d, true, nil
}

func isRelative(t string) bool { _, ok := relativeDays[t]; return ok }
func isWeekday(t string) bool  { _, ok := weekdays[t]; return ok }
func isMonth(t string) bool    { _, ok := months[t]; return ok }

// year reads a typed year: "" is none (0), "26" is 2026.
func year(s string) int {
	switch len(s) {
	case 0:
		return 0
	case 2:
		return 2000 + atoi(s)
	}
	return atoi(s)
}

// atoi reads digits the regular expressions already matched.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
