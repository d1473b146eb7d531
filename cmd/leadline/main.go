// Command leadline is the LEAD dispatch line: `serve` runs it, `check`
// validates a program config, `demo` runs it all locally with a simulated
// phone network, `oncall` shows and overrides who is on call. It only
// parses flags and wires packages together.
package main

import (
	"context"
	"errors"
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
  leadline check --config program.yaml [--env]
                                         validate the config and its areas (--env: and serve's environment,
                                         the data key and tokens); exit 1 on error (--config - reads stdin)
  leadline demo                          run everything locally: embedded Redis, simulated phones
  leadline sim --config program.yaml --serve URL
                                         the Twilio simulator on its own, to try a real serve without Twilio
  leadline pin                           print the pin_hash (bcrypt) of a PIN (asked without echo)
  leadline keys new|rotate|reseal|show   make and rotate the data key (LEADLINE_DATA_KEY); reseal what Redis holds
  leadline report --config program.yaml --from 2026-11-01 --to 2026-11-30 [--format table|csv|json]
                                         response times of referrals received in those days (reads REDIS_URL)
  leadline oncall show|next|override|overrides --config program.yaml …
                                         who is on call, and overrides (reads REDIS_URL; leadline oncall --help)
  leadline version                       the version and revision of this binary (also --version)

Every command takes --help. Environment (serve): LEADLINE_ADDR, LEADLINE_OPS_ADDR, REDIS_URL,
TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, LEADLINE_PUBLIC_URL, LEADLINE_DATA_KEY (or _FILE), LEADLINE_TWILIO_API_URL,
LEADLINE_ADMIN_TOKEN, LEADLINE_REDIS_SETTINGS. See README.md.
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
		err = serveCmd(ctx, args[1:], stdout, stderr, getenv, clock)
	case "check":
		err = checkCmd(args[1:], stdin, stdout, stderr, getenv)
	case "pin":
		err = pinCmd(args[1:], stdin, stdout, stderr)
	case "keys":
		err = keysCmd(ctx, args[1:], stdout, stderr, getenv)
	case "report":
		err = reportCmd(ctx, args[1:], stdout, stderr, getenv, clock)
	case "oncall":
		err = oncallCmd(ctx, args[1:], stdout, stderr, getenv, clock)
	case "demo":
		err = demoCmd(ctx, args[1:], stdin, stdout, stderr, getenv, clock)
	case "sim":
		err = simCmd(ctx, args[1:], stdin, stdout, stderr, getenv, clock)
	case "version", "--version":
		err = versionCmd(args[1:], stdout, stderr)
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
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(stderr, "leadline %s: %v\n", args[0], err)
	return 1
}

// errReported means the command already told the user what went wrong.
var errReported = errors.New("reported")

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
