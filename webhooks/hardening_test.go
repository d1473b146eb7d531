package webhooks_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/twiliosim"
	"github.com/leadline/leadline/webhooks"
)

// panicky is a voice line that fails as code can: by panicking.
type panicky struct{}

func (panicky) Voice(context.Context, string, url.Values) (string, error) { panic("step with no case") }

func bareServer(t *testing.T, cfg webhooks.Config) (*webhooks.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	cfg.Log = slog.New(slog.NewJSONHandler(logs, nil))
	cfg.Now = clocktest.New(time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)).Now
	cfg.AuthToken = "twilio"
	return webhooks.New(cfg), logs
}

// A client's X-Request-Id is neither echoed nor logged: every request gets
// an ID of ours. Twilio's idempotency token is logged when it looks like
// one, and not when it is something else.
func TestOwnRequestIDs(t *testing.T) {
	srv, logs := bareServer(t, webhooks.Config{})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	for _, tt := range []struct{ token, logged string }{
		{"a1b2c3d4-e5f6", `"twilio_token":"a1b2c3d4-e5f6"`},
		{strings.Repeat("z", 5000), ""},
		{"<script>", ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/healthz", nil)
		req.Header.Set("X-Request-Id", strings.Repeat("x", 5000))
		req.Header.Set("I-Twilio-Idempotency-Token", tt.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if id := resp.Header.Get("X-Request-Id"); len(id) != 20 || strings.Contains(id, "xxx") {
			t.Errorf("request ID %q, want one of ours", id)
		}
		if tt.logged != "" && !strings.Contains(logs.String(), tt.logged) {
			t.Errorf("log lacks %s:\n%s", tt.logged, logs.String())
		}
	}
	for _, bad := range []string{"xxxxxxxxxx", "zzzzzzzzzz", "script"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("a client's header reached the log (%s)", bad)
		}
	}
}

// A panic answers 500 and is logged and counted as that request.
func TestPanicIsLoggedAndCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	ts := httptest.NewUnstartedServer(nil)
	ts.Start()
	t.Cleanup(ts.Close)
	srv, logs := bareServer(t, webhooks.Config{PublicURL: ts.URL, Voice: panicky{}, Metrics: reg})
	ts.Config.Handler = srv.Handler()
	form := url.Values{"CallSid": {"CA1"}}
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/twilio/voice/line/type", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliosim.Signature("twilio", ts.URL+"/twilio/voice/line/type", form))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	for _, want := range []string{`"msg":"panic answering a request"`, `"msg":"http","method":"POST","path":"/twilio/voice/line/type","status":500`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	ops := httptest.NewServer(srv.OpsHandler())
	t.Cleanup(ops.Close)
	m, err := http.Get(ops.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if !strings.Contains(string(body), `leadline_webhook_duration_seconds_count{route="/twilio/voice/*",status="500"} 1`) {
		t.Errorf("the panic is not counted:\n%s", body)
	}
}

// A client that trickles its headers is cut off after the header timeout,
// and headers far larger than Twilio's are refused.
func TestSlowAndHugeHeadersAreRefused(t *testing.T) {
	srv, _ := bareServer(t, webhooks.Config{Timeouts: webhooks.Timeouts{Header: 300 * time.Millisecond}})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l, nil) }()
	t.Cleanup(func() { cancel(); <-done })

	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	// A byte every 100 ms, for 4 s at most: the server must cut it off.
	cut := make(chan bool, 1)
	go func() {
		for range 40 {
			if _, err := conn.Write([]byte("X")); err != nil {
				cut <- true
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		cut <- false
	}()
	if !<-cut {
		t.Error("a client trickling its headers kept its connection for 4 s")
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+l.Addr().String()+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("p", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("64 KiB of headers: status %d, want 431", resp.StatusCode)
	}
}

// /metrics and the admin API answer only on the operations address; the
// public one answers 404 for them, as for a path that does not exist,
// even with the right token. Both answer the health checks.
func TestOpsPathsOnlyOnTheOpsAddress(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv, _ := adminServer(t, webhooks.Config{Metrics: prometheus.NewRegistry(), AdminToken: token,
		Console: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "console") })})
	public, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, public, ops) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	get := func(addr net.Addr, path string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr.String()+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		path        string
		public, ops int
	}{
		{"/healthz", 200, 200},
		{"/readyz", 200, 200},
		{"/metrics", 404, 200},
		{"/admin/oncall", 404, 200},
		{"/admin/oncall/overrides", 404, 200},
		{"/admin", 404, 404},
	} {
		if got := get(public.Addr(), tt.path); got != tt.public {
			t.Errorf("public %s: %d, want %d", tt.path, got, tt.public)
		}
		if got := get(ops.Addr(), tt.path); got != tt.ops {
			t.Errorf("ops %s: %d, want %d", tt.path, got, tt.ops)
		}
	}
}
