package inbox_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/leadline/leadline/referral"
)

func TestOfficerRefersAndCaseManagerAccepts(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint+" / male 30s red jacket at bus shelter")
	reply := w.Expect("osmith", "arrest diversion", "North", "Paging the on-call case manager")
	code := e2e.CodeIn(t, reply)

	page := w.Expect("jrivera", code, "ARREST DIVERSION", "North", e2e.NorthPoint,
		"https://maps.google.com/?q=", "Sam Smith", "#4411", "Pittsburgh Bureau of Police", "+14125550121",
		"male 30s red jacket at bus shelter", "Reply 1")
	if strings.Contains(page, "Notes: \n") {
		t.Errorf("empty notes line in page:\n%s", page)
	}
	r := w.Referral(code)
	if r.State != referral.Paging || r.Step != 0 || strings.Join(r.Paged, ",") != "jrivera" || r.Received.IsZero() || r.PagingAt.IsZero() {
		t.Errorf("after the page: %+v", r)
	}

	w.Clock.Advance(90 * time.Second)
	w.Text("jrivera", "A "+code+" 15")
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", code+" accepted by Jo R., ETA 15 min.")
	r = w.Referral(code)
	if r.State != referral.Accepted || r.AcceptedBy != "jrivera" || r.ETAMinutes != 15 {
		t.Errorf("after accept: %+v", r)
	}
	if got := r.AcceptedAt.Sub(r.Received); got != 90*time.Second {
		t.Errorf("time to accept = %v, want 90s", got)
	}
	w.Quiet("osmith", "jrivera", "aklein")
}

func TestCaseManagerFollowsThrough(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "SC "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "social contact"))
	w.Expect("jrivera", "SOCIAL CONTACT")
	w.Text("jrivera", "1") // the code may be left out: the latest page is meant
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", code+" accepted by Jo R.")

	w.Text("jrivera", "ETA 20")
	w.Expect("jrivera", "ETA sent")
	w.Expect("osmith", "Jo R. ETA 20 min")
	w.Clock.Advance(20 * time.Minute)
	w.Text("jrivera", "here")
	w.Expect("jrivera", "On scene")
	w.Expect("osmith", code+": Jo R. has arrived.")
	w.Text("jrivera", "DONE ENGAGED")
	w.Expect("jrivera", code+" closed: engaged")
	w.Text("osmith", "STATUS")
	w.Expect("osmith", code+" (North): closed.")

	r := w.Referral(code)
	if r.State != referral.Closed || r.Outcome != "engaged" || r.OnSceneAt.Sub(r.Received) != 20*time.Minute || r.ClosedAt.IsZero() {
		t.Errorf("closed referral: %+v", r)
	}
	w.Quiet("osmith", "jrivera", "aklein")
}

func TestRetriedWebhookChangesNothing(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	sid := w.Text("osmith", "AD "+e2e.NorthPoint)
	w.Expect("osmith", "Paging")
	w.Expect("jrivera", "LEAD page")
	w.Svc.Wait()
	// The first delivery's reply went out by REST: the retry is not
	// answered again.
	if err := w.Sim.Redeliver(context.Background(), sid); err != nil {
		t.Fatal(err)
	}
	w.Quiet("jrivera", "aklein", "osmith")
	if n := w.Sim.Attempts(w.PhoneOf("jrivera")); n != 1 {
		t.Errorf("case manager paged %d times, want 1", n)
	}
	if n := w.Redis.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 1 {
		t.Errorf("%d referrals stored, want 1", n)
	}

	// A retried accept does not accept twice or text the officer twice.
	acc := w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted")
	w.Expect("osmith", "accepted by Jo R.")
	if err := w.Sim.Redeliver(context.Background(), acc); err != nil {
		t.Fatal(err)
	}
	w.Quiet("osmith", "jrivera")
}

