package appointment

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/referral"
)

// Known reports whether number is a participant's, and whether it is one
// forgotten but for its opt-out (which gets no answer at all).
func (b *Book) Known(ctx context.Context, number string) (known, stopped bool, err error) {
	if err := b.adopt(ctx, number); err != nil {
		return false, false, err
	}
	rec, ok, err := b.record(ctx, b.numberHash(number))
	return ok, !ok && rec.Stopped != "", err
}

// Text answers a participant's text: C, R, YES/NO to consent, STOP and
// START, HELP. "" is no answer.
func (b *Book) Text(ctx context.Context, from, body string) (string, error) {
	hash := b.numberHash(from)
	rec, _, err := b.record(ctx, hash)
	if err != nil {
		return "", err
	}
	rp := participant.ParseReply(body)
	var r *referral.Referral
	if rec.Code != "" {
		if r, err = b.refs.Load(ctx, rec.Code); errors.Is(err, referral.ErrNotFound) {
			r = nil
		} else if err != nil {
			return "", err
		}
	}
	// An answer to their own text is in the language the case manager
	// set, else in the language they wrote it in when the words tell.
	lang := langOf(rec, r)
	if (r == nil || r.Lang == "") && rp.Lang != "" {
		lang = rp.Lang
	}
	switch rp.Kind {
	case participant.Stop, participant.Start, participant.Help:
		return b.keyword(ctx, hash, rec, r, rp, lang)
	}
	if rec.Stopped != "" || r == nil {
		return "", nil
	}
	texts := b.texts()
	switch rp.Kind {
	case participant.Unsure:
		b.toApptBy(ctx, r, "the participant wrote "+quote(body)+". They were asked to reply STOP if they want no more texts.")
		return texts.StopAsk(lang), nil
	case participant.Message:
		if err := b.rdb.HSet(ctx, participantKey(hash), "wrote", b.now().UnixMilli()).Err(); err != nil {
			return "", fmt.Errorf("note participant's message: %w", err)
		}
		b.toApptBy(ctx, r, "the participant wrote "+quote(body)+". Answer with MSG "+r.Code+" <text>.")
		return texts.Relayed(lang), nil
	}
	if rec.Consent == consentNo && rp.Kind == participant.Yes {
		// Changed their mind: reminders of appointments still ahead go.
		return texts.ConsentThanks(lang), b.consent(ctx, hash, r, consentYes)
	}
	if rec.Consent == consentAsked {
		switch rp.Kind {
		case participant.Yes:
			return texts.ConsentThanks(lang), b.consent(ctx, hash, r, consentYes)
		case participant.No:
			return texts.ConsentDeclined(lang), b.consent(ctx, hash, r, consentNo)
		}
		return texts.Consent(lang), nil
	}
	return b.answer(ctx, rec, r, rp, lang)
}

// keyword handles STOP, START and HELP.
func (b *Book) keyword(ctx context.Context, hash string, rec record, r *referral.Referral, rp participant.Reply, lang participant.Lang) (string, error) {
	texts := b.texts()
	switch rp.Kind {
	case participant.Stop:
		how := stopWords
		if rp.Keyword {
			how = stopKeyword
		}
		if err := b.stop(ctx, hash, rec, r, how); err != nil {
			return "", err
		}
		if rp.Keyword {
			return "", nil // Twilio confirms its own keywords
		}
		return texts.Stopped(lang), nil
	case participant.Start:
		if rec.Stopped != "" {
			if err := b.rdb.HDel(ctx, participantKey(hash), "stopped").Err(); err != nil {
				return "", fmt.Errorf("resume texts: %w", err)
			}
			b.toApptBy(ctx, r, "the participant opted back in to texts.")
		}
		if rp.Keyword {
			return "", nil
		}
		return texts.Started(lang), nil
	}
	return texts.Help(lang), nil
}

// answer handles C and R about a coming appointment.
func (b *Book) answer(ctx context.Context, rec record, r *referral.Referral, rp participant.Reply, lang participant.Lang) (string, error) {
	texts := b.texts()
	booked := r.ApptState == apptSet || r.ApptState == apptConfirmed || r.ApptState == apptReschedule
	switch {
	case booked && !b.now().Before(r.Appt):
		return texts.Passed(lang, r.Appt.In(b.zoneOf(r))), nil
	case !booked:
		return texts.NoAppointment(lang), nil
	case rec.Consent != consentYes:
		return texts.Usage(lang), nil
	}
	when := b.prog.Times.In(b.zoneOf(r)).DateTime(r.Appt)
	switch rp.Kind {
	case participant.Confirm, participant.Yes:
		if err := b.apptAnswer(ctx, r, apptConfirmed, referral.EvApptConfirmed); err != nil {
			return "", err
		}
		b.toApptBy(ctx, r, "the participant confirmed "+when+".")
		return texts.Confirmed(lang, r.Appt.In(b.zoneOf(r))), nil
	case participant.Reschedule:
		if err := b.apptAnswer(ctx, r, apptReschedule, referral.EvApptReschedule); err != nil {
			return "", err
		}
		b.toApptBy(ctx, r, "the participant asks to reschedule "+when+
			". Text APPT "+r.Code+" MOVE <date> <time>, or APPT "+r.Code+" CANCEL.")
		return texts.Reschedule(lang), nil
	}
	return texts.Usage(lang), nil
}

