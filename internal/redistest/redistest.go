// Package redistest starts a real, throwaway redis-server for tests, so the
// code under test meets the same Redis it meets in production (Lua scripts,
// transactions, expiry) rather than an imitation of it.
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	// startTimeout bounds how long one server may take to answer PING.
	startTimeout = 5 * time.Second
	// bindAttempts covers the small window in which another process may
	// take the port between our probe closing it and redis-server binding it.
	bindAttempts = 3
	notFound     = "redis-server not found on PATH: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)"
)

// Start starts a fresh redis-server on a free loopback port with its working
// directory in tb.TempDir() and persistence off, waits until it answers PING,
// and returns a client connected to it and its address ("127.0.0.1:port").
// The server is killed and the client closed when the test ends. Start fails
// the test if redis-server is not on PATH or does not come up.
func Start(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(notFound)
	}
	dir := tb.TempDir()

	srv, err := startServer(bin, dir, nil, nil)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(srv.stop)
	return srv.client, srv.addr
}

// StartWith is Start with extra redis-server arguments, such as a TLS port
// ("--tls-port", port, "--tls-cert-file", …) beside the plain one, which
// the returned client uses.
func StartWith(tb testing.TB, extra ...string) (*redis.Client, string) {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(notFound)
	}
	srv, err := startServer(bin, tb.TempDir(), extra, nil)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(srv.stop)
	return srv.client, srv.addr
}

// Frozen is a running redis-server a test can stall, as a Redis stalled by
// the kernel, a slow disk or a fork is: Freeze stops the process (SIGSTOP),
// and while it is stopped the kernel still accepts connections and keeps
// what clients send in the sockets, to be run, in order, when Wake resumes
// it (SIGCONT). A client that timed out and sent a command again finds both
// copies run. CLIENT PAUSE is not the same: Redis drops a paused client's
// command when the client hangs up.
type Frozen struct {
	Client *redis.Client
	Addr   string
	srv    *server
}

// StartFreezable is Start with the server's process in the test's hands
// (see Frozen). It is woken before it is killed when the test ends.
func StartFreezable(tb testing.TB) *Frozen {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(notFound)
	}
	srv, err := startServer(bin, tb.TempDir(), nil, nil)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	f := &Frozen{Client: srv.client, Addr: srv.addr, srv: srv}
	tb.Cleanup(func() { f.signal(tb, syscall.SIGCONT); srv.stop() })
	return f
}

// Freeze stops the server's process.
func (f *Frozen) Freeze(tb testing.TB) { tb.Helper(); f.signal(tb, syscall.SIGSTOP) }

// Wake resumes it.
func (f *Frozen) Wake(tb testing.TB) { tb.Helper(); f.signal(tb, syscall.SIGCONT) }

func (f *Frozen) signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := f.srv.cmd.Process.Signal(sig); err != nil {
		tb.Errorf("redistest: %v to redis-server: %v", sig, err)
	}
}

// StartAt is Start on a given loopback address, for a test that points a
// client at a server it starts later (see FreeAddr). It fails the test if
// the port is taken.
func StartAt(tb testing.TB, addr string) *redis.Client {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(notFound)
	}
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		tb.Fatalf("redistest: port %q: %v", p, err)
	}
	srv, err := launch(bin, port, serverArgs(port, tb.TempDir(), nil))
	if err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	tb.Cleanup(srv.stop)
	return srv.client
}

// FreeAddr is a loopback address with a port that is free now, on which no
// server of the test listens yet.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	port, err := freePort()
	if err != nil {
		tb.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// serverArgs are redis-server's arguments for a throwaway server on port
// with its files in dir, then extra.
func serverArgs(port int, dir string, extra []string) []string {
	return append([]string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
	}, extra...)
}

