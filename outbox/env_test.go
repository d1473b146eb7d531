package outbox_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/twiliosim"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "0123456789abcdef0123456789abcdef"
	// programPhone is the number every test text is from.
	programPhone = "+14125550100"
)

func testKeys(t testing.TB) *datakey.Keys {
	t.Helper()
	k, err := datakey.New()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// person is the phone number of test person i.
func person(i int) string { return fmt.Sprintf("+1412556%04d", i) }

// env is one Redis, one phone simulator and a real phone.Client pointed at
// it; boxes made by env.box record every Result they hand to Done.
type env struct {
	t     testing.TB
	rdb   redis.UniversalClient
	sim   *twiliosim.Server
	phone *phone.Client
	clock *clocktest.Clock
	keys  *datakey.Keys
	log   *slog.Logger
	ended chan outbox.Result

	mu      sync.Mutex
	results map[string][]outbox.Result
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvStamped(t, nil)
}

// newEnvStamped is newEnv with the simulator stamping what it receives by
// stamp (nil: the env's clock). The throughput cap runs on Redis's own
// clock, so its test stamps real arrival times with clocktest.Wall.
func newEnvStamped(t testing.TB, stamp *clocktest.Clock) *env {
	t.Helper()
	rdb := testRedis(t)
	clk := clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC))
	if stamp == nil {
		stamp = clk
	}
	sim := twiliosim.New(twiliosim.Options{AccountSID: testSID, AuthToken: testToken, Clock: stamp.Now})
	t.Cleanup(sim.Close)
	return &env{
		t: t, rdb: rdb, sim: sim,
		phone: phone.NewClient(phone.ClientConfig{AccountSID: testSID, AuthToken: testToken, APIURL: sim.URL(),
			RetryBase: time.Millisecond, MaxAttempts: 3}),
		clock:   clk,
		keys:    testKeys(t),
		log:     slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		ended:   make(chan outbox.Result, 20_000),
		results: make(map[string][]outbox.Result),
	}
}

// box returns a Box on the env's Redis sending through its phone client,
// on its clock unless opt has one, recording what it hands to Done before
// calling opt.Done.
func (e *env) box(opt outbox.Options) *outbox.Box {
	e.t.Helper()
	return e.boxVia(e.phone, opt)
}

func (e *env) boxVia(s outbox.Sender, opt outbox.Options) *outbox.Box {
	e.t.Helper()
	if opt.Clock == nil {
		opt.Clock = e.clock.Now
	}
	if opt.Log == nil {
		opt.Log = e.log
	}
	if opt.Keys == nil {
		opt.Keys = e.keys
	}
	then := opt.Done
	opt.Done = func(ctx context.Context, r outbox.Result) {
		e.mu.Lock()
		e.results[r.ID] = append(e.results[r.ID], r)
		e.mu.Unlock()
		if then != nil {
			then(ctx, r)
		}
		e.ended <- r
	}
	b, err := outbox.New(e.rdb, s, opt)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// run runs b until the test ends.
func (e *env) run(b *outbox.Box) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
}

// wait returns the next n results handed to Done, in the order Done got
// them.
func (e *env) wait(n int) []outbox.Result {
	e.t.Helper()
	out := make([]outbox.Result, 0, n)
	timeout := time.After(time.Minute)
	for len(out) < n {
		select {
		case r := <-e.ended:
			out = append(out, r)
		case <-timeout:
			e.t.Fatalf("only %d of %d messages ended", len(out), n)
		}
	}
	return out
}

// result returns the one result for id, failing unless Done got exactly one.
func (e *env) result(id string) outbox.Result {
	e.t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if got := len(e.results[id]); got != 1 {
		e.t.Fatalf("message %s ended %d times, want once", id, got)
	}
	return e.results[id][0]
}

func (e *env) enqueue(b *outbox.Box, m outbox.Message) {
	e.t.Helper()
	if m.From == "" {
		m.From = programPhone
	}
	if m.Body == "" {
		m.Body = "text " + m.ID
	}
	added, err := b.Enqueue(context.Background(), m)
	if err != nil {
		e.t.Fatal(err)
	}
	if !added {
		e.t.Fatalf("message %s not added", m.ID)
	}
}

func (e *env) flush(b *outbox.Box) int {
	e.t.Helper()
	n, err := b.Flush(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) get(b *outbox.Box, id string) outbox.Record {
	e.t.Helper()
	r, err := b.Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

func (e *env) idle(b *outbox.Box) bool {
	e.t.Helper()
	idle, err := b.Idle(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return idle
}

// bodiesTo returns the bodies of the texts the simulator got for to, in
// the order it got them.
func (e *env) bodiesTo(to string) []string {
	var out []string
	for _, m := range e.sim.Messages() {
		if m.To == to {
			out = append(out, m.Body)
		}
	}
	return out
}

// statusCallbacks serves Twilio's status callbacks as the service's
// webhook would, handing each to the box, and records what the last one
// returned. Its URL goes in Message.StatusCallback.
type statusCallbacks struct {
	url   string
	box   atomic.Pointer[outbox.Box]
	mu    sync.Mutex
	moved []bool
	msgs  []outbox.Message
}

func (e *env) statusCallbacks() *statusCallbacks {
	cb := &statusCallbacks{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		m, moved, err := cb.box.Load().Status(r.Context(), r.PostForm.Get("MessageSid"),
			r.PostForm.Get("MessageStatus"), r.PostForm.Get("ErrorCode"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cb.mu.Lock()
		cb.moved, cb.msgs = append(cb.moved, moved), append(cb.msgs, m)
		cb.mu.Unlock()
	}))
	e.t.Cleanup(srv.Close)
	cb.url = srv.URL + "/twilio/status"
	return cb
}

// last returns what Status returned for the latest callback.
func (cb *statusCallbacks) last() (outbox.Message, bool) {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	if len(cb.moved) == 0 {
		return outbox.Message{}, false
	}
	return cb.msgs[len(cb.msgs)-1], cb.moved[len(cb.moved)-1]
}
