package phone

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/twilio/twilio-go/twiml"
)

// CodeError is the error a status callback's ErrorCode stands for, classed
// like a send's: ErrOptedOut for 21610, ErrUnreachable for a number that
// cannot take texts, nil for any other code or none. Status callbacks and
// send results go through the same table.
func CodeError(code string) error {
	n, err := strconv.Atoi(code)
	if err != nil {
		return nil
	}
	return finalCodes[n]
}

// IsOptedOut reports whether a status callback's ErrorCode says the
// recipient opted out.
func IsOptedOut(code string) bool { return errors.Is(CodeError(code), ErrOptedOut) }

// IsUnreachable reports whether a status callback's ErrorCode says the
// number cannot get texts from us at all.
func IsUnreachable(code string) bool { return errors.Is(CodeError(code), ErrUnreachable) }

// Say is TwiML's <Say>.
func Say(text string) twiml.Element { return &twiml.VoiceSay{Message: text} }

// Voice is the TwiML document of verbs. Every voice response Leadline gives
// is built here.
func Voice(verbs ...twiml.Element) (string, error) {
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return "", fmt.Errorf("build TwiML: %w", err)
	}
	return doc, nil
}

// Goodbye is a voice response that says text and hangs up.
func Goodbye(text string) (string, error) { return Voice(Say(text), &twiml.VoiceHangup{}) }

// IsE164 reports whether number has the shape Twilio accepts: a plus and 8
// to 15 digits. Replies go to such numbers only.
func IsE164(number string) bool { return e164.MatchString(number) }
