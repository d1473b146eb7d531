package referral

import (
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/timers"
)

// The safety watch after an accept (package scene handles these timers).
// Each has one timer per referral, "<kind>:<code>", and one field holding
// "<stage>/<due ms>": the stage it is at and when its timer is due, so a
// firing that a later change overtook (an ETA moved the nudge, an OK
// moved the check-in) knows itself stale and does nothing.
const (
	// TimerNudge: the case manager on the way is late (the ETA passed, or
	// no ETA came); stage 0 nudges them, stage 1 tells the supervisors.
	TimerNudge timers.Kind = "nudge"
	// TimerCheckIn: the case manager has been on scene a while; stage 0
	// texts them, 1 calls them, 2 tells the supervisors.
	TimerCheckIn timers.Kind = "checkin"
	// TimerSOS: a case manager asked for help; stage 0 pages the
	// supervisors. It is due at once: the timer makes the page survive a
	// crash between storing the SOS and sending it.
	TimerSOS timers.Kind = "sos"
)

// Fields of the watch, and counters the report reads.
const (
	FNudge    Field = "nudge"    // "<stage>/<due ms>" of TimerNudge
	FCheckIn  Field = "checkin"  // "<stage>/<due ms>" of TimerCheckIn
	FSOSWatch Field = "sos"      // "<stage>/<due ms>" of TimerSOS
	FNudges   Field = "nudges"   // nudges sent
	FCheckIns Field = "checkins" // check-ins sent
	FSOSes    Field = "soses"    // SOS pages
	// FArriveBy is when the case manager's latest ETA said they would be
	// there (accept time or ETA text, plus the minutes).
	FArriveBy Field = "arrive_by"
)

// ArriveBy is the write that records an ETA of eta minutes given at t.
func ArriveBy(t time.Time, eta int) Write {
	return Set(FArriveBy, FormatTime(t.Add(time.Duration(eta)*time.Minute)))
}

// History events of the watch.
const (
	EvNudged       Event = "nudged"        // who: the case manager
	EvDelayed      Event = "delayed"       // no answer to the nudge: supervisors and officer told
	EvCheckIn      Event = "check_in"      // who: the case manager
	EvCheckInCall  Event = "check_in_call" // the check-in went unanswered: a call
	EvCheckInAlarm Event = "check_in_alarm"
	EvOK           Event = "ok" // who: the case manager, answering a check-in
	EvSOS          Event = "sos"
)

var watchFields = map[timers.Kind]Field{TimerNudge: FNudge, TimerCheckIn: FCheckIn, TimerSOS: FSOSWatch, TimerOpenLimit: FOpenLimit}

// Watch sets r's kind timer to stage, due at; a zero at records the stage
// with no timer left (the watch has done all it does).
func (c Change) Watch(kind timers.Kind, stage int, at time.Time) Change {
	ms := int64(0)
	if at.IsZero() {
		c.Timers = append(c.Timers, Timer{Kind: kind, How: TimerRemove})
	} else {
		ms = at.UnixMilli()
		c.Timers = append(c.Timers, Timer{Kind: kind, At: at})
	}
	c.Set = append(c.Set, Set(watchFields[kind], strconv.Itoa(stage)+"/"+strconv.FormatInt(ms, 10)))
	return c
}

// Unwatch removes r's kind timer and its stage.
func (c Change) Unwatch(kind timers.Kind) Change {
	c.Timers = append(c.Timers, Timer{Kind: kind, How: TimerRemove})
	c.Set = append(c.Set, Del(watchFields[kind]))
	return c
}

// Watched is where r's kind watch stands: its stage, the due time of its
// timer (zero for none) and the stored value a change guards on. ok is
// false when r has no such watch.
func (r *Referral) Watched(kind timers.Kind) (stage int, due time.Time, raw string, ok bool) {
	raw = r.watch[watchFields[kind]]
	s, ms, found := strings.Cut(raw, "/")
	if !found {
		return 0, time.Time{}, raw, false
	}
	stage, err1 := strconv.Atoi(s)
	n, err2 := strconv.ParseInt(ms, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, time.Time{}, raw, false
	}
	if n > 0 {
		due = time.UnixMilli(n)
	}
	return stage, due, raw, true
}

// safetyTimers are removed by any change that ends the referral.
var safetyTimers = []timers.Kind{TimerNudge, TimerCheckIn}

// WatchHolds holds while r's kind watch is still raw (see Watched): a
// timer acts only on the stage it was set for.
func WatchHolds(kind timers.Kind, raw string) Guard { return Is(watchFields[kind], raw) }
