package participant

import (
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestNextSlot(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	la := mustLoad(t, "America/Los_Angeles")
	at := func(loc *time.Location, y int, m time.Month, d, h, mi int) time.Time {
		return time.Date(y, m, d, h, mi, 0, 0, loc)
	}
	utc := func(y int, m time.Month, d, h, mi int) time.Time { return at(time.UTC, y, m, d, h, mi) }
	tests := []struct {
		name string
		now  time.Time
		loc  *time.Location
		sent []time.Time
		l    Limits
		want time.Time
	}{
		{"before the window: opens the same day",
			at(ny, 2026, 11, 23, 7, 0), ny, nil, Limits{}, at(ny, 2026, 11, 23, 8, 0)},
		{"inside the window: now",
			at(ny, 2026, 11, 23, 14, 0), ny, nil, Limits{}, at(ny, 2026, 11, 23, 14, 0)},
		{"the window opens at 08:00 sharp",
			at(ny, 2026, 11, 23, 8, 0), ny, nil, Limits{}, at(ny, 2026, 11, 23, 8, 0)},
		{"last minute of the window",
			at(ny, 2026, 11, 23, 20, 59), ny, nil, Limits{}, at(ny, 2026, 11, 23, 20, 59)},
		{"at 21:00 the window is closed: next day",
			at(ny, 2026, 11, 23, 21, 0), ny, nil, Limits{}, at(ny, 2026, 11, 24, 8, 0)},
		{"at 23:30: next day",
			at(ny, 2026, 11, 23, 23, 30), ny, nil, Limits{}, at(ny, 2026, 11, 24, 8, 0)},
		{"after midnight: the same calendar day",
			at(ny, 2026, 11, 24, 0, 30), ny, nil, Limits{}, at(ny, 2026, 11, 24, 8, 0)},
		{"sent today already: tomorrow",
			at(ny, 2026, 11, 23, 14, 0), ny, []time.Time{at(ny, 2026, 11, 23, 9, 0)}, Limits{},
			at(ny, 2026, 11, 24, 8, 0)},
		{"sent yesterday late: today is free",
			at(ny, 2026, 11, 23, 9, 0), ny, []time.Time{at(ny, 2026, 11, 22, 20, 59)}, Limits{},
			at(ny, 2026, 11, 23, 9, 0)},
		{"two a day allowed, one sent",
			at(ny, 2026, 11, 23, 14, 0), ny, []time.Time{at(ny, 2026, 11, 23, 9, 0)}, Limits{PerDay: 2},
			at(ny, 2026, 11, 23, 14, 0)},
		{"three in the last 6 days: the day the oldest falls out",
			at(ny, 2026, 11, 21, 10, 0), ny, // Sat; sent Mon, Wed, Fri
			[]time.Time{at(ny, 2026, 11, 20, 9, 0), at(ny, 2026, 11, 16, 9, 0), at(ny, 2026, 11, 18, 9, 0)},
			Limits{}, at(ny, 2026, 11, 23, 8, 0)}, // Mon: the week Tue..Mon holds 2
		{"three on the 6 days before: the 7th day is still in the week",
			at(ny, 2026, 11, 22, 10, 0), ny, // Sun; sent Mon, Tue, Wed
			[]time.Time{at(ny, 2026, 11, 16, 9, 0), at(ny, 2026, 11, 17, 9, 0), at(ny, 2026, 11, 18, 9, 0)},
			Limits{}, at(ny, 2026, 11, 23, 8, 0)},
		{"a weekly cap of 5",
			at(ny, 2026, 11, 21, 10, 0), ny,
			[]time.Time{at(ny, 2026, 11, 16, 9, 0), at(ny, 2026, 11, 17, 9, 0), at(ny, 2026, 11, 18, 9, 0)},
			Limits{PerWeek: 5}, at(ny, 2026, 11, 21, 10, 0)},
		{"a custom window",
			at(ny, 2026, 11, 23, 6, 0), ny, nil, Limits{From: 9*time.Hour + 30*time.Minute, To: 17 * time.Hour},
			at(ny, 2026, 11, 23, 9, 30)},
		{"an empty window is the default one",
			at(ny, 2026, 11, 23, 6, 0), ny, nil, Limits{From: 17 * time.Hour, To: 9 * time.Hour},
			at(ny, 2026, 11, 23, 8, 0)},
		{"fall back: due Sat 22:00 EDT goes Sun 08:00 EST",
			at(ny, 2026, 10, 31, 22, 0), ny, nil, Limits{}, utc(2026, 11, 1, 13, 0)},
		{"fall back: 07:30 EST on the day is before the window",
			utc(2026, 11, 1, 12, 30), ny, nil, Limits{}, utc(2026, 11, 1, 13, 0)},
		{"fall back: a send at 00:30 EDT counts on Sunday",
			utc(2026, 11, 1, 13, 0), ny, []time.Time{utc(2026, 11, 1, 4, 30)}, Limits{},
			utc(2026, 11, 2, 13, 0)},
		{"fall back: a send at 23:30 EDT Saturday does not",
			utc(2026, 11, 1, 13, 0), ny, []time.Time{utc(2026, 11, 1, 3, 30)}, Limits{},
			utc(2026, 11, 1, 13, 0)},
		{"spring forward: due Sat 22:00 EST goes Sun 08:00 EDT",
			at(ny, 2026, 3, 7, 22, 0), ny, nil, Limits{}, utc(2026, 3, 8, 12, 0)},
		{"spring forward: 03:30 EDT on the day is before the window",
			utc(2026, 3, 8, 7, 30), ny, nil, Limits{}, utc(2026, 3, 8, 12, 0)},
		{"spring forward: a window opening in the skipped hour opens at the jump",
			utc(2026, 3, 8, 5, 0), ny, nil, Limits{From: 2*time.Hour + 30*time.Minute, To: 21 * time.Hour},
			utc(2026, 3, 8, 7, 0)},
		{"spring forward: the window closes at 21:00 EDT",
			utc(2026, 3, 9, 1, 0), ny, nil, Limits{}, utc(2026, 3, 9, 12, 0)},
		{"Los Angeles: 05:00 PST waits for 08:00 PST",
			utc(2026, 11, 23, 13, 0), la, nil, Limits{}, utc(2026, 11, 23, 16, 0)},
		{"Los Angeles: 21:00 EST is 18:00 PST, still open",
			utc(2026, 11, 24, 2, 0), la, nil, Limits{}, utc(2026, 11, 24, 2, 0)},
		{"Los Angeles: a send at 23:00 EST counted on the Pacific day",
			utc(2026, 11, 24, 17, 0), la, []time.Time{utc(2026, 11, 24, 4, 0)}, Limits{}, // sent 20:00 PST on the 23rd
			utc(2026, 11, 24, 17, 0)},
	}
	for _, tt := range tests {
		got := NextSlot(tt.now, tt.loc, tt.sent, tt.l)
		if !got.Equal(tt.want) {
			t.Errorf("%s: NextSlot = %v, want %v", tt.name, got, tt.want.In(tt.loc))
		}
		if got.Location() != tt.loc {
			t.Errorf("%s: NextSlot in %v, want %v", tt.name, got.Location(), tt.loc)
		}
	}
}

func TestDayAndWeekStart(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	santiago := mustLoad(t, "America/Santiago")
	utc := func(y int, m time.Month, d, h, mi int) time.Time { return time.Date(y, m, d, h, mi, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		t         time.Time
		loc       *time.Location
		day, week time.Time
	}{
		{"a plain day", time.Date(2026, 11, 25, 14, 30, 0, 0, ny), ny,
			utc(2026, 11, 25, 5, 0), utc(2026, 11, 19, 5, 0)},
		{"the evening is still the local day", utc(2026, 11, 26, 3, 0), ny, // 22:00 EST on the 25th
			utc(2026, 11, 25, 5, 0), utc(2026, 11, 19, 5, 0)},
		{"the week reaches back over fall back", utc(2026, 11, 5, 15, 0), ny,
			utc(2026, 11, 5, 5, 0), utc(2026, 10, 30, 4, 0)},
		{"the day after spring forward", utc(2026, 3, 9, 15, 0), ny,
			utc(2026, 3, 9, 4, 0), utc(2026, 3, 3, 5, 0)},
		{"a day whose midnight is skipped starts at the jump", utc(2026, 9, 6, 15, 0), santiago,
			utc(2026, 9, 6, 4, 0), utc(2026, 8, 31, 4, 0)},
	}
	for _, tt := range tests {
		if got := DayStart(tt.t, tt.loc); !got.Equal(tt.day) {
			t.Errorf("%s: DayStart = %v, want %v", tt.name, got, tt.day)
		}
		if got := WeekStart(tt.t, tt.loc); !got.Equal(tt.week) {
			t.Errorf("%s: WeekStart = %v, want %v", tt.name, got, tt.week)
		}
	}
}

// TestNextSlotRespectsCaps checks NextSlot's answer against the caps it
// promises, over many sending histories: a slot is in the window, under
// both caps, and no earlier slot was.
func TestNextSlotRespectsCaps(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	start := time.Date(2026, 10, 25, 6, 0, 0, 0, ny)
	var sent []time.Time
	now := start
	for range 40 {
		got := NextSlot(now, ny, sent, Limits{})
		local := got.In(ny)
		if got.Before(now) || local.Hour() < 8 || local.Hour() >= 21 {
			t.Fatalf("NextSlot(%v) = %v: outside the window", now, local)
		}
		if n := count(sent, DayStart(got, ny), got.Add(time.Nanosecond)); n >= 1 {
			t.Fatalf("NextSlot(%v) = %v: %d already sent that day", now, local, n)
		}
		if n := count(sent, WeekStart(got, ny), got.Add(time.Nanosecond)); n >= 3 {
			t.Fatalf("NextSlot(%v) = %v: %d already sent that week", now, local, n)
		}
		sent = append(sent, got)
		now = got.Add(5 * time.Hour)
	}
	// 40 sends at 3 a week take at least 13 weeks.
	if last := sent[len(sent)-1]; last.Sub(start) < 13*7*24*time.Hour-2*time.Hour {
		t.Errorf("40 sends done by %v", last)
	}
}
