package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/referral"
)

// The Sentinel master fails over in the middle of an escalation: the
// referral, its step timer and the texts waiting in the outbox were
// replicated before it, so the chain goes on from the new master, pages
// the next case manager when the step is due, and the accept lands there.
func TestEscalationAcrossSentinelFailover(t *testing.T) {
	s := redistest.StartSentinel(t)
	w := e2e.NewOnRedis(t, s.Client, clocktest.New(e2e.Start), nil)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+code)
	// Wait until the replica has what the master has (WAIT 1 replica).
	if err := s.Client.Do(context.Background(), "WAIT", 1, 5000).Err(); err != nil {
		t.Fatal(err)
	}
	s.Failover(t)

	w.After(5 * time.Minute)
	w.Call("jrivera")
	w.After(5 * time.Minute)
	w.Expect("aklein", "LEAD page "+code)
	w.Expect("osmith", code+": paging the next case manager.")
	w.Text("aklein", "1 "+code)
	w.Expect("aklein", "You accepted "+code)
	w.Expect("osmith", "accepted by Ana K.")
	w.Expect("jrivera", code+" was accepted by Ana K.")
	if r := w.Referral(code); r.State != referral.Accepted || r.AcceptedBy != "aklein" || r.Escalations != 2 {
		t.Errorf("after the failover: %+v", r)
	}
	w.Quiet("osmith", "jrivera", "aklein")
}
