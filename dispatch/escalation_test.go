package dispatch_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/referral"
)

// The default chain, with nobody answering anything: text Jo, call Jo,
// text Ana, call Ana, text the backup Chidi, call him, text the
// supervisor, call her, then tell the officer.
// Each step waits the cohort's ack_timeout (5m), and not a second less.
func TestFullChainNobodyAnswers(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "AD "+northPoint+" / sitting on the steps")
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", "LEAD page "+code)

	w.after(5*time.Minute - time.Second)
	w.noCalls("jrivera")
	w.quiet("osmith", "jrivera", "aklein", "msup")

	steps := []struct {
		by, who   string
		toOfficer string // "" for no text
	}{
		{"call", "jrivera", ""},
		{"sms", "aklein", code + ": paging the next case manager."},
		{"call", "aklein", ""},
		{"sms", "cobi", code + ": paging the next case manager."},
		{"call", "cobi", ""},
		{"sms", "msup", code + ": paging the next case manager."},
		{"call", "msup", ""},
	}
	for i, st := range steps {
		if i == 0 {
			w.after(time.Second)
		} else {
			w.after(5 * time.Minute)
		}
		if st.by == "call" {
			c := w.call(st.who)
			if !strings.HasSuffix(c.URL, "/twilio/voice/page") || !strings.HasSuffix(c.StatusCallback, "/twilio/status") {
				t.Errorf("step %d: call URLs %q, %q", i+1, c.URL, c.StatusCallback)
			}
			if strings.Contains(c.URL, code) {
				t.Errorf("step %d: the call's URL carries the referral: %s", i+1, c.URL)
			}
		} else {
			w.expect(st.who, "LEAD page "+code, "sitting on the steps")
		}
		if st.toOfficer != "" {
			w.expect("osmith", st.toOfficer)
		}
		w.quiet("osmith", "jrivera", "aklein", "cobi", "msup")
		if r := w.referral(code); r.State != referral.Paging || r.Step != i+1 || r.Escalations != i+1 {
			t.Fatalf("after step %d: %+v", i+1, r)
		}
	}
	w.after(5 * time.Minute)
	w.expect("osmith", code+": no case manager is available. Proceed under your agency's usual procedure.")
	r := w.referral(code)
	if r.State != referral.Unanswered || r.UnansweredAt.Sub(r.Received) != 40*time.Minute {
		t.Errorf("at the end of the chain: %+v", r)
	}
	// Nothing further happens, however long we wait.
	w.after(24 * time.Hour)
	w.quiet("osmith", "jrivera", "aklein", "cobi", "msup")
	w.noCalls("jrivera", "aklein", "cobi", "msup")

	m := w.metrics()
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
	w := newWorld(t, start)
	ctx := context.Background()
	w.text("osmith", "SC "+northPoint+" / he said his name is John")
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", code)
	w.after(5 * time.Minute)
	c := w.call("jrivera")
	call, err := w.sim.Answer(ctx, c.SID)
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(call.Said(), " ")
	for _, want := range []string{"social contact", "North cohort", "Sam Smith", "Press 1 to accept"} {
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
	w.svc.Wait()
	w.expect("jrivera", "You accepted "+code, "ETA")
	w.expect("osmith", code+" accepted by Jo R.")
	if r := w.referral(code); r.State != referral.Accepted || r.AcceptedBy != "jrivera" || r.AcceptedAt.Sub(r.Received) != 5*time.Minute {
		t.Errorf("after accepting by call: %+v", r)
	}
	// The accept stops the chain.
	w.after(time.Hour)
	w.quiet("osmith", "jrivera", "aklein", "msup")
	w.noCalls("jrivera", "aklein", "msup")
}

// Silence gets the page read once more, then a polite goodbye; the call
// ending unanswered moves the referral on at once.
func TestUnansweredCallMovesOnAtOnce(t *testing.T) {
	w := newWorld(t, start)
	ctx := context.Background()
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", code)
	w.after(5 * time.Minute)
	call, err := w.sim.Answer(ctx, w.call("jrivera").SID)
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
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "No answer received") || !call.HungUp() {
		t.Fatalf("after silence twice the call says %q (hung up %v)", said, call.HungUp())
	}
	w.svc.Wait()
	w.expect("aklein", "LEAD page "+code)
	w.expect("osmith", "paging the next")
	if r := w.referral(code); r.Step != 2 || r.Escalations != 2 {
		t.Errorf("after an unanswered call: %+v", r)
	}
}

