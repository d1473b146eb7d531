// Package referral owns a referral: its types and states, the typed table of
// its stored fields and history events, the guarded scripts that create and
// change it, and the de-identified records reports read. Every other package
// changes a referral only through Store.Apply, so a browser, a text and a
// timer racing each other cannot both win.
//
// Keys (the {dispatch} hash tag is shared with every package whose scripts
// write a referral and its timers, or its participant, in one step):
//
//	leadline:{dispatch}:referral:<code>         hash: the referral (see Field), its state times
//	leadline:{dispatch}:referral:<code>:events  list: "<time> <event> <who> <detail>", oldest first
//	leadline:{dispatch}:referrals               zset: codes scored by received time (ms)
//	leadline:{dispatch}:officer:<id>:last       string: the officer's latest code (STATUS without a code)
//	leadline:{dispatch}:changes                 stream: every change to any referral (code, line); see ChangesKey
//	leadline:{dispatch}:records                 hash: code -> the report's fields of that referral, packed (a cache:
//	                                             dropped by every change, rebuilt by the next report; see records.go)
//	leadline:{dispatch}:upgraded:datakey        string: serve has sealed what versions before the data key stored
//	leadline:{dispatch}:timers:due|leased       the referral timer queue (package timers); each kind
//	                                             is registered by the package that handles it
package referral

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/program"
)

// Type is the kind of referral.
type Type string

// Referral types (DESIGN.md). Community referrals are entered by staff and
// never come through the officer's loop.
const (
	Arrest    Type = "arrest"
	Social    Type = "social"
	Community Type = "community" // entered by staff in the console
)

// Label is how a type is written in texts.
func (t Type) Label() string {
	switch t {
	case Arrest:
		return "arrest diversion"
	case Community:
		return "community referral"
	}
	return "social contact"
}

// State is where a referral is in its life.
type State string

// The states of DESIGN.md: new → paging → accepted → on_scene → closed, or
// cancelled, or unanswered.
const (
	New        State = "new"
	Paging     State = "paging"
	Accepted   State = "accepted"
	OnScene    State = "on_scene"
	Closed     State = "closed"
	Cancelled  State = "cancelled"
	Unanswered State = "unanswered"
)

// Outcomes a case manager may close a referral with.
var Outcomes = []string{"engaged", "refused", "gone"}

// Referral is one officer's request for a case manager, with every time it
// changed state. Times are zero until that state is reached.
type Referral struct {
	Code    string
	Type    Type
	Cohort  string
	State   State
	Officer string // person ID
	Agency  string // the officer's agency, kept when Officer is purged; "" for none
	// EnteredBy is the staff member who entered a community referral.
	EnteredBy string
	// Referrer is the mobile number of the community member who referred
	// the person, when they asked for texts: they are told the code and
	// how paging goes, never more (see package escalation).
	Referrer string
	// AssignedBy is the staff member who assigned a community referral to
	// AcceptedBy for follow-up, without paging anyone; "" for a referral
	// someone accepted.
	AssignedBy string
	Location   string // as the officer gave it
	Lat, Lon   float64
	Place      string
	Notes      string
	// OutsideMetres is how far outside its cohort the point was when the
	// officer asked to page it anyway; 0 when inside.
	OutsideMetres float64
	// NearBoundary: the point is just outside Cohort's area, within the
	// program's tolerance, and in no other.
	NearBoundary bool

	Step        int      // index of the escalation step now running; -1 before the first
	Escalations int      // steps taken after the first page
	Paged       []string // the people the current step paged
	PagedList   []string // everyone paged, in order
	Declined    []string
	Missed      []string // paged by the current step but not reached (undelivered, no answer)
	Failed      []string // "<id>/<channel>": Twilio said that channel can never reach them
	AcceptedBy  string
	ETAMinutes  int
	Outcome     string

	Received, PagingAt, AcceptedAt, OnSceneAt, ClosedAt, CancelledAt, UnansweredAt time.Time

	// After the hand-off: when the intake or first follow-up was recorded,
	// and when it was reported overdue.
	FollowedAt, OverdueAt time.Time

	// The participant's appointment, set by the case manager. Participant
	// is their number (E.164), kept only while needed.
	Participant string
	Lang        string // participant texts' language: "en" or "es"
	TZ          string // the participant's zone, if not the program's
	Appt        time.Time
	ApptPlace   string
	ApptVer     int    // bumped by every change, so stale reminders know they are
	ApptState   string // see package appointment
	ApptBy      string // the case manager told of the participant's answers
	ApptTold    int    // the ApptVer the participant was last told of; 0 for none

	// The safety watch after the accept (see Watched), and how often it
	// nudged, checked in and paged for help.
	watch                   map[Field]string
	Nudges, CheckIns, SOSes int
	ArriveBy                time.Time // zero when no ETA was given
}

