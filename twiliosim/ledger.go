package twiliosim

import (
	"context"
	"fmt"
	"sync"
)

// ledger records what the service sent to phones (texts or calls), in
// order, with a read position per phone so that a test can wait for the
// next one to a number.
type ledger[T any] struct {
	noun string // "text" or "call", for errors

	mu      sync.Mutex
	all     []T
	byTo    map[string][]int // indexes into all, oldest first
	read    map[string]int   // how many of byTo[to] next has returned
	changed chan struct{}    // closed and replaced whenever something arrives
	closed  bool
}

func newLedger[T any](noun string) *ledger[T] {
	return &ledger[T]{
		noun:    noun,
		byTo:    make(map[string][]int),
		read:    make(map[string]int),
		changed: make(chan struct{}),
	}
}

// add records v, sent to `to`. After close it is still recorded, so that
// everything the service sent can be listed, but nobody is woken.
func (l *ledger[T]) add(to string, v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, v)
	l.byTo[to] = append(l.byTo[to], len(l.all)-1)
	if !l.closed {
		close(l.changed)
		l.changed = make(chan struct{})
	}
}

func (l *ledger[T]) list() []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]T, len(l.all))
	copy(out, l.all)
	return out
}

// find returns the first record that match accepts.
func (l *ledger[T]) find(match func(T) bool) (T, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range l.all {
		if match(v) {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// next waits until ctx is done for the oldest record to `to` that next has
// not yet returned. After close it still returns what was recorded, then
// ErrClosed.
func (l *ledger[T]) next(ctx context.Context, to string) (T, error) {
	for {
		l.mu.Lock()
		if idx := l.byTo[to]; l.read[to] < len(idx) {
			v := l.all[idx[l.read[to]]]
			l.read[to]++
			l.mu.Unlock()
			return v, nil
		}
		closed, changed := l.closed, l.changed
		l.mu.Unlock()
		var zero T
		if closed {
			return zero, ErrClosed
		}
		select {
		case <-ctx.Done():
			return zero, fmt.Errorf("twiliosim: waiting for a %s to %s: %w", l.noun, to, ctx.Err())
		case <-changed:
		}
	}
}

// unread returns what next has yet to return for `to`, without consuming it.
func (l *ledger[T]) unread(to string) []T {
	l.mu.Lock()
	defer l.mu.Unlock()
	idx := l.byTo[to][l.read[to]:]
	out := make([]T, 0, len(idx))
	for _, i := range idx {
		out = append(out, l.all[i])
	}
	return out
}

// close wakes every waiting next, which then returns ErrClosed.
func (l *ledger[T]) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.changed)
	}
}
