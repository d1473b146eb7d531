package officer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// The longest leading part of the line that is a location is the
// location; the rest are notes, with or without a slash. A slash the
// location needs ("wood/5th") stays in it, and a verb typed against the
// location is still read.
func TestOfficerNotesAfterTheLocation(t *testing.T) {
	for _, tt := range []struct {
		text, oncall string
		reply, page  []string
	}{
		{"AD 40.4473,-80.0076 male 30s", "jrivera",
			[]string{"North, at 40.4473,-80.0076. Paging"}, []string{"At: 40.4473,-80.0076 https://", "Notes: male 30s"}},
		// The notes are kept as sent; the page gives them in GSM-7, which has
		// no emoji, so that it fits two segments (issue 17).
		{"AD 40.4473,-80.0076 👍 / 🐕", "jrivera",
			[]string{"North, at 40.4473,-80.0076. Paging"}, []string{"At: 40.4473,-80.0076 https://", "Notes: /"}},
		{"SC wood/5th", "ewalsh", []string{"West, at Wood St & Fifth Ave, Pittsburgh. Paging"}, []string{"(wood/5th)"}},
		{"SC wood/5th by the bank\nblue coat", "ewalsh",
			[]string{"West, at Wood St & Fifth Ave"}, []string{"(wood/5th)", "Notes: by the bank blue coat"}},
		{"AD40.4473,-80.0076", "jrivera", []string{"North, at 40.4473,-80.0076. Paging"}, []string{"At: 40.4473,-80.0076 https://"}},
		{"sc 101 near the entrance", "ewalsh", []string{"West, at PPG Paints Arena. Paging"}, []string{"At: PPG Paints Arena (101)", "Notes: near the entrance"}},
	} {
		t.Run(tt.text, func(t *testing.T) {
			w := e2e.New(t, e2e.Start)
			w.Text("osmith", tt.text)
			code := e2e.CodeIn(t, w.Expect("osmith", tt.reply...))
			page := w.Expect(tt.oncall, append([]string{"LEAD page " + code}, tt.page...)...)
			if r := w.Referral(code); strings.Contains(tt.text, "🐕") && r.Notes != "👍 / 🐕" {
				t.Errorf("notes stored as %q, want them as sent", r.Notes)
			}
			if !strings.Contains(tt.text, "\n") && strings.Contains(page, "Notes:") == (w.Referral(code).Notes == "") {
				t.Errorf("notes %q, page:\n%s", w.Referral(code).Notes, page)
			}
		})
	}
}

// The reply names where the officer was placed, with how uncertain a
// rough position is, so a wrong reading can be corrected: FIX moves a
// referral still paging, the case manager paged is told, and after an
// accept FIX is refused with what to do instead.
func TestReplySaysWhereAndFixMovesIt(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "ad 40.45 -80.01")
	code := e2e.CodeIn(t, w.Expect("osmith", "North, at 40.45,-80.01, about 0.6 mi uncertain. Paging", "Wrong place? FIX "))
	w.Expect("jrivera", "LEAD page "+code)

	w.Text("osmith", "FIX "+code+" 40.4473,-80.0076 by the bus shelter")
	w.Expect("osmith", code+" moved: now at 40.4473,-80.0076. Still paging.")
	w.Expect("jrivera", "LEAD "+code+" moved by the officer. Now at: 40.4473,-80.0076 https://maps.google.com/?q=40.4473,-80.0076")
	r := w.Referral(code)
	if r.Lat != 40.4473 || r.Lon != -80.0076 || r.Location != "40.4473,-80.0076" || r.Notes != "by the bus shelter" || r.State != referral.Paging {
		t.Errorf("after FIX: %+v", r)
	}

	// Another cohort's place pages other people: not a move.
	w.Text("osmith", "FIX "+code+" 5th & Wood")
	w.Expect("osmith", "is in West, not North. "+code+" was not moved: CANCEL "+code+" and refer again.")
	w.Text("tlee", "FIX "+code+" 40.4473,-80.0076")
	w.Expect("tlee", "No referral "+code+" of yours.")

	w.Text("jrivera", "1")
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", "accepted by Jo R.")
	w.Text("osmith", "FIX "+code+" 40.4480,-80.0080")
	w.Expect("osmith", code+" is already accepted by Jo R., so it can't be moved. To send help elsewhere, CANCEL "+code+" and refer again.")
	if r := w.Referral(code); r.Lat != 40.4473 {
		t.Errorf("moved after the accept: %+v", r)
	}
	w.Quiet("osmith", "jrivera", "ewalsh", "tlee")
}

// An address is named back as the address data has it, so "1200" read as
// the nearest number on the street is visible to the officer.
func TestReplyNamesTheAddressFound(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "SC 301 wood street by the door")
	code := e2e.CodeIn(t, w.Expect("osmith", "West, at 301 Wood St, Pittsburgh. Paging"))
	w.Expect("ewalsh", "LEAD page "+code, "At: 301 Wood St, Pittsburgh (301 wood street)", "Notes: by the door")
}

