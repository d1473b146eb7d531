package participant

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/timetext"
)

func TestParseWhen(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, ny) // Mon
	at := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, ny) }
	utc := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, time.UTC) }
	ok := func(t time.Time) func(time.Time, error) string {
		return func(got time.Time, err error) string {
			if err != nil || !got.Equal(t) {
				return "want " + t.String()
			}
			return ""
		}
	}
	is := func(target error) func(time.Time, error) string {
		return func(_ time.Time, err error) string {
			if !errors.Is(err, target) {
				return "want " + target.Error()
			}
			return ""
		}
	}
	ambiguous := func(clock string, am, pm time.Time) func(time.Time, error) string {
		return func(_ time.Time, err error) string {
			var a *Ambiguous
			if !errors.As(err, &a) || a.Clock != clock || len(a.Options) != 2 ||
				!a.Options[0].Equal(am) || !a.Options[1].Equal(pm) {
				return "want *Ambiguous " + clock + " " + am.String() + " or " + pm.String()
			}
			return ""
		}
	}
	// usage is an error that is neither ErrPast, ErrTooFar nor *Ambiguous,
	// holding want.
	usage := func(want string) func(time.Time, error) string {
		return func(_ time.Time, err error) string {
			var a *Ambiguous
			if err == nil || errors.Is(err, ErrPast) || errors.Is(err, ErrTooFar) || errors.As(err, &a) ||
				!strings.Contains(err.Error(), want) {
				return "want a usage error holding " + want
			}
			return ""
		}
	}
	tests := []struct {
		in    string
		check func(time.Time, error) string
	}{
		// numeric dates
		{"11/25 2:30pm", ok(at(2026, 11, 25, 14, 30))},
		{"11/25 2:30 pm", ok(at(2026, 11, 25, 14, 30))},
		{"11/25 2:30 PM", ok(at(2026, 11, 25, 14, 30))},
		{"11/25 2:30 p.m.", ok(at(2026, 11, 25, 14, 30))},
		{"11/25/26 14:30", ok(at(2026, 11, 25, 14, 30))},
		{"11/25/2026 2pm", ok(at(2026, 11, 25, 14, 0))},
		{"11-25 2:30p", ok(at(2026, 11, 25, 14, 30))},
		{"11/25, 9:15a", ok(at(2026, 11, 25, 9, 15))},
		{"12/1 10am", ok(at(2026, 12, 1, 10, 0))},
		{"2026-11-25 14:30", ok(at(2026, 11, 25, 14, 30))},
		{"1/5 9am", ok(at(2027, 1, 5, 9, 0))},
		// month names
		{"Nov 25 2:30pm", ok(at(2026, 11, 25, 14, 30))},
		{"nov. 25 2:30pm", ok(at(2026, 11, 25, 14, 30))},
		{"25 Nov 2:30 PM", ok(at(2026, 11, 25, 14, 30))},
		{"november 25 at 2:30pm", ok(at(2026, 11, 25, 14, 30))},
		{"November 25th @ 2:30pm", ok(at(2026, 11, 25, 14, 30))},
		{"Dec 3 2026 10am", ok(at(2026, 12, 3, 10, 0))},
		{"sept 1 9am", ok(at(2027, 9, 1, 9, 0))},
		// relative days and weekdays
		{"tomorrow 10am", ok(at(2026, 11, 24, 10, 0))},
		{"Tomorrow at 10 am", ok(at(2026, 11, 24, 10, 0))},
		{"tmrw 9am", ok(at(2026, 11, 24, 9, 0))},
		{"today 3:15pm", ok(at(2026, 11, 23, 15, 15))},
		{"wed 10am", ok(at(2026, 11, 25, 10, 0))},
		{"wednesday 10:30am", ok(at(2026, 11, 25, 10, 30))},
		{"Mon 9am", ok(at(2026, 11, 30, 9, 0))}, // a bare weekday is never today
		{"sun 11am", ok(at(2026, 11, 29, 11, 0))},
		{"wed 11/25 2pm", ok(at(2026, 11, 25, 14, 0))},
		{"thu 11/25 2pm", usage("is a Wed, not a Thu")},
		// time first, time alone
		{"2:30pm 11/25", ok(at(2026, 11, 25, 14, 30))},
		{"10am tomorrow", ok(at(2026, 11, 24, 10, 0))},
		{"14:30", ok(at(2026, 11, 23, 14, 30))},
		{"5pm", ok(at(2026, 11, 23, 17, 0))},
		{"2pm", is(ErrPast)}, // now is 14:00: not still ahead
		{"9am", is(ErrPast)},
		{"today 9am", is(ErrPast)},
		// 12, noon, midnight, 24-hour
		{"11/25 12pm", ok(at(2026, 11, 25, 12, 0))},
		{"11/25 12am", ok(at(2026, 11, 25, 0, 0))},
		{"11/25 12:30am", ok(at(2026, 11, 25, 0, 30))},
		{"11/25 12:30", ok(at(2026, 11, 25, 12, 30))}, // 12 without am/pm is noon
		{"11/25 noon", ok(at(2026, 11, 25, 12, 0))},
		{"11/25 12 noon", ok(at(2026, 11, 25, 12, 0))},
		{"11/25 08:30", ok(at(2026, 11, 25, 8, 30))},
		{"11/25 0:15", ok(at(2026, 11, 25, 0, 15))},
		{"11/25 20:00", ok(at(2026, 11, 25, 20, 0))},
		{"11/25 08:30pm", ok(at(2026, 11, 25, 20, 30))},
		// ambiguous
		{"11/25 2:30", ambiguous("2:30", at(2026, 11, 25, 2, 30), at(2026, 11, 25, 14, 30))},
		{"11/25 at 2", ambiguous("2", at(2026, 11, 25, 2, 0), at(2026, 11, 25, 14, 0))},
		{"tomorrow 10:00", ambiguous("10:00", at(2026, 11, 24, 10, 0), at(2026, 11, 24, 22, 0))},
		{"2:30", ambiguous("2:30", at(2026, 11, 23, 2, 30), at(2026, 11, 23, 14, 30))},
		{"today 1:30", is(ErrPast)}, // both readings gone
		// past and too far
		{"11/20 10am", ok(at(2027, 11, 20, 10, 0))}, // gone this year: next year, within a year
		{"11/23 9am", is(ErrPast)},                  // today, but gone
		{"11/23 3pm", ok(at(2026, 11, 23, 15, 0))},
		{"11/23/26 9am", is(ErrPast)},
		{"11/25/25 2pm", is(ErrPast)},
		{"11/24/2027 9am", is(ErrTooFar)},
		{"11/23/2027 2pm", ok(at(2027, 11, 23, 14, 0))}, // exactly a year
		{"11/23/2027 2:01pm", is(ErrTooFar)},
		{"1/1/2029 9am", is(ErrTooFar)},
		// leap day
		{"2/29 10am", usage("Feb 29 2027 is not a date")},
		{"2/29/27 10am", usage("is not a date")},
		{"2/29/28 10am", is(ErrTooFar)}, // a real date, 15 months away
		// impossible or unreadable
		{"2/30 10am", usage("Feb 30 2027 is not a date")},
		{"13/1 10am", usage("13/1 is not a date")},
		{"11/25 25:00", usage("25:00 is not a time")},
		{"11/25 2:75pm", usage("is not a time")},
		{"11/25 13pm", usage("is not a time")},
		{"11/25", usage("Add a time")},
		{"tomorrow", usage("Add a time")},
		{"", usage("11/25 2:30pm")},
		{"next week sometime", usage(`Could not read "next"`)},
		{"11/25 11/26 2pm", usage("one date and one time")},
		{"11/25 2pm 3pm", usage("one date and one time")},
		// clocks changing (America/New_York 2027-03-14 and 2027-11-07)
		{"3/14 2:30am", usage("skipped on Sun 14 Mar")},
		{"3/14 3:30am", ok(utc(2027, 3, 14, 7, 30))},
		{"3/14 10am", ok(utc(2027, 3, 14, 14, 0))},
		{"3/13 10am", ok(utc(2027, 3, 13, 15, 0))},
		{"11/7/27 1:30am", ok(utc(2027, 11, 7, 5, 30))}, // the first 1:30, EDT
		{"11/7/27 10am", ok(utc(2027, 11, 7, 15, 0))},
	}
	for _, tt := range tests {
		got, err := ParseWhen(tt.in, now, timetext.Style{Zone: ny})
		if msg := tt.check(got, err); msg != "" {
			t.Errorf("ParseWhen(%q) = %v, %v; %s", tt.in, got, err, msg)
		}
		if err != nil && len(err.Error()) > 100 {
			t.Errorf("ParseWhen(%q): error is %d characters: %q", tt.in, len(err.Error()), err)
		}
	}
}

