package outbox_test

import (
	"context"
	"testing"

	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/twiliosim"
)

func TestStatusCallbacks(t *testing.T) {
	type callback struct {
		status    string
		code      int
		wantMoved bool
	}
	cases := []struct {
		name       string
		callbacks  []callback
		wantStatus string
		wantError  string
	}{
		{"in order", []callback{{"sent", 0, true}, {"delivered", 0, true}}, "delivered", ""},
		{"out of order", []callback{{"delivered", 0, true}, {"sent", 0, false}}, "delivered", ""},
		{"repeated", []callback{{"sent", 0, true}, {"sent", 0, false}}, "sent", ""},
		{"undelivered", []callback{{"sent", 0, true}, {"undelivered", 30003, true}}, "undelivered", "twilio error 30003"},
		{"read after delivered", []callback{{"delivered", 0, true}, {"read", 0, true}, {"delivered", 0, false}}, "read", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			cb := e.statusCallbacks()
			b := e.box(outbox.Options{})
			cb.box.Store(b)
			meta := map[string]string{"code": "R7", "step": "0"}
			e.enqueue(b, outbox.Message{ID: "page", To: person(1), Priority: outbox.Page, Kind: "page", Meta: meta,
				StatusCallback: cb.url})
			e.flush(b)
			sid := e.result("page").SID

			for _, s := range c.callbacks {
				if err := e.sim.MessageStatus(context.Background(), sid, s.status, s.code); err != nil {
					t.Fatal(err)
				}
				m, moved := cb.last()
				if moved != s.wantMoved || m.ID != "page" || m.Kind != "page" || m.Meta["code"] != "R7" {
					t.Errorf("%s: Status = %+v, moved %v; want the page, moved %v", s.status, m, moved, s.wantMoved)
				}
			}
			rec := e.get(b, "page")
			if rec.Status != c.wantStatus || rec.Error != c.wantError {
				t.Errorf("record status %q error %q, want %q %q", rec.Status, rec.Error, c.wantStatus, c.wantError)
			}
		})
	}
}

func TestStatusOfUnknownSID(t *testing.T) {
	e := newEnv(t)
	b := e.box(outbox.Options{})
	m, moved, err := b.Status(context.Background(), "SMnotours", "delivered", "")
	if err != nil || moved || m.ID != "" {
		t.Errorf("Status = %+v, %v, %v; want zero, false, nil", m, moved, err)
	}
}

// earlyStatus is the real phone client, except that Twilio's callback for
// the text arrives before the client has returned its SID, as it can.
type earlyStatus struct {
	*phone.Client
	sim    *twiliosim.Server
	status string
	code   int
}

func (s earlyStatus) SendSMS(ctx context.Context, m phone.SMS) (string, error) {
	sid, err := s.Client.SendSMS(ctx, m)
	if err == nil {
		err = s.sim.MessageStatus(ctx, sid, s.status, s.code)
	}
	return sid, err
}

func TestStatusBeforeTheSentRecord(t *testing.T) {
	cases := []struct {
		status    string
		code      int
		wantError string
	}{
		{"sent", 0, ""},
		{"delivered", 0, ""},
		{"undelivered", 30003, "twilio error 30003"},
	}
	for _, c := range cases {
		t.Run(c.status, func(t *testing.T) {
			e := newEnv(t)
			cb := e.statusCallbacks()
			b := e.boxVia(earlyStatus{Client: e.phone, sim: e.sim, status: c.status, code: c.code}, outbox.Options{})
			cb.box.Store(b)
			e.enqueue(b, outbox.Message{ID: "m", To: person(1), Priority: outbox.Reply, StatusCallback: cb.url})
			e.flush(b)

			if m, moved := cb.last(); moved || m.ID != "" {
				t.Errorf("early callback: Status = %+v, moved %v; want an unknown SID", m, moved)
			}
			if r := e.result("m"); r.Status != c.status {
				t.Errorf("Result.Status = %q, want %q", r.Status, c.status)
			}
			rec := e.get(b, "m")
			if rec.State != "sent" || rec.Status != c.status || rec.Error != c.wantError {
				t.Errorf("record %s status %q error %q, want sent %q %q", rec.State, rec.Status, rec.Error, c.status, c.wantError)
			}
			// A late, lower status changes nothing.
			if err := e.sim.MessageStatus(context.Background(), rec.SID, "queued", 0); err != nil {
				t.Fatal(err)
			}
			if m, moved := cb.last(); moved || m.ID != "m" {
				t.Errorf("late callback: Status = %+v, moved %v; want the message, not moved", m, moved)
			}
		})
	}
}
