package twiliosim

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// messageStatuses are the MessageStatus values Twilio reports.
var messageStatuses = []string{
	"accepted", "scheduled", "queued", "sending", "sent", "delivered", "undelivered",
	"failed", "read", "canceled", "receiving", "received", "partially_delivered",
}

// endStatuses are the CallStatus values of a call that has ended.
var endStatuses = []string{"no-answer", "busy", "failed", "canceled", "completed"}

// MessageStatus posts a status callback for the message messageSID to its
// StatusCallback, signed, with the fields Twilio sends: MessageSid, SmsSid,
// AccountSid, From, To, MessageStatus and SmsStatus (both status),
// ApiVersion, and ErrorCode unless errorCode is 0. It does nothing else, so
// tests can report statuses in any order, late or twice. It fails for an
// unknown message, one without a StatusCallback, a status Twilio does not
// use, or a non-2xx answer.
func (s *Server) MessageStatus(ctx context.Context, messageSID, status string, errorCode int) error {
	if !slices.Contains(messageStatuses, status) {
		return fmt.Errorf("twiliosim: %q is not a message status Twilio reports", status)
	}
	m, ok := s.inbox.message(messageSID)
	if !ok {
		return fmt.Errorf("twiliosim: no message %s", messageSID)
	}
	s.records.status(m.SID, status)
	if m.StatusCallback == "" {
		return fmt.Errorf("twiliosim: message %s has no StatusCallback", messageSID)
	}
	params := url.Values{
		"MessageSid":    {m.SID},
		"SmsSid":        {m.SID},
		"AccountSid":    {s.accountSID},
		"From":          {m.From},
		"To":            {m.To},
		"MessageStatus": {status},
		"SmsStatus":     {status},
		"ApiVersion":    {apiVersion},
	}
	if errorCode != 0 {
		params.Set("ErrorCode", strconv.Itoa(errorCode))
	}
	_, err := s.post(ctx, m.StatusCallback, params)
	return err
}

// EndCall ends the call callSID with status ("no-answer", "busy", "failed",
// "canceled" or "completed") and posts its StatusCallback, signed, with the
// call's fields, that CallStatus and CallDuration: 0 for a call never
// answered, else the time since Answer, whose Session then reports HungUp.
// Unlike an ending Session it posts even if the call has already ended, so
// tests can repeat a callback. It fails for an unknown call, one without a
// StatusCallback, another status, or a non-2xx answer.
func (s *Server) EndCall(ctx context.Context, callSID, status string) error {
	if !slices.Contains(endStatuses, status) {
		return fmt.Errorf("twiliosim: %q is not a status a call ends with", status)
	}
	c, err := s.calls.get(callSID)
	if err != nil {
		return err
	}
	if c.StatusCallback == "" {
		return fmt.Errorf("twiliosim: call %s has no StatusCallback", callSID)
	}
	d, _ := s.calls.end(callSID, s.now())
	return s.callStatus(ctx, c, status, d)
}

// callStatus posts the call's final status to its StatusCallback.
func (s *Server) callStatus(ctx context.Context, c Call, status string, d time.Duration) error {
	params := s.callFields(c, status)
	params.Set("CallDuration", strconv.Itoa(int(d/time.Second)))
	_, err := s.post(ctx, c.StatusCallback, params)
	return err
}
