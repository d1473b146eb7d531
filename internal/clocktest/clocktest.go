// Package clocktest is the one clock every test moves instead of sleeping.
// Each of Leadline's constructors requires a clock; tests hand them Now of a
// Clock started at a fixed instant, so no test depends on today's date.
package clocktest

import (
	"sync"
	"time"
)

// Clock is a settable time source, safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	wall bool // see Wall
}

// New returns a Clock reading at.
func New(at time.Time) *Clock { return &Clock{now: at} }

// Now is the clock's time; pass it where a constructor takes a clock.
func (c *Clock) Now() time.Time {
	if c.wall {
		return time.Now()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mustMove()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mustMove()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Wall returns a Clock that reads the wall clock and cannot be moved. Only
// benchmarks that measure real timing (timers polled by real instances)
// use it; the guard in this package's tests allows it nowhere else.
func Wall() *Clock { return &Clock{wall: true} }

func (c *Clock) mustMove() {
	if c.wall {
		panic("clocktest: the wall clock cannot be moved")
	}
}
