// Package dispatch runs referrals: an officer's text becomes a stored
// referral, the cohort's on-call case manager is paged, and every answer
// moves the referral on and tells the people who need to know.
package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/timers"
)

// Texter sends one SMS. phone.Client is one; the errors it returns are
// classified by phone.IsFinal.
type Texter interface {
	SendSMS(ctx context.Context, m phone.SMS) (string, error)
}

// Caller places one voice call. phone.Client is one.
type Caller interface {
	Call(ctx context.Context, c phone.Call) (string, error)
}

// Config is what a Service needs.
type Config struct {
	Program *program.Program
	Redis   redis.UniversalClient
	OnCall  *oncall.Store
	Texter  Texter
	Caller  Caller
	// PublicURL is the base URL Twilio reaches the webhooks at: page calls
	// fetch their TwiML and report status there.
	PublicURL string
	Clock     func() time.Time // required
	Log       *slog.Logger     // default slog.Default()
	// Metrics is where the service's Prometheus metrics are registered;
	// nil for nowhere.
	Metrics prometheus.Registerer
	// Geocoder, if set, is tried for locations the program's own data
	// does not resolve.
	Geocoder geo.Geocoder
	// SendTimeout bounds the retries of one outbound call (default 2m).
	SendTimeout time.Duration
	// Outbox tunes the outbox every text goes through; its log, metrics
	// and hooks are the service's, its Clock defaults to the service's,
	// and its Rate defaults to the program's max_messages_per_second.
	Outbox outbox.Options
}

// Service handles texts to the program number.
type Service struct {
	prog      *program.Program
	rdb       redis.UniversalClient
	oncall    *oncall.Store
	texter    Texter
	caller    Caller
	publicURL string
	now       func() time.Time
	log       *slog.Logger
	timers    *timers.Queue
	metrics   *metrics
	resolver  *geo.Resolver
	outbox    *outbox.Box

	sendTimeout time.Duration
	sends       sync.WaitGroup
}

// NewService returns a Service. It fails if c has no Clock or its metrics
// cannot be registered (registered twice).
func NewService(c Config) (*Service, error) {
	s := &Service{prog: c.Program, rdb: c.Redis, oncall: c.OnCall, texter: c.Texter, caller: c.Caller,
		publicURL: strings.TrimSuffix(c.PublicURL, "/"), now: c.Clock, log: c.Log, sendTimeout: c.SendTimeout}
	if s.now == nil {
		return nil, errors.New("dispatch: Config.Clock is required")
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.sendTimeout == 0 {
		s.sendTimeout = 2 * time.Minute
	}
	s.timers = timers.New(s.rdb, timersBase, timers.Options{Clock: s.now, Log: s.log})
	s.resolver = s.prog.Resolver(c.Geocoder)
	m, err := newMetrics(c.Metrics)
	if err != nil {
		return nil, err
	}
	s.metrics = m
	if s.outbox, err = s.newOutbox(c); err != nil {
		return nil, err
	}
	return s, nil
}

// Lookup returns a referral by code.
func (s *Service) Lookup(ctx context.Context, code string) (*Referral, error) {
	return s.load(ctx, code)
}

// How long the answer to a MessageSid is kept: Twilio retries within
// minutes, so a day is plenty.
const inboundTTL = 24 * time.Hour

// pending marks a MessageSid whose text is being handled right now.
const pending = "pending"

// strangerReplies is how many times an hour an unknown number is answered.
const strangerReplies = 3

// ReceiveSMS handles one inbound text. Whatever it stores, the reply to
// the sender included (queued in the outbox), is stored before it returns.
// The same messageSID a second time changes nothing and sends nothing. It
// returns a reply only when nothing could be stored: that one goes back as
// TwiML, telling the sender that nothing was recorded.
func (s *Service) ReceiveSMS(ctx context.Context, from, body, messageSID string) (string, error) {
	log := s.log.With("from", phone.Mask(from), "sid", messageSID)
	if messageSID != "" {
		claimed, err := s.rdb.SetNX(ctx, inboundKey(messageSID), pending, inboundTTL).Result()
		if err != nil {
			return s.notRecorded(), fmt.Errorf("claim %s: %w", messageSID, err)
		}
		if !claimed {
			// Handled, or being handled by another request: either way
			// its reply is that request's to send.
			log.Info("retried text ignored")
			return "", nil
		}
	}
	reply, kind, err := s.handle(ctx, from, body)
	if err == nil && reply != "" {
		err = s.reply(ctx, from, reply, messageSID, kind)
	}
	if err != nil {
		if messageSID != "" {
			// Let Twilio's retry, or the officer's resend, try again.
			s.rdb.Del(context.WithoutCancel(ctx), inboundKey(messageSID))
		}
		return s.notRecorded(), err
	}
	if messageSID != "" {
		if err := s.rdb.Set(ctx, inboundKey(messageSID), "done", inboundTTL).Err(); err != nil {
			log.Error("remember text", "err", err)
		}
	}
	return "", nil
}

// handle acts on one inbound text and returns the reply to its sender and
// what kind of text that reply is.
func (s *Service) handle(ctx context.Context, from, body string) (string, string, error) {
	person, known := s.prog.PersonByPhone(from)
	if !known {
		return s.unknownSender(ctx, from, body)
	}
	var reply string
	var err error
	switch person.Role {
	case program.Officer:
		reply, err = s.officerText(ctx, person, body)
	default:
		reply, err = s.caseManagerText(ctx, person, body)
	}
	return reply, kindTell, err
}

func (s *Service) notRecorded() string {
	t := "Sorry, that was not recorded. Please send it again."
	if s.prog.SupportPhone != "" {
		t += " Or call " + s.prog.SupportPhone
	}
	return t
}

// countStranger counts a text from an unknown number and reports whether
// to answer it: a few times an hour, with a reply that says nothing about
// the program, then not at all. The counter's key holds a hash, not the
// number.
func (s *Service) countStranger(ctx context.Context, from, hash string) (bool, error) {
	key := strangerKey(hash, s.now().Unix()/3600)
	var n *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		n = p.Incr(ctx, key)
		p.Expire(ctx, key, 2*time.Hour)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("count unknown sender: %w", err)
	}
	s.log.Info("text from unknown number", "from", phone.Mask(from), "count", n.Val())
	return n.Val() <= strangerReplies, nil
}

// numberHash names a phone number in keys without spelling it out.
func numberHash(number string) string {
	sum := sha256.Sum256([]byte(number))
	return hex.EncodeToString(sum[:8])
}

// outcome is what became of one outbound text or call.
type outcome struct {
	sid    string
	err    error
	status string // a status Twilio reported before the SID was recorded
}

// background runs do in the background with the send timeout, so the
// caller never waits on Twilio, then hands its result to then (which may
// be nil).
func (s *Service) background(ctx context.Context, do func(context.Context) (string, error), then func(context.Context, outcome)) {
	ctx = context.WithoutCancel(ctx)
	s.sends.Add(1)
	go func() {
		defer s.sends.Done()
		ctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
		defer cancel()
		sid, err := do(ctx)
		if then != nil {
			then(ctx, outcome{sid: sid, err: err})
		}
	}()
}
