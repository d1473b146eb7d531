package appointment

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// answerWithin is how long after a participant's own message a case
// manager's MSG counts as its answer, which the caps do not count.
const answerWithin = 24 * time.Hour

// Message handles MSG from p about r: the case manager's own words to r's
// participant, under the same rules as every participant text (the wording
// check, the participant's hours, and unless it answers the participant's
// own message of the last day, the caps). It returns the reply to p.
func (b *Book) Message(ctx context.Context, p *program.Person, r *referral.Referral, text string) (string, error) {
	if r.Participant == "" {
		return "No participant for " + r.Code + ". Give their number with APPT first.", nil
	}
	hash := b.numberHash(r.Participant)
	rec, ok, err := b.record(ctx, hash)
	if err != nil {
		return "", err
	}
	if !ok || rec.Stopped != "" {
		return r.Code + ": the participant opted out of texts; nothing was sent.", nil
	}
	body, err := b.texts().Message(text)
	if err != nil {
		return "Not sent: " + strings.TrimPrefix(err.Error(), "participant: ") + ".", nil
	}
	now := b.now()
	wrote, _ := strconv.ParseInt(rec.Wrote, 10, 64)
	answer := wrote > 0 && now.Sub(time.UnixMilli(wrote)) < answerWithin
	n, err := b.rdb.HIncrBy(ctx, participantKey(hash), "msgs", 1).Result()
	if err != nil {
		return "", fmt.Errorf("store message: %w", err)
	}
	capped := 1
	if answer {
		capped = 0
	}
	id := timers.Kind(TimerMsg).ID(r.Code, strconv.FormatInt(n, 10), strconv.Itoa(capped))
	sealed, err := b.keys.Seal(body, participantKey(hash), msgField(id))
	if err != nil {
		return "", fmt.Errorf("store message: %w", err)
	}
	if err := b.rdb.HSet(ctx, participantKey(hash), msgField(id), sealed).Err(); err != nil {
		return "", fmt.Errorf("store message: %w", err)
	}
	var sent []time.Time
	if !answer {
		if sent, err = b.sentTimes(ctx, hash, now); err != nil {
			return "", err
		}
	}
	slot := participant.NextSlot(now, b.zoneOf(r), sent, b.window(answer))
	if err := b.fire(ctx, id); err != nil {
		return "", err
	}
	if slot.After(now) {
		why := "hours"
		if !answer {
			why = "hours and limit of texts"
		}
		return r.Code + ": the participant's " + why + " hold your message until " + b.note.When(slot) + ".", nil
	}
	return r.Code + ": sent to the participant.", nil
}

// msgField is the participant hash's field that holds a MSG's text until
// it is sent.
func msgField(id string) string { return "msg:" + id }

// window is the participant's hours and caps, or for an answer to their
// own message the hours with no cap that could hold it.
func (b *Book) window(uncapped bool) participant.Limits {
	w := b.prog.Participants.Window
	if uncapped {
		w.PerDay, w.PerWeek = 1<<30, 1<<30
	}
	return w
}
