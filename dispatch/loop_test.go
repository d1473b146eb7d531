package dispatch_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/referral"
)

// North Side, inside the sample's north cohort (rotation jrivera, aklein).
const northPoint = "40.4473,-80.0076"

func TestOfficerRefersAndCaseManagerAccepts(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "AD "+northPoint+" / male 30s red jacket at bus shelter")
	reply := w.expect("osmith", "arrest diversion", "North", "Paging the on-call case manager")
	code := codeIn(t, reply)

	page := w.expect("jrivera", code, "ARREST DIVERSION", "North", northPoint,
		"https://maps.google.com/?q=", "Sam Smith", "#4411", "Pittsburgh Bureau of Police", "+14125550121",
		"male 30s red jacket at bus shelter", "Reply 1")
	if strings.Contains(page, "Notes: \n") {
		t.Errorf("empty notes line in page:\n%s", page)
	}
	r := w.referral(code)
	if r.State != referral.Paging || r.Step != 0 || strings.Join(r.Paged, ",") != "jrivera" || r.Received.IsZero() || r.PagingAt.IsZero() {
		t.Errorf("after the page: %+v", r)
	}

	w.clock.Advance(90 * time.Second)
	w.text("jrivera", "A "+code+" 15")
	w.expect("jrivera", "You accepted "+code)
	w.expect("osmith", code+" accepted by Jo R., ETA 15 min.")
	r = w.referral(code)
	if r.State != referral.Accepted || r.AcceptedBy != "jrivera" || r.ETAMinutes != 15 {
		t.Errorf("after accept: %+v", r)
	}
	if got := r.AcceptedAt.Sub(r.Received); got != 90*time.Second {
		t.Errorf("time to accept = %v, want 90s", got)
	}
	w.quiet("osmith", "jrivera", "aklein")
}

func TestCaseManagerFollowsThrough(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "SC "+northPoint)
	code := codeIn(t, w.expect("osmith", "social contact"))
	w.expect("jrivera", "SOCIAL CONTACT")
	w.text("jrivera", "1") // the code may be left out: the latest page is meant
	w.expect("jrivera", "You accepted "+code)
	w.expect("osmith", code+" accepted by Jo R.")

	w.text("jrivera", "ETA 20")
	w.expect("jrivera", "ETA sent")
	w.expect("osmith", "Jo R. ETA 20 min")
	w.clock.Advance(20 * time.Minute)
	w.text("jrivera", "here")
	w.expect("jrivera", "On scene")
	w.expect("osmith", code+": Jo R. has arrived.")
	w.text("jrivera", "DONE ENGAGED")
	w.expect("jrivera", code+" closed: engaged")
	w.text("osmith", "STATUS")
	w.expect("osmith", code+" (North): closed.")

	r := w.referral(code)
	if r.State != referral.Closed || r.Outcome != "engaged" || r.OnSceneAt.Sub(r.Received) != 20*time.Minute || r.ClosedAt.IsZero() {
		t.Errorf("closed referral: %+v", r)
	}
	w.quiet("osmith", "jrivera", "aklein")
}

func TestRetriedWebhookChangesNothing(t *testing.T) {
	w := newWorld(t, start)
	sid := w.text("osmith", "AD "+northPoint)
	w.expect("osmith", "Paging")
	w.expect("jrivera", "LEAD page")
	w.svc.Wait()
	// The first delivery's reply went out by REST: the retry is not
	// answered again.
	if err := w.sim.Redeliver(context.Background(), sid); err != nil {
		t.Fatal(err)
	}
	w.quiet("jrivera", "aklein", "osmith")
	if n := w.sim.Attempts(w.phoneOf("jrivera")); n != 1 {
		t.Errorf("case manager paged %d times, want 1", n)
	}
	if n := w.rdb.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 1 {
		t.Errorf("%d referrals stored, want 1", n)
	}

	// A retried accept does not accept twice or text the officer twice.
	acc := w.text("jrivera", "1")
	w.expect("jrivera", "You accepted")
	w.expect("osmith", "accepted by Jo R.")
	if err := w.sim.Redeliver(context.Background(), acc); err != nil {
		t.Fatal(err)
	}
	w.quiet("osmith", "jrivera")
}

