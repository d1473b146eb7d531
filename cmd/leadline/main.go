// Command leadline is the LEAD dispatch line: `serve` runs it, `check`
// validates a program config, `demo` runs it all locally with a simulated
// phone network, `oncall` shows and overrides who is on call. It only
// parses flags and wires packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	// The program's time zone must load on any host, even one without tzdata.
	_ "time/tzdata"
)

const usage = `leadline: the LEAD dispatch line

Usage:
  leadline serve --config program.yaml   run the service (HTTP webhooks for Twilio)
  leadline check --config program.yaml   validate the config and its areas; exit 1 on error
  leadline demo                          run everything locally: embedded Redis, simulated phones
  leadline pin < pin.txt                 print the pin_hash (bcrypt) of the PIN read from stdin
  leadline report --config program.yaml --from 2026-11-01 --to 2026-11-30 [--format table|csv|json]
                                         response times of referrals received in those days (reads REDIS_URL)
  leadline oncall show|next|override|overrides --config program.yaml …
                                         who is on call, and overrides (reads REDIS_URL; leadline oncall help)

Environment (serve): LEADLINE_ADDR, REDIS_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
LEADLINE_PUBLIC_URL, LEADLINE_TWILIO_API_URL, LEADLINE_ADMIN_TOKEN. See README.md.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv, time.Now))
}

// run is main without the process: tests call it with their own clock.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string, clock func() time.Time) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serveCmd(ctx, args[1:], stderr, getenv, clock)
	case "check":
		err = checkCmd(args[1:], stdout)
	case "pin":
		err = pinCmd(stdin, stdout)
	case "report":
		err = reportCmd(ctx, args[1:], stdout, getenv, clock)
	case "oncall":
		err = oncallCmd(ctx, args[1:], stdout, stderr, getenv, clock)
	case "demo":
		err = demoCmd(ctx, args[1:], stdin, stdout, getenv)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "leadline: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 2
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(stderr, "leadline %s: %v\n", args[0], err)
	return 1
}

// errReported means the command already told the user what went wrong.
var errReported = errors.New("reported")

func configFlag(name string, args []string) (string, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	path := fs.String("config", "", "program config (YAML)")
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if *path == "" {
		return "", errors.New("--config is required")
	}
	return *path, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
