package participant

import "time"

// Limits are when and how often a participant may be texted.
//
// The zero Limits are the program's rules: 08:00 to 21:00 local time, one
// text a day, three a week.
type Limits struct {
	// From and To are the local time of day the window opens and closes,
	// e.g. 8h and 21h: texts go in [From, To). Both zero means 8h and 21h;
	// so does a window that is empty (From >= To), since sending at any
	// hour is the worse mistake. To may be 24h (midnight).
	From, To time.Duration
	// PerDay is how many texts may go on one local calendar day (1 when 0
	// or less).
	PerDay int
	// PerWeek is how many texts may go on 7 local calendar days: the day of
	// the send and the 6 before it (3 when 0 or less).
	PerWeek int
}

// The program's rules (DESIGN.md, "What a text may say").
const (
	defaultFrom    = 8 * time.Hour
	defaultTo      = 21 * time.Hour
	defaultPerDay  = 1
	defaultPerWeek = 3
)

// withDefaults fills in what l leaves zero or gets wrong.
func (l Limits) withDefaults() Limits {
	l.From = max(l.From, 0)
	l.To = min(l.To, 24*time.Hour)
	if l.From >= l.To {
		l.From, l.To = defaultFrom, defaultTo
	}
	if l.PerDay <= 0 {
		l.PerDay = defaultPerDay
	}
	if l.PerWeek <= 0 {
		l.PerWeek = defaultPerWeek
	}
	return l
}

// NextSlot is the earliest instant t >= now at which one more text may be
// sent to a participant in loc who was sent texts at sent (in any order):
// t's local time of day is within [From, To), fewer than PerDay sends fall
// on t's local calendar day, and fewer than PerWeek on the 7 local days
// ending with t's day. The result is in loc.
//
// Days are wall-clock days: the window opens at 08:00 local on every day,
// including the days clocks change. If From falls in the hour skipped when
// clocks go forward, the window opens when the clocks jump.
func NextSlot(now time.Time, loc *time.Location, sent []time.Time, l Limits) time.Time {
	l = l.withDefaults()
	y, m, d := now.In(loc).Date()
	// Sends before the week of today count for no day from today on.
	var recent []time.Time
	for _, s := range sent {
		if !s.Before(midnight(y, m, d-6, loc)) {
			recent = append(recent, s)
		}
	}
	sent = recent
	// Each send closes at most 7 days and only today can be past its
	// window, so a free day comes within this many.
	days := 7*len(sent) + 2
	for i := range days {
		open := wallClock(y, m, d+i, l.From, loc)
		closed := wallClock(y, m, d+i, l.To, loc)
		start := open
		if now.After(start) {
			start = now
		}
		if !start.Before(closed) {
			continue
		}
		dayEnd := midnight(y, m, d+i+1, loc)
		if count(sent, midnight(y, m, d+i, loc), dayEnd) >= l.PerDay ||
			count(sent, midnight(y, m, d+i-6, loc), dayEnd) >= l.PerWeek {
			continue
		}
		return start.In(loc)
	}
	// Unreachable with a non-empty window; a day past every send is free.
	return wallClock(y, m, d+days, l.From, loc)
}

// DayStart is the instant the daily cap counts from for a send at t: local
// midnight of t's day in loc (or, where clocks skip midnight, the first
// instant of that day).
func DayStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return midnight(y, m, d, loc)
}

// WeekStart is the instant the weekly cap counts from for a send at t: local
// midnight 6 days before t's day, so the week is t's day and the 6 before.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return midnight(y, m, d-6, loc)
}

// count is how many of sent fall in [from, to).
func count(sent []time.Time, from, to time.Time) int {
	n := 0
	for _, s := range sent {
		if !s.Before(from) && s.Before(to) {
			n++
		}
	}
	return n
}

// midnight is the first instant of the local day y-m-d (d may overflow, as
// in time.Date).
func midnight(y int, m time.Month, d int, loc *time.Location) time.Time {
	return wallClock(y, m, d, 0, loc)
}

// wallClock is the first instant the clocks in loc show time of day tod on
// day y-m-d. It is built with time.Date, never by adding hours to midnight,
// so that it is right on the days clocks change. A time skipped when clocks
// go forward gives the instant they jump; a time shown twice when they go
// back gives the first of the two.
func wallClock(y int, m time.Month, d int, tod time.Duration, loc *time.Location) time.Time {
	h := int(tod / time.Hour)
	mi := int(tod % time.Hour / time.Minute)
	s := int(tod % time.Minute / time.Second)
	ns := int(tod % time.Second)
	t, exists := localTime(y, m, d, h, mi, s, ns, loc)
	if !exists {
		// In a gap: the zone changes where the clocks jump, at the end of
		// t's zone if t is before the gap, at its start if after.
		start, end := t.ZoneBounds()
		if wallUTC(t).Before(time.Date(y, m, d, h, mi, s, ns, time.UTC)) {
			return end
		}
		return start
	}
	return t
}

// localTime is time.Date in loc, and whether the wall clock it names exists
// there (it does not in the hour skipped when clocks go forward). Where the
// wall clock is shown twice, it is the first time.
func localTime(y int, m time.Month, d, h, mi, s, ns int, loc *time.Location) (time.Time, bool) {
	t := time.Date(y, m, d, h, mi, s, ns, loc)
	want := time.Date(y, m, d, h, mi, s, ns, time.UTC)
	if !sameWall(t, want) {
		return t, false
	}
	// time.Date does not promise which of two equal wall clocks it gives:
	// take the earlier if the zone before this one shows the same time.
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		if diff := offset(start.Add(-time.Nanosecond)) - offset(t); diff > 0 {
			if alt := t.Add(-diff); alt.Before(start) && sameWall(alt, want) {
				return alt, true
			}
		}
	}
	return t, true
}

// sameWall reports whether t, read in its own zone, shows the wall clock of
// want, read in UTC.
func sameWall(t, want time.Time) bool {
	return wallUTC(t).Equal(want)
}

// wallUTC is the wall clock t shows in its own zone, as a UTC time, so wall
// clocks can be compared.
func wallUTC(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// offset is t's zone offset east of UTC.
func offset(t time.Time) time.Duration {
	_, s := t.Zone()
	return time.Duration(s) * time.Second
}
