package timers

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
)

// Kind names a kind of timer. A timer's ID is its kind, then its parts,
// joined by ':' ("step:R7K2:2"); IDs are built by Kind.ID and parsed by
// ParseID only, so no package spells them out by hand.
type Kind string

// ID is the timer ID of kind k with parts.
func (k Kind) ID(parts ...string) string {
	return strings.Join(append([]string{string(k)}, parts...), ":")
}

// ParseID splits a timer ID into its kind and parts.
func ParseID(id string) (Kind, []string) {
	f := strings.Split(id, ":")
	return Kind(f[0]), f[1:]
}

// Args is a timer's parts after its kind.
type Args []string

// At is part i, or "" if the ID has no such part.
func (a Args) At(i int) string {
	if i < len(a) {
		return a[i]
	}
	return ""
}

// Int is part i as a number, or def if it is missing or not one.
func (a Args) Int(i, def int) int {
	n, err := strconv.Atoi(a.At(i))
	if err != nil {
		return def
	}
	return n
}

// KindHandler acts on one fired timer of its kind; args are the ID's parts
// after the kind.
type KindHandler func(ctx context.Context, t Timer, args Args) error

// Mux hands each fired timer to the handler registered for its kind, the
// way each owning package registers its own (GoAlert's engine modules do
// the same with one UpdateAll each): no switch knows them all.
type Mux struct {
	log *slog.Logger
	mu  sync.RWMutex
	by  map[Kind]KindHandler
}

// NewMux returns an empty Mux that logs timers of unknown kinds to log.
func NewMux(log *slog.Logger) *Mux { return &Mux{log: log, by: map[Kind]KindHandler{}} }

// Handle registers h for kind. A kind registered twice panics: two owners
// of one kind is a wiring mistake.
func (m *Mux) Handle(kind Kind, h KindHandler) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.by[kind]; dup {
		panic("timers: kind " + string(kind) + " registered twice")
	}
	m.by[kind] = h
}

// Timer is the Handler that dispatches t by its kind. A timer of a kind
// nobody handles is logged and dropped, so it cannot block the queue.
func (m *Mux) Timer(ctx context.Context, t Timer) error {
	kind, args := ParseID(t.ID)
	m.mu.RLock()
	h, ok := m.by[kind]
	m.mu.RUnlock()
	if !ok {
		m.log.Error("unknown timer", "timer", t.ID)
		return nil
	}
	return h(ctx, t, args)
}
