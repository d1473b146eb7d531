// Package e2e is the whole service on real parts, for end-to-end tests:
// redis-server, the webhooks server checking every signature, and the phone
// simulator reached through the real twilio-go client, all on one clock
// that the test moves. Tests talk to it as people do: by text and call.
package e2e

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/datakey"
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
	// SID and Token are the simulated Twilio account's.
	SID   = "AC0123456789abcdef0123456789abcdef"
	Token = "0123456789abcdef0123456789abcdef"
	// AdminToken is the admin API's bearer token, on OpsURL.
	AdminToken = "e2e-admin-token-0123456789abcdef0123"
)

// World is the whole core loop on real parts: redis-server, the webhooks
// server signed-checking every request, and the phone simulator reached
// through the real twilio-go client. Tests talk to it as people do: by text.
type World struct {
	T      testing.TB
	Prog   *program.Program
	Redis  redis.UniversalClient
	Sim    *twiliosim.Server
	Svc    *dispatch.Service
	OnCall *oncall.Store
	Clock  *clocktest.Clock
	URL    string // the webhooks server's base URL
	OpsURL string // its operations address's (/metrics)
}

// Keys is the data key of every world in a test process: instances on one
// Redis must share it, as a program's instances do.
var Keys = sync.OnceValue(func() *datakey.Keys {
	k, err := datakey.New()
	if err != nil {
		panic(err)
	}
	return k
})

// Start is when most worlds' clocks start: a Monday afternoon. Tests that
// care about the calendar start elsewhere (see TestConversationOnAnyDate).
var Start = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// New is the sample program's world with its clock at at: every part
// of it, the simulator included, reads that one clock.
func New(t testing.TB, at time.Time) *World {
	t.Helper()
	return NewWith(t, at, nil)
}

// NewWith is newWorld with the sample program changed by edit first.
func NewWith(t testing.TB, at time.Time, edit func(*program.Program)) *World {
	t.Helper()
	return NewOn(t, clocktest.New(at), edit)
}

// NewOn is NewWith on a given clock (clocktest.Wall for benchmarks of
// real timing).
func NewOn(t testing.TB, clk *clocktest.Clock, edit func(*program.Program)) *World {
	t.Helper()
	rdb, _ := redistest.Start(t)
	return NewOnRedis(t, rdb, clk, edit)
}

// NewOnCluster is New on a real three-master Redis Cluster.
func NewOnCluster(t testing.TB, at time.Time) *World {
	t.Helper()
	rdb, _ := redistest.StartCluster(t)
	return NewOnRedis(t, rdb, clocktest.New(at), nil)
}

// NewOnRedis is the world on a Redis the caller started; opts change its
// service's config (a Caller of the test's own, a short-link follower).
func NewOnRedis(t testing.TB, rdb redis.UniversalClient, clk *clocktest.Clock, edit func(*program.Program), opts ...func(*dispatch.Config)) *World {
	t.Helper()
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(prog)
	}
	if err := oncall.New(rdb, prog, clk.Now, nil).Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	var services map[string]string
	if mg := prog.Participants.MessagingService; mg != "" {
		services = map[string]string{mg: cmp.Or(prog.Participants.Phone, ServiceNumber)}
	}
	sim := twiliosim.New(twiliosim.Options{AccountSID: SID, AuthToken: Token, Clock: clk.Now, MessagingServices: services})
	t.Cleanup(sim.Close)
	return NewInstance(t, prog, rdb, sim, clk, opts...)
}

// NewInstance starts one instance of Leadline (dispatch and its webhooks
// server) against rdb and the phone simulator sim; several on one Redis are
// several instances of Leadline. Texts from the phones go to the newest.
func NewInstance(t testing.TB, prog *program.Program, rdb redis.UniversalClient, sim *twiliosim.Server, clk *clocktest.Clock, opts ...func(*dispatch.Config)) *World {
	t.Helper()
	tw := phone.NewClient(phone.ClientConfig{AccountSID: SID, AuthToken: Token, APIURL: sim.URL(),
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
		PublicURL: url, Clock: clk.Now, Keys: Keys(), Log: log, Metrics: reg,
		Outbox: outbox.Options{Clock: clocktest.New(Start).Now}}
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
	web := webhooks.New(webhooks.Config{
		PublicURL: url, AuthToken: Token, SMS: svc, Voice: svc, Status: svc, Metrics: reg, Log: log,
		AdminToken: AdminToken, Lockouts: svc.Lockouts(),
		Ready: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }, Now: clk.Now})
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: web.Handler()}}
	srv.Start()
	t.Cleanup(srv.Close)
	ops := httptest.NewServer(web.OpsHandler())
	t.Cleanup(ops.Close)
	sim.SetWebhookBase(url)
	return &World{T: t, Prog: prog, Redis: rdb, Sim: sim, Svc: svc, OnCall: store, Clock: clk, URL: url, OpsURL: ops.URL}
}

