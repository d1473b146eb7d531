package appointment

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// capSend takes one of a participant's capped sends at ARGV[1] if the day
// (from ARGV[2]) and the week (from ARGV[3]) have room for it, so two
// instances sending two reminders at once cannot both pass the caps.
var capSend = redis.NewScript(`
if redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf') >= tonumber(ARGV[4]) then return 0 end
if redis.call('ZCOUNT', KEYS[1], ARGV[3], '+inf') >= tonumber(ARGV[5]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[3]) - 86400000))
redis.call('PEXPIRE', KEYS[1], 8 * 86400000)
return 1
`)

// due is one participant text whose time has come: which timer, for which
// referral and appointment version, and what it says.
type due struct {
	id, kind string
	r        *referral.Referral
	hash     string
	ver, n   int
	body     string
	mkind    outbox.Kind
	uncapped bool // an answer to the participant's own message: hours only
}

// fire sends a consent request, reminder or change notice whose time has
// come, if it still stands, within the participant's hours and caps;
// otherwise it waits for the next slot, or is dropped when that would be
// too late to matter.
func (b *Book) fire(ctx context.Context, id string) error {
	d, err := b.stands(ctx, id)
	if err != nil || d == nil {
		return err
	}
	now := b.now()
	loc := b.zoneOf(d.r)
	for range 3 {
		times, err := b.sentTimes(ctx, d.hash, now)
		if err != nil {
			return err
		}
		if d.uncapped {
			times = nil
		}
		slot := participant.NextSlot(now, loc, times, b.window(d.uncapped))
		if slot.After(now) {
			return b.later(ctx, d, slot)
		}
		if d.uncapped {
			return b.send(ctx, d)
		}
		if d.kind == string(TimerAppt) && !b.planned(now, d.r.Appt, times, d.n, loc) {
			b.log.Info("reminder dropped: the caps keep room for the later ones", "timer", id)
			return nil
		}
		member := strconv.FormatInt(now.UnixMilli(), 10) + " " + id
		got, err := capSend.Run(ctx, b.rdb, []string{sentKey(d.hash)}, now.UnixMilli(),
			participant.DayStart(now, loc).UnixMilli(), participant.WeekStart(now, loc).UnixMilli(),
			b.prog.Participants.Window.PerDay, b.prog.Participants.Window.PerWeek, member).Int()
		if err != nil {
			return fmt.Errorf("participant's caps: %w", err)
		}
		if got == 1 {
			return b.send(ctx, d)
		}
	}
	return fmt.Errorf("participant text %s: caps kept changing", id)
}

// stands reads timer id and returns what it would send, or nil if it no
// longer stands: the number opted out, consent is not what it needs, the
// appointment moved, or it is past.
func (b *Book) stands(ctx context.Context, id string) (*due, error) {
	kind, args := timers.ParseID(id)
	a := timers.Args(args)
	d := &due{id: id, kind: string(kind), ver: a.Int(1, -1), n: a.Int(2, -1)}
	r, err := b.refs.Load(ctx, a.At(0))
	if errors.Is(err, referral.ErrNotFound) || (err == nil && r.Participant == "") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d.r, d.hash = r, b.numberHash(r.Participant)
	rec, ok, err := b.record(ctx, d.hash)
	if err != nil || !ok || rec.Stopped != "" || rec.Unreachable != "" {
		return nil, err
	}
	now, at := b.now(), r.Appt.In(b.zoneOf(r))
	texts, lang := b.texts(), langOf(rec, r)
	switch kind {
	case TimerAsk:
		if rec.Consent != consentAsked || (a.At(1) != "" && a.At(1) != d.hash) {
			return nil, nil
		}
		d.body, d.mkind = texts.Consent(lang), KindAsk
	case TimerAppt:
		if rec.Consent != consentYes || d.ver != r.ApptVer || (r.ApptState != apptSet && r.ApptState != apptConfirmed) || !now.Before(r.Appt) {
			return nil, nil
		}
		d.body, d.mkind = texts.Reminder(lang, at, r.ApptPlace), KindReminder
	case TimerNote:
		if rec.Consent != consentYes || d.ver != r.ApptVer || !now.Before(r.Appt) {
			return nil, nil
		}
		d.body, d.mkind = texts.Moved(lang, at, r.ApptPlace), KindReminder
		if r.ApptState == apptCancelled {
			d.body = texts.Cancelled(lang, at)
		}
	case TimerMsg:
		sealed, err := b.rdb.HGet(ctx, participantKey(d.hash), msgField(id)).Result()
		if err != nil || sealed == "" {
			return nil, nil // sent already, or forgotten with the number
		}
		body, err := b.keys.Open(sealed, participantKey(d.hash), msgField(id))
		if err != nil {
			return nil, fmt.Errorf("message for %s: %w", r.Code, err)
		}
		d.body, d.mkind, d.uncapped = body, KindMessage, a.At(2) == "0"
	default:
		return nil, nil
	}
	return d, nil
}

