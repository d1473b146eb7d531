package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/internal/browsertest"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/twiliosim"
	"github.com/leadline/leadline/webhooks"
)

// service is the whole world of the board's tests: redis-server, the
// phone simulator, and instances of Leadline wired as serve wires them
// (dispatch, its outbox workers, the console following the changes, all
// behind webhooks).
type service struct {
	t     *testing.T
	prog  *program.Program
	rdb   *redis.Client
	sim   *twiliosim.Server
	clock *clocktest.Clock
	inst  []*instance
}

type instance struct {
	url     string
	svc     *dispatch.Service
	console *console.Server
}

func newService(t *testing.T, instances int) *service {
	t.Helper()
	return newServiceFor(t, sample(t), instances)
}

// newServiceFor is newService for a program the test has changed.
func newServiceFor(t *testing.T, prog *program.Program, instances int) *service {
	t.Helper()
	rdb, _ := redistest.Start(t)
	clk := clocktest.New(start)
	if err := oncall.New(rdb, prog, clk.Now, nil).Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	sim := twiliosim.New(twiliosim.Options{AccountSID: testSID, AuthToken: testToken, Clock: clk.Now})
	t.Cleanup(sim.Close)
	s := &service{t: t, prog: prog, rdb: rdb, sim: sim, clock: clk}
	for range instances {
		s.inst = append(s.inst, s.start())
	}
	sim.SetWebhookBase(s.inst[0].url) // Twilio calls the first; browsers may use any
	return s
}

