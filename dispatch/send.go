package dispatch

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
)

// What each outbound text is, for the outbox's hooks.
const (
	kindPage      = "page"      // a case-manager page: its result moves the escalation
	kindTell      = "tell"      // a reply or notice to staff
	kindDigest    = "digest"    // a case manager's daily digest or follow-up reminder
	kindAsk       = "ask"       // a participant's consent request
	kindReminder  = "reminder"  // a participant's appointment reminder or change notice
	kindPartReply = "partreply" // an answer to a participant's own text
)

// newOutbox is the service's one outbox: every text it sends goes through
// it, pages first.
func (s *Service) newOutbox(c Config) (*outbox.Box, error) {
	opt := c.Outbox
	// The outbox's leases and retries are about processes and Twilio, not
	// the program's day: a caller whose clock jumps (the demo's `wait`)
	// gives the outbox a steady one of its own.
	if opt.Clock == nil {
		opt.Clock = s.now
	}
	opt.Log, opt.Metrics = s.log, c.Metrics
	if opt.Rate == 0 {
		opt.Rate = s.prog.MaxMessagesPerSecond
	}
	opt.Check, opt.Done = s.mayText, s.sent
	return outbox.New(s.rdb, c.Texter, opt)
}

// RunOutbox sends queued texts until ctx ends.
func (s *Service) RunOutbox(ctx context.Context) { s.outbox.Run(ctx) }

// Wait blocks until every text and call under way, and every text ready in
// the outbox, has been sent or given up on. Call it before exiting; tests
// call it to know the service is idle.
func (s *Service) Wait() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		s.sends.Wait()
		n, err := s.outbox.Flush(ctx)
		if err != nil {
			return // Redis has gone: nothing more can be sent
		}
		s.sends.Wait()
		idle, err := s.outbox.Idle(ctx)
		if err != nil || (idle && n == 0) {
			return
		}
		if n == 0 {
			time.Sleep(2 * time.Millisecond) // in flight elsewhere, or held by the rate cap
		}
	}
}

// text queues body to number. A failure to queue is logged: the caller
// has already stored what the text reports.
func (s *Service) text(ctx context.Context, m outbox.Message) {
	m.From = s.prog.Phone
	if m.StatusCallback == "" {
		m.StatusCallback = s.publicURL + "/twilio/status"
	}
	if _, err := s.outbox.Enqueue(context.WithoutCancel(ctx), m); err != nil {
		s.log.Error("text not queued", "kind", m.Kind, "to", phone.Mask(m.To), "err", err)
	}
}

// tell texts a person by ID.
func (s *Service) tell(ctx context.Context, personID, body string) {
	s.tellAs(ctx, personID, body, outbox.Reply, "")
}

// tellAs texts a person with a priority, under an idempotency key id
// ("" for none).
func (s *Service) tellAs(ctx context.Context, personID, body string, prio outbox.Priority, id string) {
	p, ok := s.prog.Person(personID)
	if !ok {
		return
	}
	kind := kindTell
	if prio == outbox.Reminder {
		kind = kindDigest
	}
	s.text(ctx, outbox.Message{ID: id, To: p.Phone, Body: body, Priority: prio, Kind: outbox.Kind(kind)})
}

// reply answers an inbound text; the reply's ID is the inbound text's, so
// a retried webhook never answers twice.
func (s *Service) reply(ctx context.Context, to, body, messageSID, kind string) error {
	id := ""
	if messageSID != "" {
		id = "reply:" + messageSID
	}
	_, err := s.outbox.Enqueue(ctx, outbox.Message{ID: id, From: s.prog.Phone, To: to, Body: body,
		Priority: outbox.Reply, Kind: outbox.Kind(kind), StatusCallback: s.publicURL + "/twilio/status"})
	return err
}

// pageBySMS texts the page to p. Its delivery reports come to /twilio/status
// and reach the step through the outbox's record of the message.
func (s *Service) pageBySMS(ctx context.Context, r *Referral, step int, p *program.Person) {
	m := outbox.Message{
		ID: "page:" + r.Code + ":" + strconv.Itoa(step) + ":" + p.ID, To: p.Phone, Body: s.page(r),
		Priority: outbox.Page, Kind: kindPage, MaxAttempts: 1, // a page not sent moves the chain on instead
		Meta: map[string]string{"code": r.Code, "cohort": r.Cohort, "step": strconv.Itoa(step), "person": p.ID},
	}
	m.From, m.StatusCallback = s.prog.Phone, s.publicURL+"/twilio/status"
	if _, err := s.outbox.Enqueue(context.WithoutCancel(ctx), m); err != nil {
		s.paged(ctx, r.Code, r.Cohort, step, p, program.SMS, outcome{err: err})
	}
}

// sent acts on the end of one outbound text.
func (s *Service) sent(ctx context.Context, r outbox.Result) {
	switch r.Kind {
	case kindPage:
		p, ok := s.prog.Person(r.Meta["person"])
		if !ok {
			return
		}
		s.paged(ctx, r.Meta["code"], r.Meta["cohort"], atoiOr(r.Meta["step"], -2), p, program.SMS,
			outcome{sid: r.SID, err: r.Err, status: r.Status})
		return
	case kindAsk, kindReminder, kindPartReply:
		if errors.Is(r.Err, phone.ErrOptedOut) {
			if err := s.optedOut(ctx, r.To, stopCarrier); err != nil {
				s.log.Error("record opt-out", "err", err)
			}
			return
		}
	}
	if r.Err != nil {
		s.log.Warn("text not sent", "kind", r.Kind, "to", phone.Mask(r.To), "final", phone.IsFinal(r.Err), "err", r.Err)
	}
}

// mayText is asked just before each text goes: a participant text goes
// only if the number has not opted out since it was queued, and a reminder
// only if its appointment still stands as it was.
func (s *Service) mayText(ctx context.Context, m outbox.Message) (bool, error) {
	switch m.Kind {
	case kindAsk, kindReminder, kindPartReply:
		return s.participantMayGet(ctx, m)
	}
	return true, nil
}
