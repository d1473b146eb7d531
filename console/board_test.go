package console_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/internal/browsertest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// store is the referral store every package will change referrals
// through; its scripts write referral.ChangesKey with each change.
func (s *service) store() *referral.Store {
	q := timers.New(s.rdb, referral.TimersBase, timers.Options{Clock: s.clock.Now})
	return referral.NewStore(s.rdb, q, s.clock.Now, s.prog.Retention.Details, e2e.Keys())
}

// insert stores a new paging referral in cohort through the store.
func (s *service) insert(st *referral.Store, cohort string, typ referral.Type, paged string) string {
	s.t.Helper()
	now := s.clock.Now()
	r := &referral.Referral{Type: typ, Cohort: cohort, State: referral.Paging, Officer: "osmith", Location: "40.4473,-80.0076",
		Lat: 40.4473, Lon: -80.0076, Notes: "red jacket", Step: -1, Received: now, PagingAt: now}
	if err := st.Insert(context.Background(), r, referral.Timer{Kind: referral.TimerStep, Args: []int{-1}, At: now.Add(10 * time.Second)}); err != nil {
		s.t.Fatal(err)
	}
	if paged != "" {
		s.apply(st, r.Code, referral.Change{From: []referral.State{referral.Paging},
			Event: referral.At(now, referral.EvStep, paged, "0/sms/on_call/first"),
			Set:   []referral.Write{referral.Set(referral.FStep, 0), referral.Set(referral.FPaged, paged), referral.AddWord(referral.FPagedList, paged)}})
	}
	return r.Code
}

func (s *service) apply(st *referral.Store, code string, c referral.Change) {
	s.t.Helper()
	if ok, err := st.Apply(context.Background(), code, c); err != nil || !ok {
		s.t.Fatalf("change %s: applied %v, %v", code, ok, err)
	}
}

func accept(now time.Time, who string, eta int) referral.Change {
	return referral.Change{From: []referral.State{referral.Paging}, Event: referral.At(now, referral.EvAccepted, who, fmt.Sprint(eta)),
		Set: []referral.Write{referral.Set(referral.FAcceptedBy, who), referral.Set(referral.FETA, eta)}}.To(referral.Accepted, now)
}

// The board is live across instances through the change stream: a new
// referral, then its accept, show on browsers of both instances within a
// second, without a reload; nothing of another cohort's reaches them.
func TestBrowserLiveBoard(t *testing.T) {
	s := newService(t, 2)
	st := s.store()
	b := browsertest.Start(t)
	a, other := b.NewTab(t), b.NewTab(t)
	s.signIn(a, s.inst[0], "jrivera") // North and South
	s.signIn(other, s.inst[1], "msup")
	for _, tab := range []*browsertest.Tab{a, other} {
		browsertest.Run(tab, chromedp.Evaluate[bool](watch))
	}
	var created, accepted []int64
	for i := range 5 {
		code := s.insert(st, "north", referral.Arrest, "jrivera")
		row := fmt.Sprintf(`document.querySelector("#r-%s") !== null`, code)
		within(t, a, time.Second, "new referral on the board", row)
		within(t, other, time.Second, "new referral on the other instance's board", row)
		s.clock.Advance(time.Minute)
		s.apply(st, code, accept(s.clock.Now(), "jrivera", 15))
		acc := fmt.Sprintf(`(function(r){return r && r.dataset.state === "accepted" && r.textContent.includes("Jo R.") && r.textContent.includes("15 min")})(document.querySelector("#r-%s"))`, code)
		within(t, a, time.Second, "accept on the board", acc)
		within(t, other, time.Second, "accept on the other instance's board", acc)
		for _, tab := range []*browsertest.Tab{a, other} {
			created = append(created, s.changeLatency(tab, code, referral.Paging, referral.EvStep))
			accepted = append(accepted, s.changeLatency(tab, code, referral.Accepted, referral.EvAccepted))
		}
		if i == 0 {
			noCSPRefusals(t, a)
		}
	}
	all := slices.Concat(created, accepted)
	slices.Sort(all)
	t.Logf("event-to-DOM latency over %d updates: p50 %d ms, p99 %d ms, max %d ms", len(all),
		all[len(all)/2], all[(len(all)*99+99)/100-1], all[len(all)-1])

	// East is not jrivera's: its referral never reaches her board, live
	// or drawn, while the supervisor of every cohort sees it.
	east := s.insert(st, "east", referral.Social, "bnguyen")
	within(t, other, time.Second, "east referral on the supervisor's board", fmt.Sprintf(`document.querySelector("#r-%s") !== null`, east))
	if strings.Contains(a.Text("main"), east) {
		t.Errorf("jrivera's board shows %s, an East referral", east)
	}
	a.Open(s.inst[0].url + "/")
	if strings.Contains(a.Text("main"), east) {
		t.Errorf("jrivera's board shows %s after a reload", east)
	}
}

