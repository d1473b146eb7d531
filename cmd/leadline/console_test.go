package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/redistest"
)

// serve answers the console beside the webhooks, and its sign-in codes go
// out through the service's own outbox workers.
func TestServeHasTheConsole(t *testing.T) {
	rdb, _ := redistest.Start(t)
	srv := startServe(t, rdb, nil)
	sim, base := srv.sim, srv.base

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	page := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", resp.Request.URL, resp.StatusCode, b)
		}
		return string(b)
	}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	signin := page(c.Get(base + "/"))
	if !strings.Contains(signin, "Text me a code") {
		t.Fatalf("/ is not the sign-in page:\n%s", signin)
	}
	codePage := page(c.PostForm(base+"/signin", url.Values{"csrf": {token.FindStringSubmatch(signin)[1]}, "phone": {"412-555-0131"}}))
	wait, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	m, err := sim.NextMessage(wait, "+14125550131")
	if err != nil {
		t.Fatalf("no sign-in code: %v", err)
	}
	code := regexp.MustCompile(`\d{6}`).FindString(m.Body)
	board := page(c.PostForm(base+"/signin/code", url.Values{"csrf": {token.FindStringSubmatch(codePage)[1]}, "code": {code}}))
	// The board is live once serve runs the change follower, which starts
	// after the on-call schedules are seeded: on a busy machine, after the
	// sign-in.
	for i := 0; i < 100 && !strings.Contains(board, `sse-connect="/board/events`); i++ {
		time.Sleep(50 * time.Millisecond) // wall clock: waits for a goroutine of serve's to start
		board = page(c.Get(base + "/"))
	}
	if !strings.Contains(board, "<h1>Board</h1>") || !strings.Contains(board, `sse-connect="/board/events`) {
		t.Errorf("board (live, as serve runs the change follower):\n%s", board)
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz beside the console: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestConsoleClientAddress(t *testing.T) {
	if _, err := clientAddress("10.0.0.0/8, nonsense"); err == nil || !strings.Contains(err.Error(), `"nonsense" is not a CIDR`) {
		t.Errorf("bad CIDR: %v", err)
	}
	ip, err := clientAddress("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.7, 10.9.9.9")
	if got := ip(r); got != "203.0.113.7" {
		t.Errorf("behind the proxy: %s", got)
	}
	r.RemoteAddr = "198.51.100.1:5555" // not a proxy of ours: its header is not believed
	if got := ip(r); got != "198.51.100.1" {
		t.Errorf("untrusted peer: %s", got)
	}
}
