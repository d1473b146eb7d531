// Package timetext writes dates and times for people, in one style for every
// text, page and call: "Fri 4 Dec, 10:00 AM" in the US, "Fri 4 Dec, 10:00"
// where the 24-hour clock is usual, "vie 4 dic, 10:00 AM" for a participant
// who reads Spanish. It owns no Redis keys.
package timetext

import (
	"strconv"
	"strings"
	"time"
)

// Clock is how a time of day is written.
type Clock string

// The clocks a program can choose (time_format in the config).
const (
	Hour12 Clock = "12h" // "2:30 PM"
	Hour24 Clock = "24h" // "14:30"
)

// ClockFor is the usual clock of a region (an ISO 3166 code, as the program
// number gives it): the 12-hour clock where texts are commonly read that
// way, the 24-hour clock elsewhere.
func ClockFor(region string) Clock {
	switch strings.ToUpper(region) {
	case "US", "PR", "GU", "VI", "AS", "MP", "CA", "AU", "NZ", "IN", "PH":
		return Hour12
	}
	return Hour24
}

// Style writes instants in a zone, a clock and a language. The zero Style
// writes in the instant's own zone, 12-hour clock, English.
type Style struct {
	// Zone the times are shown in; nil keeps each instant's own zone.
	Zone  *time.Location
	Clock Clock
	// Spanish names days and months in Spanish ("mié 25 nov").
	Spanish bool
}

// In is s showing times in zone (s's zone if zone is nil).
func (s Style) In(zone *time.Location) Style {
	if zone != nil {
		s.Zone = zone
	}
	return s
}

// InSpanish is s naming days and months in Spanish, if spanish.
func (s Style) InSpanish(spanish bool) Style {
	s.Spanish = spanish
	return s
}

func (s Style) local(t time.Time) time.Time {
	if s.Zone != nil {
		return t.In(s.Zone)
	}
	return t
}

// Spanish day and month names, shortened. Written without the accents that
// are not GSM-7: "sáb" would cost a text its GSM-7 encoding, "sab" does not;
// "mié" keeps its é, which is GSM-7.
var (
	daysES   = [...]string{"dom", "lun", "mar", "mié", "jue", "vie", "sab"}
	monthsES = [...]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}
)

// Time is a time of day: "10:00 AM", or "10:00" on the 24-hour clock.
func (s Style) Time(t time.Time) string {
	t = s.local(t)
	return s.HourMinute(t.Hour(), t.Minute())
}

// HourMinute is the time of day h:m (h 0–23) as Time writes it.
func (s Style) HourMinute(h, m int) string {
	mm := strconv.Itoa(m)
	if m < 10 {
		mm = "0" + mm
	}
	if s.Clock == Hour24 {
		hh := strconv.Itoa(h)
		if h < 10 {
			hh = "0" + hh
		}
		return hh + ":" + mm
	}
	half := " AM"
	if h >= 12 {
		half = " PM"
	}
	if h = h % 12; h == 0 {
		h = 12
	}
	return strconv.Itoa(h) + ":" + mm + half
}

// Weekday is the day's short name: "Fri", or "vie".
func (s Style) Weekday(t time.Time) string {
	t = s.local(t)
	if s.Spanish {
		return daysES[t.Weekday()]
	}
	return t.Weekday().String()[:3]
}

// Day is a date without its year: "Fri 4 Dec", or "vie 4 dic".
func (s Style) Day(t time.Time) string {
	t = s.local(t)
	month := t.Month().String()[:3]
	if s.Spanish {
		month = monthsES[t.Month()-1]
	}
	return s.Weekday(t) + " " + strconv.Itoa(t.Day()) + " " + month
}

// DayInYear is a date with its year, for dates where the year is the
// point: "Fri 4 Dec 2026".
func (s Style) DayInYear(t time.Time) string {
	return s.Day(t) + " " + strconv.Itoa(s.local(t).Year())
}

// DateTime is an instant with its date: "Fri 4 Dec, 10:00 AM".
func (s Style) DateTime(t time.Time) string {
	return s.Day(t) + ", " + s.Time(t)
}

// DateTimeInYear is DateTime with the year: "Fri 4 Dec 2026, 10:00 AM".
func (s Style) DateTimeInYear(t time.Time) string {
	return s.DayInYear(t) + ", " + s.Time(t)
}

// WeekdayTime is an instant within the coming week: "Fri 10:00 AM".
func (s Style) WeekdayTime(t time.Time) string {
	return s.Weekday(t) + " " + s.Time(t)
}
