// Package dispatch assembles Leadline's service from the packages that own
// its behaviour, and is what serve runs and the webhooks call: texts go to
// inbox, voice steps to escalation (page calls) and voiceline (the
// officers' line), status callbacks to the outbox and escalation, timers to
// whichever package registered their kind. It holds no behaviour of its own.
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/availability"
	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/followup"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/handoff"
	"github.com/leadline/leadline/inbox"
	"github.com/leadline/leadline/lockout"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/redaction"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/retention"
	"github.com/leadline/leadline/scene"
	"github.com/leadline/leadline/timers"
	"github.com/leadline/leadline/voiceline"
)

// Texter sends one SMS. phone.Client is one; the errors it returns are
// classified by phone.IsFinal.
type Texter interface {
	SendSMS(ctx context.Context, m phone.SMS) (string, error)
}

// Config is what a Service needs.
type Config struct {
	Program *program.Program
	Redis   redis.UniversalClient
	OnCall  *oncall.Store
	Texter  Texter
	Caller  escalation.Caller
	// PublicURL is the base URL Twilio reaches the webhooks at: page calls
	// fetch their TwiML and report status there.
	PublicURL string
	Clock     func() time.Time // required
	// Keys is the program's data key: it seals the details stored in
	// Redis and names phone numbers there. Required.
	Keys *datakey.Keys
	Log  *slog.Logger // default slog.Default()
	// Metrics is where the service's Prometheus metrics are registered;
	// nil for nowhere.
	Metrics prometheus.Registerer
	// Geocoder, if set, is tried for locations the program's own data
	// does not resolve.
	Geocoder geo.Geocoder
	// ShortLinks follows short map links where the program allows network
	// look-ups (network_lookups); nil for geo.ShortLinks{} then. Without
	// network_lookups it is not used.
	ShortLinks geo.LinkFollower
	// SendTimeout bounds the retries of one outbound call (default 2m).
	SendTimeout time.Duration
	// Outbox tunes the outbox every text goes through; its log and metrics
	// are the service's, its Clock defaults to the service's, and its Rate
	// defaults to the program's max_messages_per_second.
	Outbox outbox.Options
}

// Service is Leadline's phone side, assembled.
type Service struct {
	prog    *program.Program
	desk    *officer.Desk
	refs    *referral.Store
	timers  *timers.Queue
	mux     *timers.Mux
	box     *outbox.Box
	chain   *escalation.Chain
	inbox   *inbox.Inbox
	line    *voiceline.Line
	plans   *followup.Plans
	handoff *handoff.Texts
	guard   *lockout.Guard
	purger  *retention.Purger
	redact  *redaction.Texts // nil when the Texter cannot redact
}

