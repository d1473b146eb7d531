package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/participant"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/twiliosim"
	"github.com/leadline/leadline/webhooks"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "0123456789abcdef0123456789abcdef"
)

// world is the whole core loop on real parts: redis-server, the webhooks
// server signed-checking every request, and the phone simulator reached
// through the real twilio-go client. Tests talk to it as people do: by text.
type world struct {
	t      testing.TB
	prog   *program.Program
	rdb    *redis.Client
	sim    *twiliosim.Server
	svc    *dispatch.Service
	oncall *oncall.Store
	clock  *clocktest.Clock
	url    string
}

// start is when most worlds' clocks start: a Monday afternoon. Tests that
// care about the calendar start elsewhere (see TestConversationOnAnyDate).
var start = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// newWorld is the sample program's world with its clock at at: every part
// of it, the simulator included, reads that one clock.
func newWorld(t testing.TB, at time.Time) *world {
	t.Helper()
	return newWorldWith(t, at, nil)
}

// newWorldWith is newWorld with the sample program changed by edit first.
func newWorldWith(t testing.TB, at time.Time, edit func(*program.Program)) *world {
	t.Helper()
	return newWorldOn(t, clocktest.New(at), edit)
}

// newWorldOn is newWorldWith on a given clock (clocktest.Wall for
// benchmarks of real timing).
func newWorldOn(t testing.TB, clk *clocktest.Clock, edit func(*program.Program)) *world {
	t.Helper()
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(prog)
	}
	rdb, _ := redistest.Start(t)
	if err := oncall.New(rdb, prog, clk.Now, nil).Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	sim := twiliosim.New(twiliosim.Options{AccountSID: testSID, AuthToken: testToken, Clock: clk.Now})
	t.Cleanup(sim.Close)
	return newInstance(t, prog, rdb, sim, clk)
}

// newInstance starts one instance of Leadline (dispatch and its webhooks
// server) against rdb and the phone simulator sim; several on one Redis are
// several instances of Leadline. Texts from the phones go to the newest.
func newInstance(t testing.TB, prog *program.Program, rdb *redis.Client, sim *twiliosim.Server, clk *clocktest.Clock, opts ...func(*dispatch.Config)) *world {
	t.Helper()
	tw := phone.NewClient(phone.ClientConfig{AccountSID: testSID, AuthToken: testToken, APIURL: sim.URL(),
		RetryBase: time.Millisecond, MaxAttempts: 3})
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	// The public URL is the test server's own, as if Twilio called it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	reg := prometheus.NewRegistry()
	store := oncall.New(rdb, prog, clk.Now, log)
	// The outbox's clock is process time (leases, retries), not the
	// program's day: it stays still, so moving the program's clock never
	// lapses a claim in the middle of a send.
	cfg := dispatch.Config{Program: prog, Redis: rdb, OnCall: store, Texter: tw, Caller: tw,
		PublicURL: url, Clock: clk.Now, Log: log, Metrics: reg,
		Outbox: outbox.Options{Clock: clocktest.New(start).Now}}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := dispatch.NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The outbox's workers run as in serve; Wait also drains it.
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.RunOutbox(ctx) }()
	t.Cleanup(func() { stop(); <-done; svc.Wait() })
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: webhooks.New(webhooks.Config{
		PublicURL: url, AuthToken: testToken, SMS: svc, Voice: svc, Status: svc, Metrics: reg, Log: log,
		Ready: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, Now: clk.Now}).Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	sim.SetWebhookBase(url)
	return &world{t: t, prog: prog, rdb: rdb, sim: sim, svc: svc, oncall: store, clock: clk, url: url}
}

func (w *world) phoneOf(id string) string {
	w.t.Helper()
	if id == "stranger" {
		return "+14125550999"
	}
	if strings.HasPrefix(id, "+") {
		return id // a participant's number
	}
	p, ok := w.prog.Person(id)
	if !ok {
		w.t.Fatalf("no person %q", id)
	}
	return p.Phone
}

// text sends a text from a person to the program number and returns its
// MessageSid.
func (w *world) text(id, body string) string {
	w.t.Helper()
	sid, err := w.sim.Text(context.Background(), w.phoneOf(id), w.prog.Phone, body)
	if err != nil {
		w.t.Fatalf("%s texts %q: %v", id, body, err)
	}
	return sid
}

// expect waits for the next text to a person and checks it says each of
// wants. It returns the text.
func (w *world) expect(id string, wants ...string) string {
	w.t.Helper()
	return w.expectMessage(id, wants...).Body
}

