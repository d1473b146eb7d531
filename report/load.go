package report

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Load is the rows of the referrals received in [from, to): what `leadline
// report` and the console's dashboard both show, so their files are the same.
// keys open the officer of a referral stored before agencies were.
func Load(ctx context.Context, rdb redis.UniversalClient, keys referral.Sealer, prog *program.Program, from, to time.Time) ([]Row, error) {
	refs, err := referral.ReportRecords(ctx, rdb, keys, from, to)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(refs))
	for _, r := range refs {
		rows = append(rows, FromReferral(prog, r))
	}
	return rows, nil
}

// FromReferral is what a funder may see of a referral: no location, notes,
// officer or phone number. The agency is the stored one, or for a referral
// stored before agencies were, its officer's while the config has them.
func FromReferral(prog *program.Program, r *referral.Referral) Row {
	row := Row{Code: r.Code, Type: string(r.Type), Cohort: prog.CohortName(r.Cohort), Agency: r.Agency,
		Received: r.Received, Accepted: r.AcceptedAt, Arrived: r.OnSceneAt, Closed: r.Ended(),
		Steps: r.Escalations, Outcome: outcomeOpen, Assigned: r.AssignedBy != "",
		ETA: r.ETAMinutes, ArriveBy: r.ArriveBy, Nudges: r.Nudges, CheckIns: r.CheckIns, SOSes: r.SOSes}
	switch r.State {
	case referral.Closed:
		row.Outcome = r.Outcome
	case referral.Cancelled, referral.Unanswered:
		row.Outcome = string(r.State)
	}
	if p, ok := prog.Person(r.AcceptedBy); ok {
		row.AcceptedBy = p.Name
	}
	if o, ok := prog.Person(r.Officer); ok && row.Agency == "" {
		row.Agency = o.Agency
	}
	row.FollowUpDue, row.FollowedUp = r.FollowUpDue(prog), r.FollowedAt
	return row
}