// maxQuoted is how much of a participant's message a case manager's text
// quotes: the rest of a long message would split the text into many parts.
const maxQuoted = 300

// quote is a participant's message in quotes for their case manager, cut
// at maxQuoted characters.
func quote(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if r := []rune(body); len(r) > maxQuoted {
		body = string(r[:maxQuoted-1]) + "…"
	}
	return "\"" + body + "\""
}

// consent records the participant's answer and tells the case manager; a
// YES lets the appointment's reminders go.
func (b *Book) consent(ctx context.Context, hash string, r *referral.Referral, answer string) error {
	if err := b.rdb.HSet(ctx, participantKey(hash), "consent", answer).Err(); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	if err := b.rdb.SRem(ctx, askedKey, hash).Err(); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	if err := b.event(ctx, r.Code, referral.EvConsent, answer); err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	if answer == consentYes {
		b.toApptBy(ctx, r, "the participant agreed to appointment reminders.")
	} else {
		b.toApptBy(ctx, r, "the participant declined appointment reminders; none will go.")
	}
	return nil
}

func (b *Book) apptAnswer(ctx context.Context, r *referral.Referral, state string, what referral.Event) error {
	_, err := b.refs.Apply(ctx, r.Code, referral.Change{Event: referral.At(b.now(), what, "", strconv.Itoa(r.ApptVer)),
		Set: []referral.Write{referral.Set(referral.FApptState, state)}})
	if err != nil {
		return fmt.Errorf("record appointment answer: %w", err)
	}
	return nil
}

// toApptBy tells the case manager who made r's appointment something about
// its participant.
func (b *Book) toApptBy(ctx context.Context, r *referral.Referral, what string) {
	if r == nil {
		return
	}
	who := r.ApptBy
	if who == "" {
		who = r.AcceptedBy
	}
	b.note.Tell(ctx, who, r.Code+": "+what)
}

// stop stops every text to a participant's number at once.
func (b *Book) stop(ctx context.Context, hash string, rec record, r *referral.Referral, how string) error {
	if err := b.rdb.HSet(ctx, participantKey(hash), "stopped", how).Err(); err != nil {
		return fmt.Errorf("record opt-out: %w", err)
	}
	b.log.Info("participant opted out", "how", how)
	if rec.Stopped == "" {
		if r != nil {
			if err := b.event(ctx, r.Code, referral.EvOptedOut, how); err != nil {
				b.log.Error("note opt-out", "err", err)
			}
		}
		b.toApptBy(ctx, r, "the participant opted out of texts; no more reminders will go.")
	}
	return nil
}

// optedOut records that Twilio refused a text to number because its owner
// opted out.
func (b *Book) optedOut(ctx context.Context, number string) error {
	hash := b.numberHash(number)
	rec, ok, err := b.record(ctx, hash)
	if err != nil || !ok || rec.Stopped != "" {
		return err
	}
	var r *referral.Referral
	if rec.Code != "" {
		if r, err = b.refs.Load(ctx, rec.Code); err != nil {
			r = nil
		}
	}
	return b.stop(ctx, hash, rec, r, stopCarrier)
}

// sent is the outbox's word on a participant text: Twilio's 21610 is an
// opt-out; another final error (a landline, no such number) is told to
// the case manager.
func (b *Book) sent(ctx context.Context, res outbox.Result) {
	if errors.Is(res.Err, phone.ErrOptedOut) {
		if err := b.optedOut(ctx, res.To); err != nil {
			b.log.Error("record opt-out", "err", err)
		}
		return
	}
	if res.Err != nil {
		b.log.Warn("text not sent", "kind", res.Kind, "to", phone.Mask(res.To), "final", phone.IsFinal(res.Err), "err", res.Err)
	}
	if reported(res.Kind) && failedForGood(res.Err, res.Status, res.StatusCode) {
		code := res.StatusCode
		var se *phone.SendError
		if errors.As(res.Err, &se) {
			code = strconv.Itoa(se.Code)
		}
		if err := b.cannotReach(ctx, res.Message, code); err != nil {
			b.log.Error("record unreachable number", "err", err)
		}
	}
}

// report is a participant text's delivery report: the carrier saying they
// opted out stops texts to them; one saying the number cannot get texts is
// told to the case manager.
func (b *Book) report(ctx context.Context, m outbox.Message, status, errorCode string) error {
	if phone.IsOptedOut(errorCode) {
		return b.optedOut(ctx, m.To)
	}
	if reported(m.Kind) && failedForGood(nil, status, errorCode) {
		return b.cannotReach(ctx, m, errorCode)
	}
	return nil
}