func (w *World) PhoneOf(id string) string {
	w.T.Helper()
	if id == "stranger" {
		return "+14125550999"
	}
	if strings.HasPrefix(id, "+") {
		return id // a participant's number
	}
	p, ok := w.Prog.Person(id)
	if !ok {
		w.T.Fatalf("no person %q", id)
	}
	return p.Phone
}

// ServiceNumber is the number the simulator's Messaging Service sends
// from, when the program gives participants a Messaging Service and no
// number of their own.
const ServiceNumber = "+14125550102"

// numberOf is the program's number a person texts and hears from: the
// participants' own (participants.phone, or their Messaging Service's) for
// a participant given by number, else the program number.
func (w *World) numberOf(id string) string {
	pp := w.Prog.Participants
	if !strings.HasPrefix(id, "+") {
		return w.Prog.Phone
	}
	if pp.MessagingService != "" {
		return cmp.Or(pp.Phone, ServiceNumber)
	}
	return cmp.Or(pp.Phone, w.Prog.Phone)
}

// Text sends a text from a person to the program number (a participant's
// to the participants' number) and returns its MessageSid.
func (w *World) Text(id, body string) string {
	w.T.Helper()
	sid, err := w.Sim.Text(context.Background(), w.PhoneOf(id), w.numberOf(id), body)
	if err != nil {
		w.T.Fatalf("%s texts %q: %v", id, body, err)
	}
	return sid
}

// Expect waits for the next text to a person and checks it says each of
// wants. It returns the text.
func (w *World) Expect(id string, wants ...string) string {
	w.T.Helper()
	return w.ExpectMessage(id, wants...).Body
}

// ExpectMessage is expect returning the whole message.
func (w *World) ExpectMessage(id string, wants ...string) twiliosim.Message {
	w.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := w.Sim.NextMessage(ctx, w.PhoneOf(id))
	if err != nil {
		w.T.Fatalf("%s got no text (wanted %q): %v", id, wants, err)
	}
	if want := w.numberOf(id); m.From != want {
		w.T.Errorf("text to %s came from %s, want %s", id, m.From, want)
	}
	// Every text, a page with the officer's notes too, fits in one or two
	// SMS segments (DESIGN.md), whatever the officer sent.
	if m.Segments > 2 {
		w.T.Errorf("text to %s takes %d segments:\n%s", id, m.Segments, m.Body)
	}
	if !strings.HasPrefix(m.Body, "LEAD page") && doubledStop.MatchString(m.Body) {
		w.T.Errorf("text to %s has a doubled full stop: %s", id, m.Body)
	}
	if _, staff := w.Prog.PersonByPhone(m.To); !staff {
		// What a participant text may say (DESIGN.md) holds for every one sent.
		if err := participant.Check(m.Body); err != nil {
			w.T.Errorf("text to a participant breaks the rules: %v\n%s", err, m.Body)
		}
	}
	for _, want := range wants {
		if !strings.Contains(m.Body, want) {
			w.T.Errorf("text to %s lacks %q:\n%s", id, want, m.Body)
		}
	}
	return m
}

// doubledStop is "Jo R.." but not an ellipsis.
var doubledStop = regexp.MustCompile(`[^.]\.\.([^.]|$)`)

// Quiet checks that nobody has an unread text once all sends are done.
func (w *World) Quiet(ids ...string) {
	w.T.Helper()
	w.Svc.Wait()
	for _, id := range ids {
		if un := w.Sim.Unread(w.PhoneOf(id)); len(un) > 0 {
			w.T.Errorf("%s got unexpected texts: %q", id, Bodies(un))
		}
	}
}

func Bodies(ms []twiliosim.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Body)
	}
	return out
}

func (w *World) Referral(code string) *referral.Referral {
	w.T.Helper()
	r, err := w.Svc.Lookup(context.Background(), code)
	if err != nil {
		w.T.Fatalf("lookup %s: %v", code, err)
	}
	return r
}

// CodeIn pulls the referral code from the officer's reply ("R7K2: ...").
func CodeIn(t testing.TB, reply string) string {
	t.Helper()
	code, _, ok := strings.Cut(reply, ":")
	if !ok || len(code) != 4 {
		t.Fatalf("no code at the start of %q", reply)
	}
	return code
}

// Fire takes every timer due now, as the instance's poll would, and waits
// for the texts and calls it sent.
func (w *World) Fire() {
	w.T.Helper()
	if _, err := w.Svc.FireTimers(context.Background()); err != nil {
		w.T.Fatalf("fire timers: %v", err)
	}
	w.Svc.Wait()
}

