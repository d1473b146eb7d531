package appointment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// What APPT asks for.
const (
	ActionSet    = "set"
	ActionMove   = "move"
	ActionCancel = "cancel"
)

// Appoint handles APPT from p about r: set (text is "<phone> <date>
// <time> [@ place]"), move (text is "<date> <time> [@ place]") or cancel.
// It returns the reply to p.
func (b *Book) Appoint(ctx context.Context, p *program.Person, r *referral.Referral, action, text string) (string, error) {
	hasAppt := r.Participant != "" && r.ApptState != "" && r.ApptState != apptCancelled
	switch action {
	case ActionNumber:
		return b.renumber(ctx, p, r, text)
	case ActionCancel:
		if !hasAppt {
			return "No appointment for " + r.Code + ".", nil
		}
		return b.cancel(ctx, p, r)
	case ActionMove:
		if !hasAppt {
			return "No appointment for " + r.Code + ". " + usage(r.Code), nil
		}
		at, place, problem := b.readWhen(text, r)
		if problem != "" {
			return problem, nil
		}
		if place == "" {
			place = r.ApptPlace
		}
		return b.set(ctx, p, r, r.Participant, at, place)
	}
	number, rest := b.readNumber(text)
	if number == "" {
		return usage(r.Code), nil
	}
	if _, staff := b.prog.PersonByPhone(number); staff || number == b.prog.Phone {
		return "That number is not a participant's. " + usage(r.Code), nil
	}
	at, place, problem := b.readWhen(rest, r)
	if problem != "" {
		return problem, nil
	}
	return b.set(ctx, p, r, number, at, place)
}

// readNumber takes the participant's number from the start of text: the
// fewest words that make a valid number, as "412 555 0177" is three.
func (b *Book) readNumber(text string) (number, rest string) {
	f := strings.Fields(text)
	for n := 1; n <= min(4, len(f)); n++ {
		if pn, err := phone.Parse(strings.Join(f[:n], " "), b.prog.Region); err == nil {
			return pn, strings.Join(f[n:], " ")
		}
	}
	return "", text
}

// readWhen reads "<date> <time> [@ place]" in the participant's zone. A
// problem is the reply that says what to fix.
func (b *Book) readWhen(text string, r *referral.Referral) (time.Time, string, string) {
	when, place, _ := strings.Cut(text, "@")
	place = strings.Join(strings.Fields(place), " ")
	if w := participant.Forbidden(place); w != "" {
		return time.Time{}, "", "The place may not say \"" + w + "\": texts to participants never say what the program is."
	}
	place = participant.Clean(place)
	at, err := participant.ParseWhen(strings.TrimSpace(when), b.now(), b.prog.Times.In(b.zoneOf(r)))
	if err != nil {
		return time.Time{}, "", err.Error()
	}
	return at, place, ""
}

// bumpVersion starts a new version of r's appointment: reminders of the
// old one find they are stale.
func (b *Book) bumpVersion(ctx context.Context, code string) (int, error) {
	fresh, _, err := b.refs.ApplyFresh(ctx, code, referral.Change{Set: []referral.Write{referral.Incr(referral.FApptVer, 1)}})
	if err != nil {
		return 0, fmt.Errorf("appointment of %s: %w", code, err)
	}
	return fresh.ApptVer, nil
}