func TestParseWhenLeapYear(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2027, 6, 1, 9, 0, 0, 0, ny)
	got, err := ParseWhen("2/29/28 10am", now, timetext.Style{Zone: ny})
	if want := time.Date(2028, 2, 29, 10, 0, 0, 0, ny); err != nil || !got.Equal(want) {
		t.Errorf("ParseWhen(2/29/28) = %v, %v; want %v", got, err, want)
	}
	got, err = ParseWhen("2/29 10am", now, timetext.Style{Zone: ny})
	if want := time.Date(2028, 2, 29, 10, 0, 0, 0, ny); err != nil || !got.Equal(want) {
		t.Errorf("ParseWhen(2/29) = %v, %v; want %v", got, err, want)
	}
}

func TestWhenErrorText(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, ny)
	tests := []struct{ in, want string }{
		{"11/25 2:30", "2:30 AM or PM? Send it again with am or pm."},
		{"2pm", "2:00 PM today has passed. Add a date, like 11/24 2:00pm."},
		{"11/23 9am", "Mon 23 Nov, 9:00 AM has passed. Send a later date and time."},
		{"1/1/2029 9am", "Mon 1 Jan 2029, 9:00 AM is more than a year away. Send a date within a year."},
		{"25:00", "25:00 is not a time. Send the date and time like 11/25 2:30pm."},
	}
	for _, tt := range tests {
		if _, err := ParseWhen(tt.in, now, timetext.Style{Zone: ny}); err == nil || err.Error() != tt.want {
			t.Errorf("ParseWhen(%q) error %q, want %q", tt.in, err, tt.want)
		}
	}
}
