package phone

import (
	"context"
	"time"

	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// Call is one outbound voice call.
type Call struct {
	From, To string
	// URL is where Twilio fetches TwiML (POST) when the call is answered.
	URL string
	// StatusCallback gets Twilio's final call status (POST); empty for none.
	StatusCallback string
	// Ring is how long to ring before giving up as no-answer; 0 means
	// Twilio's default (60s). Twilio counts whole seconds, so it is rounded
	// up.
	Ring time.Duration
}

// Call places call and returns Twilio's CallSid. It retries, times out and
// classifies errors exactly as SendSMS does, so IsFinal, ErrUnreachable and
// *SendError mean the same for calls; errors start "phone: call:".
//
// Twilio fetches URL and posts to StatusCallback with POST; a caller that
// needs the final status (no-answer, busy, failed, completed) must give a
// StatusCallback, since Call returns as soon as Twilio has queued the call.
func (c *Client) Call(ctx context.Context, call Call) (string, error) {
	params := &api.CreateCallParams{}
	params.SetTo(call.To).SetFrom(call.From).SetUrl(call.URL).SetMethod("POST")
	if call.StatusCallback != "" {
		params.SetStatusCallback(call.StatusCallback).SetStatusCallbackMethod("POST")
	}
	if call.Ring > 0 {
		params.SetTimeout(int((call.Ring + time.Second - 1) / time.Second))
	}
	return c.retry(ctx, kindCall, "call", func() (string, *SendError) {
		res, err := c.rest.Api.CreateCall(params)
		if err != nil {
			return "", classify(err)
		}
		return created(res.Sid, "call")
	})
}