// Pressing 2 on a page call declines it, exactly as texting 2 does.
func TestDeclineByCall(t *testing.T) {
	w := newWorld(t, start)
	ctx := context.Background()
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", code)
	w.after(5 * time.Minute)
	call, err := w.sim.Answer(ctx, w.call("jrivera").SID)
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
	w.svc.Wait()
	w.expect("aklein", "LEAD page "+code)
	w.expect("osmith", "paging the next")
	if r := w.referral(code); strings.Join(r.Declined, ",") != "jrivera" || r.Step != 2 {
		t.Errorf("after declining by call: %+v", r)
	}
}

// Twilio reports the page text undelivered: the call follows at once.
func TestUndeliveredPageEscalatesAtOnce(t *testing.T) {
	w := newWorld(t, start)
	w.sim.FailDelivery(w.phoneOf("jrivera"), 1, 30003)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", code)
	w.call("jrivera") // no time has passed
	r := w.referral(code)
	if r.Step != 1 || strings.Join(r.Missed, ",") != "" || len(r.Failed) != 0 {
		t.Errorf("after an undelivered page: %+v", r)
	}
	if !strings.Contains(w.metrics(), `leadline_escalation_steps_total{cohort="north",why="missed"} 1`) {
		t.Error("the missed step is not counted")
	}
}

// Callbacks come late, twice, and out of order; none moves a referral
// backwards or on.
func TestOutOfOrderCallbacks(t *testing.T) {
	w := newWorld(t, start)
	ctx := context.Background()
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	page := w.expectMessage("jrivera", code)
	w.svc.Wait()
	status := func(sid, st string, errCode int) {
		t.Helper()
		if err := w.sim.MessageStatus(ctx, sid, st, errCode); err != nil {
			t.Fatal(err)
		}
	}
	status(page.SID, "delivered", 0)
	status(page.SID, "sent", 0)            // late
	status(page.SID, "undelivered", 30003) // contradicts a final status
	status(page.SID, "delivered", 0)       // again
	w.svc.Wait()
	w.noCalls("jrivera")
	if r := w.referral(code); r.Step != 0 || len(r.Missed) != 0 {
		t.Fatalf("callbacks moved the referral: %+v", r)
	}
	got, _ := w.rdb.HGet(ctx, "leadline:{outbox}:sid:"+page.SID, "status").Result()
	if got != "delivered" {
		t.Errorf("page status %q, want delivered", got)
	}

	// The step times out, the call goes out; then a failure report for the
	// text of the step before arrives. Nothing moves.
	w.after(5 * time.Minute)
	c := w.call("jrivera")
	w.text("jrivera", "1")
	w.expect("jrivera", "You accepted")
	w.expect("osmith", "accepted by Jo R.")
	if err := w.sim.EndCall(ctx, c.SID, "no-answer"); err != nil {
		t.Fatal(err)
	}
	w.svc.Wait()
	if r := w.referral(code); r.State != referral.Accepted || r.Step != 1 {
		t.Errorf("a late no-answer moved the referral: %+v", r)
	}
	w.quiet("osmith", "jrivera", "aklein")
	w.noCalls("jrivera", "aklein")
}

