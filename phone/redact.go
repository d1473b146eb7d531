package phone

import (
	"context"

	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// kindRedact labels redactions in the client's metrics.
const kindRedact = "redact"

// CodeNotComplete is Twilio's answer to a change of a message it has not
// finished with (still queued or sending): try again later.
const CodeNotComplete = 20009

// RedactSMS empties the body Twilio keeps of the message sid, as Twilio's
// redaction does: an update with an empty Body. Twilio keeps the record
// (status, price, numbers) and refuses a message still in flight with
// CodeNotComplete. Retries are as SendSMS's; redacting twice is harmless.
func (c *Client) RedactSMS(ctx context.Context, sid string) error {
	params := &api.UpdateMessageParams{}
	params.SetBody("")
	_, err := c.retry(ctx, kindRedact, "redact SMS", func() (string, *SendError) {
		if _, err := c.rest.Api.UpdateMessage(sid, params); err != nil {
			return "", classify(err)
		}
		return sid, nil
	})
	return err
}