// startServer starts one server on a free port, trying another port when it
// loses the race for one. args builds its arguments for a port (default
// serverArgs with extra); portOK, if not nil, refuses ports it cannot use.
func startServer(bin, dir string, extra []string, portOK func(int) bool) (*server, error) {
	var lastErr error
	for range bindAttempts {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		if portOK != nil && !portOK(port) {
			lastErr = fmt.Errorf("port %d: %w", port, errPortTaken)
			continue
		}
		srv, err := launch(bin, port, serverArgs(port, dir, extra))
		if err == nil {
			return srv, nil
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	return nil, lastErr
}

// errPortTaken means the server lost the race for its port and another try
// may succeed.
var errPortTaken = errors.New("port already in use")

// server is one running redis-server.
type server struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait returns
	client *redis.Client
	addr   string
	out    *syncBuffer
}

// launch starts bin with args, listening on port, and waits until it
// answers. On failure the process is gone and the error carries the
// server's output.
func launch(bin string, port int, args []string) (*server, error) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	out := &syncBuffer{}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	srv := &server{cmd: cmd, exited: make(chan struct{}), addr: addr, out: out}
	go func() {
		// The error only repeats what the output and the ping loop say.
		_ = cmd.Wait()
		close(srv.exited)
	}()
	if err := srv.waitReady(); err != nil {
		srv.kill()
		output := out.String()
		if errors.Is(err, errPortTaken) || strings.Contains(output, "Address already in use") {
			return nil, fmt.Errorf("redis-server on %s: %w\n%s", addr, errPortTaken, output)
		}
		return nil, fmt.Errorf("redis-server on %s did not start: %w\noutput:\n%s", addr, err, output)
	}
	return srv, nil
}

// waitReady polls PING until the server answers, exits, or startTimeout
// passes, then connects the client. It speaks raw RESP rather than using
// go-redis so that refused dials while the server boots neither log noise nor
// trip the client pool's dial backoff.
func (s *server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	for {
		err := ping(s.addr)
		if err == nil {
			return s.connect()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer to PING after %s: %w", startTimeout, err)
		}
		select {
		case <-s.exited:
			return fmt.Errorf("exited before answering PING: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// connect connects the client and checks that the server answering is ours:
// when another test's redis-server took our port first, ours exits and theirs
// answers PING, and sharing it would make both tests flaky.
func (s *server) connect() error {
	client := redis.NewClient(&redis.Options{Addr: s.addr})
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	info, err := client.Info(ctx, "server").Result()
	if err != nil {
		_ = client.Close()
		return fmt.Errorf("INFO server: %w", err)
	}
	if pid := infoField(info, "process_id"); pid != strconv.Itoa(s.cmd.Process.Pid) {
		_ = client.Close()
		return fmt.Errorf("another redis-server (pid %s) answers: %w", pid, errPortTaken)
	}
	s.client = client
	return nil
}

// infoField returns the value of one "name:value" line of an INFO reply.
func infoField(info, name string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), name+":"); ok {
			return v
		}
	}
	return ""
}

// ping sends one PING and expects PONG.
func ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if reply != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", strings.TrimSpace(reply))
	}
	return nil
}

// stop closes the client and kills the server.
func (s *server) stop() {
	_ = s.client.Close()
	s.kill()
}

// kill kills the server and waits for it to exit, so no redis-server
// outlives the test that started it.
func (s *server) kill() {
	// Kill fails only if the process has already exited, which is the goal.
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// freePort asks the kernel for an unused loopback port. It is free when this
// returns but not reserved, hence the retries in Start.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("release port %d: %w", port, err)
	}
	return port, nil
}

// syncBuffer collects the server's output; exec copies into it from its own
// goroutines while a failing Start may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// UsedMemory is the server's used_memory, in bytes, for benchmarks that
// report what their data costs.
func UsedMemory(tb testing.TB, rdb *redis.Client) int64 {
	tb.Helper()
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				tb.Fatalf("used_memory %q: %v", v, err)
			}
			return n
		}
	}
	tb.Fatal("no used_memory in INFO memory")
	return 0
}