func TestDeclinePagesNextThenNobody(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith"))
	w.Expect("jrivera", code)

	w.Text("jrivera", "2")
	w.Expect("jrivera", "Declined "+code)
	w.Expect("aklein", code, "ARREST DIVERSION")
	w.Expect("osmith", code+": paging the next case manager.")

	// Nobody is left in the rotation: the backup, then the supervisors, at once.
	w.Text("aklein", "DECLINE "+code)
	w.Expect("aklein", "Declined")
	w.Expect("cobi", code, "ARREST DIVERSION")
	w.Expect("osmith", code+": paging the next case manager.")
	w.Text("cobi", "2")
	w.Expect("cobi", "Declined")
	w.Expect("msup", code, "ARREST DIVERSION")
	w.Expect("osmith", code+": no case manager has answered; paging the supervisors.")
	w.Text("msup", "n")
	w.Expect("msup", "Declined")
	w.Expect("osmith", code+": no case manager is available (you have waited less than a minute). Proceed under your agency's usual procedure.", "+14125550199")
	r := w.Referral(code)
	if r.State != referral.Unanswered || r.UnansweredAt.IsZero() || strings.Join(r.Declined, ",") != "jrivera,aklein,cobi,msup" {
		t.Errorf("after everyone declined: %+v", r)
	}
	w.Quiet("osmith", "jrivera", "aklein", "cobi", "msup")
	w.NoCalls("jrivera", "aklein", "cobi", "msup")

	// A late yes is still welcome.
	w.Text("aklein", "1 "+code+" 30")
	w.Expect("aklein", "You accepted")
	w.Expect("osmith", code+" accepted by Ana K., ETA 30 min.")
}

func TestDoubleAcceptHasOneWinner(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith"))
	w.Expect("jrivera", code)
	w.Text("jrivera", "2")
	w.Expect("jrivera", "Declined")
	w.Expect("aklein", code)
	w.Expect("osmith", "paging the next")

	// Jo changes her mind at the moment Ana accepts.
	var wg sync.WaitGroup
	for _, id := range []string{"jrivera", "aklein"} {
		wg.Go(func() { w.Text(id, "1 "+code) })
	}
	wg.Wait()
	won := 0
	for _, id := range []string{"jrivera", "aklein"} {
		if strings.Contains(w.Expect(id), "You accepted") {
			won++
		}
	}
	if won != 1 {
		t.Fatalf("%d accepts won, want exactly 1", won)
	}
	w.Expect("osmith", code+" accepted by")
	w.Quiet("osmith")
}

func TestOutsideEveryCohort(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	// Pittsburgh airport, well west of the city.
	w.Text("osmith", "AD 40.4915,-80.2329 / by terminal")
	w.Expect("osmith", "Outside every cohort area", "Nearest: West", " mi away", "YES")
	w.Quiet("osmith", "ewalsh", "bnguyen", "jrivera")
	if n := w.Redis.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 0 {
		t.Fatalf("%d referrals stored before YES, want 0", n)
	}

	w.Clock.Advance(14 * time.Minute)
	w.Text("osmith", "yes")
	code := e2e.CodeIn(t, w.Expect("osmith", "West", "Paging"))
	w.Expect("ewalsh", code, "outside area by", "by terminal")
	w.Text("osmith", "YES")
	w.Expect("osmith", "Nothing is waiting for YES")

	w.Text("osmith", "AD 40.4915,-80.2329")
	w.Expect("osmith", "Outside")
	w.Clock.Advance(16 * time.Minute)
	w.Text("osmith", "YES")
	w.Expect("osmith", "Nothing is waiting for YES")
	w.Quiet("osmith", "ewalsh")
}