// FireTogether has several instances take the timers due now at the same
// moment, each polling a few times, as serve processes on one Redis do;
// it returns when every text and call they sent has gone.
func FireTogether(t testing.TB, worlds ...*World) {
	t.Helper()
	var wg sync.WaitGroup
	for _, x := range worlds {
		wg.Go(func() {
			for range 5 {
				if _, err := x.Svc.FireTimers(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, x := range worlds {
		x.Svc.Wait()
	}
}

// Handoffs tells the on-call handoffs that are due, as serve's poll would.
func (w *World) Handoffs() {
	w.T.Helper()
	if _, err := w.OnCall.FireHandoffs(context.Background(), w.Svc.Handoff); err != nil {
		w.T.Fatalf("fire handoffs: %v", err)
	}
	w.Svc.Wait()
}

// After moves time on by d and fires what came due.
func (w *World) After(d time.Duration) {
	w.T.Helper()
	w.Clock.Advance(d)
	w.Fire()
}

// At moves the clock to a local time in the program's zone ("2006-01-02
// 15:04") and fires what came due.
func (w *World) At(local string) {
	w.T.Helper()
	t, err := time.ParseInLocation("2006-01-02 15:04", local, w.Prog.TimeZone)
	if err != nil {
		w.T.Fatal(err)
	}
	w.Clock.Set(t)
	w.Fire()
}

// AcceptedReferral is a referral of kind ("AD" or "SC") in North that
// jrivera has accepted, with notes if given (a second referral within the
// resend window needs other notes, or it is taken for a resend); the texts
// about it are read.
func (w *World) AcceptedReferral(kind string, notes ...string) string {
	w.T.Helper()
	body := kind + " " + NorthPoint
	if len(notes) > 0 {
		body += " / " + strings.Join(notes, " ")
	}
	w.Text("osmith", body)
	code := CodeIn(w.T, w.Expect("osmith", "Paging"))
	w.Expect("jrivera", "LEAD page")
	w.Text("jrivera", "1 "+code)
	w.Expect("jrivera", "You accepted "+code)
	w.Expect("osmith", "accepted by")
	return code
}

// Call waits for the next call to a person.
func (w *World) Call(id string) twiliosim.Call {
	w.T.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := w.Sim.NextCall(ctx, w.PhoneOf(id))
	if err != nil {
		w.T.Fatalf("%s got no call: %v", id, err)
	}
	if c.From != w.Prog.Phone {
		w.T.Errorf("call to %s came from %s, want the program number", id, c.From)
	}
	return c
}

// NoCalls checks that nobody has an unanswered call waiting.
func (w *World) NoCalls(ids ...string) {
	w.T.Helper()
	w.Svc.Wait()
	for _, id := range ids {
		if un := w.Sim.UnreadCalls(w.PhoneOf(id)); len(un) > 0 {
			w.T.Errorf("%s got %d unexpected calls", id, len(un))
		}
	}
}

// Metrics is what /metrics serves now.
func (w *World) Metrics() string {
	w.T.Helper()
	req, err := http.NewRequest(http.MethodGet, w.OpsURL+"/metrics", nil)
	if err != nil {
		w.T.Fatal(err)
	}
	_, body := w.do(req)
	return body
}

// NorthPoint is on the North Side, inside the sample's north cohort
// (rotation jrivera, aklein).
const NorthPoint = "40.4473,-80.0076"

// ParticipantPhone is the sample participant's number.
const ParticipantPhone = "+14125550177"

// ParticipantTexts are the texts participants get in the sample program.
func (w *World) ParticipantTexts() participant.Texts {
	return participant.Texts{Sender: w.Prog.Participants.Sender, Callback: w.Prog.SupportPhone, Clock: w.Prog.Times.Clock}
}

// Appointment has jrivera make an appointment for code's participant and
// the participant agree to reminders; it returns when all that is read.
func (w *World) Appointment(code, number, when string) {
	w.T.Helper()
	w.Text("jrivera", "APPT "+code+" "+number+" "+when)
	w.Expect("jrivera", "saved", "Asked")
	w.Expect(number, w.ParticipantTexts().Consent(participant.English))
	w.Text(number, "YES")
	w.Expect(number, w.ParticipantTexts().ConsentThanks(participant.English))
	w.Expect("jrivera", code+": the participant agreed to appointment reminders.")
}

// CallLine has a person call the officers' voice line.
func (w *World) CallLine(id string) *twiliosim.Session {
	w.T.Helper()
	c, err := w.Sim.PlaceCall(context.Background(), w.PhoneOf(id), w.Prog.Phone)
	if err != nil {
		w.T.Fatalf("%s calls the line: %v", id, err)
	}
	return c
}

// Post sends form to the webhooks server at path (e.g. "/twilio/voice"),
// signed as Twilio signs it, and returns the status and body.
func (w *World) Post(path string, form url.Values) (int, string) {
	w.T.Helper()
	req, err := http.NewRequest(http.MethodPost, w.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		w.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliosim.Signature(Token, w.URL+path, form))
	return w.do(req)
}

// do sends req and returns the answer's status and body.
func (w *World) do(req *http.Request) (int, string) {
	w.T.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.T.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
