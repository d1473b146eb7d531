package escalation_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/report"
)

// The default chain, with nobody answering anything: text Jo, call Jo,
// text Ana, call Ana, text the backup Chidi, call him, text the
// supervisor, call her, then tell the officer.
// Each step waits the cohort's ack_timeout (5m), and not a second less.
func TestFullChainNobodyAnswers(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint+" / sitting on the steps")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+code)

	w.After(5*time.Minute - time.Second)
	w.NoCalls("jrivera")
	w.Quiet("osmith", "jrivera", "aklein", "msup")

	steps := []struct {
		by, who   string
		toOfficer string // "" for no text
	}{
		{"call", "jrivera", ""},
		{"sms", "aklein", code + ": paging the next case manager."},
		{"call", "aklein", ""},
		{"sms", "cobi", code + ": paging the next case manager."},
		{"call", "cobi", ""},
		{"sms", "msup", code + ": no case manager has answered; paging the supervisors."},
		{"call", "msup", ""},
	}
	for i, st := range steps {
		if i == 0 {
			w.After(time.Second)
		} else {
			w.After(5 * time.Minute)
		}
		if st.by == "call" {
			c := w.Call(st.who)
			if !strings.HasSuffix(c.URL, "/twilio/voice/page") || !strings.HasSuffix(c.StatusCallback, "/twilio/status") {
				t.Errorf("step %d: call URLs %q, %q", i+1, c.URL, c.StatusCallback)
			}
			if strings.Contains(c.URL, code) {
				t.Errorf("step %d: the call's URL carries the referral: %s", i+1, c.URL)
			}
		} else {
			w.Expect(st.who, "LEAD page "+code, "sitting on the steps")
		}
		if st.toOfficer != "" {
			w.Expect("osmith", st.toOfficer)
		}
		w.Quiet("osmith", "jrivera", "aklein", "cobi", "msup")
		if r := w.Referral(code); r.State != referral.Paging || r.Step != i+1 || r.Escalations != i+1 {
			t.Fatalf("after step %d: %+v", i+1, r)
		}
	}
	w.After(5 * time.Minute)
	w.Expect("osmith", code+": no case manager is available (you have waited 40 min). Proceed under your agency's usual procedure.")
	r := w.Referral(code)
	if r.State != referral.Unanswered || r.UnansweredAt.Sub(r.Received) != 40*time.Minute {
		t.Errorf("at the end of the chain: %+v", r)
	}
	// Nothing further happens, however long we wait.
	w.After(24 * time.Hour)
	w.Quiet("osmith", "jrivera", "aklein", "cobi", "msup")
	w.NoCalls("jrivera", "aklein", "cobi", "msup")

	m := w.Metrics()
	for _, want := range []string{
		`leadline_referrals_total{cohort="north",outcome="unanswered",type="arrest"} 1`,
		`leadline_escalation_steps_total{cohort="north",why="timeout"} 7`,
		`leadline_pages_sent_total{channel="sms",cohort="north"} 4`,
		`leadline_pages_sent_total{channel="call",cohort="north"} 4`,
		`leadline_webhook_duration_seconds_count{route="/twilio/sms",status="200"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Jo misses the text but takes the call: the page is read out without
// the officer's notes, and pressing 1 accepts.
func TestAcceptByCall(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "SC "+e2e.NorthPoint+" / he said his name is John")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.After(5 * time.Minute)
	c := w.Call("jrivera")
	call, err := w.Sim.Answer(ctx, c.SID)
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(call.Said(), " ")
	for _, want := range []string{"referral " + strings.Join(strings.Split(code, ""), " "), "social contact", "North cohort", "Sam Smith", "Press 1 to accept"} {
		if !strings.Contains(said, want) {
			t.Errorf("the call does not say %q: %s", want, said)
		}
	}
	if strings.Contains(said, "John") || !call.Gathering() {
		t.Errorf("call said %q (gathering %v)", said, call.Gathering())
	}
	if err := call.Press(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "Accepted") || !call.HungUp() {
		t.Errorf("after pressing 1 the call says %q (hung up %v)", said, call.HungUp())
	}
	w.Svc.Wait()
	w.Expect("jrivera", "You accepted "+code, "ETA")
	w.Expect("osmith", code+" accepted by Jo R.")
	if r := w.Referral(code); r.State != referral.Accepted || r.AcceptedBy != "jrivera" || r.AcceptedAt.Sub(r.Received) != 5*time.Minute {
		t.Errorf("after accepting by call: %+v", r)
	}
	// The accept stops the chain; what comes is the nudge to the case
	// manager on the way, who gave no ETA (package scene).
	w.After(time.Hour)
	w.Expect("jrivera", code+": are you on your way?")
	w.Quiet("osmith", "jrivera", "aklein", "msup")
	w.NoCalls("jrivera", "aklein", "msup")
}

// Silence gets the page read once more, then a polite goodbye; the call
// ending unanswered moves the referral on at once.
func TestUnansweredCallMovesOnAtOnce(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.After(5 * time.Minute)
	call, err := w.Sim.Answer(ctx, w.Call("jrivera").SID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Silence(ctx); err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "Press 1 to accept") || !call.Gathering() {
		t.Fatalf("after silence the call says %q", said)
	}
	if err := call.Silence(ctx); err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "No key was pressed, so nothing was recorded and the page goes on") || !call.HungUp() {
		t.Fatalf("after silence twice the call says %q (hung up %v)", said, call.HungUp())
	}
	w.Svc.Wait()
	w.Expect("aklein", "LEAD page "+code)
	w.Expect("osmith", "paging the next")
	if r := w.Referral(code); r.Step != 2 || r.Escalations != 2 {
		t.Errorf("after an unanswered call: %+v", r)
	}
}

// Two keys that are neither 1 nor 2 end the call saying so, and what it
// means for the page; the chain moves on and a text still accepts.
func TestWrongKeysOnAPageCallSaySo(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.After(5 * time.Minute)
	call, err := w.Sim.Answer(ctx, w.Call("jrivera").SID)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"7", "9"} {
		if err := call.Press(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	said := strings.Join(call.Said(), " ")
	if !strings.Contains(said, "The keys pressed were not 1 or 2, so nothing was recorded and the page goes on to the next person. "+
		"You can still accept referral "+strings.Join(strings.Split(code, ""), " ")+" by text.") || !call.HungUp() {
		t.Fatalf("after two wrong keys the call says %q (hung up %v)", said, call.HungUp())
	}
	w.Svc.Wait()
	w.Expect("aklein", "LEAD page "+code)
	w.Expect("osmith", "paging the next")
	w.Text("jrivera", "1 "+code)
	w.Expect("jrivera", "You accepted "+code)
}

// Pressing 2 on a page call declines it, exactly as texting 2 does.
func TestDeclineByCall(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.After(5 * time.Minute)
	call, err := w.Sim.Answer(ctx, w.Call("jrivera").SID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Press(ctx, "9"); err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "not an option") || !strings.Contains(said, "Press 1") {
		t.Errorf("a wrong key gets %q", said)
	}
	if err := call.Press(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "Declined") {
		t.Errorf("pressing 2 gets %q", said)
	}
	w.Svc.Wait()
	w.Expect("aklein", "LEAD page "+code)
	w.Expect("osmith", "paging the next")
	if r := w.Referral(code); strings.Join(r.Declined, ",") != "jrivera" || r.Step != 2 {
		t.Errorf("after declining by call: %+v", r)
	}
}

// Twilio reports the page text undelivered: the call follows at once.
func TestUndeliveredPageEscalatesAtOnce(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Sim.FailDelivery(w.PhoneOf("jrivera"), 1, 30003)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.Call("jrivera") // no time has passed
	r := w.Referral(code)
	if r.Step != 1 || strings.Join(r.Missed, ",") != "" || len(r.Failed) != 0 {
		t.Errorf("after an undelivered page: %+v", r)
	}
	if !strings.Contains(w.Metrics(), `leadline_escalation_steps_total{cohort="north",why="missed"} 1`) {
		t.Error("the missed step is not counted")
	}
}

// Callbacks come late, twice, and out of order; none moves a referral
// backwards or on.
func TestOutOfOrderCallbacks(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	page := w.ExpectMessage("jrivera", code)
	w.Svc.Wait()
	status := func(sid, st string, errCode int) {
		t.Helper()
		if err := w.Sim.MessageStatus(ctx, sid, st, errCode); err != nil {
			t.Fatal(err)
		}
	}
	status(page.SID, "delivered", 0)
	status(page.SID, "sent", 0)            // late
	status(page.SID, "undelivered", 30003) // contradicts a final status
	status(page.SID, "delivered", 0)       // again
	w.Svc.Wait()
	w.NoCalls("jrivera")
	if r := w.Referral(code); r.Step != 0 || len(r.Missed) != 0 {
		t.Fatalf("callbacks moved the referral: %+v", r)
	}
	got, _ := w.Redis.HGet(ctx, "leadline:{outbox}:sid:"+page.SID, "status").Result()
	if got != "delivered" {
		t.Errorf("page status %q, want delivered", got)
	}

	// The step times out, the call goes out; then a failure report for the
	// text of the step before arrives. Nothing moves.
	w.After(5 * time.Minute)
	c := w.Call("jrivera")
	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted")
	w.Expect("osmith", "accepted by Jo R.")
	if err := w.Sim.EndCall(ctx, c.SID, "no-answer"); err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	if r := w.Referral(code); r.State != referral.Accepted || r.Step != 1 {
		t.Errorf("a late no-answer moved the referral: %+v", r)
	}
	w.Quiet("osmith", "jrivera", "aklein")
	w.NoCalls("jrivera", "aklein")
}

// Two instances fire the same timers at the same moment: each step is
// taken once, and its page call placed or joined once.
func TestTwoInstancesTakeEachStepOnce(t *testing.T) {
	a := e2e.New(t, e2e.Start)
	b := e2e.NewInstance(t, a.Prog, a.Redis, a.Sim, a.Clock)
	const n = 12
	codes := map[string]bool{}
	for i := range n {
		// Other notes each time: the same text again is a resend.
		b.Text("osmith", "AD "+e2e.NorthPoint+" / person "+strconv.Itoa(i))
		codes[e2e.CodeIn(t, b.Expect("osmith", "Paging"))] = true
		b.Expect("jrivera", "LEAD page")
	}
	a.Clock.Advance(5 * time.Minute)
	var wg sync.WaitGroup
	for _, inst := range []*e2e.World{a, b} {
		wg.Go(func() {
			if _, err := inst.Svc.FireTimers(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a.Svc.Wait()
	b.Svc.Wait()
	// One call at a time: a single call reads every page, each once.
	calls := a.Sim.UnreadCalls(a.PhoneOf("jrivera"))
	if len(calls) != 1 {
		t.Fatalf("%d calls to Jo for %d referrals, want one reading them all", len(calls), n)
	}
	call, err := a.Sim.Answer(context.Background(), calls[0].SID)
	if err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "Page 1 of "+strconv.Itoa(n)+".") {
		t.Errorf("the call starts %q, want it to read %d pages", said, n)
	}
	for code := range codes {
		if r := a.Referral(code); r.Step != 1 || r.Escalations != 1 {
			t.Errorf("%s after one timeout: %+v", code, r)
		}
	}
}

// An instance dies mid-escalation; another, started afterwards on the same
// Redis, takes the next step when it is due.
func TestRestartMidEscalation(t *testing.T) {
	old := e2e.New(t, e2e.Start)
	old.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, old.Expect("osmith", "Paging"))
	old.Expect("jrivera", code)
	old.Svc.Wait()

	w := e2e.NewInstance(t, old.Prog, old.Redis, old.Sim, old.Clock)
	w.After(5 * time.Minute)
	w.Call("jrivera")
	w.After(5 * time.Minute)
	w.Expect("aklein", "LEAD page "+code)
	if r := w.Referral(code); r.Step != 2 {
		t.Errorf("after the restart: %+v", r)
	}
}

// A referral stored by an instance that died before paging is paged by the
// rescue timer.
func TestStoredButNotPagedIsRescued(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	// Paging fails because the on-call list cannot be read at all.
	ctx := context.Background()
	const key = "leadline:{oncall}:cohort:north:schedule"
	w.Redis.Del(ctx, key)
	w.Redis.Set(ctx, key, "not a schedule", 0)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	if r := w.Referral(code); r.State != referral.Paging || r.Step != -1 {
		t.Fatalf("stored referral: %+v", r)
	}
	w.Redis.Del(ctx, key)
	if err := oncall.New(w.Redis, w.Prog, w.Clock.Now, nil).Seed(ctx); err != nil {
		t.Fatal(err)
	}
	w.After(10 * time.Second)
	w.Expect("jrivera", "LEAD page "+code)
}

// Cancelling mid-chain tells everyone paged so far and stops the chain.
func TestCancelStopsTheChain(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.After(5 * time.Minute)
	w.Call("jrivera")
	w.After(5 * time.Minute)
	w.Expect("aklein", code)
	w.Expect("osmith", "paging the next")
	w.Text("osmith", "CANCEL "+code)
	w.Expect("osmith", code+" cancelled.")
	w.Expect("jrivera", "cancelled by the officer")
	w.Expect("aklein", "cancelled by the officer")
	w.After(time.Hour)
	w.Quiet("osmith", "jrivera", "aklein", "msup")
	w.NoCalls("jrivera", "aklein", "msup")
	if !strings.Contains(w.Metrics(), `leadline_referrals_total{cohort="north",outcome="cancelled",type="arrest"} 1`) {
		t.Error("the cancelled referral is not counted")
	}
}

// A finished referral loses its details when the program's retention says,
// and keeps the times reports are made of.
func TestDetailsRetention(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "SC "+e2e.NorthPoint+" / blue coat")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", code)
	w.Clock.Advance(2 * time.Minute)
	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted")
	w.Expect("osmith", "accepted")
	w.Clock.Advance(18 * time.Minute)
	w.Text("jrivera", "HERE")
	w.Expect("jrivera", "On scene")
	w.Expect("osmith", "arrived")
	w.Text("jrivera", "DONE REFUSED")
	w.Expect("jrivera", "closed")

	w.After(w.Prog.Retention.Details - time.Minute)
	if r := w.Referral(code); r.Notes != "blue coat" || r.Officer != "osmith" {
		t.Fatalf("details gone too early: %+v", r)
	}
	w.After(time.Minute)
	r := w.Referral(code)
	if r.Notes != "" || r.Location != "" || r.Officer != "" || r.Lat != 0 || len(r.PagedList) != 0 {
		t.Errorf("details kept past retention: %+v", r)
	}
	if r.Type != referral.Social || r.Cohort != "north" || r.AcceptedBy != "jrivera" || r.Outcome != "refused" ||
		r.OnSceneAt.Sub(r.Received) != 20*time.Minute || r.ClosedAt.IsZero() {
		t.Errorf("the de-identified record lost what reports need: %+v", r)
	}
	// The officer is gone, their agency stays: programs report by agency.
	if row := report.FromReferral(w.Prog, r); r.Agency != "Pittsburgh Bureau of Police" || row.Agency != r.Agency {
		t.Errorf("agency after the purge: record %q, report %q", r.Agency, row.Agency)
	}
	if n := w.Redis.Exists(ctx, "leadline:{dispatch}:referral:"+code+":events").Val(); n != 0 {
		t.Error("the referral's history was kept")
	}
	if ttl := w.Redis.TTL(ctx, "leadline:{dispatch}:referral:"+code).Val(); ttl <= 0 {
		t.Errorf("the record never expires (TTL %v)", ttl)
	}
	recs, err := referral.Records(ctx, w.Redis, e2e.Keys(), e2e.Start, e2e.Start.Add(24*time.Hour))
	if err != nil || len(recs) != 1 || recs[0].Code != code {
		t.Errorf("Records = %v, %v", recs, err)
	}
}

// Accept and arrival times feed the response-time histograms.
func TestResponseTimeMetrics(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	w.Expect("osmith", "Paging")
	w.Expect("jrivera", "LEAD page")
	w.Clock.Advance(3 * time.Minute)
	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted")
	w.Expect("osmith", "accepted")
	w.Clock.Advance(12 * time.Minute)
	w.Text("jrivera", "ARRIVED")
	w.Expect("jrivera", "On scene")
	w.Expect("osmith", "arrived")
	m := w.Metrics()
	for _, want := range []string{
		`leadline_referrals_total{cohort="north",outcome="accepted",type="arrest"} 1`,
		`leadline_time_to_accept_seconds_sum{cohort="north",type="arrest"} 180`,
		`leadline_time_to_accept_seconds_bucket{cohort="north",type="arrest",le="120"} 0`,
		`leadline_time_to_accept_seconds_bucket{cohort="north",type="arrest",le="300"} 1`,
		`leadline_time_to_arrive_seconds_sum{cohort="north",type="arrest"} 900`,
		`leadline_pages_sent_total{channel="sms",cohort="north"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// A bare 1 or 2 from someone with more than one page open asks which,
// listing them, and changes nothing; with the code it answers that one,
// and a bare 1 then means the one left.
func TestBareAnswerWithTwoOpenPagesAsksWhich(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD "+e2e.NorthPoint)
	first := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+first)
	w.Clock.Advance(time.Minute) // pages are listed oldest first; at one instant, by code
	w.Text("osmith", "SC 109")
	second := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+second)

	for _, bare := range []string{"1", "2"} {
		w.Text("jrivera", bare)
		w.Expect("jrivera", "You have 2 open pages: "+first+" (arrest diversion, North), "+second+" (social contact, North). Which one?")
	}
	for _, code := range []string{first, second} {
		if r := w.Referral(code); r.State != referral.Paging || len(r.Declined) > 0 {
			t.Errorf("a bare answer changed %s: %+v", code, r)
		}
	}
	w.Quiet("osmith")

	w.Text("jrivera", "2 "+second)
	w.Expect("jrivera", "Declined "+second)
	w.Expect("osmith", second+": paging the next case manager.")
	w.Expect("aklein", "LEAD page "+second)
	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted "+first)
	w.Expect("osmith", first+" accepted by Jo R.")
}
