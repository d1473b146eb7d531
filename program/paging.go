package program

import "fmt"

// Busy is where a cohort's chain pages a case manager who has a referral
// in progress (accepted, not DONE).
type Busy string

const (
	// BusyLast pages them after the rest of the rotation (the default).
	BusyLast Busy = "last"
	// BusyInTurn pages them in their turn, as if free.
	BusyInTurn Busy = "in_turn"
)

// maxCaseload bounds caseload.target: a larger number is a typo.
const maxCaseload = 500

// caseloadConfig is caseload: in the YAML.
type caseloadConfig struct {
	Target int `yaml:"target"`
}

// caseload reads caseload.target: 0 (unset) pages nobody later for their
// caseload.
func (v *validator) caseload(p *Program, c caseloadConfig) {
	if c.Target < 0 || c.Target > maxCaseload {
		v.add("caseload.target", fmt.Sprintf("%d: want from 1 to %d, or leave it out", c.Target, maxCaseload))
		return
	}
	p.CaseloadTarget = c.Target
}

// busy reads a cohort's busy: last (the default) or in_turn.
func (v *validator) busy(item, s string) Busy {
	switch Busy(s) {
	case "", BusyLast:
		return BusyLast
	case BusyInTurn:
		return BusyInTurn
	}
	v.add(item, fmt.Sprintf("busy: %q: want last or in_turn", s))
	return BusyLast
}