// set stores r's appointment with number at `at`, queues its reminders
// (dropping any of the one it replaces), and asks a number new to the
// program for consent first.
func (b *Book) set(ctx context.Context, p *program.Person, r *referral.Referral, number string, at time.Time, place string) (string, error) {
	now := b.now()
	moved := r.ApptState != "" && r.ApptState != apptCancelled
	v, err := b.bumpVersion(ctx, r.Code)
	if err != nil {
		return "", err
	}
	if err := b.adopt(ctx, number); err != nil {
		return "", err
	}
	hash := b.numberHash(number)
	if r.Participant != "" && r.Participant != number {
		// A corrected number: the old one no longer hears about r.
		if err := b.unlink(ctx, b.numberHash(r.Participant), r.Code); err != nil {
			return "", err
		}
	}
	if err := b.link(ctx, p, r, hash, number, at); err != nil {
		return "", err
	}
	what := referral.EvApptSet
	if moved {
		what = referral.EvApptMoved
	}
	c := referral.Change{Event: referral.At(now, what, p.ID, strconv.Itoa(v)),
		Set: []referral.Write{referral.Set(referral.FParticipant, number), referral.Set(referral.FApptAt, referral.FormatTime(at)),
			referral.Set(referral.FApptPlace, place), referral.Set(referral.FApptState, apptSet), referral.Set(referral.FApptBy, p.ID)}}
	for n, before := range b.prog.Participants.Reminders {
		c.Timers = append(c.Timers, referral.Timer{Kind: TimerAppt, Args: []int{v - 1, n}, How: referral.TimerRemove})
		if t := at.Add(-before); t.After(now) {
			c.Timers = append(c.Timers, referral.Timer{Kind: TimerAppt, Args: []int{v, n}, At: t})
		}
	}
	c.Timers = append(c.Timers, referral.Timer{Kind: TimerForget, At: at.Add(b.prog.Participants.Keep), How: referral.TimerLater})
	if _, err := b.refs.Apply(ctx, r.Code, c); err != nil {
		return "", fmt.Errorf("store appointment of %s: %w", r.Code, err)
	}
	b.log.Info("appointment set", "code", r.Code, "by", p.ID, "version", v)
	return b.afterSet(ctx, r, hash, number, at, place, moved, v)
}

// link records number as r's participant, and the appointment in p's list.
func (b *Book) link(ctx context.Context, p *program.Person, r *referral.Referral, hash, number string, at time.Time) error {
	sealedNumber, err := b.keys.Seal(number, participantKey(hash), "phone")
	if err != nil {
		return fmt.Errorf("store participant: %w", err)
	}
	_, err = b.rdb.TxPipelined(ctx, func(pl redis.Pipeliner) error {
		pl.HSet(ctx, participantKey(hash), "phone", sealedNumber, "code", r.Code)
		if r.Lang != "" {
			pl.HSet(ctx, participantKey(hash), "lang", r.Lang)
		}
		pl.SAdd(ctx, codesKey(hash), r.Code)
		if r.ApptBy != "" && r.ApptBy != p.ID {
			pl.ZRem(ctx, apptsKey(r.ApptBy), r.Code)
		}
		pl.ZAdd(ctx, apptsKey(p.ID), redis.Z{Score: float64(at.UnixMilli()), Member: r.Code})
		return nil
	})
	if err != nil {
		return fmt.Errorf("store appointment of %s: %w", r.Code, err)
	}
	return nil
}

// unlink stops the number under hash hearing about code.
func (b *Book) unlink(ctx context.Context, hash, code string) error {
	if err := b.rdb.SRem(ctx, codesKey(hash), code).Err(); err != nil {
		return fmt.Errorf("appointment of %s: %w", code, err)
	}
	if rec, _, err := b.record(ctx, hash); err == nil && rec.Code == code {
		b.rdb.HDel(ctx, participantKey(hash), "code")
	}
	return nil
}

// afterSet asks consent or tells the participant of a move, and says what
// will happen.
func (b *Book) afterSet(ctx context.Context, r *referral.Referral, hash, number string, at time.Time, place string, moved bool, v int) (string, error) {
	rec, _, err := b.record(ctx, hash)
	if err != nil {
		return "", err
	}
	head := r.Code + ": appointment " + b.prog.Times.In(b.zoneOf(r)).DateTime(at)
	if place != "" {
		head += " @ " + place
	}
	if moved {
		head = r.Code + ": appointment moved to " + b.prog.Times.In(b.zoneOf(r)).DateTime(at)
	}
	switch {
	case rec.Stopped != "":
		return head + " saved. That number has opted out of texts: no reminders will go.", nil
	case rec.Consent == consentNo:
		return head + " saved. They declined reminders: none will go.", nil
	case rec.Consent == "":
		if err := b.askConsent(ctx, r.Code, hash); err != nil {
			return "", err
		}
		return head + " saved. Asked " + phone.Mask(number) + " to agree to reminders; you will hear their answer.", nil
	case rec.Consent == consentAsked:
		return head + " saved. Waiting for " + phone.Mask(number) + " to agree to reminders.", nil
	}
	if moved && r.ApptTold != 0 {
		if err := b.fire(ctx, TimerNote.ID(r.Code, strconv.Itoa(v))); err != nil {
			return "", err
		}
		return head + ". The participant is told; reminders follow the new time.", nil
	}
	return head + " saved. Reminders will go before it.", nil
}