func TestOfficerStatusCancelHelp(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "STATUS")
	w.Expect("osmith", "no referral yet")
	w.Text("osmith", "help")
	w.Expect("osmith", "AD or SC <place>", "STATUS", "CANCEL", "FIX", "+14125550199")

	w.Text("osmith", "SC 101 / near the arena entrance")
	code := e2e.CodeIn(t, w.Expect("osmith", "social contact"))
	w.Expect("ewalsh", code, "SOCIAL CONTACT", "At: PPG Paints Arena (101) https://maps.google.com/?q=40.4394,-79.9892")
	w.Text("osmith", "status "+code)
	w.Expect("osmith", code+" (", "paging, not accepted yet")

	// Another officer neither sees nor cancels it.
	w.Text("tlee", "STATUS "+code)
	w.Expect("tlee", "No referral "+code+" of yours.")
	w.Text("tlee", "CANCEL "+code)
	w.Expect("tlee", "No referral "+code+" of yours.")

	w.Text("osmith", "CANCEL "+code)
	w.Expect("osmith", code+" cancelled.")
	w.Expect("ewalsh", code+" was cancelled by the officer")
	w.Text("ewalsh", "1")
	w.Expect("ewalsh", code+" was cancelled by the officer")
	if r := w.Referral(code); r.State != referral.Cancelled || r.CancelledAt.IsZero() {
		t.Errorf("after cancel: %+v", r)
	}
	w.Quiet("osmith", "ewalsh", "tlee")
}

