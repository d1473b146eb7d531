package twiliosim

import (
	"fmt"
	"net/http"
)

// Twilio error codes the simulator produces on its own.
const (
	codeAuthenticate     = 20003
	codeNotFound         = 20404
	codeInvalidParameter = 21200
)

// apiError is Twilio's JSON error shape; twilio-go decodes it into
// *client.TwilioRestError.
type apiError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, apiError{
		Code:     code,
		Message:  msg,
		MoreInfo: fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		Status:   status,
	})
}

// faultMessage is the text Twilio sends with a code. Some quote the number,
// as Twilio's do, so tests see that callers keep it out of their logs.
func faultMessage(code int, to string) string {
	switch code {
	case 20429:
		return "Too Many Requests"
	case 20500:
		return "An internal server error has occurred"
	case 21211:
		return fmt.Sprintf("Invalid 'To' Phone Number: %s", to)
	case 21408:
		return fmt.Sprintf("Permission to send an SMS has not been enabled for the region indicated by the 'To' number: %s", to)
	case 21610:
		return "Attempt to send to unsubscribed recipient"
	case 21612:
		return fmt.Sprintf("The 'To' phone number: %s, is not currently reachable using the 'From' phone number via SMS.", to)
	case 21614:
		return fmt.Sprintf("'To' number %s is not a valid mobile number", to)
	}
	return http.StatusText(http.StatusInternalServerError)
}
