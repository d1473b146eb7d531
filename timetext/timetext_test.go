package timetext

import (
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDateTime(t *testing.T) {
	ny, akl, ber := zone(t, "America/New_York"), zone(t, "Pacific/Auckland"), zone(t, "Europe/Berlin")
	us := Style{Zone: ny, Clock: Hour12}
	tests := []struct {
		name  string
		style Style
		at    time.Time
		want  string
	}{
		{"the program's own example", us, time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC), "Fri 4 Dec, 10:00 AM"},
		{"midnight is 12 AM", us, time.Date(2026, 12, 4, 0, 0, 0, 0, ny), "Fri 4 Dec, 12:00 AM"},
		{"noon is 12 PM", us, time.Date(2026, 12, 4, 12, 0, 0, 0, ny), "Fri 4 Dec, 12:00 PM"},
		{"a minute past noon", us, time.Date(2026, 12, 4, 12, 1, 0, 0, ny), "Fri 4 Dec, 12:01 PM"},
		{"the date is the zone's, not UTC's", us, time.Date(2026, 12, 5, 3, 30, 0, 0, time.UTC), "Fri 4 Dec, 10:30 PM"},
		{"before spring forward (EST)", us, time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC), "Sun 8 Mar, 1:59 AM"},
		{"after spring forward (EDT)", us, time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), "Sun 8 Mar, 3:00 AM"},
		{"first 1:30 on fall back (EDT)", us, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), "Sun 1 Nov, 1:30 AM"},
		{"second 1:30 on fall back (EST)", us, time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC), "Sun 1 Nov, 1:30 AM"},
		{"24-hour clock", Style{Zone: ber, Clock: Hour24}, time.Date(2026, 12, 4, 9, 5, 0, 0, time.UTC), "Fri 4 Dec, 10:05"},
		{"24-hour midnight", Style{Zone: ber, Clock: Hour24}, time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC), "Fri 4 Dec, 00:00"},
		{"southern summer time", Style{Zone: akl, Clock: Hour24}, time.Date(2026, 12, 31, 11, 0, 0, 0, time.UTC), "Fri 1 Jan, 00:00"},
		{"Spanish names", us.InSpanish(true), time.Date(2026, 11, 25, 19, 30, 0, 0, time.UTC), "mié 25 nov, 2:30 PM"},
		{"Spanish Saturday without its accent", us.InSpanish(true), time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC), "sab 28 nov, 10:00 AM"},
		{"no zone keeps the instant's", Style{}, time.Date(2026, 12, 4, 10, 0, 0, 0, akl), "Fri 4 Dec, 10:00 AM"},
		{"In moves the zone", us.In(akl), time.Date(2026, 12, 4, 10, 0, 0, 0, akl), "Fri 4 Dec, 10:00 AM"},
		{"In(nil) keeps the zone", us.In(nil), time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC), "Fri 4 Dec, 10:00 AM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.style.DateTime(tt.at); got != tt.want {
				t.Errorf("DateTime(%v) = %q, want %q", tt.at, got, tt.want)
			}
		})
	}
}

func TestParts(t *testing.T) {
	ny := zone(t, "America/New_York")
	at := time.Date(2026, 12, 4, 14, 30, 0, 0, ny)
	us, eu := Style{Zone: ny, Clock: Hour12}, Style{Zone: ny, Clock: Hour24}
	for _, tt := range []struct{ got, want string }{
		{us.Time(at), "2:30 PM"},
		{eu.Time(at), "14:30"},
		{us.Day(at), "Fri 4 Dec"},
		{us.DayInYear(at), "Fri 4 Dec 2026"},
		{us.DateTimeInYear(at), "Fri 4 Dec 2026, 2:30 PM"},
		{us.WeekdayTime(at), "Fri 2:30 PM"},
		{eu.WeekdayTime(at), "Fri 14:30"},
		{us.HourMinute(0, 5), "12:05 AM"},
		{us.HourMinute(23, 59), "11:59 PM"},
		{eu.HourMinute(7, 0), "07:00"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestClockFor(t *testing.T) {
	for region, want := range map[string]Clock{"US": Hour12, "us": Hour12, "CA": Hour12, "GB": Hour24, "DE": Hour24, "MX": Hour24, "": Hour24} {
		if got := ClockFor(region); got != want {
			t.Errorf("ClockFor(%q) = %s, want %s", region, got, want)
		}
	}
}
