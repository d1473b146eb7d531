package twiliosim

import (
	"context"
	"sync"
	"time"
)

// Message is one text the service sent to a phone.
type Message struct {
	SID, From, To, Body string
	// Via is "rest" for a message created through the REST API and "twiml"
	// for a <Message> in a webhook response.
	Via string
	// StatusCallback is the URL given with a REST message, if any.
	StatusCallback string
	// Service is the MessagingServiceSid a REST message was sent through,
	// if any; From is then that service's number.
	Service string
	// Segments is how many SMS segments Twilio would bill the body as.
	Segments int
	At       time.Time
}

// subscriberBuffer is how many messages a slow subscriber may fall behind
// before it starts losing the oldest ones.
const subscriberBuffer = 256

// inbox holds every recorded message and each phone's read position, and
// feeds subscribers.
type inbox struct {
	ledger *ledger[Message]

	// mu orders record against Subscribe and close, so that subscribers
	// see messages in the order Messages lists them.
	mu     sync.Mutex
	subs   map[chan Message]struct{}
	closed bool
}

func newInbox() *inbox {
	return &inbox{ledger: newLedger[Message]("text"), subs: make(map[chan Message]struct{})}
}

func (b *inbox) record(m Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ledger.add(m.To, m)
	for ch := range b.subs {
		offer(ch, m)
	}
}

// offer puts m on ch without blocking, dropping the oldest queued message
// when ch is full: the server must never wait on a slow reader.
func offer(ch chan Message, m Message) {
	for {
		select {
		case ch <- m:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}

func (b *inbox) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ch := range b.subs {
		close(ch)
		delete(b.subs, ch)
	}
	b.ledger.close()
}

// Messages returns every message recorded so far, REST and TwiML, oldest
// first.
func (s *Server) Messages() []Message { return s.inbox.ledger.list() }

// NextMessage waits until ctx is done for the oldest message to `to` that
// NextMessage has not yet returned, and returns it. Each number has its own
// read position, so a test can follow one conversation at a time. After
// Close it still returns what was recorded, then ErrClosed.
func (s *Server) NextMessage(ctx context.Context, to string) (Message, error) {
	return s.inbox.ledger.next(ctx, to)
}

// Unread returns the messages to `to` that NextMessage has not yet returned,
// oldest first, without consuming them.
func (s *Server) Unread(to string) []Message { return s.inbox.ledger.unread(to) }

// message returns the message with the given SID.
func (b *inbox) message(sid string) (Message, bool) {
	return b.ledger.find(func(m Message) bool { return m.SID == sid })
}

// Subscribe returns a channel that receives every message recorded from now
// on, and a func that ends the subscription and closes the channel. The
// channel holds 256 messages; a reader that falls further behind loses the
// oldest. Close also closes it.
func (s *Server) Subscribe() (<-chan Message, func()) {
	b := s.inbox
	ch := make(chan Message, subscriberBuffer)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	b.subs[ch] = struct{}{}
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if _, ok := b.subs[ch]; ok {
			delete(b.subs, ch)
			close(ch)
		}
	}
}