// Two instances fire the same timers at the same moment: each step is
// taken once.
func TestTwoInstancesTakeEachStepOnce(t *testing.T) {
	a := newWorld(t, start)
	b := newInstance(t, a.prog, a.rdb, a.sim, a.clock)
	const n = 12
	codes := map[string]bool{}
	for range n {
		b.text("osmith", "AD "+northPoint)
		codes[codeIn(t, b.expect("osmith", "Paging"))] = true
		b.expect("jrivera", "LEAD page")
	}
	a.clock.Advance(5 * time.Minute)
	var wg sync.WaitGroup
	for _, inst := range []*world{a, b} {
		wg.Go(func() {
			if _, err := inst.svc.FireTimers(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a.svc.Wait()
	b.svc.Wait()
	calls := a.sim.UnreadCalls(a.phoneOf("jrivera"))
	if len(calls) != n {
		t.Fatalf("%d calls to Jo for %d referrals, want one each", len(calls), n)
	}
	for code := range codes {
		if r := a.referral(code); r.Step != 1 || r.Escalations != 1 {
			t.Errorf("%s after one timeout: %+v", code, r)
		}
	}
}

// An instance dies mid-escalation; another, started afterwards on the same
// Redis, takes the next step when it is due.
func TestRestartMidEscalation(t *testing.T) {
	old := newWorld(t, start)
	old.text("osmith", "AD "+northPoint)
	code := codeIn(t, old.expect("osmith", "Paging"))
	old.expect("jrivera", code)
	old.svc.Wait()

	w := newInstance(t, old.prog, old.rdb, old.sim, old.clock)
	w.after(5 * time.Minute)
	w.call("jrivera")
	w.after(5 * time.Minute)
	w.expect("aklein", "LEAD page "+code)
	if r := w.referral(code); r.Step != 2 {
		t.Errorf("after the restart: %+v", r)
	}
}

// A referral stored by an instance that died before paging is paged by the
// rescue timer.
func TestStoredButNotPagedIsRescued(t *testing.T) {
	w := newWorld(t, start)
	// Paging fails because the on-call list cannot be read at all.
	ctx := context.Background()
	const key = "leadline:{oncall}:cohort:north:schedule"
	w.rdb.Del(ctx, key)
	w.rdb.Set(ctx, key, "not a schedule", 0)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	if r := w.referral(code); r.State != referral.Paging || r.Step != -1 {
		t.Fatalf("stored referral: %+v", r)
	}
	w.rdb.Del(ctx, key)
	if err := oncall.New(w.rdb, w.prog, w.clock.Now, nil).Seed(ctx); err != nil {
		t.Fatal(err)
	}
	w.after(10 * time.Second)
	w.expect("jrivera", "LEAD page "+code)
}

// Cancelling mid-chain tells everyone paged so far and stops the chain.
func TestCancelStopsTheChain(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "AD "+northPoint)
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", code)
	w.after(5 * time.Minute)
	w.call("jrivera")
	w.after(5 * time.Minute)
	w.expect("aklein", code)
	w.expect("osmith", "paging the next")
	w.text("osmith", "CANCEL "+code)
	w.expect("osmith", code+" cancelled.")
	w.expect("jrivera", "cancelled by the officer")
	w.expect("aklein", "cancelled by the officer")
	w.after(time.Hour)
	w.quiet("osmith", "jrivera", "aklein", "msup")
	w.noCalls("jrivera", "aklein", "msup")
	if !strings.Contains(w.metrics(), `leadline_referrals_total{cohort="north",outcome="cancelled",type="arrest"} 1`) {
		t.Error("the cancelled referral is not counted")
	}
}

// A finished referral loses its details when the program's retention says,
// and keeps the times reports are made of.
func TestDetailsRetention(t *testing.T) {
	w := newWorld(t, start)
	ctx := context.Background()
	w.text("osmith", "SC "+northPoint+" / blue coat")
	code := codeIn(t, w.expect("osmith", "Paging"))
	w.expect("jrivera", code)
	w.clock.Advance(2 * time.Minute)
	w.text("jrivera", "1")
	w.expect("jrivera", "You accepted")
	w.expect("osmith", "accepted")
	w.clock.Advance(18 * time.Minute)
	w.text("jrivera", "HERE")
	w.expect("jrivera", "On scene")
	w.expect("osmith", "arrived")
	w.text("jrivera", "DONE REFUSED")
	w.expect("jrivera", "closed")

	w.after(w.prog.Retention.Details - time.Minute)
	if r := w.referral(code); r.Notes != "blue coat" || r.Officer != "osmith" {
		t.Fatalf("details gone too early: %+v", r)
	}
	w.after(time.Minute)
	r := w.referral(code)
	if r.Notes != "" || r.Location != "" || r.Officer != "" || r.Lat != 0 || len(r.PagedList) != 0 {
		t.Errorf("details kept past retention: %+v", r)
	}
	if r.Type != referral.Social || r.Cohort != "north" || r.AcceptedBy != "jrivera" || r.Outcome != "refused" ||
		r.OnSceneAt.Sub(r.Received) != 20*time.Minute || r.ClosedAt.IsZero() {
		t.Errorf("the de-identified record lost what reports need: %+v", r)
	}
	if n := w.rdb.Exists(ctx, "leadline:{dispatch}:referral:"+code+":events").Val(); n != 0 {
		t.Error("the referral's history was kept")
	}
	if ttl := w.rdb.TTL(ctx, "leadline:{dispatch}:referral:"+code).Val(); ttl <= 0 {
		t.Errorf("the record never expires (TTL %v)", ttl)
	}
	recs, err := referral.Records(ctx, w.rdb, start, start.Add(24*time.Hour))
	if err != nil || len(recs) != 1 || recs[0].Code != code {
		t.Errorf("Records = %v, %v", recs, err)
	}
}

// Accept and arrival times feed the response-time histograms.
func TestResponseTimeMetrics(t *testing.T) {
	w := newWorld(t, start)
	w.text("osmith", "AD "+northPoint)
	w.expect("osmith", "Paging")
	w.expect("jrivera", "LEAD page")
	w.clock.Advance(3 * time.Minute)
	w.text("jrivera", "1")
	w.expect("jrivera", "You accepted")
	w.expect("osmith", "accepted")
	w.clock.Advance(12 * time.Minute)
	w.text("jrivera", "ARRIVED")
	w.expect("jrivera", "On scene")
	w.expect("osmith", "arrived")
	m := w.metrics()
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
