package oncall

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrInvalid marks an override refused for what it asks: an unknown
// cohort or person, an officer, a time that does not parse, an empty or
// past period, one too far off. Its message says what to change; the
// admin API answers it with 400 and the console shows it on the form.
var ErrInvalid = errors.New("invalid override")

// invalid is a refusal that errors.Is(err, ErrInvalid) recognises,
// keeping its own message.
type invalid string

func (e invalid) Error() string        { return string(e) }
func (e invalid) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, a ...any) error { return invalid(fmt.Sprintf(format, a...)) }

// OverrideRequest is an override as someone asks for it, through the admin
// API (JSON) or the console's calendar (a form): To or For (a Go duration
// such as "4h"), not both; From defaults to now. Times are RFC 3339, or a
// wall-clock time "2026-11-23T18:00" (what a browser's date-time field
// sends), read in the program's zone.
type OverrideRequest struct {
	Cohort string `json:"cohort"`
	Person string `json:"person"`
	From   string `json:"from"`
	To     string `json:"to"`
	For    string `json:"for"`
}

// Request checks r and adds its override (AddOverride), with the same
// refusals: ErrInvalid, ErrOverlap naming the override it overlaps.
func (s *Store) Request(ctx context.Context, r OverrideRequest) (Shift, error) {
	from, to, err := r.period(s.now(), s.prog.TimeZone)
	if err != nil {
		return Shift{}, err
	}
	return s.AddOverride(ctx, r.Cohort, r.Person, from, to)
}

// period is the override's start and end, from now unless it says.
func (r OverrideRequest) period(now time.Time, zone *time.Location) (from, to time.Time, err error) {
	if r.Cohort == "" || r.Person == "" {
		return from, to, invalid("cohort and person are required")
	}
	from = now
	if r.From != "" {
		var ok bool
		if from, ok = parseTime(r.From, zone); !ok {
			return from, to, invalidf("from %q: want an RFC 3339 time like 2026-11-23T13:00:00-05:00", r.From)
		}
	}
	switch {
	case (r.To == "") == (r.For == ""):
		return from, to, invalid(`give either "to" or "for"`)
	case r.To != "":
		var ok bool
		if to, ok = parseTime(r.To, zone); !ok {
			return from, to, invalidf("to %q: want an RFC 3339 time like 2026-11-23T17:00:00-05:00", r.To)
		}
	default:
		d, err := time.ParseDuration(r.For)
		if err != nil || d <= 0 {
			return from, to, invalidf("for %q: want a duration like 4h or 90m", r.For)
		}
		to = from.Add(d)
	}
	return from, to, nil
}

// parseTime reads RFC 3339, or a wall-clock time in zone. A wall-clock
// time that a DST change skips is read as time.Date reads it (an hour on).
func parseTime(v string, zone *time.Location) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	t, err := time.ParseInLocation(wallFormat, v, zone)
	return t, err == nil
}
