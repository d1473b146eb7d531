// Package dispatch runs referrals: an officer's text becomes a stored
// referral, the cohort's on-call case manager is paged, and every answer
// moves the referral on and tells the people who need to know.
package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
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
	Clock   func() time.Time // default time.Now
	Log     *slog.Logger     // default slog.Default()
	// SendTimeout bounds the retries of one outbound text (default 2m).
	SendTimeout time.Duration
}

// Service handles texts to the program number.
type Service struct {
	prog   *program.Program
	rdb    redis.UniversalClient
	oncall *oncall.Store
	texter Texter
	now    func() time.Time
	log    *slog.Logger

	sendTimeout time.Duration
	sends       sync.WaitGroup
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{prog: c.Program, rdb: c.Redis, oncall: c.OnCall, texter: c.Texter,
		now: c.Clock, log: c.Log, sendTimeout: c.SendTimeout}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.sendTimeout == 0 {
		s.sendTimeout = 2 * time.Minute
	}
	return s
}

// Wait blocks until the texts being sent have been sent or given up on.
// Call it before exiting; tests call it to know the service is idle.
func (s *Service) Wait() { s.sends.Wait() }

// Lookup returns a referral by code.
func (s *Service) Lookup(ctx context.Context, code string) (*Referral, error) {
	return s.load(ctx, code)
}

// How long the answer to a MessageSid is kept: Twilio retries within
// minutes, so a day is plenty.
const inboundTTL = 24 * time.Hour

// pending marks a MessageSid whose text is being handled right now.
const pending = "\x00pending"

// strangerReplies is how many times an hour an unknown number is answered.
const strangerReplies = 3

// ReceiveSMS handles one inbound text and returns the reply to its sender
// ("" for none). Whatever it stores is stored before it returns. The same
// messageSID a second time changes nothing and gets the same reply. On
// error the reply, if any, tells the sender that nothing was recorded.
func (s *Service) ReceiveSMS(ctx context.Context, from, body, messageSID string) (string, error) {
	person, known := s.prog.PersonByPhone(from)
	if !known {
		return s.stranger(ctx, from)
	}
	log := s.log.With("from", phone.Mask(from), "person", person.ID, "sid", messageSID)
	if messageSID != "" {
		claimed, err := s.rdb.SetNX(ctx, inboundKey(messageSID), pending, inboundTTL).Result()
		if err != nil {
			return s.notRecorded(), fmt.Errorf("claim %s: %w", messageSID, err)
		}
		if !claimed {
			prev, err := s.rdb.Get(ctx, inboundKey(messageSID)).Result()
			if err != nil || prev == pending {
				// Still being handled by another request: let that one answer.
				return "", nil
			}
			log.Info("retried text ignored")
			return prev, nil
		}
	}
	var reply string
	var err error
	switch person.Role {
	case program.Officer:
		reply, err = s.officerText(ctx, person, body)
	default:
		reply, err = s.caseManagerText(ctx, person, body)
	}
	if err != nil {
		if messageSID != "" {
			// Let Twilio's retry, or the officer's resend, try again.
			s.rdb.Del(context.WithoutCancel(ctx), inboundKey(messageSID))
		}
		return s.notRecorded(), err
	}
	if messageSID != "" {
		if err := s.rdb.Set(ctx, inboundKey(messageSID), reply, inboundTTL).Err(); err != nil {
			log.Error("remember reply", "err", err)
		}
	}
	return reply, nil
}

func (s *Service) notRecorded() string {
	t := "Sorry, that was not recorded. Please send it again."
	if s.prog.SupportPhone != "" {
		t += " Or call " + s.prog.SupportPhone
	}
	return t
}

// stranger answers an unknown number a few times an hour with a reply that
// says nothing about the program, then not at all. The counter's key holds a
// hash, not the number.
func (s *Service) stranger(ctx context.Context, from string) (string, error) {
	sum := sha256.Sum256([]byte(from))
	key := strangerKey(hex.EncodeToString(sum[:8]), s.now().Unix()/3600)
	var n *redis.IntCmd
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		n = p.Incr(ctx, key)
		p.Expire(ctx, key, 2*time.Hour)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("count unknown sender: %w", err)
	}
	s.log.Info("text from unknown number", "from", phone.Mask(from), "count", n.Val())
	if n.Val() > strangerReplies {
		return "", nil
	}
	return strangerReply, nil
}

// send texts a person in the background, so the sender's reply never waits
// on Twilio. onFail runs when the text could not be sent: Twilio said the
// number can never get it, or retries ran out.
func (s *Service) send(ctx context.Context, to, body string, onFail func(context.Context, error)) {
	ctx = context.WithoutCancel(ctx)
	s.sends.Add(1)
	go func() {
		defer s.sends.Done()
		ctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
		defer cancel()
		_, err := s.texter.SendSMS(ctx, phone.SMS{From: s.prog.Phone, To: to, Body: body})
		if err == nil {
			return
		}
		s.log.Warn("text not sent", "to", phone.Mask(to), "final", phone.IsFinal(err), "err", err)
		if onFail != nil {
			onFail(ctx, err)
		}
	}()
}

// tell texts a person by ID; a failure is logged, nothing more.
func (s *Service) tell(ctx context.Context, personID, body string) {
	if p, ok := s.prog.Person(personID); ok {
		s.send(ctx, p.Phone, body, nil)
	}
}
