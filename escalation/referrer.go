package escalation

import (
	"context"

	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/referral"
)

// The referrer of a community referral (a neighbour, a shop, a service
// provider) who gave a mobile number and asked for texts is told what an
// officer is told of its paging: the code, that the next case manager is
// paged, the accept with its ETA, that nobody is available, a cancel. They
// are not staff, so each text carries less than an officer's: no case
// manager's name, no notes, no place, nothing of the person referred, and
// never the program's purpose (each passes participant.Check: a phone's
// lock screen is not a private place). Leadline reads no reply from them:
// their number is not in the config, so a text from it gets the generic
// answer every unknown number gets and opens nothing.

// Why the referrer is told, one text each per referral (the outbox ID).
const (
	ToReferrerReceived = "received"
	toReferrerAccepted = "accepted"
	toReferrerNobody   = "nobody"
	toReferrerCancel   = "cancelled"
)

// TellReferrer texts r's referrer body, once per why, if they asked for
// texts. A text that breaks the rules for people outside the program is
// logged and not sent.
func (ch *Chain) TellReferrer(ctx context.Context, r *referral.Referral, why, body string) {
	if r.Referrer == "" {
		return
	}
	if err := participant.Check(body); err != nil {
		ch.Log.Error("referrer text refused", "code", r.Code, "why", why, "err", err)
		return
	}
	ch.Notify.Text(ctx, outbox.Message{ID: "referrer:" + r.Code + ":" + why, To: r.Referrer, Body: body,
		Priority: outbox.Reply, Kind: notify.KindTell})
}

// ReferrerReceived is the referrer's first text: who writes, the code, and
// what happens next; assigned means a case manager follows up later
// rather than being paged now.
func (ch *Chain) ReferrerReceived(code string, assigned bool) string {
	next := " We are contacting a case manager now."
	if assigned {
		next = " A case manager will follow up."
	}
	return ch.Program.Participants.Sender + ": we got your referral, code " + code + "." + next + ch.noReplies()
}

// noReplies says where to call, since texts back are not read.
func (ch *Chain) noReplies() string {
	if ch.Program.SupportPhone == "" {
		return " Replies to this number are not read."
	}
	return " Replies are not read; call " + ch.Program.SupportPhone + "."
}

func referrerPagingNext(code string) string {
	return code + ": still looking for a case manager; paging the next one."
}

func referrerAccepted(r *referral.Referral) string {
	return notify.EndSentence(r.Code + ": a case manager accepted" + ETAText(r.ETAMinutes))
}

func (ch *Chain) referrerNobody(code string) string {
	return code + ": no case manager is available right now." + ch.noReplies()
}

func referrerCancelled(code string) string { return code + " was cancelled by the program." }