func TestDeclinePagesNextThenNobody(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith"))
	w.expect("jrivera", code)

	w.text("jrivera", "2")
	w.expect("jrivera", "Declined "+code)
	w.expect("aklein", code, "ARREST DIVERSION")
	w.expect("osmith", code+": paging the next case manager.")

	// Nobody is left in the rotation: the backup, then the supervisors, at once.
	w.text("aklein", "DECLINE "+code)
	w.expect("aklein", "Declined")
	w.expect("cobi", code, "ARREST DIVERSION")
	w.expect("osmith", code+": paging the next case manager.")
	w.text("cobi", "2")
	w.expect("cobi", "Declined")
	w.expect("msup", code, "ARREST DIVERSION")
	w.expect("osmith", code+": paging the next case manager.")
	w.text("msup", "n")
	w.expect("msup", "Declined")
	w.expect("osmith", code+": no case manager is available. Proceed under your agency's usual procedure.", "+14125550199")
	r := w.referral(code)
	if r.State != referral.Unanswered || r.UnansweredAt.IsZero() || strings.Join(r.Declined, ",") != "jrivera,aklein,cobi,msup" {
		t.Errorf("after everyone declined: %+v", r)
	}
	w.quiet("osmith", "jrivera", "aklein", "cobi", "msup")
	w.noCalls("jrivera", "aklein", "cobi", "msup")

	// A late yes is still welcome.
	w.text("aklein", "1 "+code+" 30")
	w.expect("aklein", "You accepted")
	w.expect("osmith", code+" accepted by Ana K., ETA 30 min.")
}

func TestDoubleAcceptHasOneWinner(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith"))
	w.expect("jrivera", code)
	w.text("jrivera", "2")
	w.expect("jrivera", "Declined")
	w.expect("aklein", code)
	w.expect("osmith", "paging the next")

	// Jo changes her mind at the moment Ana accepts.
	var wg sync.WaitGroup
	for _, id := range []string{"jrivera", "aklein"} {
		wg.Go(func() { w.text(id, "1 "+code) })
	}
	wg.Wait()
	won := 0
	for _, id := range []string{"jrivera", "aklein"} {
		if strings.Contains(w.expect(id), "You accepted") {
			won++
		}
	}
	if won != 1 {
		t.Fatalf("%d accepts won, want exactly 1", won)
	}
	w.expect("osmith", code+" accepted by")
	w.quiet("osmith")
}

func TestOutsideEveryCohort(t *testing.T) {
	w := newWorld(t, start)
	// Pittsburgh airport, well west of the city.
	w.text("osmith", "AD 40.4915,-80.2329 / by terminal")
	w.expect("osmith", "Outside every cohort area", "Nearest: West", "km", "YES")
	w.quiet("osmith", "ewalsh", "bnguyen", "jrivera")
	if n := w.rdb.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 0 {
		t.Fatalf("%d referrals stored before YES, want 0", n)
	}

	w.clock.Advance(14 * time.Minute)
	w.text("osmith", "yes")
	code := codeIn(t, w.expect("osmith", "West", "Paging"))
	w.expect("ewalsh", code, "outside area by", "by terminal")
	w.text("osmith", "YES")
	w.expect("osmith", "Nothing is waiting for YES")

	w.text("osmith", "AD 40.4915,-80.2329")
	w.expect("osmith", "Outside")
	w.clock.Advance(16 * time.Minute)
	w.text("osmith", "YES")
	w.expect("osmith", "Nothing is waiting for YES")
	w.quiet("osmith", "ewalsh")
}

func TestOfficerStatusCancelHelp(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "STATUS")
	w.expect("osmith", "no referral yet")
	w.text("osmith", "help")
	w.expect("osmith", "AD <location>", "SC <location>", "STATUS", "CANCEL", "+14125550199")

	w.text("osmith", "SC 101 / near the arena entrance")
	code := codeIn(t, w.expect("osmith", "social contact"))
	w.expect("ewalsh", code, "SOCIAL CONTACT", "At: PPG Paints Arena (101) https://maps.google.com/?q=40.4394,-79.9892")
	w.text("osmith", "status "+code)
	w.expect("osmith", code+" (", "paging, not accepted yet")

	// Another officer neither sees nor cancels it.
	w.text("tlee", "STATUS "+code)
	w.expect("tlee", "No referral "+code+" of yours.")
	w.text("tlee", "CANCEL "+code)
	w.expect("tlee", "No referral "+code+" of yours.")

	w.text("osmith", "CANCEL "+code)
	w.expect("osmith", code+" cancelled.")
	w.expect("ewalsh", code+" was cancelled by the officer")
	w.text("ewalsh", "1")
	w.expect("ewalsh", code+" was cancelled by the officer")
	if r := w.referral(code); r.State != referral.Cancelled || r.CancelledAt.IsZero() {
		t.Errorf("after cancel: %+v", r)
	}
	w.quiet("osmith", "ewalsh", "tlee")
}

