package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/twiliosim"
)

const simUsage = `Usage:
  leadline sim --config program.yaml --serve URL [--addr 127.0.0.1:4010]

Runs the Twilio-compatible simulator on its own, with the phones of the
config's people, so that a real "leadline serve" can be tried before a
Twilio number is bought. Type "<person id> <text>" to text the program
number as that person; texts and calls the service sends them are printed.
Inbound texts and call steps are posted, signed, to URL (serve's
LEADLINE_PUBLIC_URL). Start serve with the environment sim prints.

Environment: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN (the credentials the
simulator accepts and signs with; serve must have the same; default a
built-in pair).
`

// simCmd runs the simulator for a serve running elsewhere.
func simCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, clock func() time.Time) error {
	fs := newCommand("sim", simUsage, stdout, stderr)
	config := fs.String("config", "", "program config (YAML) whose people get phones")
	serveURL := fs.String("serve", "", "base URL of the serve to post webhooks to (its LEADLINE_PUBLIC_URL)")
	addr := fs.String("addr", "127.0.0.1:4010", "where the simulator's REST API listens")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *config == "" || *serveURL == "" || fs.NArg() != 0 {
		return fs.misuse("--config and --serve are required")
	}
	if u, err := url.Parse(*serveURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fs.misuse("--serve %q: want a URL like http://127.0.0.1:8080", *serveURL)
	}
	prog, err := program.Load(*config)
	if err != nil {
		return fmt.Errorf("config %s is not valid (run leadline check)", *config)
	}
	sid, token := getenv("TWILIO_ACCOUNT_SID"), getenv("TWILIO_AUTH_TOKEN")
	if sid == "" && token == "" {
		sid, token = demoSID, demoToken
	} else if sid == "" || token == "" {
		return errors.New("set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither")
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	sim := twiliosim.New(twiliosim.Options{AccountSID: sid, AuthToken: token, Listener: l, Clock: clock})
	defer sim.Close()
	sim.SetWebhookBase(strings.TrimSuffix(*serveURL, "/"))

	p := &printer{out: stdout, prog: prog, sim: sim, calls: map[string]*twiliosim.Session{}}
	msgs, unsubscribe := sim.Subscribe()
	defer unsubscribe()
	go p.print(msgs)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go p.ring(ctx)

	fmt.Fprintf(stdout, "Twilio simulator for %s on %s, posting webhooks to %s\n", prog.Name, sim.URL(), *serveURL)
	fmt.Fprintf(stdout, "Start serve (after one leadline keys new > leadline.key, kept while the Redis is) with:\n  LEADLINE_TWILIO_API_URL=%s TWILIO_ACCOUNT_SID=%s TWILIO_AUTH_TOKEN=%s \\\n  LEADLINE_PUBLIC_URL=%s LEADLINE_DATA_KEY_FILE=leadline.key leadline serve --config %s\n",
		sim.URL(), sid, token, strings.TrimSuffix(*serveURL, "/"), *config)
	p.people()
	fmt.Fprintln(stdout, `Type "<person id> <text>", "<person id> answer", "<person id> press 1". Ctrl-D to quit.`)
	err = p.converse(ctx, stdin, sim)
	p.settle()
	return err
}