// Open reports whether someone may still act on the referral.
func (r *Referral) Open() bool {
	return r.State == New || r.State == Paging || r.State == Accepted || r.State == OnScene
}

// Ended is when the referral reached its end state: closed, cancelled or
// unanswered; zero while it is open.
func (r *Referral) Ended() time.Time {
	switch r.State {
	case Closed:
		return r.ClosedAt
	case Cancelled:
		return r.CancelledAt
	case Unanswered:
		return r.UnansweredAt
	}
	return time.Time{}
}

// Reached reports whether channel ("sms" or "call") may still reach id for
// this referral: Twilio has not said it never can.
func (r *Referral) Reached(id, channel string) bool {
	return !contains(r.Failed, id+"/"+channel)
}

func contains(words []string, w string) bool {
	for _, x := range words {
		if x == w {
			return true
		}
	}
	return false
}

// FormatTime is how times are stored: UTC, RFC 3339 with nanoseconds.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Event is the kind of one line of a referral's history.
type Event string

// Every event a referral's history may hold.
const (
	EvCreated              Event = "created"
	EvStep                 Event = "step"
	EvMissed               Event = "missed"
	EvUnanswered           Event = "unanswered"
	EvCancelled            Event = "cancelled"
	EvMoved                Event = "moved" // the officer corrected the location while paging (FIX)
	EvAccepted             Event = "accepted"
	EvDeclined             Event = "declined"
	EvDialled              Event = "dialled"
	EvPagedByStaff         Event = "paged_by_staff" // who: the person paged; detail: the staff member who asked
	EvETA                  Event = "eta"
	EvArrived              Event = "arrived"
	EvClosed               Event = "closed"
	EvOverdue              Event = "overdue"
	EvFollowed             Event = "followed"
	EvAssigned             Event = "assigned" // who: the case manager; detail: the staff member who assigned
	EvApptSet              Event = "appt_set"
	EvApptMoved            Event = "appt_moved"
	EvApptCancelled        Event = "appt_cancelled"
	EvApptConfirmed        Event = "appt_confirmed"
	EvApptReschedule       Event = "appt_reschedule"
	EvConsent              Event = "consent"
	EvOptedOut             Event = "opted_out"
	EvParticipantText      Event = "participant_" // + the text's kind: participant_ask, participant_reminder
	EvParticipantForgotten Event = "participant_forgotten"
	EvUnreachable          Event = "participant_unreachable" // a text to the number failed for good; detail: Twilio's code
	EvNumberChanged        Event = "participant_number"      // who: the case manager who gave the new number
)

// Line is one line of a referral's history: when, what, who, detail.
type Line struct {
	At     time.Time
	What   Event
	Who    string
	Detail string
}

// String is the line as stored.
func (l Line) String() string {
	return FormatTime(l.At) + " " + string(l.What) + " " + l.Who + " " + l.Detail
}

// ParseLine reads a stored history line; a line it cannot read keeps its
// text in Detail.
func ParseLine(s string) Line {
	f := strings.SplitN(s, " ", 4)
	if len(f) < 4 {
		return Line{Detail: s}
	}
	t, err := time.Parse(time.RFC3339Nano, f[0])
	if err != nil {
		return Line{Detail: s}
	}
	return Line{At: t, What: Event(f[1]), Who: f[2], Detail: f[3]}
}

// history is a new referral's first lines: received, by its officer or the
// staff member who entered it, and for one assigned at once the
// assignment; one a line.
func (r *Referral) history() string {
	h := At(r.Received, EvCreated, cmp.Or(r.Officer, r.EnteredBy), r.Cohort).String()
	if r.AssignedBy != "" {
		h += "\n" + At(r.Received, EvAssigned, r.AcceptedBy, r.AssignedBy).String()
	}
	return h
}

// At is a history line of what happened at t, by who, with detail.
func At(t time.Time, what Event, who, detail string) Line {
	return Line{At: t, What: what, Who: who, Detail: detail}
}

func itoa(n int) string { return strconv.Itoa(n) }

func words(v string) []string { return strings.Fields(v) }

// FollowUpDue is when r's intake or first follow-up is (or was) due: its
// type's plan counted from the accept. It is zero when r owes none: no
// plan for its type, never accepted, cancelled by the officer, or closed
// because the person refused or was gone. Reports use it as the service does.
func (r *Referral) FollowUpDue(prog *program.Program) time.Time {
	plan, ok := prog.FollowUps[string(r.Type)]
	if !ok || r.AcceptedAt.IsZero() || r.State == Cancelled || r.Outcome == "refused" || r.Outcome == "gone" {
		return time.Time{}
	}
	return r.AcceptedAt.Add(plan.Due)
}

// OwesFollowUp reports whether r's case manager still owes its follow-up.
func (r *Referral) OwesFollowUp(prog *program.Program) bool {
	return r.FollowedAt.IsZero() && !r.FollowUpDue(prog).IsZero()
}