// NewService returns a Service. It fails if c has no Clock or its metrics
// cannot be registered (registered twice).
func NewService(c Config) (*Service, error) {
	if c.Clock == nil {
		return nil, errors.New("dispatch: Config.Clock is required")
	}
	if c.Keys == nil {
		return nil, errors.New("dispatch: Config.Keys is required: " + datakey.ErrNoKey.Error())
	}
	if c.Log == nil {
		c.Log = slog.Default()
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
	m, err := referral.NewMetrics(c.Metrics)
	if err != nil {
		return nil, err
	}
	box, err := newOutbox(c)
	if err != nil {
		return nil, err
	}
	prog, now, log := c.Program, c.Clock, c.Log
	q := timers.New(c.Redis, referral.TimersBase, timers.Options{Clock: now, Log: log})
	refs := referral.NewStore(c.Redis, q, now, prog.Retention.Details, c.Keys).LimitOpen(prog.Retention.Open, prog.Retention.OpenNotice)
	note := notify.New(prog, box, c.PublicURL, log)
	resolver := prog.Resolver(c.Geocoder)
	if prog.NetworkLookups {
		resolver.Links = c.ShortLinks
		if resolver.Links == nil {
			resolver.Links = geo.ShortLinks{}
		}
	}
	book := appointment.New(prog, c.Redis, refs, q, note, c.Keys, now, log)
	plans := followup.New(prog, c.Redis, refs, note, book, now, log)
	away := availability.New(c.Redis, now)
	chain := escalation.New(escalation.Config{Program: prog, Redis: c.Redis, Referrals: refs, OnCall: c.OnCall, Notify: note,
		Outbox: box, Timers: q, Caller: c.Caller, FollowUps: plans, Away: away, Metrics: m, PublicURL: c.PublicURL, Clock: now, Log: log,
		SendTimeout: c.SendTimeout})
	desk := officer.New(prog, c.Redis, refs, chain, note, resolver, m, now, log)
	ho := handoff.New(prog, c.OnCall, refs, note, away, now)
	sc := scene.New(refs, chain, note, m, now)
	guard := lockout.New(prog, c.Redis, note, c.Keys, now, log)
	s := &Service{prog: prog, desk: desk, refs: refs, timers: q, mux: timers.NewMux(log), box: box, chain: chain, plans: plans, handoff: ho,
		inbox: &inbox.Inbox{Program: prog, Redis: c.Redis, Referrals: refs, Notify: note, Officers: desk, Chain: chain,
			Scene: sc, FollowUps: plans, Book: book, Handoff: ho, Lockout: guard, Names: c.Keys, Clock: now, Log: log},
		line:  voiceline.New(prog, c.Redis, refs, chain, desk, note, resolver, guard, c.PublicURL, log),
		guard: guard}
	chain.Register(s.mux)
	sc.Register(s.mux)
	plans.Register(s.mux)
	book.Register(s.mux, box)
	s.purger = retention.New(prog, refs, book, note, now, log)
	s.purger.Register(s.mux)
	// A Texter that can also redact (phone.Client can) empties delivered
	// texts' bodies at Twilio.
	if rd, ok := c.Texter.(redaction.Redactor); ok {
		s.redact = redaction.New(prog, c.Redis, rd, q, now, log)
		s.redact.Register(s.mux)
	}
	if c.Metrics != nil {
		for _, col := range []prometheus.Collector{referral.NewGauges(c.Redis, now), book.Awaiting()} {
			if err := c.Metrics.Register(col); err != nil {
				return nil, fmt.Errorf("register referral gauges: %w", err)
			}
		}
	}
	return s, nil
}

// newOutbox is the service's one outbox: every text it sends goes through
// it, pages first. Kinds with hooks of their own register them; a failure
// of any other text is logged here.
func newOutbox(c Config) (*outbox.Box, error) {
	opt := c.Outbox
	// The outbox's leases and retries are about processes and Twilio, not
	// the program's day: a caller whose clock jumps (the demo's `wait`)
	// gives the outbox a steady one of its own.
	if opt.Clock == nil {
		opt.Clock = c.Clock
	}
	opt.Log, opt.Metrics, opt.Keys = c.Log, c.Metrics, c.Keys
	if opt.Rate == 0 {
		opt.Rate = c.Program.MaxMessagesPerSecond
	}
	opt.Done = func(_ context.Context, r outbox.Result) {
		if r.Err != nil {
			c.Log.Warn("text not sent", "kind", r.Kind, "to", phone.Mask(r.To), "final", phone.IsFinal(r.Err), "err", r.Err)
		}
	}
	return outbox.New(c.Redis, c.Texter, opt)
}

// ReceiveSMS handles one inbound text (see inbox.Inbox.Receive).
func (s *Service) ReceiveSMS(ctx context.Context, from, body, messageSID string) (string, error) {
	return s.inbox.Receive(ctx, from, body, messageSID)
}

// Voice answers one step of a call and returns TwiML: "" is a call to the
// program number (the voice line, "line/…" its steps); "page" is a page
// call picked up, "page/answer" the key pressed on it.
func (s *Service) Voice(ctx context.Context, step string, form url.Values) (string, error) {
	switch {
	case step == "page":
		return s.chain.VoicePage(ctx, form.Get("CallSid"), form.Get("To"))
	case step == "page/answer":
		return s.chain.VoiceAnswer(ctx, form.Get("CallSid"), form.Get("Digits"))
	case strings.HasPrefix(step, "scene/"):
		return scene.Voice(strings.TrimPrefix(step, "scene/"))
	case step == "" || strings.HasPrefix(step, "line/"):
		return s.line.Step(ctx, step, form)
	}
	return phone.Goodbye("This call is no longer active. Goodbye.")
}

// Status handles one of Twilio's status callbacks for a text or a call.
func (s *Service) Status(ctx context.Context, form url.Values) error {
	if sid := form.Get("MessageSid"); sid != "" {
		if err := s.box.Report(ctx, sid, form.Get("MessageStatus"), form.Get("ErrorCode")); err != nil || s.redact == nil {
			return err
		}
		return s.redact.Status(ctx, sid, form.Get("To"), form.Get("MessageStatus"))
	}
	return s.chain.CallStatus(ctx, form.Get("CallSid"), form.Get("CallStatus"))
}

// Lockouts are the voice line's sign-in locks, for the admin API.
func (s *Service) Lockouts() *lockout.Guard { return s.guard }

// FireTimers takes every referral timer that is due, once across all
// instances, and returns how many it took.
func (s *Service) FireTimers(ctx context.Context) (int, error) {
	return s.timers.Fire(ctx, s.mux.Timer)
}

// RunTimers fires due timers every poll until ctx ends. It first gives
// referrals stored before the open limit existed their limit (see
// retention.Purger.LimitOpen).
func (s *Service) RunTimers(ctx context.Context, poll time.Duration) {
	if err := s.LimitOpen(ctx); err != nil {
		s.chain.Log.Error("open limit of earlier referrals", "err", err)
	}
	s.timers.Run(ctx, poll, s.mux.Timer)
}

// LimitOpen sets the open limit of every open referral that has none.
func (s *Service) LimitOpen(ctx context.Context) error { return s.purger.LimitOpen(ctx) }

// RunOutbox sends queued texts until ctx ends.
func (s *Service) RunOutbox(ctx context.Context) { s.box.Run(ctx) }

// Wait blocks until every text and call under way, and every text ready in
// the outbox, has been sent or given up on. Call it before exiting; tests
// call it to know the service is idle.
func (s *Service) Wait() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		s.chain.Wait()
		n, err := s.box.Flush(ctx)
		if err != nil {
			return // Redis has gone: nothing more can be sent
		}
		s.chain.Wait()
		idle, err := s.box.Idle(ctx)
		if err != nil || (idle && n == 0) {
			return
		}
		if n == 0 {
			time.Sleep(2 * time.Millisecond) // in flight elsewhere, or held by the rate cap
		}
	}
}

// Lookup returns a referral by code.
func (s *Service) Lookup(ctx context.Context, code string) (*referral.Referral, error) {
	return s.refs.Load(ctx, code)
}

// DailyDigest texts each case manager what is open (see followup).
func (s *Service) DailyDigest(ctx context.Context, at time.Time) error {
	return s.plans.Digest(ctx, at)
}

// WeeklySummary texts each cohort's members the coming week's shifts.
func (s *Service) WeeklySummary(ctx context.Context, at time.Time) error {
	return s.handoff.WeeklySummary(ctx, at)
}

// Handoff tells the people of one on-call handoff.
func (s *Service) Handoff(ctx context.Context, h oncall.Handoff) error {
	return s.handoff.Handoff(ctx, h)
}
