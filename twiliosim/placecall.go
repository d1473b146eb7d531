package twiliosim

import "context"

// voicePath is where Twilio posts inbound calls, below the webhook base.
const voicePath = "/twilio/voice"

// PlaceCall has the phone `from` call the Twilio number `to`: it records the
// call, which Calls lists (and NextCall returns for `to`) with URL the
// webhook base + "/twilio/voice", posts Twilio's inbound voice fields
// there, signed (CallSid, AccountSid, From, To, Caller, Called, CallStatus
// "ringing", Direction "inbound", ApiVersion), and runs the TwiML it gets
// back as Answer does. Later webhooks of the call carry the same fields
// with CallStatus "in-progress". The number has no StatusCallback, so
// nothing is posted when the call ends, and EndCall refuses it. It fails
// without SetWebhookBase; any other error means the call has ended, and
// names a webhook's non-2xx status.
func (s *Server) PlaceCall(ctx context.Context, from, to string) (*Session, error) {
	base, err := s.webhookBase()
	if err != nil {
		return nil, err
	}
	c := Call{SID: newSID("CA"), From: from, To: to, URL: base + voicePath, At: s.now().UTC()}
	s.calls.record(c)
	if _, err := s.calls.answer(c.SID, s.now()); err != nil {
		return nil, err
	}
	sess := &Session{srv: s, call: c, inbound: true}
	sess.step.Lock()
	defer sess.step.Unlock()
	if err := sess.play(ctx, func(p *player) error { return p.fetchAs(ctx, c.URL, "ringing", nil) }); err != nil {
		return nil, err
	}
	return sess, nil
}
