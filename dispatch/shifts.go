package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/leadline/leadline/oncall"
)

// Handoff tells the person coming on call until when, and the one going
// off call what of theirs is still open.
func (s *Service) Handoff(ctx context.Context, h oncall.Handoff) error {
	cohort := s.prog.CohortName(h.Cohort)
	if h.Incoming != "" {
		s.tell(ctx, h.Incoming, "You are on call for "+cohort+s.until(h.Until)+".")
	}
	if h.Outgoing == "" || h.Outgoing == h.Incoming {
		return nil
	}
	open, err := s.openFor(ctx, h.Outgoing)
	if err != nil {
		return err
	}
	t := "Your " + cohort + " on-call shift has ended."
	if len(open) == 0 {
		t += " Nothing of yours is open."
	} else {
		t += " Still open: " + strings.Join(open, ", ") + "."
	}
	s.tell(ctx, h.Outgoing, t)
	return nil
}

// openLookback is how far back a person's open referrals are looked for.
const openLookback = 30 * 24 * time.Hour

// openFor lists the open referrals a person accepted: "R7K2 (on scene)".
func (s *Service) openFor(ctx context.Context, id string) ([]string, error) {
	now := s.now()
	recs, err := Records(ctx, s.rdb, now.Add(-openLookback), now.Add(time.Minute))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		if r.AcceptedBy == id && r.Open() {
			out = append(out, r.Code+" ("+strings.ReplaceAll(string(r.State), "_", " ")+")")
		}
	}
	return out, nil
}

// until is " until Tue 09:00", or " until further notice" for a shift
// with no end.
func (s *Service) until(t time.Time) string {
	if t.IsZero() {
		return " until further notice"
	}
	return " until " + s.when(t)
}

// when is a time people read at a glance: "Tue 09:00" within the week,
// "Tue 8 Dec 09:00" further out, in the program's zone.
func (s *Service) when(t time.Time) string {
	l := t.In(s.prog.TimeZone)
	if l.Sub(s.now()) < 6*24*time.Hour {
		return l.Format("Mon 15:04")
	}
	return l.Format("Mon 2 Jan 15:04")
}

// WeeklySummary texts each cohort's members (rotation, backups,
// supervisors) the cohort's shifts for the week that starts on the Monday
// after at.
func (s *Service) WeeklySummary(ctx context.Context, at time.Time) error {
	l := at.In(s.prog.TimeZone)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, s.prog.TimeZone).AddDate(0, 0, 1)
	for start.Weekday() != time.Monday {
		start = start.AddDate(0, 0, 1)
	}
	end := start.AddDate(0, 0, 7)
	for _, c := range s.prog.Cohorts {
		shifts, err := s.oncall.Upcoming(ctx, c.ID, start, 60)
		if err != nil {
			return err
		}
		var parts []string
		for _, sh := range shifts {
			if !sh.From.Before(end) {
				break
			}
			name := "nobody"
			if sh.Person != "" {
				name = s.shortName(sh.Person)
			}
			switch {
			case sh.To.IsZero() && !sh.From.After(start):
				parts = append(parts, name+" all week")
			case !sh.From.After(start):
				parts = append(parts, name+" until "+sh.To.In(s.prog.TimeZone).Format("Mon 15:04"))
			default:
				parts = append(parts, name+" from "+sh.From.In(s.prog.TimeZone).Format("Mon 15:04"))
			}
		}
		text := fmt.Sprintf("%s on call, week of %s: %s.", c.Name, start.Format("Mon 2 Jan"), strings.Join(parts, ", "))
		for _, p := range s.prog.People {
			if s.member(&p, &c) {
				s.tell(ctx, p.ID, text)
			}
		}
	}
	return nil
}
