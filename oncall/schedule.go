package oncall

import (
	"time"
)

// schedule is a rotation that hands over every `every` of wall-clock time
// from `first` (a wall-clock time in loc). Arithmetic is on the wall clock,
// then read in loc, so a 09:00 handoff stays 09:00 when the clocks change,
// and a day-long shift is 23 or 25 hours long on those days.
type schedule struct {
	rotation []string
	every    time.Duration // 0: the first member is on call for good
	first    time.Time     // wall clock, in UTC fields
	loc      *time.Location
}

// handoff is the instant of the k-th handoff; k may be negative. A wall
// clock time that the zone skips resolves as time.Date does: later by the gap.
func (s schedule) handoff(k int) time.Time {
	// In whole minutes, as Unix time: a time.Duration overflows past 292 years.
	w := time.Unix(s.first.Unix()+int64(k)*int64(s.every/time.Minute)*60, 0).UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, s.loc)
}

// shiftAt is the index k of the shift under way at t: handoff(k) <= t < handoff(k+1).
func (s schedule) shiftAt(t time.Time) int {
	l := t.In(s.loc)
	wall := time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	d, every := wall.Unix()-s.first.Unix(), int64(s.every/time.Second)
	k := int(d / every)
	if d < 0 && d%every != 0 {
		k--
	}
	// The wall clock is ambiguous for an hour a year; settle on instants.
	for s.handoff(k).After(t) {
		k--
	}
	for !s.handoff(k + 1).After(t) {
		k++
	}
	return k
}

// person is who holds shift k.
func (s schedule) person(k int) string {
	n := len(s.rotation)
	if n == 0 {
		return ""
	}
	return s.rotation[((k%n)+n)%n]
}
