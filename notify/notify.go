// Package notify sends texts to people through the outbox, from the
// program number, and holds the wording that every staff text shares: a
// person's short name, a time read at a glance, a sentence ended once.
// It owns no keys: the outbox keeps every text it queues.
package notify

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
)

// Kinds of text that notify sends for its callers; each package that needs
// hooks on its own kinds registers them on the outbox.
const (
	KindTell   outbox.Kind = "tell"   // a reply or notice to staff
	KindDigest outbox.Kind = "digest" // a daily digest or a reminder to staff
)

// StaffSegments is how many SMS segments a text to staff may take, and
// StaffSeptets the GSM-7 room in them: Twilio sends a longer one in more
// pieces that may arrive out of order, and refuses one over 1,600
// characters, which would leave someone untold.
const (
	StaffSegments = 2
	StaffSeptets  = StaffSegments * 153
)

// Notifier texts people from the program number.
type Notifier struct {
	prog      *program.Program
	box       *outbox.Box
	statusURL string
	log       *slog.Logger
}

// New returns a Notifier on box; delivery reports go to publicURL's
// /twilio/status.
func New(prog *program.Program, box *outbox.Box, publicURL string, log *slog.Logger) *Notifier {
	return &Notifier{prog: prog, box: box, statusURL: strings.TrimSuffix(publicURL, "/") + "/twilio/status", log: log}
}

// Text queues m from the program number. A failure to queue is logged and
// returned: callers that have already stored what the text reports may
// ignore it.
func (n *Notifier) Text(ctx context.Context, m outbox.Message) error {
	m.From = n.prog.Phone
	if m.StatusCallback == "" {
		m.StatusCallback = n.statusURL
	}
	if _, err := n.box.Enqueue(context.WithoutCancel(ctx), m); err != nil {
		n.log.Error("text not queued", "kind", m.Kind, "to", phone.Mask(m.To), "err", err)
		return err
	}
	return nil
}

// Tell texts a person, by ID, a reply or notice, cut to StaffSegments if
// it had to be.
func (n *Notifier) Tell(ctx context.Context, personID, body string) {
	n.tell(ctx, personID, body, outbox.Reply, KindTell, "")
}

// Remind texts a person, by ID, at reminder priority, under the
// idempotency key id: the same id twice texts once.
func (n *Notifier) Remind(ctx context.Context, personID, body, id string) {
	n.tell(ctx, personID, body, outbox.Reminder, KindDigest, id)
}

func (n *Notifier) tell(ctx context.Context, personID, body string, prio outbox.Priority, kind outbox.Kind, id string) {
	p, ok := n.prog.Person(personID)
	if !ok {
		return
	}
	n.Text(ctx, outbox.Message{ID: id, To: p.Phone, Body: phone.Fit(body, StaffSegments), Priority: prio, Kind: kind})
}

// Reply answers an inbound text, within StaffSegments; the reply's ID is the inbound text's, so
// a retried webhook never answers twice. Unlike Text, it fails when the
// reply cannot be queued: the caller then says "not recorded".
func (n *Notifier) Reply(ctx context.Context, to, body, messageSID string, kind outbox.Kind) error {
	id := ""
	if messageSID != "" {
		id = "reply:" + messageSID
	}
	_, err := n.box.Enqueue(ctx, outbox.Message{ID: id, From: n.prog.Phone, To: to, Body: phone.Fit(body, StaffSegments),
		Priority: outbox.Reply, Kind: kind, StatusCallback: n.statusURL})
	return err
}

// ShortName is a person's first name and last initial ("Jo R."), or "a
// case manager" for an ID the program does not know.
func (n *Notifier) ShortName(id string) string {
	if p, ok := n.prog.Person(id); ok {
		return p.ShortName()
	}
	return "a case manager"
}

// When is a time as every text writes it: "Fri 4 Dec, 10:00 AM" in the
// program's zone and clock (program.Times).
func (n *Notifier) When(t time.Time) string { return n.prog.Times.DateTime(t) }

// Until is " until Fri 4 Dec, 10:00 AM", or " until further notice" for no
// end.
func (n *Notifier) Until(t time.Time) string {
	if t.IsZero() {
		return " until further notice"
	}
	return " until " + n.When(t)
}

// EndSentence ends s with a full stop, unless a short name ("Jo R.")
// already did.
func EndSentence(s string) string {
	if strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

// SupportLine is " <prefix><support number>", or "" when the program has
// none.
func (n *Notifier) SupportLine(prefix string) string {
	if n.prog.SupportPhone == "" {
		return ""
	}
	return " " + prefix + n.prog.SupportPhone
}
