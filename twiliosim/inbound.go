package twiliosim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// webhookPath is where Twilio posts inbound texts, below the webhook base.
const webhookPath = "/twilio/sms"

// inbound remembers where to deliver texts and what was delivered, so a
// text can be redelivered exactly as Twilio retries it.
type inbound struct {
	mu   sync.Mutex
	base string
	sent map[string]url.Values // by MessageSid
}

func newInbound() *inbound {
	return &inbound{sent: make(map[string]url.Values)}
}

// SetWebhookBase sets where inbound texts and calls go: base +
// "/twilio/sms" and base + "/twilio/voice", e.g. with base
// "http://127.0.0.1:8080". Requests are signed for exactly those URLs.
func (s *Server) SetWebhookBase(base string) {
	s.inbound.mu.Lock()
	defer s.inbound.mu.Unlock()
	s.inbound.base = strings.TrimSuffix(base, "/")
}

// Text delivers an SMS from the phone `from` to the Twilio number `to`: it
// posts Twilio's form fields to the webhook, signed, and records each
// <Message> of the TwiML response as a text from `to` back to `from` (or to
// the <Message>'s own to and from attributes). It returns the MessageSid,
// even on error, so the text can be redelivered; a non-2xx answer is an
// error that names the status.
func (s *Server) Text(ctx context.Context, from, to, body string) (sid string, err error) {
	sid = newSID("SM")
	params := url.Values{
		"MessageSid":    {sid},
		"SmsMessageSid": {sid},
		"SmsSid":        {sid},
		"AccountSid":    {s.accountSID},
		"From":          {from},
		"To":            {to},
		"Body":          {body},
		"NumMedia":      {"0"},
		"NumSegments":   {strconv.Itoa(segments(body))},
		"ApiVersion":    {apiVersion},
		"SmsStatus":     {"received"},
	}
	s.inbound.mu.Lock()
	s.inbound.sent[sid] = params
	s.inbound.mu.Unlock()
	if answer := s.optOuts.keyword(from, to, body); answer != "" {
		s.recordReply(params, reply{Body: answer})
	}
	return sid, s.deliver(ctx, params)
}

// Redeliver posts the text with MessageSid sid again, as Twilio does when a
// webhook times out or fails, and records any TwiML replies again.
func (s *Server) Redeliver(ctx context.Context, sid string) error {
	s.inbound.mu.Lock()
	params, ok := s.inbound.sent[sid]
	s.inbound.mu.Unlock()
	if !ok {
		return fmt.Errorf("twiliosim: no text with MessageSid %s to redeliver", sid)
	}
	return s.deliver(ctx, params)
}

// webhookBase returns what SetWebhookBase set.
func (s *Server) webhookBase() (string, error) {
	s.inbound.mu.Lock()
	defer s.inbound.mu.Unlock()
	if s.inbound.base == "" {
		return "", errors.New("twiliosim: no webhook: call SetWebhookBase first")
	}
	return s.inbound.base, nil
}

func (s *Server) deliver(ctx context.Context, params url.Values) error {
	base, err := s.webhookBase()
	if err != nil {
		return err
	}
	body, err := s.post(ctx, base+webhookPath, params)
	if err != nil {
		return err
	}
	replies, err := parseTwiML(body)
	if err != nil {
		return err
	}
	for _, r := range replies {
		// Twilio refuses a reply to a phone that opted out (21610).
		if s.optOuts.blocked(cmp.Or(r.From, params.Get("To")), cmp.Or(r.To, params.Get("From"))) {
			continue
		}
		s.recordReply(params, r)
	}
	return nil
}

// recordReply records a TwiML reply; by default it goes back from the
// number that was texted to the phone that texted it.
func (s *Server) recordReply(params url.Values, r reply) {
	m := Message{
		SID:      newSID("SM"),
		From:     cmp.Or(r.From, params.Get("To")),
		To:       cmp.Or(r.To, params.Get("From")),
		Body:     r.Body,
		Via:      "twiml",
		Segments: segments(r.Body),
		At:       s.now().UTC(),
	}
	s.inbox.record(m)
}