// After a reconnect the stream catches up from Last-Event-ID: a change
// made while the browser was away comes at once, as the viewer's board.
func TestLiveBoardCatchesUp(t *testing.T) {
	s := newService(t, 1)
	st := s.store()
	c := (&world{t: t, prog: s.prog, rdb: s.rdb, sim: s.sim, clock: s.clock}).client(s.inst[0].url)
	s.signInClient(c, "jrivera")
	first := s.insert(st, "north", referral.Arrest, "jrivera")
	_, _, board := c.get("/")
	since := sincePattern(board)
	if since == "" || !strings.Contains(board, first) {
		t.Fatalf("board has no stream position or lacks %s:\n%s", first, board)
	}
	missed := s.insert(st, "north", referral.Social, "jrivera")
	hidden := s.insert(st, "east", referral.Social, "bnguyen")

	req, _ := http.NewRequest(http.MethodGet, s.inst[0].url+"/board/events", nil)
	req.Header.Set("Last-Event-ID", since)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("events: %d %s", resp.StatusCode, ct)
	}
	ev := readEvent(t, resp)
	if !strings.Contains(ev, "event: board") || !strings.Contains(ev, missed) || !strings.Contains(ev, first) {
		t.Errorf("catch-up event lacks the board with %s and %s:\n%s", first, missed, ev)
	}
	if strings.Contains(ev, hidden) {
		t.Errorf("catch-up event shows %s, an East referral", hidden)
	}
	// Its ID is the latest change jrivera may see, not the East one after it.
	msgs, _ := s.rdb.XRevRangeN(context.Background(), referral.ChangesKey, "+", "-", 1).Result()
	if strings.Contains(ev, "id: "+msgs[0].ID) {
		t.Errorf("event ID is the East change's")
	}
}

func sincePattern(body string) string {
	_, after, ok := strings.Cut(body, `data-since="`)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(after, `"`)
	return id
}

// readEvent reads one Server-Sent Event with data, skipping comments and
// the retry line.
func readEvent(t *testing.T, resp *http.Response) string {
	t.Helper()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if i := strings.Index(sb.String(), "event: board"); i >= 0 && strings.Contains(sb.String()[i:], "\n\n") {
			return sb.String()[i:]
		}
		if err != nil {
			t.Fatalf("event stream ended: %v\n%s", err, sb.String())
		}
	}
}

// signInClient signs a person in with the HTTP client.
func (s *service) signInClient(c *client, id string) {
	s.t.Helper()
	w := &world{t: s.t, prog: s.prog, rdb: s.rdb, sim: s.sim, clock: s.clock}
	w.signIn(c, id)
}

// The referral page, for a referral an officer texted in: the paged case
// manager sees its timeline, details and map; another of the cohort sees
// the timeline without details; a case manager of another cohort gets 403
// and nothing of it; every view is in the audit log.
func TestBrowserReferralPage(t *testing.T) {
	s := newService(t, 1)
	inst := s.inst[0]
	s.text("osmith", "AD 40.4473,-80.0076 / male 30s red jacket")
	inst.svc.Wait()
	code := s.latest()
	r, err := inst.svc.Lookup(context.Background(), code)
	if err != nil || len(r.Paged) != 1 {
		t.Fatalf("lookup %s: %+v %v", code, r, err)
	}
	paged := r.Paged[0]
	p, _ := s.prog.Person(paged)
	s.text(paged, "1 15")
	inst.svc.Wait()
	s.clock.Advance(12 * time.Minute)
	s.text(paged, "ARRIVED")
	inst.svc.Wait()
	notPaged := "aklein"
	if paged == "aklein" {
		notPaged = "jrivera"
	}

	b := browsertest.Start(t)
	shots := screenshotDir(t)
	tab := b.NewTab(t)
	s.signIn(tab, inst, paged)
	contains(t, "board", tab.Text("main"), code, "on scene", p.ShortName(), "handed off in 12 min")
	tab.CheckAxe("board")
	tab.Screenshots(shots, "board")
	noCSPRefusals(t, tab)

	if st := tab.Open(inst.url + "/referrals/" + code); st != http.StatusOK {
		t.Fatalf("referral page: %d", st)
	}
	page := tab.Text("main")
	contains(t, "referral page for the paged", page, "Referral "+code, "arrest diversion", "North",
		"Received from Officer Sam Smith", "Step 1: Texted "+p.ShortName(), "Accepted by "+p.ShortName()+", ETA 15 min",
		p.ShortName()+" arrived on scene", "male 30s red jacket", "40.4473,-80.0076", "#4411")
	within(t, tab, 5*time.Second, "map drawn", `document.querySelectorAll("#map path.leaflet-interactive").length >= 2`)
	tab.CheckAxe("referral")
	tab.Screenshots(shots, "referral")
	noCSPRefusals(t, tab)

	cm := b.NewTab(t)
	s.signIn(cm, inst, notPaged)
	cm.Open(inst.url + "/referrals/" + code)
	page = cm.Text("main")
	contains(t, "referral page for another of the cohort", page, "Referral "+code, "Accepted by", "shown only to")
	for _, secret := range []string{"red jacket", "40.4473", "Sam Smith", "4411"} {
		if strings.Contains(page, secret) {
			t.Errorf("%s, not paged, sees %q", notPaged, secret)
		}
	}

	far := b.NewTab(t)
	s.signIn(far, inst, "bnguyen") // East and West
	if st := far.Open(inst.url + "/referrals/" + code); st != http.StatusForbidden {
		t.Errorf("another cohort's case manager: %d, want 403", st)
	}
	html := browsertest.Run(far, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	for _, secret := range []string{"red jacket", "40.4473", "Sam Smith", "arrest", "North", p.ShortName()} {
		if strings.Contains(html, secret) {
			t.Errorf("the 403 page tells %q", secret)
		}
	}
	far.CheckAxe("403")
	if strings.Contains(far.Text("main"), code) {
		far.Open(inst.url + "/")
		t.Errorf("bnguyen's board shows %s", code)
	}

	// Every view of the referral's page is in the audit log, with who.
	views := map[string]int{}
	err = inst.console.Audit().Each(context.Background(), func(e console.Entry) error {
		if e.Action == console.ActionReferralView && e.Referral == code {
			views[e.Person]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if views[paged] != 1 || views[notPaged] != 1 || len(views) != 2 {
		t.Errorf("audited views of %s: %v, want one each by %s and %s", code, views, paged, notPaged)
	}
}
