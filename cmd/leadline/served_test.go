package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/examples"
	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

// served is the sample program's service run as `serve` runs it, against
// a redis-server and the phone simulator, for the tests of the command's
// wiring.
type served struct {
	prog          *program.Program
	sim           *twiliosim.Server
	base, opsBase string // opsBase is "" unless edit gave the service an ops listener
	// sigterm ends run's context, as SIGTERM does; stop does and waits
	// for run, returning its error.
	sigterm func()
	stop    func() error
	// returned has run's error should it return by itself.
	returned <-chan error
}

// startServe runs the service on rdb, its clock and the simulator's at
// cmdNow, logging nowhere; edit changes the service before it runs (its
// clock, logger, ops listener, drain period, Redis settings or Twilio).
// It does not wait for /readyz: tests of a Redis that is down need it not
// ready.
func startServe(t *testing.T, rdb redis.UniversalClient, edit func(*service, *twiliosim.Server)) *served {
	t.Helper()
	prog, err := program.LoadFS(examples.FS, "program.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(cmdNow)
	sim := twiliosim.New(twiliosim.Options{AccountSID: demoSID, AuthToken: demoToken, Clock: clk.Now})
	t.Cleanup(sim.Close)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &served{prog: prog, sim: sim, base: "http://" + l.Addr().String()}
	sv := service{keys: e2e.Keys(), prog: prog, rdb: rdb, publicURL: s.base, authToken: demoToken, clock: clk.Now,
		log:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		twilio: phone.NewClient(phone.ClientConfig{AccountSID: demoSID, AuthToken: demoToken, APIURL: sim.URL()})}
	if edit != nil {
		edit(&sv, sim)
	}
	if sv.ops != nil {
		s.opsBase = "http://" + sv.ops.Addr().String()
	}
	sim.SetWebhookBase(s.base)
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan struct{})
	var runErr error
	go func() {
		defer close(exited)
		runErr = sv.run(ctx, l)
	}()
	s.sigterm = cancel
	s.stop = func() error {
		cancel()
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Fatal("the service did not stop")
		}
		return runErr
	}
	t.Cleanup(func() { _ = s.stop() })
	returned := make(chan error, 1)
	go func() { <-exited; returned <- runErr }()
	s.returned = returned
	return s
}

// opsListener gives a service an operations address of its own.
func opsListener(t *testing.T) net.Listener {
	t.Helper()
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ops
}
