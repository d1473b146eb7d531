package dispatch_test

import (
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/referral"
)

// The whole service runs on a real three-master Redis Cluster: every
// script and transaction of a referral, its escalation, its follow-up
// timers, its appointment and its participant stays within one hash tag.
// An officer's referral escalates by text and call to the next case
// manager, who accepts, arrives and closes it; an appointment is made and
// the participant agrees to reminders.
func TestConversationOnCluster(t *testing.T) {
	w := e2e.NewOnCluster(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint+" / on the cluster")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+code)
	w.After(5 * time.Minute)
	w.Call("jrivera")
	w.After(5 * time.Minute)
	w.Expect("aklein", "LEAD page "+code)
	w.Expect("osmith", code+": paging the next case manager.")
	w.Text("aklein", "1 "+code+" 10")
	w.Expect("aklein", "You accepted "+code)
	w.Expect("osmith", "accepted by Ana K., ETA 10 min")
	w.Expect("jrivera", code+" was accepted by Ana K.")
	w.Text("aklein", "APPT "+code+" "+e2e.ParticipantPhone+" tomorrow 2pm")
	w.Expect("aklein", "Asked")
	w.Expect(e2e.ParticipantPhone, "reminders")
	w.Text(e2e.ParticipantPhone, "YES")
	w.Expect(e2e.ParticipantPhone)
	w.Expect("aklein", "agreed")
	w.Text("aklein", "ARRIVED")
	w.Expect("aklein", "On scene")
	w.Expect("osmith", "has arrived")
	w.Text("aklein", "DONE ENGAGED")
	w.Expect("aklein", "closed: engaged")
	r := w.Referral(code)
	if r.State != referral.Closed || r.AcceptedBy != "aklein" || r.Participant != e2e.ParticipantPhone || r.Escalations != 2 {
		t.Errorf("on the cluster: %+v", r)
	}
	w.Quiet("osmith", "jrivera", "aklein")
}
