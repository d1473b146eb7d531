package twiliosim

import (
	"strings"
	"sync"
)

// Twilio's default replies to its opt-out, opt-in and help keywords on a
// long code or a Messaging Service (Options.AnswerKeywords). Advanced
// Opt-Out lets an account reword them; what they do is the same.
const (
	StopReply  = "You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe."
	StartReply = "You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
	HelpReply  = "Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)

// keyword is what Twilio does with a whole message (trimmed, any case).
type keyword int

const (
	kwNone keyword = iota
	kwStop
	kwStart
	kwYes // opts back in, answered only when the phone had opted out
	kwHelp
)

var keywords = map[string]keyword{
	"stop": kwStop, "stopall": kwStop, "unsubscribe": kwStop, "cancel": kwStop, "end": kwStop,
	"quit": kwStop, "optout": kwStop, "revoke": kwStop,
	"start": kwStart, "unstop": kwStart, "yes": kwYes,
	"help": kwHelp, "info": kwHelp,
}

// optOuts is Twilio's opt-out list: which phones opted out of texts from
// which number, and whether it answers keywords at all.
type optOuts struct {
	mu      sync.Mutex
	on      bool
	stopped map[[2]string]bool // {our number, their phone}
}

func newOptOuts(on bool) *optOuts { return &optOuts{on: on, stopped: map[[2]string]bool{}} }

// keyword applies Twilio's keyword handling to a text from phone to our
// number and returns Twilio's reply, or "".
func (o *optOuts) keyword(phone, ours, body string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.on {
		return ""
	}
	pair := [2]string{ours, phone}
	switch keywords[strings.ToLower(strings.TrimSpace(body))] {
	case kwStop:
		o.stopped[pair] = true
		return StopReply
	case kwYes:
		if !o.stopped[pair] {
			return ""
		}
		fallthrough
	case kwStart:
		delete(o.stopped, pair)
		return StartReply
	case kwHelp:
		return HelpReply
	}
	return ""
}

// blocked reports whether phone opted out of texts from our number.
func (o *optOuts) blocked(ours, phone string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stopped[[2]string{ours, phone}]
}
