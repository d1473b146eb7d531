package officer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/referral"
)

// referrer is the mobile of a shop owner who called the program.
const referrer = "+14125550190"

// A referrer who gave a mobile is texted like an officer, with less: the
// code, the accept with its ETA; never the case manager's name, the place
// or the notes. Their reply opens nothing: it gets the unknown number's
// answer and nobody is texted.
func TestCommunityReferrerIsTextedTheCodeAndTheAccept(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code, err := w.Svc.Community(context.Background(), officer.Community{By: "iadams", Cohort: "north",
		Location: e2e.NorthPoint, Notes: "Referred by a community member, Kim, +14125550190. Sleeping in the doorway",
		Referrer: referrer})
	if err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	got := w.Expect(referrer, "Allegheny Care Team: we got your referral, code "+code+".",
		"We are contacting a case manager now.", "Replies are not read; call +14125550199.")
	w.Expect("jrivera", "LEAD page "+code+": COMMUNITY REFERRAL, North", "Sleeping in the doorway")

	w.Text("jrivera", "1 15")
	w.Expect("jrivera", "You accepted "+code+". Text ETA")
	accepted := w.Expect(referrer, code+": a case manager accepted, ETA 15 min.")
	for _, text := range []string{got, accepted} {
		for _, never := range []string{"Jo", "Rivera", "doorway", e2e.NorthPoint, "North"} {
			if strings.Contains(text, never) {
				t.Errorf("the referrer's text says %q: %s", never, text)
			}
		}
	}

	w.Text(referrer, "STATUS "+code)
	w.Expect(referrer, "This number does not accept messages.")
	w.Quiet(referrer, "jrivera", "aklein", "msup", "iadams")
	if r := w.Referral(code); r.Referrer != referrer || r.EnteredBy != "iadams" || r.AcceptedBy != "jrivera" {
		t.Errorf("referral: referrer %q, entered by %q, accepted by %q", r.Referrer, r.EnteredBy, r.AcceptedBy)
	}
}

// When the chain runs out the referrer hears so, after each new person
// paged; a referral without a referrer's mobile texts nobody outside staff.
func TestCommunityReferrerHearsNobodyIsAvailable(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	code, err := w.Svc.Community(context.Background(), officer.Community{By: "msup", Cohort: "north",
		Location: e2e.NorthPoint, Referrer: referrer})
	if err != nil {
		t.Fatal(err)
	}
	w.Svc.Wait()
	w.Expect(referrer, "code "+code)
	for w.Referral(code).State == referral.Paging {
		w.After(5 * time.Minute)
	}
	var texts []string
	for _, m := range w.Sim.Unread(referrer) {
		texts = append(texts, m.Body)
	}
	want := []string{
		code + ": still looking for a case manager; paging the next one.", // aklein
		code + ": still looking for a case manager; paging the next one.", // cobi, the backup
		code + ": still looking for a case manager; paging the next one.", // the supervisors
		code + ": no case manager is available right now. Replies are not read; call +14125550199.",
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("the referrer got:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
}

// Bad input is refused with the reason, and nothing is stored or sent.
func TestCommunityReferralRefusals(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	for _, tt := range []struct {
		name string
		c    officer.Community
		want string
	}{
		{"unknown cohort", officer.Community{Cohort: "nowhere", Location: e2e.NorthPoint}, "choose the cohort"},
		{"place in another cohort", officer.Community{Cohort: "north", Location: "PPG Paints Arena"},
			"that place is in West's area, not North's"},
		{"case manager of another cohort", officer.Community{Cohort: "north", Location: e2e.NorthPoint, Assign: "dpatel"},
			"choose a case manager of the referral's cohort"},
		{"an officer to follow up", officer.Community{Cohort: "north", Location: e2e.NorthPoint, Assign: "osmith"},
			"choose a case manager of the referral's cohort"},
		{"referrer's number not E.164", officer.Community{Cohort: "north", Location: e2e.NorthPoint, Referrer: "412-555-0190"},
			"not a phone number"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.By = "msup"
			code, err := w.Svc.Community(context.Background(), tt.c)
			if err == nil || !strings.Contains(err.Error(), tt.want) || code != "" {
				t.Errorf("got %q, %v; want an error saying %q", code, err, tt.want)
			}
		})
	}
	if n, err := w.Redis.ZCard(context.Background(), "leadline:{dispatch}:referrals").Result(); err != nil || n != 0 {
		t.Errorf("%d referrals stored (%v)", n, err)
	}
	w.Quiet("jrivera", "aklein", "dpatel", "osmith", referrer)
}
