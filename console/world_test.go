package console_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "0123456789abcdef0123456789abcdef"
)

// start is when every world's clock starts: a Monday afternoon.
var start = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// clock is the injected time source; tests move it instead of sleeping.
// world is the console on real parts: redis-server, the outbox sending
// through the real Twilio client to the phone simulator, and the console
// served over HTTP.
type world struct {
	t       testing.TB
	prog    *program.Program
	rdb     redis.UniversalClient
	sim     *twiliosim.Server
	clock   *clocktest.Clock
	console *console.Server
	box     *outbox.Box
	url     string
	oidc    *console.OIDCConfig // for the next serve
}

func sample(t testing.TB) *program.Program {
	t.Helper()
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func newWorld(t testing.TB) *world {
	t.Helper()
	rdb := testRedis(t)
	clk := clocktest.New(start)
	sim := twiliosim.New(twiliosim.Options{AccountSID: testSID, AuthToken: testToken, Clock: clk.Now})
	t.Cleanup(sim.Close)
	w := &world{t: t, prog: sample(t), rdb: rdb, sim: sim, clock: clk}
	w.console, w.box, w.url = w.serve(w.prog)
	return w
}

// serve starts an instance of the console for prog on the world's Redis,
// with its own outbox workers, and returns it and its URL.
func (w *world) serve(prog *program.Program) (*console.Server, *outbox.Box, string) {
	t := w.t
	t.Helper()
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	tw := phone.NewClient(phone.ClientConfig{AccountSID: testSID, AuthToken: testToken, APIURL: w.sim.URL(),
		RetryBase: time.Millisecond, MaxAttempts: 3})
	box, err := outbox.New(w.rdb, tw, outbox.Options{Clock: w.clock.Now, Keys: e2e.Keys(), Log: log, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); box.Run(ctx) }()
	t.Cleanup(func() { stop(); <-done })
	srv := httptest.NewUnstartedServer(nil)
	c, err := console.New(console.Config{Keys: e2e.Keys(), Program: prog, Redis: w.rdb, Texter: console.OutboxTexter{Box: box, From: prog.Phone},
		Clock: w.clock.Now, PublicURL: "http://" + srv.Listener.Addr().String(), Log: log, OIDC: w.oidc})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = c.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(c.Wait)
	return c, box, srv.URL
}

var codePattern = regexp.MustCompile(`\b(\d{6})\b`)

// codeFor waits for the sign-in text to a person and returns its code.
func (w *world) codeFor(id string) string {
	w.t.Helper()
	p, ok := w.prog.Person(id)
	if !ok {
		w.t.Fatalf("no person %q", id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := w.sim.NextMessage(ctx, p.Phone)
	if err != nil {
		w.t.Fatalf("%s got no sign-in text: %v", id, err)
	}
	if m.From != w.prog.Phone {
		w.t.Errorf("sign-in text came from %s, want the program number", m.From)
	}
	if m.Segments > 1 {
		w.t.Errorf("sign-in text takes %d segments: %s", m.Segments, m.Body)
	}
	c := codePattern.FindStringSubmatch(m.Body)
	if c == nil {
		w.t.Fatalf("no code in %q", m.Body)
	}
	return c[1]
}

// settle waits until every sign-in code asked for so far has been handed
// to the outbox and sent.
func (w *world) settle() {
	w.t.Helper()
	w.console.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The workers may hold a text in flight: wait until the outbox is idle.
	for ctx.Err() == nil {
		if _, err := w.box.Flush(ctx); err != nil {
			w.t.Fatal(err)
		}
		if idle, err := w.box.Idle(ctx); err != nil || idle {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	w.t.Fatal("outbox never idle")
}

// textsTo is every text the simulator has taken for number.
func (w *world) textsTo(number string) []twiliosim.Message {
	var out []twiliosim.Message
	for _, m := range w.sim.Messages() {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// client is a cookie-keeping HTTP client that does not follow redirects,
// for what a browser would not do (a POST without its token).
type client struct {
	t    testing.TB
	http *http.Client
	base string
}

func (w *world) client(base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: w.t, base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get returns the status, Location and body of GET path.
func (c *client) get(path string) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return read(c.t, resp)
}

func (c *client) post(path string, form url.Values) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return read(c.t, resp)
}

func read(t testing.TB, resp *http.Response) (int, string, string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token is the CSRF token of the form on the page at path.
func (c *client) token(path string) string {
	c.t.Helper()
	_, _, body := c.get(path)
	m := csrfPattern.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s:\n%s", path, body)
	}
	return m[1]
}

// signIn signs a person in through the forms, with the code from their
// phone.
func (w *world) signIn(c *client, id string) {
	w.t.Helper()
	p, _ := w.prog.Person(id)
	if code, loc, body := c.post("/signin", url.Values{"csrf": {c.token("/signin")}, "phone": {p.Phone}}); code != http.StatusSeeOther || loc != "/signin/code" {
		w.t.Fatalf("sign-in form: %d %s\n%s", code, loc, body)
	}
	if code, loc, body := c.post("/signin/code", url.Values{"csrf": {c.token("/signin/code")}, "code": {w.codeFor(id)}}); code != http.StatusSeeOther || loc != "/" {
		w.t.Fatalf("code form: %d %s\n%s", code, loc, body)
	}
}

func contains(t testing.TB, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}
