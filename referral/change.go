package referral

import (
	"strconv"
	"time"

	"github.com/leadline/leadline/timers"
)

// Change is one guarded transition of a referral: applied only if the
// referral is in one of From (any, if empty) and Guard holds; its writes,
// history line and timers land together or not at all.
type Change struct {
	From   []State
	Guard  Guard
	Event  Line
	Set    []Write
	Timers []Timer
	ends   bool // the referral reaches an end state: its details' retention starts
}

// To moves the referral to state s at time t, recording when.
func (c Change) To(s State, t time.Time) Change {
	c.Set = append(c.Set, Set(FState, string(s)), Set(TimeField(s), FormatTime(t)))
	c.ends = s == Closed || s == Cancelled || s == Unanswered
	return c
}

// Guard is a condition on one field.
type Guard struct {
	Field Field
	Value string
	in    bool
}

func (g Guard) mode() string {
	if g.in {
		return "in"
	}
	return "eq"
}

// Is holds when field f is v ("" for unset).
func Is(f Field, v string) Guard { return Guard{Field: f, Value: v} }

// Holds holds when the word list in field f contains w.
func Holds(f Field, w string) Guard { return Guard{Field: f, Value: w, in: true} }

// Write is one field write of a change.
type Write struct {
	Field Field
	Value any
	op    string
}

// Set writes v to f.
func Set(f Field, v any) Write { return Write{Field: f, Value: v} }

// AddWord adds w to the word list in f, unless already there.
func AddWord(f Field, w string) Write { return Write{Field: f, Value: w, op: "+"} }

// Incr adds n to the number in f.
func Incr(f Field, n int) Write { return Write{Field: f, Value: n, op: "#"} }

// Del deletes f.
func Del(f Field) Write { return Write{Field: f, Value: "", op: "-"} }

// Timer is a timer a change sets for its referral: Kind with Args after the
// code (see ID), due At. How is "" to set it, TimerLater to only move it
// later, TimerRemove to remove it.
type Timer struct {
	Kind timers.Kind
	Args []int
	At   time.Time
	How  string
}

// How a change treats a timer.
const (
	TimerLater  = "gt"
	TimerRemove = "rm"
)

// ID is the timer's ID for the referral code: "<kind>:<code>[:<arg>…]".
func (t Timer) ID(code string) string {
	parts := []string{code}
	for _, a := range t.Args {
		parts = append(parts, strconv.Itoa(a))
	}
	return t.Kind.ID(parts...)
}

// Timer kinds that referral itself sets; each is handled by the package
// that registers it.
const (
	// TimerStep: escalation step n's wait is over ("step:<code>:<n>");
	// step -1 is the rescue of a referral whose first page never went.
	TimerStep timers.Kind = "step"
	// TimerPurge: the details retention of an ended referral has run out.
	TimerPurge timers.Kind = "purge"
	// TimerOpenLimit: a referral has been open a long time (package
	// retention). A watch like the safety watch's, set when the referral is
	// stored and kept through its end (it may be reopened): stage 0 tells
	// the supervisors, stage 1 closes it and removes its details.
	TimerOpenLimit timers.Kind = "openlimit"
)

// FOpenLimit is "<stage>/<due ms>" of TimerOpenLimit (see Watched).
const FOpenLimit Field = "open_limit"

// OutcomeExpired is the outcome of a referral closed because it stayed
// open longer than the program's retention.open; its details go at once.
const OutcomeExpired = "expired"

// History events of the open limit.
const (
	EvOpenNotice Event = "open_notice" // who: the supervisors told
	EvOpenLimit  Event = "open_limit"  // closed and its details removed; detail: how long it was open
)

// has reports whether c sets or removes a timer of kind.
func (c Change) has(kind timers.Kind) bool {
	for _, t := range c.Timers {
		if t.Kind == kind {
			return true
		}
	}
	return false
}
