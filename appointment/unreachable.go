package appointment

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// ActionNumber is APPT <code> NUMBER <new>: the participant's number
// changes.
const ActionNumber = "number"

// unreachableField marks a participant's number that a text failed to
// reach for good (a landline, no such number, a carrier filter): when
// (ms). Capped texts stop going to it until it is given again.
const unreachableField = "unreachable"

// reported is true for participant texts whose failure is reported: those
// Leadline starts (consent, reminders, notices, MSG), not answers to the
// participant's own texts.
func reported(k outbox.Kind) bool { return k == KindAsk || k == KindReminder || k == KindMessage }

// failedForGood reports whether a participant text's end means its number
// cannot get texts: a final error other than an opt-out, from the send or
// from a delivery report (code).
func failedForGood(err error, status, code string) bool {
	if err != nil {
		return phone.IsFinal(err) && !errors.Is(err, phone.ErrOptedOut)
	}
	return (status == "undelivered" || status == "failed") && phone.IsUnreachable(code)
}

// cannotReach records that m's number cannot get texts and tells the case
// manager who made the appointment, once per number: a second failure, on
// this instance or another, finds it recorded.
func (b *Book) cannotReach(ctx context.Context, m outbox.Message, code string) error {
	hash := b.numberHash(m.To)
	first, err := b.rdb.HSetNX(ctx, participantKey(hash), unreachableField, strconv.FormatInt(b.now().UnixMilli(), 10)).Result()
	if err != nil {
		return fmt.Errorf("record unreachable number: %w", err)
	}
	if !first {
		return nil
	}
	b.log.Warn("participant number cannot receive texts", "kind", m.Kind, "to", phone.Mask(m.To), "code", code)
	r, err := b.refs.Load(ctx, m.Meta["code"])
	if errors.Is(err, referral.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Participant != m.To {
		return nil // the number has been changed since
	}
	if err := b.event(ctx, r.Code, referral.EvUnreachable, code); err != nil {
		return err
	}
	b.toApptBy(ctx, r, unreachableText(r.Code, m.To))
	return nil
}

// unreachableText tells the case manager what happened and what to do.
func unreachableText(code, number string) string {
	return "the number " + shown(number) + " cannot receive texts; no reminders will reach it. Send APPT " + code +
		" NUMBER <new> to change it."
}

// shown is a participant's number as a case manager may see it: area code
// and last four, "412-…-0177"; other countries' as phone.Mask has them.
func shown(number string) string {
	if len(number) == 12 && number[:2] == "+1" {
		return number[2:5] + "-…-" + number[8:]
	}
	return phone.Mask(number)
}

// renumber changes r's participant's number to number: texts about r go to
// it from now on (the old one hears no more of r), a number new to the
// program is asked to agree to reminders first, and one that was marked
// unreachable is tried again.
func (b *Book) renumber(ctx context.Context, p *program.Person, r *referral.Referral, text string) (string, error) {
	if r.Participant == "" {
		return "No participant number for " + r.Code + ". " + usage(r.Code), nil
	}
	number, rest := b.readNumber(text)
	if number == "" || rest != "" {
		return "That is not a phone number. Send APPT " + r.Code + " NUMBER 412-555-0188 (or +<country code> <number>).", nil
	}
	if _, staff := b.prog.PersonByPhone(number); staff || number == b.prog.Phone {
		return "That number is not a participant's.", nil
	}
	hash := b.numberHash(number)
	if number == r.Participant {
		if err := b.rdb.HDel(ctx, participantKey(hash), unreachableField).Err(); err != nil {
			return "", fmt.Errorf("retry number of %s: %w", r.Code, err)
		}
		return r.Code + ": the number is already " + shown(number) + "; texts to it will be tried again.", nil
	}
	if err := b.unlink(ctx, b.numberHash(r.Participant), r.Code); err != nil {
		return "", err
	}
	if err := b.adopt(ctx, number); err != nil {
		return "", err
	}
	sealed, err := b.keys.Seal(number, participantKey(hash), "phone")
	if err != nil {
		return "", fmt.Errorf("change number of %s: %w", r.Code, err)
	}
	pl := b.rdb.TxPipeline()
	pl.HSet(ctx, participantKey(hash), "phone", sealed, "code", r.Code)
	pl.HDel(ctx, participantKey(hash), unreachableField)
	if r.Lang != "" {
		pl.HSet(ctx, participantKey(hash), "lang", r.Lang)
	}
	pl.SAdd(ctx, codesKey(hash), r.Code)
	if _, err := pl.Exec(ctx); err != nil {
		return "", fmt.Errorf("change number of %s: %w", r.Code, err)
	}
	c := referral.Change{Event: referral.At(b.now(), referral.EvNumberChanged, p.ID, ""),
		Set: []referral.Write{referral.Set(referral.FParticipant, number)}}
	if _, err := b.refs.Apply(ctx, r.Code, c); err != nil {
		return "", fmt.Errorf("change number of %s: %w", r.Code, err)
	}
	b.log.Info("participant number changed", "code", r.Code, "by", p.ID)
	head := r.Code + ": the participant's number is now " + shown(number) + "."
	rec, _, err := b.record(ctx, hash)
	if err != nil {
		return "", err
	}
	switch {
	case rec.Stopped != "":
		return head + " It has opted out of texts: no reminders will go.", nil
	case rec.Consent == consentNo:
		return head + " They declined reminders there: none will go.", nil
	case rec.Consent == consentYes:
		return head + " Reminders go to it.", nil
	case rec.Consent == consentAsked:
		return head + " Waiting for it to agree to reminders.", nil
	}
	if err := b.askConsent(ctx, r.Code, hash); err != nil {
		return "", err
	}
	return head + " Asked it to agree to reminders; you will hear their answer.", nil
}
