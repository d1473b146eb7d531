package outbox

import (
	"context"
	"sync"
)

// Kind is what a message is, as its owner labels it ("page", "reminder"…).
// Each owner registers its kinds' Hooks with Register.
type Kind string

// Hooks are what the outbox asks and tells the owner of one kind of
// message. Either may be nil.
type Hooks struct {
	// Check is asked just before a message is sent; false means drop it
	// (Result.Skipped). An error counts as a transient failure.
	Check func(ctx context.Context, m Message) (bool, error)
	// Done is told the end of each message, on the goroutine that sent it,
	// before the message is released: texts Done enqueues to the same
	// recipient go after it.
	Done func(ctx context.Context, r Result)
	// Status is told a delivery status that moved a message of the kind
	// on (see Report), with Twilio's error code if any.
	Status func(ctx context.Context, m Message, status, errorCode string) error
	// From and Service, when set, are whom the kind's messages are sent
	// from: a number of its own, or a Twilio Messaging Service (MG…), which
	// wins over From. Unset, a message goes from its own From. (Order,
	// caps and the per-recipient queue still go by the message's From.)
	From, Service string
}

type registry struct {
	mu sync.RWMutex
	by map[Kind]Hooks
}

// Register sets the hooks of kind, replacing Options.Check and Done for
// messages of that kind; each package registers the kinds it sends, so no
// switch here or there knows them all. Registering a kind twice panics.
func (b *Box) Register(kind Kind, h Hooks) {
	b.kinds.mu.Lock()
	defer b.kinds.mu.Unlock()
	if b.kinds.by == nil {
		b.kinds.by = map[Kind]Hooks{}
	}
	if _, dup := b.kinds.by[kind]; dup {
		panic("outbox: kind " + string(kind) + " registered twice")
	}
	b.kinds.by[kind] = h
}

// hooks are kind's registered hooks, or Options.Check and Done.
func (b *Box) hooks(kind Kind) Hooks {
	b.kinds.mu.RLock()
	h, ok := b.kinds.by[kind]
	b.kinds.mu.RUnlock()
	if ok {
		return h
	}
	return Hooks{Check: b.check, Done: b.done}
}

// Report records a status callback for a text (see Status) and, if it
// moved the message on, tells its kind's Status hook.
func (b *Box) Report(ctx context.Context, sid, status, errorCode string) error {
	m, moved, err := b.Status(ctx, sid, status, errorCode)
	if err != nil || !moved {
		return err
	}
	if h := b.hooks(m.Kind).Status; h != nil {
		return h(ctx, m, status, errorCode)
	}
	return nil
}