// start runs one instance as serve.go does.
func (s *service) start() *instance {
	t := s.t
	tw := phone.NewClient(phone.ClientConfig{AccountSID: testSID, AuthToken: testToken, APIURL: s.sim.URL(),
		RetryBase: time.Millisecond, MaxAttempts: 3})
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	reg := prometheus.NewRegistry()
	store := oncall.New(s.rdb, s.prog, s.clock.Now, log)
	boxClock := clocktest.New(start).Now // process time: moving the program's day lapses no claim
	d, err := dispatch.NewService(dispatch.Config{Program: s.prog, Redis: s.rdb, OnCall: store, Texter: tw, Caller: tw,
		PublicURL: url, Clock: s.clock.Now, Keys: e2e.Keys(), Log: log, Metrics: reg, Outbox: outbox.Options{Clock: boxClock, Poll: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	box, err := outbox.New(s.rdb, tw, outbox.Options{Clock: boxClock, Keys: e2e.Keys(), Log: log})
	if err != nil {
		t.Fatal(err)
	}
	con, err := console.New(console.Config{Keys: e2e.Keys(), Program: s.prog, Redis: s.rdb, Clock: s.clock.Now, PublicURL: url,
		Texter: console.OutboxTexter{Box: box, From: s.prog.Phone}, Log: log, Actions: actions{d}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { d.RunOutbox(ctx); done <- struct{}{} }()
	go func() { _ = con.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { stop(); <-done; <-done; d.Wait(); con.Wait() })
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: webhooks.New(webhooks.Config{
		Console: con.Handler(), PublicURL: url, AuthToken: testToken, SMS: d, Voice: d, Status: d, Metrics: reg, Log: log,
		Ready: func(ctx context.Context) error { return s.rdb.Ping(ctx).Err() }, Now: s.clock.Now}).Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	for !con.Live() {
		waitBriefly()
	}
	return &instance{url: url, svc: d, console: con}
}

// waitBriefly yields to the goroutines under test; it waits for no timer.
func waitBriefly() { time.Sleep(5 * time.Millisecond) }

// text sends a text to the program number from a person's phone, as
// Twilio would deliver it, and returns once the webhook has answered.
func (s *service) text(id, body string) {
	s.t.Helper()
	p, ok := s.prog.Person(id)
	if !ok {
		s.t.Fatalf("no person %q", id)
	}
	if _, err := s.sim.Text(context.Background(), p.Phone, s.prog.Phone, body); err != nil {
		s.t.Fatal(err)
	}
}

// latest is the code of the newest referral.
func (s *service) latest() string {
	s.t.Helper()
	codes, err := s.rdb.ZRevRange(context.Background(), "leadline:{dispatch}:referrals", 0, 0).Result()
	if err != nil || len(codes) == 0 {
		s.t.Fatalf("no referral stored: %v", err)
	}
	return codes[0]
}

// signIn signs a person in at inst through the pages, with the code their
// simulated phone got, and leaves the tab on the board.
func (s *service) signIn(tab *browsertest.Tab, inst *instance, id string) {
	s.t.Helper()
	p, _ := s.prog.Person(id)
	tab.Open(inst.url + "/signin")
	tab.Fill("#phone", p.Phone)
	tab.Submit("form[action='/signin'] button")
	inst.console.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var code string
	for code == "" {
		m, err := s.sim.NextMessage(ctx, p.Phone)
		if err != nil {
			s.t.Fatalf("%s got no sign-in code: %v", id, err)
		}
		if c := codePattern.FindStringSubmatch(m.Body); c != nil && strings.Contains(m.Body, "sign-in code") {
			code = c[1]
		}
	}
	tab.Fill("#code", code)
	if st := tab.Submit("form[action='/signin/code'] button"); st != http.StatusOK {
		s.t.Fatalf("board after sign-in: status %d", st)
	}
}

// within fails the test unless the JavaScript condition holds in the tab
// within d, without reloading the page.
func within(t *testing.T, tab *browsertest.Tab, d time.Duration, what, cond string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), d)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(10*time.Millisecond))); err != nil {
		t.Fatalf("%s: not within %s: %v\npage: %s", what, d, err, tab.Text("main"))
	}
}

// watch records in the page when each row first shows each state, by the
// machine's clock (Date.now), for the latency figures.
const watch = `window.__seen = {};
new MutationObserver(function () {
  document.querySelectorAll("tr[data-code]").forEach(function (r) {
    var k = r.dataset.code + " " + r.dataset.state;
    if (!(k in window.__seen)) { window.__seen[k] = Date.now(); }
  });
}).observe(document.body, {subtree: true, childList: true, attributes: true});
document.querySelectorAll("tr[data-code]").forEach(function (r) { window.__seen[r.dataset.code + " " + r.dataset.state] = 0; });
true`

// changeLatency is how long after its change-stream entry (whose ID is
// Redis's clock in ms) the row showed state in the tab, in ms.
func (s *service) changeLatency(tab *browsertest.Tab, code string, st referral.State, event referral.Event) int64 {
	s.t.Helper()
	seen := browsertest.Run(tab, chromedp.Evaluate[int64](fmt.Sprintf(`window.__seen[%q] || -1`, code+" "+string(st))))
	msgs, err := s.rdb.XRange(context.Background(), referral.ChangesKey, "-", "+").Result()
	if err != nil {
		s.t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Values["code"] == code && referral.ParseLine(fmt.Sprint(m.Values["line"])).What == event {
			var ms int64
			fmt.Sscanf(m.ID, "%d-", &ms)
			return seen - ms
		}
	}
	return -1
}

// requireChangeStream fails unless dispatch wrote the referral's change
// to referral.ChangesKey, which is all the live board follows.
func (s *service) requireChangeStream(code string) {
	s.t.Helper()
	n, err := s.rdb.XLen(context.Background(), referral.ChangesKey).Result()
	if err != nil {
		s.t.Fatal(err)
	}
	if n == 0 {
		s.t.Fatalf("dispatch stored %s but wrote nothing to %s: the live board has nothing to follow", code, referral.ChangesKey)
	}
}

func TestBrowserBoardThroughDispatch(t *testing.T) {
	s := newService(t, 2)
	b := browsertest.Start(t)
	a, other := b.NewTab(t), b.NewTab(t)
	s.signIn(a, s.inst[0], "jrivera")
	s.signIn(other, s.inst[1], "msup")
	for _, tab := range []*browsertest.Tab{a, other} {
		browsertest.Run(tab, chromedp.Evaluate[bool](watch))
	}

	s.text("osmith", "AD 40.4473,-80.0076 / male 30s red jacket")
	code := s.latest()
	s.requireChangeStream(code)
	row := fmt.Sprintf(`document.querySelector("#r-%s") !== null`, code)
	within(t, a, time.Second, "officer's text on the board", row)
	within(t, other, time.Second, "officer's text on the other instance's board", row)

	s.inst[0].svc.Wait()
	s.text("jrivera", "1 15")
	accepted := fmt.Sprintf(`(function(r){return r && r.dataset.state === "accepted" && r.textContent.includes("Jo R.") && r.textContent.includes("15 min")})(document.querySelector("#r-%s"))`, code)
	within(t, a, time.Second, "accept by text", accepted)
	within(t, other, time.Second, "accept by text, other instance", accepted)
	t.Logf("event-to-DOM: created %d ms, accepted %d ms (other instance: %d, %d ms)",
		s.changeLatency(a, code, referral.Paging, referral.EvCreated), s.changeLatency(a, code, referral.Accepted, referral.EvAccepted),
		s.changeLatency(other, code, referral.Paging, referral.EvCreated), s.changeLatency(other, code, referral.Accepted, referral.EvAccepted))
}
