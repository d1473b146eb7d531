package console

import (
	"context"

	"github.com/leadline/leadline/outbox"
)

// Texter sends one text to a number. The console sends sign-in codes
// through it; OutboxTexter is the one serve uses.
type Texter interface {
	Text(ctx context.Context, to, body string) error
}

// OutboxTexter queues texts in the service's outbox, from the program
// number, as replies (after pages, before reminders). Any instance's
// outbox workers send them.
type OutboxTexter struct {
	Box  *outbox.Box
	From string // the program number
}

// Text queues body to to.
func (t OutboxTexter) Text(ctx context.Context, to, body string) error {
	_, err := t.Box.Enqueue(ctx, outbox.Message{From: t.From, To: to, Body: body, Priority: outbox.Reply,
		Kind: "console_code", MaxAttempts: 2})
	return err
}
