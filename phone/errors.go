package phone

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/twilio/twilio-go/client"
)

// ErrOptedOut means the recipient texted STOP to our number; Twilio refuses
// every text to them until they text START.
var ErrOptedOut = errors.New("recipient opted out")

// ErrUnreachable means the number cannot get texts from us at all.
var ErrUnreachable = errors.New("number cannot receive SMS")

// finalCodes are the Twilio error codes that say something about the
// recipient, so callers can act on them (stop paging a landline, record an
// opt-out) rather than just giving up:
//
//	code   Twilio's meaning                                      error
//	21610  recipient unsubscribed (texted STOP)                  ErrOptedOut
//	21211  'To' is not a valid phone number                      ErrUnreachable
//	21614  'To' is not a mobile number (a landline)              ErrUnreachable
//	21612  'To' cannot be reached from our number via SMS        ErrUnreachable
//	21408  sending to the number's country is not enabled        ErrUnreachable
//	       on the account, so it stays unreachable until an
//	       operator enables it
//
// and in a delivery report (status undelivered or failed):
//
//	30004  message blocked by the recipient or their carrier     ErrUnreachable
//	30005  unknown destination: no such number                   ErrUnreachable
//	30006  a landline, or a carrier that takes no texts          ErrUnreachable
//	30007  filtered by the carrier                               ErrUnreachable
//
// (30003, a handset switched off or out of range, is not: it may be on
// tomorrow.)
//
// Any other 4xx is final too, since the same request will fail the same way;
// 429, 5xx and transport errors are worth retrying.
var finalCodes = map[int]error{
	21610: ErrOptedOut,
	21211: ErrUnreachable,
	21614: ErrUnreachable,
	21612: ErrUnreachable,
	21408: ErrUnreachable,
	30004: ErrUnreachable,
	30005: ErrUnreachable,
	30006: ErrUnreachable,
	30007: ErrUnreachable,
}

// SendError is why one send failed. Its text never includes the message body
// or a phone number: Twilio's error messages often quote the number, so only
// the status and code are shown.
type SendError struct {
	Status int  // HTTP status Twilio reported; 0 if there was no Twilio answer to read
	Code   int  // Twilio error code; 0 if none
	Final  bool // true if sending again cannot succeed
	// Err is ErrOptedOut or ErrUnreachable for those codes, otherwise the
	// *client.TwilioRestError or transport error.
	Err error
}

func (e *SendError) Error() string {
	var rest *client.TwilioRestError
	switch {
	case errors.As(e.Err, &rest):
		return fmt.Sprintf("twilio status %d, code %d", e.Status, e.Code)
	case e.Status != 0 || e.Code != 0:
		return fmt.Sprintf("twilio status %d, code %d: %v", e.Status, e.Code, e.Err)
	}
	return e.Err.Error()
}

// Unwrap returns Err, so errors.Is(err, ErrOptedOut) works.
func (e *SendError) Unwrap() error { return e.Err }

// IsFinal reports whether err says that sending the same text again cannot
// succeed. Errors from a cancelled context are not final.
func IsFinal(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Final
}

// classify turns what twilio-go returned into a SendError.
func classify(err error) *SendError {
	var rest *client.TwilioRestError
	if !errors.As(err, &rest) {
		// No Twilio answer: connection refused or reset, timeout, or an error
		// body that was not Twilio's JSON (a proxy's 502 page). All may pass.
		return &SendError{Err: err}
	}
	se := &SendError{Status: rest.Status, Code: rest.Code, Err: err}
	if sentinel, ok := finalCodes[rest.Code]; ok {
		se.Err, se.Final = sentinel, true
		return se
	}
	se.Final = rest.Status >= 400 && rest.Status < 500 && rest.Status != http.StatusTooManyRequests
	return se
}
