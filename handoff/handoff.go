// Package handoff tells case managers about their on-call shifts: at each
// handoff the person coming on call until when and the one going off what
// of theirs is still open, the weekly summary of each cohort's shifts, and
// WHO, and OFF and ON. The shifts themselves are package oncall's, who is
// off package availability's; handoff owns no keys.
package handoff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/leadline/leadline/availability"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Texts sends the on-call texts.
type Texts struct {
	prog   *program.Program
	oncall *oncall.Store
	refs   *referral.Store
	note   *notify.Notifier
	away   *availability.Store
	now    func() time.Time
}

// New returns the on-call texts of prog.
func New(prog *program.Program, oc *oncall.Store, refs *referral.Store, note *notify.Notifier, away *availability.Store,
	clock func() time.Time) *Texts {
	return &Texts{prog: prog, oncall: oc, refs: refs, note: note, away: away, now: clock}
}

// Handoff tells the person coming on call until when, and the one going
// off call what of theirs is still open.
func (h *Texts) Handoff(ctx context.Context, ho oncall.Handoff) error {
	cohort := h.prog.CohortName(ho.Cohort)
	if ho.Incoming != "" {
		h.note.Tell(ctx, ho.Incoming, "You are on call for "+cohort+h.note.Until(ho.Until)+".")
	}
	if ho.Outgoing == "" || ho.Outgoing == ho.Incoming {
		return nil
	}
	open, err := h.openFor(ctx, ho.Outgoing)
	if err != nil {
		return err
	}
	t := "Your " + cohort + " on-call shift has ended."
	if len(open) == 0 {
		t += " Nothing of yours is open."
	} else {
		t += " Still open: " + strings.Join(open, ", ") + "."
	}
	h.note.Tell(ctx, ho.Outgoing, t)
	return nil
}

// openLookback is how far back a person's open referrals are looked for.
const openLookback = 30 * 24 * time.Hour

// openFor lists the open referrals a person accepted: "R7K2 (on scene)".
func (h *Texts) openFor(ctx context.Context, id string) ([]string, error) {
	now := h.now()
	recs, err := h.refs.Records(ctx, now.Add(-openLookback), now.Add(time.Minute))
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

// WeeklySummary texts each cohort's members (rotation, backups,
// supervisors) the cohort's shifts for the week that starts on the Monday
// after at.
func (h *Texts) WeeklySummary(ctx context.Context, at time.Time) error {
	loc := h.prog.TimeZone
	l := at.In(loc)
	start := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	for start.Weekday() != time.Monday {
		start = start.AddDate(0, 0, 1)
	}
	for _, c := range h.prog.Cohorts {
		parts, err := h.week(ctx, c.ID, start)
		if err != nil {
			return err
		}
		text := fmt.Sprintf("%s on call, week of %s: %s.", c.Name, h.prog.Times.Day(start), strings.Join(parts, ", "))
		for _, p := range h.prog.People {
			if h.member(&p, &c) {
				h.note.Tell(ctx, p.ID, text)
			}
		}
	}
	return nil
}

// week is who is on call in cohort in the week from start.
func (h *Texts) week(ctx context.Context, cohort string, start time.Time) ([]string, error) {
	end := start.AddDate(0, 0, 7)
	shifts, err := h.oncall.Upcoming(ctx, cohort, start, 60)
	if err != nil {
		return nil, err
	}
	var parts []string
	for _, sh := range shifts {
		if !sh.From.Before(end) {
			break
		}
		name := "nobody"
		if sh.Person != "" {
			name = h.note.ShortName(sh.Person)
		}
		switch {
		case sh.To.IsZero() && !sh.From.After(start):
			parts = append(parts, name+" all week")
		case !sh.From.After(start):
			parts = append(parts, name+" until "+h.prog.Times.WeekdayTime(sh.To))
		default:
			parts = append(parts, name+" from "+h.prog.Times.WeekdayTime(sh.From))
		}
	}
	return parts, nil
}

// Who answers WHO: who is on call now in each cohort the asker belongs to,
// until when, and the asker's own next shift.
func (h *Texts) Who(ctx context.Context, p *program.Person) (string, error) {
	now := h.now()
	var lines []string
	var next oncall.Shift
	for _, c := range h.prog.Cohorts {
		if !h.member(p, &c) {
			continue
		}
		sh, err := h.oncall.At(ctx, c.ID, now)
		if err != nil && !errors.Is(err, oncall.ErrNobody) {
			return "", err
		}
		name := "nobody"
		if sh.Person == p.ID {
			name = "you"
		} else if sh.Person != "" {
			name = h.note.ShortName(sh.Person)
		}
		lines = append(lines, c.Name+": "+name+h.note.Until(sh.To))
		mine, ok, err := h.oncall.NextShiftOf(ctx, c.ID, p.ID, now)
		if err != nil {
			return "", err
		}
		if ok && (next.From.IsZero() || mine.From.Before(next.From)) {
			next = mine
		}
	}
	if len(lines) == 0 {
		return "You are in no cohort rotation.", nil
	}
	reply := notify.EndSentence("On call: " + strings.Join(lines, "; "))
	off, err := h.offIn(ctx, p)
	if err != nil {
		return "", err
	}
	if len(off) > 0 {
		reply += " Off: " + strings.Join(off, ", ") + "."
	}
	if !next.From.IsZero() {
		reply += " Your next shift: " + h.prog.CohortName(next.Cohort) + " from " + h.note.When(next.From) + "."
	}
	return reply, nil
}

// member reports whether p is in cohort c: its rotation, backups or
// supervisors.
func (h *Texts) member(p *program.Person, c *program.Cohort) bool {
	return slices.Contains(c.Rotation, p.ID) || slices.Contains(c.Backup, p.ID) ||
		slices.Contains(h.prog.Supervisors(c.ID), p.ID)
}
