package program

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Shift is how a cohort's rotation hands the on-call phone over: every
// Every, at a wall-clock time in the program's zone, from First on. A 09:00
// handoff stays 09:00 across daylight-saving changes.
type Shift struct {
	// Every is a shift's length in wall-clock terms (a day is 24 wall-clock
	// hours even when the clocks change); whole minutes.
	Every time.Duration
	// First is the first handoff as a wall-clock time: only its date, hour
	// and minute count, read in the program's zone.
	First time.Time
}

// WeeklySummary is when each cohort's members are texted next week's shifts.
type WeeklySummary struct {
	Off     bool
	Weekday time.Weekday
	Hour    int
	Minute  int
}

// DefaultWeeklySummary is Sunday 18:00, program time.
var DefaultWeeklySummary = WeeklySummary{Weekday: time.Sunday, Hour: 18}

// parseShift reads a cohort's shift settings.
func parseShift(every, handoff, weekday, start string) (*Shift, error) {
	if every == "" {
		if handoff != "" || weekday != "" || start != "" {
			return nil, fmt.Errorf("shift.every is required with handoff, weekday or start")
		}
		return nil, nil
	}
	d, err := parseEvery(every)
	if err != nil {
		return nil, err
	}
	if handoff == "" {
		handoff = "09:00"
	}
	hm, err := time.Parse("15:04", handoff)
	if err != nil {
		return nil, fmt.Errorf("shift.handoff %q: want a time like 09:00", handoff)
	}
	if start == "" {
		return nil, fmt.Errorf("shift.start is required: the date of the first handoff, like 2026-11-02")
	}
	day, err := time.Parse(time.DateOnly, start)
	if err != nil {
		return nil, fmt.Errorf("shift.start %q: want a date like 2026-11-02", start)
	}
	if weekday != "" {
		wd, ok := weekdays[strings.ToLower(weekday)]
		if !ok {
			return nil, fmt.Errorf("shift.weekday %q: want a day like monday", weekday)
		}
		for day.Weekday() != wd {
			day = day.AddDate(0, 0, 1)
		}
	}
	first := time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, time.UTC)
	return &Shift{Every: d, First: first}, nil
}

// parseEvery reads "12h", "1d", "7d", "1w" or "2w".
func parseEvery(s string) (time.Duration, error) {
	unit := map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour}
	if n, ok := strings.CutSuffix(s, "w"); ok {
		return count(s, n, unit["w"])
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		return count(s, n, unit["d"])
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Hour || d%time.Minute != 0 {
		return 0, fmt.Errorf("shift.every %q: want hours, days or weeks like 12h, 1d or 1w (an hour at least)", s)
	}
	return d, nil
}

func count(s, n string, unit time.Duration) (time.Duration, error) {
	k, err := strconv.Atoi(n)
	if err != nil || k <= 0 {
		return 0, fmt.Errorf("shift.every %q: want hours, days or weeks like 12h, 1d or 1w", s)
	}
	return time.Duration(k) * unit, nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseWeeklySummary reads "sunday 18:00" or "off".
func parseWeeklySummary(s string) (WeeklySummary, error) {
	if s == "" {
		return DefaultWeeklySummary, nil
	}
	if strings.EqualFold(s, "off") {
		return WeeklySummary{Off: true}, nil
	}
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 2 {
		wd, ok := weekdays[f[0]]
		hm, err := time.Parse("15:04", f[1])
		if ok && err == nil {
			return WeeklySummary{Weekday: wd, Hour: hm.Hour(), Minute: hm.Minute()}, nil
		}
	}
	return WeeklySummary{}, fmt.Errorf("%q: want a day and time like \"sunday 18:00\", or off", s)
}

// skippedByDST reports whether the wall-clock time h:m is skipped on some
// day of the coming year in loc. A job set then would not fire that day.
func skippedByDST(loc *time.Location, h, m int) bool {
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 366 {
		t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
		if t.Hour() != h || t.Minute() != m {
			return true
		}
		day = day.AddDate(0, 0, 1)
	}
	return false
}
