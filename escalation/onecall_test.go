package escalation_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/referral"
)

// twoPagesByCall sends two referrals a minute apart, both paged to Jo by
// text and then, five minutes on each, by call; it returns their codes
// and the one call Jo gets.
func twoPagesByCall(t *testing.T, w *e2e.World) (first, second, sid string) {
	t.Helper()
	w.Text("osmith", "AD "+e2e.NorthPoint)
	first = e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+first)
	w.Clock.Advance(time.Minute)
	w.Text("osmith", "SC 109")
	second = e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page "+second)

	w.After(4 * time.Minute) // the first page's call step
	c := w.Call("jrivera")
	w.After(time.Minute) // the second page's call step: it joins the call
	w.NoCalls("jrivera")
	return first, second, c.SID
}

func spelled(code string) string { return strings.Join(strings.Split(code, ""), " ") }

// Two pages due as calls to the same case manager make one call, which
// reads them oldest first, each with its own keys: 2 declines the first,
// 1 then accepts the second.
func TestOneCallReadsEveryPageInOrder(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	first, second, sid := twoPagesByCall(t, w)

	call, err := w.Sim.Answer(ctx, sid)
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Join(call.Said(), " ")
	if !strings.Contains(said, "Page 1 of 2. Leadline page, referral "+spelled(first)+": arrest diversion") || !call.Gathering() {
		t.Fatalf("the call starts %q", said)
	}
	if strings.Contains(said, spelled(second)) {
		t.Errorf("the second page is read with the first: %q", said)
	}
	if err := call.Press(ctx, "2"); err != nil {
		t.Fatal(err)
	}
	said = strings.Join(call.Said(), " ")
	if !strings.Contains(said, "Declined. Thank you.") ||
		!strings.Contains(said, "Page 2 of 2. Leadline page, referral "+spelled(second)+": social contact") || !call.Gathering() {
		t.Fatalf("after 2 the call says %q", said)
	}
	if err := call.Press(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if said := strings.Join(call.Said(), " "); !strings.Contains(said, "Accepted") || !call.HungUp() {
		t.Errorf("after 1 the call says %q (hung up %v)", said, call.HungUp())
	}
	w.Svc.Wait()

	w.Expect("jrivera", "You accepted "+second)
	w.Expect("osmith", first+": paging the next case manager.")
	w.Expect("osmith", second+" accepted by Jo R.")
	if r := w.Referral(second); r.State != referral.Accepted || r.AcceptedBy != "jrivera" {
		t.Errorf("the second page after 1: %+v", r)
	}
	if r := w.Referral(first); r.State != referral.Paging || !slices.Contains(r.Declined, "jrivera") || r.AcceptedBy != "" {
		t.Errorf("the first page after 2: %+v", r)
	}
	w.Expect("aklein", "LEAD page "+first)
	w.NoCalls("jrivera")
}

// A call nobody picks up moves on every page it carried, at once.
func TestUnansweredCallMovesEveryPageOn(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	first, second, sid := twoPagesByCall(t, w)
	if err := w.Sim.EndCall(context.Background(), sid, "no-answer"); err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	w.Expect("aklein", "LEAD page "+first)
	w.Expect("aklein", "LEAD page "+second)
	for _, code := range []string{first, second} {
		if r := w.Referral(code); r.State != referral.Paging || r.Step != 2 {
			t.Errorf("%s after the unanswered call: %+v", code, r)
		}
	}
	// Ana's call step for both: one call again.
	w.After(5 * time.Minute)
	w.Call("aklein")
	w.NoCalls("aklein")
}