func TestBadTextsGetUsageAndChangeNothing(t *testing.T) {
	w := newWorld(t, start)
	before := 0
	for _, k := range w.rdb.Keys(context.Background(), "leadline:*").Val() {
		if !strings.HasPrefix(k, "leadline:{outbox}:") {
			before++
		}
	}
	for _, tt := range []struct{ who, body, want string }{
		{"osmith", "hello?", "Not understood. Refer: AD"},
		{"osmith", "AD", "Not understood"},
		{"osmith", "AD somewhere over there", "Location not found"},
		{"osmith", "AD https://maps.app.goo.gl/AbCdEf", "Short map links"},
		{"osmith", "CANCEL", "Not understood"},
		{"jrivera", "maybe later", "Not understood. Leadline: 1 [code]"},
		{"jrivera", "1", "You have no page to answer."},
		{"jrivera", "1 ZZZZ", "No page ZZZZ for you."},
		{"jrivera", "help", "ARRIVED"},
	} {
		w.text(tt.who, tt.body)
		w.expect(tt.who, tt.want)
	}
	// Only the MessageSid records of those texts were written, besides
	// the outbox's records of the replies.
	n := 0
	for _, k := range w.rdb.Keys(context.Background(), "leadline:*").Val() {
		switch {
		case strings.HasPrefix(k, "leadline:{outbox}:"):
		case strings.HasPrefix(k, "leadline:{dispatch}:sms:"), strings.HasPrefix(k, "leadline:{oncall}:"):
			n++
		default:
			t.Errorf("a bad text stored %s", k)
		}
	}
	if n != before+9 {
		t.Errorf("%d keys after 9 bad texts, had %d", n, before)
	}
	w.quiet("osmith", "jrivera")
}

func TestUnknownNumberLearnsNothing(t *testing.T) {
	w := newWorld(t, start)
	for i := range 5 {
		w.text("stranger", "AD "+northPoint)
		if i < 3 {
			got := w.expect("stranger", "This number does not accept messages.")
			for _, leak := range []string{"LEAD", "Leadline", "referral", "cohort", "police", "+1412"} {
				if strings.Contains(got, leak) {
					t.Errorf("stranger's reply mentions %q: %s", leak, got)
				}
			}
		}
	}
	w.quiet("stranger", "jrivera")
	// An hour later they may be answered again.
	w.clock.Advance(time.Hour)
	w.text("stranger", "hi")
	w.expect("stranger", "does not accept messages")
}

func TestFailedPageMovesOn(t *testing.T) {
	w := newWorld(t, start)
	// Twilio refuses Jo's number for good, text and call alike: her steps
	// are skipped at once and Ana is paged, with no time waited out.
	w.sim.FailSends(w.phoneOf("jrivera"), -1, 400, 21610)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("aklein", code)
	w.expect("osmith", code+": paging the next case manager.")
	w.quiet("osmith")
	if n := w.sim.Attempts(w.phoneOf("jrivera")); n != 2 {
		t.Errorf("refused number tried %d times, want 2 (one text, one call)", n)
	}
	if r := w.referral(code); strings.Join(r.Failed, ",") != "jrivera/sms,jrivera/call" || strings.Join(r.Paged, ",") != "aklein" || r.Step != 2 {
		t.Errorf("after a failed page: %+v", r)
	}
}

func TestBusyTwilioIsRetried(t *testing.T) {
	w := newWorld(t, start)
	w.sim.FailSends(w.phoneOf("jrivera"), 2, 429, 20429)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith"))
	w.expect("jrivera", code)
	w.quiet("jrivera", "aklein", "osmith")
	if n := w.sim.Attempts(w.phoneOf("jrivera")); n != 3 {
		t.Errorf("%d attempts, want 3 (two 429s, then sent)", n)
	}
}

func TestReferralStoredEvenWhenPagingFails(t *testing.T) {
	w := newWorld(t, start)
	for _, id := range []string{"jrivera", "aklein", "cobi"} {
		w.sim.FailSends(w.phoneOf(id), -1, 500, 20500)
	}
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	if r := w.referral(code); r.State != referral.Paging {
		t.Fatalf("referral not stored as paging: %+v", r)
	}
	// Retries run out for the case managers and the backup, by text and by
	// call: the supervisor is paged, and when nobody answers the officer is told.
	w.expect("osmith", "paging the next")
	w.expect("osmith", "paging the next")
	w.expect("osmith", "paging the next")
	w.expect("msup", code)
	w.after(5 * time.Minute)
	c := w.call("msup")
	if err := w.sim.EndCall(context.Background(), c.SID, "no-answer"); err != nil {
		t.Fatal(err)
	}
	w.svc.Wait()
	w.expect("osmith", "no case manager is available")
	r := w.referral(code)
	if r.State != referral.Unanswered || r.Escalations != 7 || len(r.Failed) != 0 {
		t.Errorf("referral after every page failed: %+v", r)
	}
}

func TestWho(t *testing.T) {
	w := newWorld(t, start)
	w.text("jrivera", "WHO")
	w.expect("jrivera", "North: you until further notice", "South: Dev P. until further notice")
	w.text("msup", "who")
	w.expect("msup", "North: Jo R.", "East: Chidi O. until Mon 30 Nov 09:00", "South: Dev P.", "West: Erin W.")
	// Chidi is on call for East this week, is North's backup, and is on
	// call again the week after next.
	w.text("cobi", "WHO")
	got := w.expect("cobi", "North: Jo R. until further notice", "East: you until Mon 30 Nov 09:00",
		"Your next shift: East from Mon 7 Dec 09:00.")
	if strings.Index(got, "North") > strings.Index(got, "East") {
		t.Errorf("cohorts out of config order: %s", got)
	}
}