// cancel cancels r's appointment and its reminders, and tells the
// participant if they had heard of it.
func (b *Book) cancel(ctx context.Context, p *program.Person, r *referral.Referral) (string, error) {
	now := b.now()
	v, err := b.bumpVersion(ctx, r.Code)
	if err != nil {
		return "", err
	}
	c := referral.Change{Event: referral.At(now, referral.EvApptCancelled, p.ID, strconv.Itoa(v)),
		Set: []referral.Write{referral.Set(referral.FApptState, apptCancelled)}}
	for n := range b.prog.Participants.Reminders {
		c.Timers = append(c.Timers, referral.Timer{Kind: TimerAppt, Args: []int{v - 1, n}, How: referral.TimerRemove})
	}
	if _, err := b.refs.Apply(ctx, r.Code, c); err != nil {
		return "", fmt.Errorf("cancel appointment of %s: %w", r.Code, err)
	}
	if err := b.rdb.ZRem(ctx, apptsKey(r.ApptBy), r.Code).Err(); err != nil {
		return "", fmt.Errorf("cancel appointment of %s: %w", r.Code, err)
	}
	reply := r.Code + ": appointment " + b.prog.Times.In(b.zoneOf(r)).DateTime(r.Appt) + " cancelled; no more reminders."
	if r.ApptTold != 0 && r.Appt.After(now) {
		if err := b.fire(ctx, TimerNote.ID(r.Code, strconv.Itoa(v))); err != nil {
			return "", err
		}
		reply += " The participant is told."
	}
	return reply, nil
}

// Setting handles LANG (lang true) and TZ for r's participant.
func (b *Book) Setting(ctx context.Context, r *referral.Referral, lang bool, value string) (string, error) {
	if !lang {
		loc, err := time.LoadLocation(value)
		if err != nil || value == "Local" || !strings.Contains(value, "/") {
			return "Unknown time zone " + value + ". Use a name like America/Chicago.", nil
		}
		if _, err := b.refs.Apply(ctx, r.Code, referral.Change{Set: []referral.Write{referral.Set(referral.FTZ, loc.String())}}); err != nil {
			return "", fmt.Errorf("set zone of %s: %w", r.Code, err)
		}
		return r.Code + ": participant texts follow " + loc.String() + " time.", nil
	}
	l, ok := participant.ParseLang(value)
	if !ok {
		return "LANG " + r.Code + " en or es.", nil
	}
	if _, err := b.refs.Apply(ctx, r.Code, referral.Change{Set: []referral.Write{referral.Set(referral.FLang, string(l))}}); err != nil {
		return "", fmt.Errorf("set language of %s: %w", r.Code, err)
	}
	if r.Participant != "" {
		if err := b.rdb.HSet(ctx, participantKey(b.numberHash(r.Participant)), "lang", string(l)).Err(); err != nil {
			return "", fmt.Errorf("set language of %s: %w", r.Code, err)
		}
	}
	name := map[participant.Lang]string{participant.English: "English", participant.Spanish: "Spanish"}[l]
	return r.Code + ": participant texts in " + name + ".", nil
}

func usage(code string) string {
	return "Send APPT " + code + " <phone> <date> <time> [@ place], e.g. APPT " + code + " 412-555-0177 11/25 2:30pm @ 123 Center Ave"
}

// askConsent marks the number as asked and sends the consent request now
// (its timer fired at once, so the request goes through the same caps).
func (b *Book) askConsent(ctx context.Context, code, hash string) error {
	if err := b.rdb.HSetNX(ctx, participantKey(hash), "consent", consentAsked).Err(); err != nil {
		return fmt.Errorf("ask consent: %w", err)
	}
	if err := b.rdb.SAdd(ctx, askedKey, hash).Err(); err != nil {
		return fmt.Errorf("ask consent: %w", err)
	}
	return b.fire(ctx, TimerAsk.ID(code, hash))
}
