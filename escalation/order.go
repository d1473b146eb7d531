package escalation

import (
	"context"
	"slices"
	"time"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Absences says which of ids are off (OFF) and until when.
// availability.Store is one.
type Absences interface {
	Away(ctx context.Context, ids []string) (map[string]time.Time, error)
}

// lineup is a cohort's people in the order its chain pages them for one
// referral, read once per decision: the rotation (whoever is on call
// first, then in rotation order), the backups and the supervisors, without
// anyone who is off, and with anyone to be paged last (a referral in
// progress, or a caseload at its target for an arrest diversion) after
// the others of their group.
//
// It is the one paging order: the text chain takes its steps from it
// (lineup.step), and the voice line's <Dial> follows it (Order).
type lineup struct {
	rotation, backup, supervisors []string
	off                           map[string]time.Time
}

// lineup reads r's cohort's lineup now.
func (ch *Chain) lineup(ctx context.Context, r *referral.Referral) (lineup, error) {
	cohort, ok := ch.Program.Cohort(r.Cohort)
	if !ok {
		return lineup{}, nil
	}
	rot, err := ch.OnCall.Rotation(ctx, r.Cohort)
	if err != nil {
		return lineup{}, err
	}
	l := lineup{rotation: rot, backup: ch.Program.Backups(r.Cohort), supervisors: ch.Program.Supervisors(r.Cohort)}
	everyone := slices.Concat(l.rotation, l.backup, l.supervisors)
	if ch.Away != nil {
		if l.off, err = ch.Away.Away(ctx, everyone); err != nil {
			return lineup{}, err
		}
	}
	last, err := ch.pagedLast(ctx, r, cohort, slices.Concat(l.rotation, l.backup))
	if err != nil {
		return lineup{}, err
	}
	order := func(ids []string) []string {
		var first, later []string
		for _, id := range ids {
			switch _, off := l.off[id]; {
			case off:
			case last[id]:
				later = append(later, id)
			default:
				first = append(first, id)
			}
		}
		return append(first, later...)
	}
	l.rotation, l.backup, l.supervisors = order(l.rotation), order(l.backup), order(l.supervisors)
	return l, nil
}

// pagedLast is who of ids the cohort pages after the others for r: anyone
// with another referral in progress (accepted, not DONE), unless the
// cohort's busy is in_turn, and for an arrest diversion, which adds an
// intake, anyone whose caseload is at the program's target.
func (ch *Chain) pagedLast(ctx context.Context, r *referral.Referral, cohort *program.Cohort, ids []string) (map[string]bool, error) {
	last := map[string]bool{}
	if cohort.Busy != program.BusyInTurn {
		open, err := ch.Referrals.Open(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range open {
			if o.Code != r.Code && o.AcceptedBy != "" && (o.State == referral.Accepted || o.State == referral.OnScene) {
				last[o.AcceptedBy] = true
			}
		}
	}
	if r.Type == referral.Arrest && ch.Program.CaseloadTarget > 0 && ch.FollowUps != nil {
		for _, id := range ids {
			if last[id] {
				continue
			}
			n, err := ch.FollowUps.Caseload(ctx, id)
			if err != nil {
				return nil, err
			}
			last[id] = n >= ch.Program.CaseloadTarget
		}
	}
	return last, nil
}

// step is whom step st pages, given whom the step before paged (prev) and
// everyone paged so far: on_call the first of the rotation, next the first
// of it not yet paged, backup and supervisors all of theirs; never anyone
// off, even one the step before paged.
func (l lineup) step(st program.Step, prev, paged []string) []string {
	switch st.To {
	case program.OnCall:
		if len(l.rotation) > 0 {
			return l.rotation[:1]
		}
	case program.Same:
		return slices.DeleteFunc(slices.Clone(prev), func(id string) bool { _, off := l.off[id]; return off })
	case program.Next:
		for _, id := range l.rotation {
			if !slices.Contains(paged, id) {
				return []string{id}
			}
		}
	case program.Backup:
		return l.backup
	case program.Supervisors:
		return l.supervisors
	}
	return nil
}

// targets is whom step st pages for r: never anyone who declined, or whom
// st's channel cannot reach.
func (ch *Chain) targets(r *referral.Referral, l lineup, st program.Step, prev []string) []string {
	var out []string
	for _, id := range l.step(st, prev, r.PagedList) {
		if _, known := ch.Program.Person(id); !known {
			ch.Log.Error("escalation names an unknown person", "cohort", r.Cohort, "person", id)
			continue
		}
		if !slices.Contains(r.Declined, id) && r.Reached(id, string(st.By)) {
			out = append(out, id)
		}
	}
	return out
}

// Order is whom the cohort's chain would page for r, in order, by channel
// by: the people of each of its steps (a "same" step adds nobody), each
// once, never someone who declined, is off, or whom by cannot reach. Text
// paging takes them step by step; the voice line dials them one after
// another.
func (ch *Chain) Order(ctx context.Context, r *referral.Referral, by program.Channel) ([]string, error) {
	cohort, ok := ch.Program.Cohort(r.Cohort)
	if !ok {
		return nil, nil
	}
	l, err := ch.lineup(ctx, r)
	if err != nil {
		return nil, err
	}
	var q []string
	for _, st := range cohort.Escalation.Steps {
		// Each step as if the ones before it had paged their people.
		for _, id := range l.step(st, nil, slices.Concat(r.PagedList, q)) {
			if _, known := ch.Program.Person(id); known && !slices.Contains(q, id) &&
				!slices.Contains(r.Declined, id) && r.Reached(id, string(by)) {
				q = append(q, id)
			}
		}
	}
	return q, nil
}
