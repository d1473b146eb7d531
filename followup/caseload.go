package followup

import (
	"context"
	"fmt"
)

// Caseload is how many participants case manager id carries in Leadline:
// the referrals they accepted or were assigned whose intake or first
// follow-up they still owe (not refused, gone or cancelled, and not yet
// recorded with INTAKE or FOLLOWED). Once it is recorded the participant's
// case goes on in the program's own case files, which Leadline does not
// see. The paging order reads it (caseload.target), and so can any page
// that shows it.
func (p *Plans) Caseload(ctx context.Context, id string) (int, error) {
	codes, err := p.rdb.ZRange(ctx, openKey(id), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("caseload of %s: %w", id, err)
	}
	rs, err := p.refs.LoadMany(ctx, codes)
	if err != nil {
		return 0, fmt.Errorf("caseload of %s: %w", id, err)
	}
	n := 0
	for _, r := range rs {
		if r != nil && r.AcceptedBy == id && r.OwesFollowUp(p.prog) {
			n++
		}
	}
	return n, nil
}
