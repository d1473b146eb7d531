// Package appointment owns participants: the appointments case managers
// make for them (APPT, MOVE, CANCEL, LANG, TZ), their consent to reminders,
// the reminders themselves within the participant's hours and caps, their
// replies (C, R, YES/NO, STOP, START, HELP), opt-outs, and forgetting their
// numbers once nothing needs them. The pure rules (wording, hours, caps,
// replies, times as typed) are package participant's.
//
// Keys (in the referral's hash tag, since a participant belongs to a
// referral):
//
//	leadline:{dispatch}:person:<id>:appts        zset: referrals with an appointment the case manager made, by its time (ms)
//	leadline:{dispatch}:participant:<hash>       hash: a participant's number (phone), consent (asked|yes|no), stopped
//	                                              (keyword|words|carrier), lang, code (the referral their replies are about),
//	                                              wrote (ms: their last message relayed to the case manager), msgs (a counter)
//	                                              unreachable (ms: a text to it failed for good; given again, it is cleared),
//	                                              and msg:<timer id> (a MSG's text until it is sent);
//	                                              <hash> is the keyed name of the number (datakey), never the number;
//	                                              phone and msg:<timer id> are sealed under the data key
//	leadline:{dispatch}:participant:<hash>:codes set: referrals that hold the number; when none is left the number goes
//	leadline:{dispatch}:participant:<hash>:sent  zset: when capped texts (consent request, reminders) were sent, for the caps
//	leadline:{dispatch}:participants:asked       set: hashes of the participants asked for consent who have not answered
//
// Timers (on the referral queue): "ask:<code>:<hash>" (ask that number's
// consent: each number its own text),
// "appt:<code>:<version>:<n>" (the n-th reminder of that version of the
// appointment), "note:<code>:<version>" (tell the participant of a move or
// cancel), "msg:<code>:<n>:<capped>" (a case manager's MSG), "forget:<code>"
// (drop the number once it is no longer needed).
package appointment

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

const prefix = "leadline:{dispatch}:"

func apptsKey(id string) string      { return prefix + "person:" + id + ":appts" }
func participantKey(h string) string { return prefix + "participant:" + h }
func codesKey(h string) string       { return prefix + "participant:" + h + ":codes" }
func sentKey(h string) string        { return prefix + "participant:" + h + ":sent" }

// askedKey is the set of participants asked for consent who have not answered.
const askedKey = prefix + "participants:asked"

// Keys seal a participant's number and waiting messages, and name the
// number in keys (datakey.Keys).
type Keys interface {
	Seal(plain string, aad ...string) (string, error)
	Open(v string, aad ...string) (string, error)
	Name(number string) string
}

// numberHash names a number in the participant keys: a keyed hash, so a
// copy of Redis cannot be searched by trying numbers.
func (b *Book) numberHash(number string) string { return b.keys.Name(number) }

// Timer kinds.
const (
	TimerAsk    timers.Kind = "ask"
	TimerAppt   timers.Kind = "appt"
	TimerNote   timers.Kind = "note"
	TimerForget timers.Kind = "forget"
	TimerMsg    timers.Kind = "msg" // msg:<code>:<n>:<capped 1|0>: a case manager's MSG waiting for the participant's hours
)

// Kinds of participant text in the outbox.
const (
	KindAsk      outbox.Kind = "ask"       // a consent request
	KindReminder outbox.Kind = "reminder"  // an appointment reminder or change notice
	KindReply    outbox.Kind = "partreply" // an answer to a participant's own text
	KindMessage  outbox.Kind = "partmsg"   // a case manager's own words (MSG)
)

// A participant's consent to reminders.
const (
	consentAsked = "asked"
	consentYes   = "yes"
	consentNo    = "no"
)

// Why a number gets no more texts.
const (
	stopKeyword = "keyword" // Twilio's own STOP keywords: Twilio confirms and blocks
	stopWords   = "words"   // plain words or Spanish: Leadline confirms
	stopCarrier = "carrier" // Twilio refused a send with 21610
)

// An appointment's state.
const (
	apptSet        = "set"
	apptConfirmed  = "confirmed"
	apptReschedule = "reschedule" // the participant asked to move it: no more reminders of it
	apptCancelled  = "cancelled"
)

// Book keeps participants and their appointments.
type Book struct {
	prog *program.Program
	rdb  redis.UniversalClient
	refs *referral.Store
	q    *timers.Queue
	note *notify.Notifier
	now  func() time.Time
	log  *slog.Logger
	keys Keys
}

// New returns the book. q is the referral timer queue.
func New(prog *program.Program, rdb redis.UniversalClient, refs *referral.Store, q *timers.Queue, note *notify.Notifier,
	keys Keys, clock func() time.Time, log *slog.Logger) *Book {
	return &Book{prog: prog, rdb: rdb, refs: refs, q: q, note: note, keys: keys, now: clock, log: log}
}

// Register hands the book's timers to mux and its texts' hooks to box.
func (b *Book) Register(mux *timers.Mux, box *outbox.Box) {
	for _, k := range []timers.Kind{TimerAsk, TimerAppt, TimerNote, TimerMsg} {
		mux.Handle(k, func(ctx context.Context, t timers.Timer, _ timers.Args) error { return b.fire(ctx, t.ID) })
	}
	mux.Handle(TimerForget, func(ctx context.Context, _ timers.Timer, a timers.Args) error { return b.forget(ctx, a.At(0)) })
	for _, k := range []outbox.Kind{KindAsk, KindReminder, KindReply, KindMessage} {
		box.Register(k, outbox.Hooks{Check: b.mayGet, Done: b.sent, Status: b.report,
			From: b.prog.Participants.Phone, Service: b.prog.Participants.MessagingService})
	}
}

// record is what is kept about one participant's number.
type record struct {
	Phone, Consent, Stopped, Code, Lang, Wrote string
	Unreachable                                string // when a text to it failed for good (ms); "" if none has
}

func (b *Book) record(ctx context.Context, hash string) (record, bool, error) {
	h, err := b.rdb.HGetAll(ctx, participantKey(hash)).Result()
	if err != nil {
		return record{}, false, fmt.Errorf("load participant: %w", err)
	}
	number, err := b.keys.Open(h["phone"], participantKey(hash), "phone")
	if err != nil {
		return record{}, false, fmt.Errorf("load participant: %w", err)
	}
	return record{Phone: number, Consent: h["consent"], Stopped: h["stopped"], Code: h["code"], Lang: h["lang"],
			Wrote: h["wrote"], Unreachable: h[unreachableField]},
		h["phone"] != "", nil
}

func (b *Book) texts() participant.Texts {
	return participant.Texts{Sender: b.prog.Participants.Sender, Callback: b.prog.SupportPhone, Clock: b.prog.Times.Clock}
}

// zoneOf is the participant's time zone: the program's unless the case
// manager set another.
func (b *Book) zoneOf(r *referral.Referral) *time.Location {
	if r.TZ != "" {
		if loc, err := time.LoadLocation(r.TZ); err == nil {
			return loc
		}
	}
	return b.prog.TimeZone
}

func langOf(rec record, r *referral.Referral) participant.Lang {
	if r != nil && r.Lang != "" {
		return participant.Lang(r.Lang)
	}
	if rec.Lang != "" {
		return participant.Lang(rec.Lang)
	}
	return participant.English
}

// event records a line in r's history without changing anything else.
func (b *Book) event(ctx context.Context, code string, what referral.Event, detail string) error {
	_, err := b.refs.Apply(ctx, code, referral.Change{Event: referral.At(b.now(), what, "", detail)})
	return referral.IgnoreGone(err)
}
