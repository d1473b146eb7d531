package officer

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Fix moves the officer's referral, while it is still paging, to the
// location at the start of line (the rest is added to its notes). The
// people paged are told the new place; after an accept, the officer is told
// to cancel and refer again, since the case manager may be on the way.
func (d *Desk) Fix(ctx context.Context, o *program.Person, code, line string) (string, error) {
	r, reply, err := d.own(ctx, o, code)
	if r == nil {
		return reply, err
	}
	if r.State != referral.New && r.State != referral.Paging {
		return d.cannotMove(r), nil
	}
	cands, sp, err := d.resolver.ResolveLeading(ctx, line)
	if err != nil {
		return d.locationHelp(err), nil
	}
	c, ok := inCohort(cands, r.Cohort)
	if !ok {
		return d.otherCohort(r, cands[0]), nil
	}
	moved := *r
	moved.Location, moved.OutsideMetres = sp.Location, 0
	place(&moved, c)
	notes := joinNotes(r.Notes, sp.Notes)
	now := d.now()
	ch := referral.Change{From: []referral.State{referral.New, referral.Paging},
		Event: referral.At(now, referral.EvMoved, o.ID, ""),
		Set: []referral.Write{referral.Set(referral.FLocation, moved.Location), referral.Set(referral.FPlace, moved.Place),
			referral.Set(referral.FLat, moved.Lat), referral.Set(referral.FLon, moved.Lon),
			referral.Set(referral.FNearBoundary, boolField(moved.NearBoundary)), referral.Set(referral.FOutsideM, 0),
			referral.Set(referral.FNotes, notes)}}
	fresh, applied, err := d.refs.ApplyFresh(ctx, r.Code, ch)
	if err != nil {
		return "", err
	}
	if !applied {
		return d.cannotMove(fresh), nil // accepted, or cancelled, since it was read
	}
	for _, id := range escalation.StillPaged(fresh, "") {
		d.note.Tell(ctx, id, movedText(fresh))
	}
	return fmt.Sprintf("%s moved: now %s. Still paging.", r.Code, d.where(c)), nil
}

// inCohort is the candidate in cohort, or the only one if it is there.
func inCohort(cands []geo.Candidate, cohort string) (geo.Candidate, bool) {
	for _, c := range cands {
		if c.Cohort == cohort {
			return c, true
		}
	}
	return geo.Candidate{}, false
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// movedText tells a case manager paged for r where it is now.
func movedText(r *referral.Referral) string {
	at := r.Location
	if r.Place != "" && r.Place != r.Location {
		at = r.Place + " (" + r.Location + ")"
	}
	return fmt.Sprintf("LEAD %s moved by the officer. Now at: %s %s", r.Code, at, geo.MapLink(orb.Point{r.Lon, r.Lat}))
}

// cannotMove answers FIX for a referral past paging.
func (d *Desk) cannotMove(r *referral.Referral) string {
	if r.State == referral.Accepted || r.State == referral.OnScene {
		return fmt.Sprintf("%s is already accepted by %s, so it can't be moved. To send help elsewhere, CANCEL %s and refer again.",
			r.Code, d.note.ShortName(r.AcceptedBy), r.Code)
	}
	return d.status(r) + " It can't be moved."
}

// otherCohort answers FIX to a place another cohort's people cover, or
// none: the people paged are the wrong ones, so it is a new referral.
func (d *Desk) otherCohort(r *referral.Referral, c geo.Candidate) string {
	if c.Cohort == "" {
		return fmt.Sprintf("That place (%s) is outside every cohort area. %s was not moved.", d.where(c), r.Code)
	}
	return fmt.Sprintf("That place (%s) is in %s, not %s. %s was not moved: CANCEL %s and refer again.",
		d.where(c), d.prog.CohortName(c.Cohort), d.prog.CohortName(r.Cohort), r.Code, r.Code)
}
