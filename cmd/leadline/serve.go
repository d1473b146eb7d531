package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/geocode"
	"github.com/leadline/leadline/jobs"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/webhooks"
)

func serveCmd(ctx context.Context, args []string, stderr io.Writer, getenv func(string) string, clock func() time.Time) error {
	path, err := configFlag("serve", args)
	if err != nil {
		return err
	}
	log := newLogger(stderr)
	prog, err := program.Load(path)
	if err != nil {
		for _, e := range flatten(err) {
			log.Error("config", "err", e)
		}
		return fmt.Errorf("config %s is not valid (run leadline check)", path)
	}
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var missing []error
	for _, name := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "LEADLINE_PUBLIC_URL"} {
		if getenv(name) == "" {
			missing = append(missing, fmt.Errorf("%s is required", name))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return err
	}
	rdb, err := redisFromEnv(getenv)
	if err != nil {
		return err
	}
	defer rdb.Close()
	twilio := phone.ClientConfig{
		AccountSID: getenv("TWILIO_ACCOUNT_SID"), AuthToken: getenv("TWILIO_AUTH_TOKEN"),
		APIURL: getenv("LEADLINE_TWILIO_API_URL"),
	}
	if err := twilio.Validate(); err != nil {
		return err
	}
	addr := env("LEADLINE_ADDR", ":8080")
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("leadline serving", "addr", l.Addr().String(), "program", prog.Name, "cohorts", len(prog.Cohorts))
	return service{prog: prog, rdb: rdb, twilio: phone.NewClient(twilio), publicURL: getenv("LEADLINE_PUBLIC_URL"),
		authToken: getenv("TWILIO_AUTH_TOKEN"), adminToken: getenv("LEADLINE_ADMIN_TOKEN"), log: log, clock: clock,
		oidc: consoleOIDC(getenv), trustedProxies: getenv("LEADLINE_TRUSTED_PROXIES"),
		mapTiles: getenv("LEADLINE_MAP_TILES"), mapAttribution: getenv("LEADLINE_MAP_ATTRIBUTION")}.run(ctx, l)
}

// service is everything `serve` and `demo` run, wired together.
type service struct {
	prog      *program.Program
	rdb       redis.UniversalClient
	twilio    *phone.Client
	publicURL string
	authToken string
	// adminToken is the bearer token of the admin API; "" turns it off.
	adminToken string
	log        *slog.Logger
	clock      func() time.Time    // time.Now in serve; the demo's can jump ahead
	oidc       *console.OIDCConfig // the console's single sign-on; nil for none
	// trustedProxies are the CIDRs whose X-Forwarded-For the console
	// believes for the client's address; "" for none.
	trustedProxies string
	// outboxClock times the outbox's leases and retries; nil for clock.
	// The demo's is the wall clock, so that `wait` lapses no claim.
	outboxClock func() time.Time
	// mapTiles and mapAttribution are the referral page's optional map
	// tiles (LEADLINE_MAP_TILES, LEADLINE_MAP_ATTRIBUTION).
	mapTiles, mapAttribution string
	// demoSignIn offers the console's one-click sign-in: `leadline demo`
	// sets it, serve never does.
	demoSignIn bool
	// started, if set, is called with the running parts once they are
	// wired (the demo drives them).
	started func(parts)
}

// parts are the running pieces of a service, for the demo.
type parts struct {
	dispatch *dispatch.Service
	cron     *jobs.Runner
	jobs     []cronJob
	console  *console.Server
}

// cronJob is one of the program's wall-clock jobs.
type cronJob struct {
	name, spec string
	job        jobs.Job
}

// cronJobs are the program's wall-clock jobs: the weekly summary and the
// daily digest, unless turned off.
func cronJobs(prog *program.Program, d *dispatch.Service) []cronJob {
	var out []cronJob
	if ws := prog.WeeklySummary; !ws.Off {
		out = append(out, cronJob{"weekly-summary", fmt.Sprintf("%d %d * * %d", ws.Minute, ws.Hour, ws.Weekday), d.WeeklySummary})
	}
	if dd := prog.DailyDigest; !dd.Off {
		out = append(out, cronJob{"daily-digest", fmt.Sprintf("%d %d * * *", dd.Minute, dd.Hour), d.DailyDigest})
	}
	return out
}

// timerPoll is how often an instance looks for due timers: well within the
// promise that timers fire within 1 s of their due time.
const timerPoll = 250 * time.Millisecond

// run serves on l, fires escalation and handoff timers and runs the weekly
// summary until ctx is done, then finishes the texts and calls under way.
func (sv service) run(ctx context.Context, l net.Listener) error {
	ping, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sv.rdb.Ping(ping).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	store := oncall.New(sv.rdb, sv.prog, sv.clock, sv.log)
	if err := store.Seed(ctx); err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var geocoder geo.Geocoder
	if g := sv.prog.Geocoder; g.URL != "" {
		geocoder = geocode.New(geocode.Config{URL: g.URL, Kind: g.Kind, Bound: sv.prog.Areas.Bound(), Redis: sv.rdb})
	}
	d, err := dispatch.NewService(dispatch.Config{Program: sv.prog, Redis: sv.rdb, OnCall: store, Geocoder: geocoder,
		Texter: sv.twilio, Caller: sv.twilio, PublicURL: sv.publicURL, Log: sv.log, Metrics: reg, Clock: sv.clock,
		Outbox: outbox.Options{Clock: sv.outboxClock}})
	if err != nil {
		return err
	}
	defer d.Wait()
	cron := jobs.New(sv.rdb, sv.prog.TimeZone, sv.clock, sv.log)
	cj := cronJobs(sv.prog, d)
	for _, j := range cj {
		if err := cron.Add(j.name, j.spec, j.job); err != nil {
			return err
		}
	}
	var background sync.WaitGroup
	defer background.Wait()
	background.Go(func() { d.RunOutbox(ctx) })
	background.Go(func() { d.RunTimers(ctx, timerPoll) })
	background.Go(func() { store.RunHandoffs(ctx, timerPoll, d.Handoff) })
	background.Go(func() { cron.Run(ctx) })
	cohorts := make([]string, 0, len(sv.prog.Cohorts))
	for _, c := range sv.prog.Cohorts {
		cohorts = append(cohorts, c.ID)
	}
	con, err := sv.console()
	if err != nil {
		return err
	}
	background.Go(func() { _ = con.Run(ctx) })
	if sv.started != nil {
		sv.started(parts{dispatch: d, cron: cron, jobs: cj, console: con})
	}
	srv := webhooks.New(webhooks.Config{
		Console: con.Handler(), PublicURL: sv.publicURL, AuthToken: sv.authToken, SMS: d, Voice: d, Status: d, Metrics: reg, Log: sv.log,
		Ready:      func(ctx context.Context) error { return sv.rdb.Ping(ctx).Err() },
		AdminToken: sv.adminToken, OnCall: store, Cohorts: cohorts, Now: sv.clock,
	})
	return srv.Serve(ctx, l)
}
