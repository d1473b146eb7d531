package twiliosim

import (
	"strings"
	"sync"
)

// Twilio's default replies to its opt-out, opt-in and help keywords on a
// long code or a Messaging Service without Advanced Opt-Out.
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

func newOptOuts() *optOuts { return &optOuts{stopped: map[[2]string]bool{}} }

// AnswerKeywords turns Twilio's own keyword handling on or off (off by
// default, so tests of the service's own answers read only those): when
// on, a text that is only STOP (or STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
// OPTOUT, REVOKE) is answered with StopReply and every later send from
// that number to the phone fails with 21610, as Twilio's does; START or
// UNSTOP (and YES after a STOP) is answered with StartReply and lifts it;
// HELP or INFO is answered with HelpReply. The text still reaches the
// webhook, as with Twilio.
func (s *Server) AnswerKeywords(on bool) {
	s.optOuts.mu.Lock()
	defer s.optOuts.mu.Unlock()
	s.optOuts.on = on
}

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