// sentTimes are when the participant's capped texts went in the last 8 days.
func (b *Book) sentTimes(ctx context.Context, hash string, now time.Time) ([]time.Time, error) {
	sent, err := b.rdb.ZRangeByScore(ctx, sentKey(hash), &redis.ZRangeBy{
		Min: strconv.FormatInt(now.Add(-8*24*time.Hour).UnixMilli(), 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("participant's sends: %w", err)
	}
	times := make([]time.Time, 0, len(sent))
	for _, m := range sent {
		ms, _, _ := strings.Cut(m, " ")
		n, _ := strconv.ParseInt(ms, 10, 64)
		times = append(times, time.UnixMilli(n))
	}
	return times, nil
}

// later waits for slot, unless that is too late for the text to matter.
func (b *Book) later(ctx context.Context, d *due, slot time.Time) error {
	if d.kind != string(TimerAsk) && d.kind != string(TimerMsg) && !slot.Before(d.r.Appt) {
		b.log.Info("participant text dropped: no slot before the appointment", "timer", d.id)
		return nil
	}
	rem := b.prog.Participants.Reminders
	if d.kind == string(TimerAppt) && d.n+1 < len(rem) && !d.r.Appt.Add(-rem[d.n+1]).After(slot) {
		b.log.Info("reminder dropped: the next one comes first", "timer", d.id)
		return nil
	}
	return b.q.Schedule(ctx, d.id, slot)
}

// planned reports whether reminder n, due now, is one the caps leave room
// for. The reminders nearest the appointment matter most, so the plan is
// made from the last one back: each is kept if it fits with the texts
// already sent and the later ones kept, and an earlier one gives way.
func (b *Book) planned(now, appt time.Time, sent []time.Time, n int, loc *time.Location) bool {
	rem, lim := b.prog.Participants.Reminders, b.prog.Participants.Window
	set := slices.Clone(sent)
	for k := len(rem) - 1; k > n; k-- {
		t := participant.NextSlot(appt.Add(-rem[k]), loc, nil, lim) // its time, or the window's next opening
		if t.After(now) && t.Before(appt) && fits(t, set, loc, lim) {
			set = append(set, t)
		}
	}
	return fits(now, set, loc, lim)
}

// fits reports whether one more text at x keeps set within the caps: no
// more than PerDay on x's local day, and no more than PerWeek in any run
// of seven local days that holds it.
func fits(x time.Time, set []time.Time, loc *time.Location, lim participant.Limits) bool {
	day := participant.DayStart(x, loc)
	days := func(i int) time.Time { return time.Date(day.Year(), day.Month(), day.Day()+i, 0, 0, 0, 0, loc) }
	count := func(from, to time.Time) int {
		n := 0
		for _, t := range set {
			if !t.Before(from) && t.Before(to) {
				n++
			}
		}
		return n
	}
	if count(day, days(1)) >= max(lim.PerDay, 1) {
		return false
	}
	for i := range 7 {
		if count(days(i-6), days(i+1)) >= max(lim.PerWeek, 1) {
			return false
		}
	}
	return true
}

// send queues a capped text to the participant and notes what they have
// been told.
func (b *Book) send(ctx context.Context, d *due) error {
	prio := outbox.Reminder
	if d.uncapped {
		prio = outbox.Reply
	}
	b.note.Text(ctx, outbox.Message{ID: "p:" + d.id, To: d.r.Participant, Body: d.body, Priority: prio, Kind: d.mkind,
		Meta: map[string]string{"code": d.r.Code, "ver": strconv.Itoa(d.ver)}})
	if err := b.rdb.HSet(ctx, participantKey(d.hash), "code", d.r.Code).Err(); err != nil {
		return fmt.Errorf("note participant text: %w", err)
	}
	if d.mkind == KindMessage {
		if err := b.rdb.HDel(ctx, participantKey(d.hash), msgField(d.id)).Err(); err != nil {
			return fmt.Errorf("note participant text: %w", err)
		}
	}
	c := referral.Change{Event: referral.At(b.now(), referral.EvParticipantText+referral.Event(d.mkind), "", d.kind)}
	if d.mkind == KindReminder {
		c.Set = []referral.Write{referral.Set(referral.FApptTold, d.ver)}
	}
	if _, err := b.refs.Apply(ctx, d.r.Code, c); err != nil {
		return fmt.Errorf("note participant text: %w", err)
	}
	return nil
}

// mayGet is the outbox's last check of a participant text: the number has
// not opted out since, and a reminder's appointment is still the one it was
// written for.
func (b *Book) mayGet(ctx context.Context, m outbox.Message) (bool, error) {
	if m.Kind == KindReply {
		return true, nil // an answer to their own text
	}
	rec, ok, err := b.record(ctx, b.numberHash(m.To))
	if err != nil || !ok || rec.Stopped != "" || rec.Unreachable != "" {
		return false, err
	}
	switch m.Kind {
	case KindMessage:
		return true, nil
	case KindAsk:
		return rec.Consent == consentAsked, nil
	}
	r, err := b.refs.Load(ctx, m.Meta["code"])
	if errors.Is(err, referral.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return strconv.Itoa(r.ApptVer) == m.Meta["ver"] && r.Participant == m.To, nil
}
