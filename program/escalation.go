package program

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Channel is how a step reaches people.
type Channel string

// Channels a step may use.
const (
	SMS  Channel = "sms"
	Call Channel = "call"
)

// Target is whom a step pages.
type Target string

// Targets a step may name.
const (
	// OnCall is the cohort's on-call case manager.
	OnCall Target = "on_call"
	// Same is whoever the previous step paged, again (by another channel).
	Same Target = "same"
	// Next is the next person in the rotation not yet paged.
	Next Target = "next"
	// Backup is every backup case manager of the cohort at once.
	Backup Target = "backup"
	// Supervisors is every supervisor of the cohort at once.
	Supervisors Target = "supervisors"
)

// Step is one rung of a cohort's escalation chain: page To by By, then wait
// Wait for an answer before the next.
type Step struct {
	By   Channel
	To   Target
	Wait time.Duration
}

// DefaultSteps is the default chain: text the on-call case manager, call
// them, text then call the next in the rotation, then the backups, then the
// supervisors; after the last step the officer gets the fallback text.
// Steps with nobody (no backups) are skipped at once.
var DefaultSteps = []string{"sms on_call", "call same", "sms next", "call same", "sms backup", "call same", "sms supervisors", "call same"}

// DefaultFallback is what the officer is told when nobody answers, unless
// the program says otherwise.
const DefaultFallback = "Proceed under your agency's usual procedure."

// Retention is how long a finished referral's details and its
// de-identified record are kept.
type Retention struct {
	// Details (location, notes, officer, history) are removed this long
	// after the referral ends.
	Details time.Duration
	// Records (code, type, cohort, times, outcome) are deleted this long
	// after it ends.
	Records time.Duration
	// Open is how long a referral may stay open (never closed) before it
	// is closed and its details removed all the same.
	Open time.Duration
	// OpenNotice is how long before that its cohort's supervisors are
	// told, so someone can close it with its outcome first.
	OpenNotice time.Duration
}

// Kept is how long anything naming a referral's details may be kept: the
// longest it can stay open, then its details retention. Inbound
// MessageSids and CallSids are kept this long, so a signed request
// replayed at any time within it changes nothing.
func (r Retention) Kept() time.Duration { return r.Open + r.Details }

// Retention defaults: details long enough for follow-up work, records for
// the six years HIPAA asks documentation to be kept.
const (
	DefaultDetailsRetention = 90 * 24 * time.Hour
	DefaultRecordsRetention = 6 * 365 * 24 * time.Hour
	DefaultOpenRetention    = 180 * 24 * time.Hour
	DefaultOpenNotice       = 24 * time.Hour
)

// parseStep reads "sms on_call" or "call same 2m".
func parseStep(text string, wait time.Duration) (Step, error) {
	f := strings.Fields(strings.ToLower(text))
	if len(f) < 2 || len(f) > 3 {
		return Step{}, errors.New(`want "<sms|call> <on_call|same|next|supervisors> [wait]", e.g. "call same 2m"`)
	}
	st := Step{By: Channel(f[0]), To: Target(f[1]), Wait: wait}
	if st.By != SMS && st.By != Call {
		return Step{}, fmt.Errorf("channel %q must be sms or call", f[0])
	}
	switch st.To {
	case OnCall, Same, Next, Backup, Supervisors:
	default:
		return Step{}, fmt.Errorf("target %q must be on_call, same, next, backup or supervisors", f[1])
	}
	if len(f) == 3 {
		d, err := time.ParseDuration(f[2])
		if err != nil || d <= 0 {
			return Step{}, fmt.Errorf("wait %q is not a positive duration like 5m", f[2])
		}
		st.Wait = d
	}
	return st, nil
}

// ParseDuration reads a positive duration as the config writes them: a Go
// duration ("36h", "90m") or whole days ("2d"). Command-line flags take the
// same.
func ParseDuration(s string) (time.Duration, error) { return parseDays(s) }

// parseDays reads a Go duration, or whole days as "90d".
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days <= 0 {
			return 0, fmt.Errorf("%q is not a positive number of days like 90d", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration like 90d or 720h", s)
	}
	return d, nil
}

// Supervisors are the cohort's supervisors: those it names, or else every
// supervisor who covers it, in config order.
func (p *Program) Supervisors(cohort string) []string {
	if c, ok := p.byCohort[cohort]; ok && len(c.SupervisorIDs) > 0 {
		return c.SupervisorIDs
	}
	var ids []string
	for _, x := range p.People {
		if x.Role == Supervisor && slices.Contains(x.Cohort, cohort) {
			ids = append(ids, x.ID)
		}
	}
	return ids
}

// Backups are the cohort's backup case managers.
func (p *Program) Backups(cohort string) []string {
	if c, ok := p.byCohort[cohort]; ok {
		return c.Backup
	}
	return nil
}

// CaseManagers are the people a cohort's referrals may be assigned to for
// follow-up: its rotation, then its backups, each once.
func (p *Program) CaseManagers(cohort string) []string {
	c, ok := p.byCohort[cohort]
	if !ok {
		return nil
	}
	var ids []string
	for _, id := range slices.Concat(c.Rotation, c.Backup) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}