func TestBadTextsGetUsageAndChangeNothing(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	before := 0
	for _, k := range w.Redis.Keys(context.Background(), "leadline:*").Val() {
		if !strings.HasPrefix(k, "leadline:{outbox}:") {
			before++
		}
	}
	for _, tt := range []struct{ who, body, want string }{
		{"osmith", "hello?", "Not understood. Refer: AD"},
		{"osmith", "AD", "Not understood"},
		{"osmith", "AD somewhere over there", "Location not found"},
		{"osmith", "AD https://maps.app.goo.gl/AbCdEf", "Short map links"},
		{"osmith", "CANCEL", "CANCEL needs the code. You have no open referral."},
		{"jrivera", "maybe later", "Not understood. Leadline: 1 [code]"},
		{"jrivera", "1", "You have no page to answer."},
		{"jrivera", "1 ZZZZ", "No page ZZZZ for you."},
		{"jrivera", "help", "ARRIVED"},
	} {
		w.Text(tt.who, tt.body)
		w.Expect(tt.who, tt.want)
	}
	// Only the MessageSid records of those texts were written, besides
	// the outbox's records of the replies.
	n := 0
	for _, k := range w.Redis.Keys(context.Background(), "leadline:*").Val() {
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
	w.Quiet("osmith", "jrivera")
}

func TestUnknownNumberLearnsNothing(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	for i := range 5 {
		w.Text("stranger", "AD "+e2e.NorthPoint)
		if i < 3 {
			got := w.Expect("stranger", "This number does not accept messages.")
			for _, leak := range []string{"LEAD", "Leadline", "referral", "cohort", "police", "+1412"} {
				if strings.Contains(got, leak) {
					t.Errorf("stranger's reply mentions %q: %s", leak, got)
				}
			}
		}
	}
	w.Quiet("stranger", "jrivera")
	// An hour later they may be answered again.
	w.Clock.Advance(time.Hour)
	w.Text("stranger", "hi")
	w.Expect("stranger", "does not accept messages")
}

func TestFailedPageMovesOn(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	// Twilio refuses Jo's number for good, text and call alike: her steps
	// are skipped at once and Ana is paged, with no time waited out.
	w.Sim.FailSends(w.PhoneOf("jrivera"), -1, 400, 21610)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("aklein", code)
	w.Expect("osmith", code+": paging the next case manager.")
	w.Quiet("osmith")
	if n := w.Sim.Attempts(w.PhoneOf("jrivera")); n != 2 {
		t.Errorf("refused number tried %d times, want 2 (one text, one call)", n)
	}
	if r := w.Referral(code); strings.Join(r.Failed, ",") != "jrivera/sms,jrivera/call" || strings.Join(r.Paged, ",") != "aklein" || r.Step != 2 {
		t.Errorf("after a failed page: %+v", r)
	}
}

func TestBusyTwilioIsRetried(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Sim.FailSends(w.PhoneOf("jrivera"), 2, 429, 20429)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith"))
	w.Expect("jrivera", code)
	w.Quiet("jrivera", "aklein", "osmith")
	if n := w.Sim.Attempts(w.PhoneOf("jrivera")); n != 3 {
		t.Errorf("%d attempts, want 3 (two 429s, then sent)", n)
	}
}

func TestReferralStoredEvenWhenPagingFails(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	for _, id := range []string{"jrivera", "aklein", "cobi"} {
		w.Sim.FailSends(w.PhoneOf(id), -1, 500, 20500)
	}
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	if r := w.Referral(code); r.State != referral.Paging {
		t.Fatalf("referral not stored as paging: %+v", r)
	}
	// Each failing page is retried to the same person through its step's
	// wait (a 500 is not final), then the chain moves on: the case managers
	// and the backup by text and by call, then the supervisor is paged, and
	// when nobody answers the officer is told.
	for _, want := range []string{"paging the next", "paging the next", "paging the supervisors"} {
		w.After(5 * time.Minute) // the text's step: its call is next
		w.After(5 * time.Minute) // the call's step: the next person
		w.Expect("osmith", want)
	}
	w.Expect("msup", code)
	w.After(5 * time.Minute)
	c := w.Call("msup")
	if err := w.Sim.EndCall(context.Background(), c.SID, "no-answer"); err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	w.Expect("osmith", "no case manager is available")
	r := w.Referral(code)
	if r.State != referral.Unanswered || r.Escalations != 7 || len(r.Failed) != 0 {
		t.Errorf("referral after every page failed: %+v", r)
	}
}

func TestWho(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("jrivera", "WHO")
	w.Expect("jrivera", "North: you until further notice", "South: Dev P. until further notice")
	w.Text("msup", "who")
	w.Expect("msup", "North: Jo R.", "East: Chidi O. until Mon 30 Nov, 9:00 AM", "South: Dev P.", "West: Erin W.")
	// Chidi is on call for East this week, is North's backup, and is on
	// call again the week after next.
	w.Text("cobi", "WHO")
	got := w.Expect("cobi", "North: Jo R. until further notice", "East: you until Mon 30 Nov, 9:00 AM",
		"Your next shift: East from Mon 7 Dec, 9:00 AM.")
	if strings.Index(got, "North") > strings.Index(got, "East") {
		t.Errorf("cohorts out of config order: %s", got)
	}
}

// Replies go only to real numbers, and a flood from many numbers does not
// become a flood of replies: the program answers at most 100 unknown texts
// an hour. Invalid UTF-8 in a text is replaced before anything stores it.
func TestStrangersAreAnsweredWithinBounds(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	for _, from := range []string{"abc", "client:alice", "+" + strings.Repeat("1", 5000)} {
		if _, err := w.Sim.Text(context.Background(), from, w.Prog.Phone, "hello"); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 101 {
		w.Text(fmt.Sprintf("+1412777%04d", i), "hello")
	}
	w.Svc.Wait()
	replies := 0
	for _, m := range w.Sim.Messages() {
		if m.From == w.Prog.Phone && m.Body == "This number does not accept messages." {
			replies++
			if !strings.HasPrefix(m.To, "+1412777") {
				t.Errorf("a reply went to %q", m.To)
			}
		}
	}
	if replies != 100 {
		t.Errorf("%d replies to 101 unknown numbers in an hour, want 100", replies)
	}

	w.Text("osmith", "AD "+e2e.NorthPoint+" / bad \xff\xfe bytes")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	if notes := w.Referral(code).Notes; !utf8.ValidString(notes) || !strings.Contains(notes, "bad \uFFFD") {
		t.Errorf("notes stored as %q", notes)
	}
}
