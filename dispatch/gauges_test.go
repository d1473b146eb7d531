package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
)

// /metrics shows what is open now: a referral paging and for how long,
// then accepted, then nothing once it is closed; and a participant asked
// for consent until they answer.
func TestOpenReferralGauges(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	has := func(want ...string) {
		t.Helper()
		m := w.Metrics()
		for _, line := range want {
			if !strings.Contains(m, line+"\n") {
				t.Errorf("/metrics lacks %q", line)
			}
		}
	}
	has(`leadline_paging_oldest_seconds 0`, `leadline_participants_awaiting_consent 0`)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+code)
	w.Clock.Advance(3 * time.Minute)
	has(`leadline_referrals_open{cohort="north",state="paging"} 1`, `leadline_paging_oldest_seconds 180`)

	w.Text("jrivera", "1 "+code)
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", "accepted by")
	has(`leadline_referrals_open{cohort="north",state="accepted"} 1`, `leadline_paging_oldest_seconds 0`)
	w.Text("jrivera", "APPT "+code+" "+e2e.ParticipantPhone+" tomorrow 2pm")
	w.Expect("jrivera", "Asked")
	w.Expect(e2e.ParticipantPhone, "reminders")
	has(`leadline_participants_awaiting_consent 1`)
	w.Text(e2e.ParticipantPhone, "YES")
	w.Expect(e2e.ParticipantPhone)
	w.Expect("jrivera", "agreed")
	has(`leadline_participants_awaiting_consent 0`)

	w.Text("jrivera", "DONE ENGAGED")
	w.Expect("jrivera", "closed")
	if m := w.Metrics(); strings.Contains(m, `leadline_referrals_open{`) {
		t.Errorf("a closed referral is still open:\n%s", m)
	}
}