// expectMessage is expect returning the whole message.
func (w *world) expectMessage(id string, wants ...string) twiliosim.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := w.sim.NextMessage(ctx, w.phoneOf(id))
	if err != nil {
		w.t.Fatalf("%s got no text (wanted %q): %v", id, wants, err)
	}
	if m.From != w.prog.Phone {
		w.t.Errorf("text to %s came from %s, want the program number", id, m.From)
	}
	// Every reply fits in one or two SMS segments (DESIGN.md); only a page,
	// which carries the officer's notes, may be longer.
	if !strings.HasPrefix(m.Body, "LEAD page") && m.Segments > 2 {
		w.t.Errorf("text to %s takes %d segments:\n%s", id, m.Segments, m.Body)
	}
	if !strings.HasPrefix(m.Body, "LEAD page") && doubledStop.MatchString(m.Body) {
		w.t.Errorf("text to %s has a doubled full stop: %s", id, m.Body)
	}
	if _, staff := w.prog.PersonByPhone(m.To); !staff {
		// What a participant text may say (DESIGN.md) holds for every one sent.
		if err := participant.Check(m.Body); err != nil {
			w.t.Errorf("text to a participant breaks the rules: %v\n%s", err, m.Body)
		}
	}
	for _, want := range wants {
		if !strings.Contains(m.Body, want) {
			w.t.Errorf("text to %s lacks %q:\n%s", id, want, m.Body)
		}
	}
	return m
}

// doubledStop is "Jo R.." but not an ellipsis.
var doubledStop = regexp.MustCompile(`[^.]\.\.([^.]|$)`)

// quiet checks that nobody has an unread text once all sends are done.
func (w *world) quiet(ids ...string) {
	w.t.Helper()
	w.svc.Wait()
	for _, id := range ids {
		if un := w.sim.Unread(w.phoneOf(id)); len(un) > 0 {
			w.t.Errorf("%s got unexpected texts: %q", id, bodies(un))
		}
	}
}

func bodies(ms []twiliosim.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Body)
	}
	return out
}

func (w *world) referral(code string) *referral.Referral {
	w.t.Helper()
	r, err := w.svc.Lookup(context.Background(), code)
	if err != nil {
		w.t.Fatalf("lookup %s: %v", code, err)
	}
	return r
}

// codeIn pulls the referral code from the officer's reply ("R7K2: ...").
func codeIn(t testing.TB, reply string) string {
	t.Helper()
	code, _, ok := strings.Cut(reply, ":")
	if !ok || len(code) != 4 {
		t.Fatalf("no code at the start of %q", reply)
	}
	return code
}

// fire takes every timer due now, as the instance's poll would, and waits
// for the texts and calls it sent.
func (w *world) fire() {
	w.t.Helper()
	if _, err := w.svc.FireTimers(context.Background()); err != nil {
		w.t.Fatalf("fire timers: %v", err)
	}
	w.svc.Wait()
}

// handoffs tells the on-call handoffs that are due, as serve's poll would.
func (w *world) handoffs() {
	w.t.Helper()
	if _, err := w.oncall.FireHandoffs(context.Background(), w.svc.Handoff); err != nil {
		w.t.Fatalf("fire handoffs: %v", err)
	}
	w.svc.Wait()
}

// after moves time on by d and fires what came due.
func (w *world) after(d time.Duration) {
	w.t.Helper()
	w.clock.Advance(d)
	w.fire()
}

// at moves the clock to a local time in the program's zone ("2006-01-02
// 15:04") and fires what came due.
func (w *world) at(local string) {
	w.t.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", local, w.prog.TimeZone)
	if err != nil {
		w.t.Fatal(err)
	}
	w.clock.Set(t)
	w.fire()
}

// acceptedReferral is a referral of kind ("AD" or "SC") in North that
// jrivera has accepted; the texts about it are read.
func (w *world) acceptedReferral(kind string) string {
	w.t.Helper()
	w.text("osmith", kind+" "+northPoint)
	code := codeIn(w.t, w.expect("osmith", "Paging"))
	w.expect("jrivera", "LEAD page")
	w.text("jrivera", "1 "+code)
	w.expect("jrivera", "You accepted "+code)
	w.expect("osmith", "accepted by")
	return code
}

// call waits for the next call to a person.
func (w *world) call(id string) twiliosim.Call {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := w.sim.NextCall(ctx, w.phoneOf(id))
	if err != nil {
		w.t.Fatalf("%s got no call: %v", id, err)
	}
	if c.From != w.prog.Phone {
		w.t.Errorf("call to %s came from %s, want the program number", id, c.From)
	}
	return c
}

// noCalls checks that nobody has an unanswered call waiting.
func (w *world) noCalls(ids ...string) {
	w.t.Helper()
	w.svc.Wait()
	for _, id := range ids {
		if un := w.sim.UnreadCalls(w.phoneOf(id)); len(un) > 0 {
			w.t.Errorf("%s got %d unexpected calls", id, len(un))
		}
	}
}

// metrics is what /metrics serves now.
func (w *world) metrics() string {
	w.t.Helper()
	resp, err := http.Get(w.url + "/metrics")
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}
