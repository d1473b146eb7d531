package twiliosim

import (
	"context"
	"fmt"
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
	// Segments is how many SMS segments Twilio would bill the body as.
	Segments int
	At       time.Time
}

// subscriberBuffer is how many messages a slow subscriber may fall behind
// before it starts losing the oldest ones.
const subscriberBuffer = 256

// inbox holds every recorded message and each phone's read position.
type inbox struct {
	mu      sync.Mutex
	all     []Message
	byTo    map[string][]int // indexes into all, oldest first
	read    map[string]int   // how many of byTo[to] NextMessage has returned
	changed chan struct{}    // closed and replaced whenever a message arrives
	subs    map[chan Message]struct{}
	closed  bool
}

func newInbox() *inbox {
	return &inbox{
		byTo:    make(map[string][]int),
		read:    make(map[string]int),
		changed: make(chan struct{}),
		subs:    make(map[chan Message]struct{}),
	}
}

func (b *inbox) record(m Message) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.all = append(b.all, m)
	b.byTo[m.To] = append(b.byTo[m.To], len(b.all)-1)
	for ch := range b.subs {
		offer(ch, m)
	}
	close(b.changed)
	b.changed = make(chan struct{})
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
	if b.closed {
		return
	}
	b.closed = true
	for ch := range b.subs {
		close(ch)
		delete(b.subs, ch)
	}
	close(b.changed)
}

// Messages returns every message recorded so far, REST and TwiML, oldest
// first.
func (s *Server) Messages() []Message {
	b := s.inbox
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]Message, len(b.all))
	copy(out, b.all)
	return out
}

// NextMessage waits until ctx is done for the oldest message to `to` that
// NextMessage has not yet returned, and returns it. Each number has its own
// read position, so a test can follow one conversation at a time. After
// Close it still returns what was recorded, then ErrClosed.
func (s *Server) NextMessage(ctx context.Context, to string) (Message, error) {
	b := s.inbox
	for {
		b.mu.Lock()
		if idx := b.byTo[to]; b.read[to] < len(idx) {
			m := b.all[idx[b.read[to]]]
			b.read[to]++
			b.mu.Unlock()
			return m, nil
		}
		closed, changed := b.closed, b.changed
		b.mu.Unlock()
		if closed {
			return Message{}, ErrClosed
		}
		select {
		case <-ctx.Done():
			return Message{}, fmt.Errorf("twiliosim: waiting for a text to %s: %w", to, ctx.Err())
		case <-changed:
		}
	}
}

// Unread returns the messages to `to` that NextMessage has not yet returned,
// oldest first, without consuming them.
func (s *Server) Unread(to string) []Message {
	b := s.inbox
	b.mu.Lock()
	defer b.mu.Unlock()
	idx := b.byTo[to][b.read[to]:]
	out := make([]Message, 0, len(idx))
	for _, i := range idx {
		out = append(out, b.all[i])
	}
	return out
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
