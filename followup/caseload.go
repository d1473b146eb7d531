package followup

import (
	"context"
	"fmt"

	"github.com/leadline/leadline/referral"
)

// Caseload is how many participants case manager id carries in Leadline:
// the referrals they accepted or were assigned whose intake or first
// follow-up they still owe (not refused, gone or cancelled, and not yet
// recorded with INTAKE or FOLLOWED). Once it is recorded the participant's
// case goes on in the program's own case files, which Leadline does not
// see. The paging order reads it (caseload.target), and so can any page
// that shows it.
func (p *Plans) Caseload(ctx context.Context, id string) (int, error) {
	rs, err := p.Owed(ctx, id)
	return len(rs), err
}

// Owed are the referrals Caseload counts for case manager id, earliest
// due first: the console's caseload page lists them.
func (p *Plans) Owed(ctx context.Context, id string) ([]*referral.Referral, error) {
	codes, err := p.rdb.ZRange(ctx, openKey(id), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("caseload of %s: %w", id, err)
	}
	rs, err := p.refs.LoadMany(ctx, codes)
	if err != nil {
		return nil, fmt.Errorf("caseload of %s: %w", id, err)
	}
	var out []*referral.Referral
	for _, r := range rs {
		if r != nil && r.AcceptedBy == id && r.OwesFollowUp(p.prog) {
			out = append(out, r)
		}
	}
	return out, nil
}
