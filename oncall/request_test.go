package oncall

import (
	"errors"
	"testing"
	"time"
)

// The override request as the admin API and the console's form send it:
// RFC 3339 or wall-clock times in the program's zone, "to" or "for".
func TestOverrideRequestPeriod(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 3, 13, 14, 0, 0, 0, time.UTC) // Sat 09:00 EST, the day before the change
	for _, tt := range []struct {
		name     string
		r        OverrideRequest
		from, to string // RFC 3339 in UTC; "" when refused
		err      string
	}{
		{"rfc 3339 and for", OverrideRequest{Cohort: "north", Person: "bnguyen", From: "2027-03-13T13:00:00-05:00", For: "4h"},
			"2027-03-13T18:00:00Z", "2027-03-13T22:00:00Z", ""},
		{"from now", OverrideRequest{Cohort: "north", Person: "bnguyen", To: "2027-03-13T12:00:00-05:00"},
			"2027-03-13T14:00:00Z", "2027-03-13T17:00:00Z", ""},
		{"wall clock across the change", OverrideRequest{Cohort: "north", Person: "bnguyen", From: "2027-03-13T18:00", To: "2027-03-14T08:00"},
			"2027-03-13T23:00:00Z", "2027-03-14T12:00:00Z", ""},
		{"no person", OverrideRequest{Cohort: "north", To: "2027-03-14T08:00"}, "", "", "cohort and person are required"},
		{"to and for", OverrideRequest{Cohort: "north", Person: "bnguyen", To: "2027-03-14T08:00", For: "1h"}, "", "", `give either "to" or "for"`},
		{"neither", OverrideRequest{Cohort: "north", Person: "bnguyen"}, "", "", `give either "to" or "for"`},
		{"bad from", OverrideRequest{Cohort: "north", Person: "bnguyen", From: "tonight", For: "1h"}, "", "",
			`from "tonight": want an RFC 3339 time like 2026-11-23T13:00:00-05:00`},
		{"bad to", OverrideRequest{Cohort: "north", Person: "bnguyen", To: "14/03 08:00"}, "", "",
			`to "14/03 08:00": want an RFC 3339 time like 2026-11-23T17:00:00-05:00`},
		{"bad for", OverrideRequest{Cohort: "north", Person: "bnguyen", For: "-2h"}, "", "", `for "-2h": want a duration like 4h or 90m`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := tt.r.period(now, ny)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err || !errors.Is(err, ErrInvalid) {
					t.Errorf("err %v; want ErrInvalid saying %q", err, tt.err)
				}
				return
			}
			if err != nil || from.UTC().Format(time.RFC3339) != tt.from || to.UTC().Format(time.RFC3339) != tt.to {
				t.Errorf("%v to %v, %v; want %s to %s", from.UTC(), to.UTC(), err, tt.from, tt.to)
			}
		})
	}
}
