package escalation

import (
	"context"
	"slices"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Order is whom the cohort's chain would page for r, in order, by channel
// by: the people of each of its steps (a "same" step adds nobody), each
// once, never someone who declined or whom by cannot reach. Text paging
// takes them step by step; the voice line dials them one after another.
func (ch *Chain) Order(ctx context.Context, r *referral.Referral, by program.Channel) ([]string, error) {
	cohort, ok := ch.Program.Cohort(r.Cohort)
	if !ok {
		return nil, nil
	}
	var q []string
	for _, st := range cohort.Escalation.Steps {
		var ids []string
		var err error
		if st.To == program.Next {
			// The next after whoever the order has reached so far.
			ids, err = ch.next(ctx, r.Cohort, slices.Concat(r.PagedList, q))
		} else {
			ids, err = ch.whom(ctx, r, st, nil)
		}
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if _, known := ch.Program.Person(id); known && !slices.Contains(q, id) &&
				!slices.Contains(r.Declined, id) && r.Reached(id, string(by)) {
				q = append(q, id)
			}
		}
	}
	return q, nil
}
