package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/internal/browsertest"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/referral"
)

// actions are the console's forms on the real service, as serve wires them.
type actions struct{ *dispatch.Service }

func (a actions) Community(ctx context.Context, c console.CommunityReferral) (string, error) {
	oc := officer.Community{By: c.By, Cohort: c.Cohort, Location: c.Location, Notes: c.AllNotes(), Assign: c.CaseManager}
	if c.TextReferrer {
		oc.Referrer = c.Callback
	}
	return a.Service.Community(ctx, oc)
}

// expectText waits for the next text to a person and checks it says want.
func (s *service) expectText(id, want string) string {
	s.t.Helper()
	p, _ := s.prog.Person(id)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		m, err := s.sim.NextMessage(ctx, p.Phone)
		if err != nil {
			s.t.Fatalf("%s got no text saying %q: %v", id, want, err)
		}
		if strings.Contains(m.Body, want) {
			return m.Body
		}
	}
}

// A supervisor pages someone outside the chain from the referral page and
// that person gets the page; a community referral entered through the form
// pages the on-call case manager; a cancel with a reason reaches everyone
// paged; each is in the audit log, and a second cancel is refused with a
// reason on the form.
func TestBrowserSupervisorActions(t *testing.T) {
	s := newService(t, 1)
	in := s.inst[0]
	b := browsertest.Start(t)
	tab := b.NewTab(t)
	s.text("osmith", "AD 40.4473,-80.0076 / blue coat")
	code := s.latest()
	s.expectText("jrivera", "LEAD page "+code)
	s.signIn(tab, in, "msup")

	if st := tab.Open(in.url + "/referrals/" + code + "/page"); st != 200 {
		t.Fatalf("page form: %d", st)
	}
	tab.CheckAxe("page form")
	tab.Do(chromedp.SetValue(chromedp.CSS("#person"), "cobi"))
	tab.Submit("form[action$='/page'] button")
	in.svc.Wait()
	s.expectText("cobi", "LEAD page "+code)
	if r, _ := in.svc.Lookup(context.Background(), code); !strings.Contains(strings.Join(r.PagedList, " "), "cobi") {
		t.Errorf("cobi is not among the paged: %v", r.PagedList)
	}

	tab.Open(in.url + "/community")
	tab.CheckAxe("community form")
	tab.Fill("#location", "40.4473,-80.0076")
	tab.Fill("#name", "Ray")
	tab.Do(chromedp.SetValue(chromedp.CSS("#notes"), "asks for help with housing"))
	tab.Submit("form[action='/community'] button")
	in.svc.Wait()
	page := s.expectText("jrivera", "COMMUNITY REFERRAL, North")
	community := strings.TrimSuffix(strings.Fields(page)[2], ":") // "LEAD page <code>: …"
	if r, err := in.svc.Lookup(context.Background(), community); err != nil || r.Type != referral.Community || r.State != referral.Paging {
		t.Errorf("community referral %s: %+v %v", community, r, err)
	}

	tab.Open(in.url + "/referrals/" + code + "/cancel")
	tab.Do(chromedp.SetValue(chromedp.CSS("#reason"), "person left before anyone arrived"))
	tab.Submit("form[action$='/cancel'] button")
	in.svc.Wait()
	s.expectText("jrivera", code+" was cancelled by the program.")
	s.expectText("osmith", code+" was cancelled by the program.")
	if r, _ := in.svc.Lookup(context.Background(), code); r.State != referral.Cancelled {
		t.Errorf("after cancel: %s", r.State)
	}
	tab.Open(in.url + "/referrals/" + code + "/cancel")
	tab.Do(chromedp.SetValue(chromedp.CSS("#reason"), "again"))
	tab.Submit("form[action$='/cancel'] button")
	if got := tab.Text("#form-error"); !strings.Contains(got, "already ended") {
		t.Errorf("second cancel: %q", got)
	}

	var actions []string
	if err := in.console.Audit().Each(context.Background(), func(e console.Entry) error {
		actions = append(actions, string(e.Action)+" "+e.Referral)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"referral_update " + code, "referral_create " + community} {
		if !strings.Contains(strings.Join(actions, "\n"), want) {
			t.Errorf("audit lacks %q:\n%s", want, strings.Join(actions, "\n"))
		}
	}
}