// The same officer sending the same referral again within the window, at
// the same place however written, gets the first code and pages nobody
// again; other notes (another person), another type, or after the window
// is a new referral.
func TestResendAnswersWithTheFirstCode(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD 5th & Wood")
	code := e2e.CodeIn(t, w.Expect("osmith", "West", "Paging"))
	w.Expect("ewalsh", "LEAD page "+code)

	w.Clock.Advance(2 * time.Minute)
	w.Text("osmith", "ad 5th and wood")
	w.Expect("osmith", code+": already received 2 min ago (West), so nobody was paged again. STATUS "+code+".")
	w.Quiet("osmith", "ewalsh")

	w.Text("osmith", "AD 5th & Wood / second man, green hat")
	other := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	if other == code {
		t.Fatal("another person at the same place was taken for a resend")
	}
	w.Expect("ewalsh", "LEAD page "+other, "green hat")
	w.Text("osmith", "SC 5th & Wood / second man, green hat")
	social := e2e.CodeIn(t, w.Expect("osmith", "social contact", "Paging"))
	w.Expect("ewalsh", "LEAD page "+social)

	w.Clock.Advance(11 * time.Minute)
	w.Text("osmith", "SC 5th & Wood / second man, green hat")
	late := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Expect("ewalsh", "LEAD page "+late)
	if late == social {
		t.Fatal("a text after the window was taken for a resend")
	}
}

// Two instances receiving the same resend at once page once: the
// officer's lock makes the check and the referral one step.
func TestResendAcrossInstancesPagesOnce(t *testing.T) {
	rdb, _ := redistest.Start(t)
	a := e2e.NewOnRedis(t, rdb, clocktest.New(e2e.Start), nil)
	b := e2e.NewInstance(t, a.Prog, rdb, a.Sim, a.Clock)
	var wg sync.WaitGroup
	for i, w := range []*e2e.World{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, _ := w.Post("/twilio/sms", url.Values{"From": {w.PhoneOf("osmith")}, "To": {w.Prog.Phone},
				"Body": {"AD 5th & Wood"}, "MessageSid": {"SM" + strings.Repeat("0", 31) + string(rune('a'+i))}})
			if status != http.StatusOK {
				t.Errorf("webhook: %d", status)
			}
		}()
	}
	wg.Wait()
	a.Svc.Wait()
	b.Svc.Wait()
	code := e2e.CodeIn(t, a.Expect("osmith", "Paging"))
	for range 3 {
		a.Expect("osmith", code+": already received")
	}
	a.Expect("ewalsh", "LEAD page "+code)
	a.Quiet("osmith", "ewalsh")
	if n := rdb.ZCard(context.Background(), "leadline:{dispatch}:referrals").Val(); n != 1 {
		t.Fatalf("%d referrals, want 1", n)
	}
}

// A short link is followed where the program allows network look-ups (one
// request, here to a local server standing in for maps.app.goo.gl);
// otherwise the officer is told how to share a pin that works.
func TestShortMapLinks(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "maps.app.goo.gl" || r.URL.Path != "/Pin123" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "https://www.google.com/maps/place/X/@40.44,-80.00,17z/data=!3d40.4473!4d-80.0076?entry=tts", http.StatusFound)
	}))
	defer srv.Close()

	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD https://maps.app.goo.gl/Pin123 / by the door")
	w.Expect("osmith", "Short map links", "press and hold to drop a pin", "40.4473,-80.0076")
	w.Quiet("osmith", "jrivera")

	rdb, _ := redistest.Start(t)
	w = e2e.NewOnRedis(t, rdb, clocktest.New(e2e.Start), func(p *program.Program) { p.NetworkLookups = true },
		func(c *dispatch.Config) { c.ShortLinks = geo.ShortLinks{Client: geo.TestClient(srv)} })
	w.Text("osmith", "AD https://maps.app.goo.gl/Pin123 / by the door")
	code := e2e.CodeIn(t, w.Expect("osmith", "North, at 40.4473,-80.0076. Paging"))
	w.Expect("jrivera", "LEAD page "+code, "maps.app.goo.gl/Pin123", "?q=40.4473,-80.0076", "Notes: by the door")
	w.Text("osmith", "AD https://maps.app.goo.gl/Gone")
	w.Expect("osmith", "Short map links")
}

// A point far outside every cohort is outside the program: no YES is
// offered, nobody is paged; distances are in the program's units.
func TestOutsideTheProgram(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD 39.9526,-75.1652") // Philadelphia
	reply := w.Expect("osmith", "Outside the program's area (at 39.9526,-75.1652): 2", " mi from the nearest cohort", "Nobody was paged")
	if strings.Contains(reply, "YES") {
		t.Errorf("YES offered for a point outside the program: %s", reply)
	}
	w.Text("osmith", "YES")
	w.Expect("osmith", "Nothing is waiting for YES")
	w.Quiet("osmith", "jrivera", "ewalsh", "cobi", "bnguyen")

	w = e2e.NewWith(t, e2e.Start, func(p *program.Program) { p.Units, p.PageAnywayLimit = geo.Metric, 5000 })
	w.Text("osmith", "AD 40.4915,-80.2329") // the airport: within 25 km of West, not 5
	w.Expect("osmith", "Outside the program's area", " km from the nearest cohort, West")
}

// HELP fits one segment; a bare CANCEL names the officer's open codes.
func TestHelpAndBareCancel(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "HELP")
	if m := w.ExpectMessage("osmith", "AD or SC", "CANCEL <code>", "+14125550199"); m.Segments != 1 {
		t.Errorf("HELP takes %d segments: %s", m.Segments, m.Body)
	}
	w.Text("osmith", "AD 40.4473,-80.0076")
	first := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Clock.Advance(time.Minute)
	w.Text("osmith", "SC 5th & Wood")
	second := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	w.Text("osmith", "CANCEL")
	w.Expect("osmith", "CANCEL needs the code. Your open referrals: "+second+", "+first+". Send CANCEL <code>.")
	w.Text("osmith", "CANCEL "+second)
	w.Expect("osmith", second+" cancelled.")
	w.Text("osmith", "cancel")
	w.Expect("osmith", "CANCEL needs the code: CANCEL "+first+".")
	if r := w.Referral(first); r.State != referral.Paging {
		t.Errorf("a bare CANCEL changed %s: %s", first, r.State)
	}
}
