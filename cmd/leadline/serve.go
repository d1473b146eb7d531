package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/datakey"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/geocode"
	"github.com/leadline/leadline/internal/redishealth"
	"github.com/leadline/leadline/internal/redisurl"
	"github.com/leadline/leadline/jobs"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/outbox"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
	"github.com/leadline/leadline/webhooks"
)

const serveUsage = `Usage:
  leadline serve --config program.yaml

Runs the service: Twilio webhooks, escalation and handoff timers, cron jobs,
/metrics, /healthz and /readyz. Starts while Redis is down and is ready once
it answers; SIGINT or SIGTERM drains and stops.

Environment:
  LEADLINE_ADDR            public listen address: webhooks, console, health (default :8080)
  LEADLINE_OPS_ADDR        operations address: /metrics, /admin/*, health (default 127.0.0.1:9090)
  REDIS_URL                redis://, rediss://, redis-sentinel://, redis-cluster:// (default redis://localhost:6379/0)
  TWILIO_ACCOUNT_SID       required
  TWILIO_AUTH_TOKEN        required; also checks webhook signatures
  LEADLINE_PUBLIC_URL      required: the base URL Twilio calls
  LEADLINE_DATA_KEY        required (or LEADLINE_DATA_KEY_FILE): the data key (leadline keys new)
  LEADLINE_TWILIO_API_URL  a Twilio-compatible REST API (leadline sim); default Twilio's
  LEADLINE_ADMIN_TOKEN     bearer token of the admin API; unset: no admin API
  LEADLINE_REDIS_SETTINGS  warn (default) or refuse: a Redis that would lose data
  LEADLINE_DRAIN           after SIGTERM, how long /readyz is 503 while requests are
                           still served, before the server stops accepting (default 5s)
`

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string, clock func() time.Time) error {
	cmd := newCommand("serve", serveUsage, stdout, stderr)
	config := cmd.String("config", "", "program config (YAML)")
	if err := cmd.parse(args); err != nil {
		return err
	}
	if *config == "" || cmd.NArg() > 0 {
		return cmd.misuse("--config is required, and nothing else")
	}
	path := *config
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
	if err := errors.Join(checkEnv(getenv)...); err != nil {
		return err
	}
	keys, err := datakey.FromEnv(getenv)
	if err != nil {
		return err
	}
	settings := env("LEADLINE_REDIS_SETTINGS", "warn")
	rdb, redisConf, err := redisurl.Connect(getenv("REDIS_URL"))
	if err != nil {
		return err
	}
	defer rdb.Close()
	twilio := phone.ClientConfig{
		AccountSID: getenv("TWILIO_ACCOUNT_SID"), AuthToken: getenv("TWILIO_AUTH_TOKEN"),
		APIURL: getenv("LEADLINE_TWILIO_API_URL"),
	}
	drain, _ := time.ParseDuration(env("LEADLINE_DRAIN", "5s"))
	l, err := net.Listen("tcp", env("LEADLINE_ADDR", ":8080"))
	if err != nil {
		return err
	}
	ops, err := net.Listen("tcp", env("LEADLINE_OPS_ADDR", "127.0.0.1:9090"))
	if err != nil {
		l.Close()
		return fmt.Errorf("LEADLINE_OPS_ADDR: %w", err)
	}
	ver, rev := buildVersion()
	log.Info("leadline serving", "addr", l.Addr().String(), "ops_addr", ops.Addr().String(), "program", prog.Name,
		"cohorts", len(prog.Cohorts), "redis", redisConf.String(), "version", ver, "revision", rev)
	return service{ops: ops, prog: prog, rdb: rdb, twilio: phone.NewClient(twilio), publicURL: getenv("LEADLINE_PUBLIC_URL"),
		authToken: getenv("TWILIO_AUTH_TOKEN"), adminToken: getenv("LEADLINE_ADMIN_TOKEN"), log: log, clock: clock,
		oidc: consoleOIDC(getenv), trustedProxies: getenv("LEADLINE_TRUSTED_PROXIES"), redisSettings: settings,
		mapTiles: getenv("LEADLINE_MAP_TILES"), mapAttribution: getenv("LEADLINE_MAP_ATTRIBUTION"), drainPeriod: drain,
		keys: keys}.run(ctx, l)
}

// service is everything `serve` and `demo` run, wired together.
type service struct {
	// ops, if set, serves /metrics and the admin API (LEADLINE_OPS_ADDR);
	// without it they are not served.
	ops       net.Listener
	prog      *program.Program
	rdb       redis.UniversalClient
	twilio    *phone.Client
	publicURL string
	authToken string
	// adminToken is the bearer token of the admin API; "" turns it off.
	adminToken string
	log        *slog.Logger
	clock      func() time.Time // time.Now in serve; the demo's can jump ahead
	// keys is the program's data key (LEADLINE_DATA_KEY): details in
	// Redis are sealed under it.
	keys *datakey.Keys
	oidc *console.OIDCConfig // the console's single sign-on; nil for none
	// trustedProxies are the CIDRs whose X-Forwarded-For the console
	// believes for the client's address; "" for none.
	trustedProxies string
	// outboxClock times the outbox's leases and retries; nil for clock.
	// The demo's is the wall clock, so that `wait` lapses no claim.
	outboxClock func() time.Time
	// redisSettings is what a Redis that would lose data gets: "warn"
	// (also ""), "refuse" (serve stops) or "off" (not checked: the demo).
	redisSettings string
	// mapTiles and mapAttribution are the referral page's optional map
	// tiles (LEADLINE_MAP_TILES, LEADLINE_MAP_ATTRIBUTION).
	mapTiles, mapAttribution string
	// drainPeriod is how long, after the context ends, /readyz says
	// "draining" while requests are still taken, so that a load balancer
	// moves traffic away before the server stops accepting.
	drainPeriod time.Duration
	// demoSignIn offers the console's one-click sign-in: `leadline demo`
	// sets it, serve never does.
	demoSignIn bool
	// started, if set, is called with the running parts once the on-call
	// schedules are seeded and the loops run (the demo drives them).
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

// minAdminToken is the shortest admin token serve takes: the token is all
// that stands between the network and changing who is on call.
const minAdminToken = 32

// timerPoll is how often an instance looks for due timers: well within the
// promise that timers fire within 1 s of their due time.
const timerPoll = 250 * time.Millisecond

// redisCheck is how often serve checks that Redis answers, for /readyz and
// the outage log.
const redisCheck = time.Second

// run serves on l at once, and as soon as Redis answers (it may be down at
// first: /readyz says why meanwhile) seeds the schedules and fires
// escalation and handoff timers and runs the cron jobs, until ctx is done;
// then it finishes the requests, texts and calls under way, saying so.
func (sv service) run(ctx context.Context, l net.Listener) error {
	base := sv.log
	reg := newRegistry()
	mon, err := redishealth.NewMonitor(sv.rdb, sv.clock, base, reg)
	if err != nil {
		return err
	}
	// While Redis is down every loop's failures say the same; the monitor
	// says it once, then with backoff.
	sv.log = slog.New(mon.Quiet(base.Handler()))
	redishealth.SetLogger(sv.log)
	in, err := sv.build(reg, mon, base)
	if err != nil {
		return err
	}
	return in.serve(ctx, l)
}

// newRegistry is the /metrics registry with the Go runtime's, the
// process's and the build's metrics already in it.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), buildInfo())
	return reg
}

// instance is one service built by run: the parts its background loops
// run and the HTTP server in front of them.
type instance struct {
	sv    service
	base  *slog.Logger // logs "leadline ready" and the drain; a Redis outage does not quiet it
	mon   *redishealth.Monitor
	store *oncall.Store
	d     *dispatch.Service
	cron  *jobs.Runner
	con   *console.Server
	srv   *webhooks.Server
	// started is set once the schedules are seeded and the loops run.
	started atomic.Bool
	// parts go to sv.started then, not before: a text handled before the
	// schedules are seeded would find nobody on call and page the backup.
	parts parts
	// draining is set when the drain begins: /readyz is 503 from then on.
	draining atomic.Bool
}

// build wires the on-call store, dispatch, the cron jobs and the HTTP
// server, registering their metrics in reg. Nothing runs yet.
func (sv service) build(reg *prometheus.Registry, mon *redishealth.Monitor, base *slog.Logger) (*instance, error) {
	store := oncall.New(sv.rdb, sv.prog, sv.clock, sv.log)
	d, err := sv.dispatcher(reg, store)
	if err != nil {
		return nil, err
	}
	cron := jobs.New(sv.rdb, sv.prog.TimeZone, sv.clock, sv.log)
	cj := cronJobs(sv.prog, d)
	for _, j := range cj {
		if err := cron.Add(j.name, j.spec, j.job); err != nil {
			return nil, err
		}
	}
	in := &instance{sv: sv, base: base, mon: mon, store: store, d: d, cron: cron}
	cohorts := make([]string, 0, len(sv.prog.Cohorts))
	for _, c := range sv.prog.Cohorts {
		cohorts = append(cohorts, c.ID)
	}
	con, err := sv.console(consoleActions{d})
	if err != nil {
		return nil, err
	}
	in.con = con
	in.parts = parts{dispatch: d, cron: cron, jobs: cj, console: con}
	in.srv = webhooks.New(webhooks.Config{
		Console: con.Handler(), PublicURL: sv.publicURL, AuthToken: sv.authToken, SMS: d, Voice: d, Status: d, Metrics: reg, Log: sv.log,
		Ready: in.ready, AdminToken: sv.adminToken, OnCall: store, Lockouts: d.Lockouts(), Cohorts: cohorts, Now: sv.clock,
	})
	return in, nil
}

// dispatcher builds the dispatch service, with Twilio's and the timer
// queues' metrics in reg and the geocoder if the program names one.
func (sv service) dispatcher(reg *prometheus.Registry, store *oncall.Store) (*dispatch.Service, error) {
	if sv.twilio != nil {
		if err := sv.twilio.Register(reg); err != nil {
			return nil, err
		}
	}
	reg.MustRegister(timers.NewCollector(sv.rdb, sv.clock, map[string]*timers.Queue{
		"dispatch": timers.New(sv.rdb, referral.TimersBase, timers.Options{Clock: sv.clock}),
		"oncall":   timers.New(sv.rdb, oncall.TimersBase, timers.Options{Clock: sv.clock}),
	}))
	var geocoder geo.Geocoder
	if g := sv.prog.Geocoder; g.URL != "" {
		geocoder = geocode.New(geocode.Config{URL: g.URL, Kind: g.Kind, Bound: sv.prog.Areas.Bound(), Redis: sv.rdb, Keys: sv.keys})
	}
	return dispatch.NewService(dispatch.Config{Program: sv.prog, Redis: sv.rdb, OnCall: store, Geocoder: geocoder,
		Texter: sv.twilio, Caller: sv.twilio, PublicURL: sv.publicURL, Log: sv.log, Metrics: reg, Clock: sv.clock,
		Keys: sv.keys, Outbox: outbox.Options{Clock: sv.outboxClock}})
}

// ready is /readyz: Redis answers and the on-call schedules are seeded.
func (in *instance) ready(context.Context) error {
	if in.draining.Load() {
		return errors.New("draining: shutting down")
	}
	if err := in.mon.Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	if !in.started.Load() {
		return errors.New("starting: seeding on-call schedules")
	}
	return nil
}

// serve serves HTTP on l until ctx is done, with the Redis monitor and,
// once Redis answers, the background loops beside it; then it drains.
// A failed start stops the server and is the error returned.
func (in *instance) serve(ctx context.Context, l net.Listener) error {
	// Stopping the background work is separate from ctx, so that it goes on
	// until the HTTP server has finished the requests under way.
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBackground()
	// The server goes on taking requests for the drain period after ctx
	// ends, while /readyz says draining; then it stops accepting and
	// finishes those under way.
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	var began atomic.Int64 // when the drain began, Unix ns
	elapsed := func() string { return time.Since(time.Unix(0, began.Load())).Round(time.Millisecond).String() }
	stopDrainLog := context.AfterFunc(ctx, func() {
		began.Store(time.Now().UnixNano())
		in.draining.Store(true)
		in.srv.Drain()
		in.base.Info("draining: not ready; still serving for the drain period", "period", in.sv.drainPeriod)
		t := time.AfterFunc(in.sv.drainPeriod, func() {
			in.base.Info("drain: no new requests; finishing the requests, timers and texts under way", "elapsed", elapsed())
			stopHTTP()
		})
		context.AfterFunc(httpCtx, func() { t.Stop() })
	})
	defer stopDrainLog()
	var monitor, background sync.WaitGroup
	monitor.Go(func() { in.mon.Run(bg, redisCheck) })
	var startErr error // set before stopHTTP, read after Serve returns
	background.Go(func() {
		if err := in.runBackground(bg, &background); err != nil {
			startErr = err
			stopHTTP()
		}
	})

	err := in.srv.Serve(httpCtx, l, in.sv.ops)
	in.drain(ctx.Err() != nil, stopBackground, &background, &monitor, elapsed)
	if startErr != nil {
		return startErr
	}
	return err
}

// runBackground waits for Redis to answer, seeds the schedules and starts
// the outbox, timer, handoff and cron loops in loops. It returns start's
// error, or nil if bg ends first.
func (in *instance) runBackground(bg context.Context, loops *sync.WaitGroup) error {
	select {
	case <-in.mon.Up():
	case <-bg.Done():
		return nil
	}
	if err := in.sv.start(bg, in.store); err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	in.started.Store(true)
	in.base.Info("leadline ready")
	if in.sv.started != nil {
		in.sv.started(in.parts)
	}
	loops.Go(func() { in.d.RunOutbox(bg) })
	loops.Go(func() { in.d.RunTimers(bg, timerPoll) })
	loops.Go(func() { in.store.RunHandoffs(bg, timerPoll, in.d.Handoff) })
	loops.Go(func() { in.cron.Run(bg) })
	loops.Go(func() { _ = in.con.Run(bg) })
	return nil
}

// drain stops what runs once the HTTP server has finished: the loops
// first, so that they start nothing new, then the texts and calls under
// way, then the Redis monitor. When draining (ctx ended, rather than a
// failed start or serve) it logs each stage with the time since the drain
// began.
func (in *instance) drain(draining bool, stopBackground func(), background, monitor *sync.WaitGroup, elapsed func() string) {
	if draining {
		in.base.Info("drain: HTTP requests finished", "elapsed", elapsed())
	}
	stopBackground()
	background.Wait()
	if draining {
		in.base.Info("drain: timer, outbox and cron loops stopped", "elapsed", elapsed())
	}
	if in.started.Load() {
		in.d.Wait()
	}
	monitor.Wait()
	if draining {
		in.base.Info("drained: texts and calls under way finished; stopped", "elapsed", elapsed())
	}
}

// start checks Redis's durability settings and seeds the on-call
// schedules, retrying the seed while Redis comes and goes.
// reseal brings what an older version stored up to the data key before
// anything is served, once (later starts skip the scan): participants named by the old unkeyed hash are
// renamed (or their consent and opt-outs would be lost), and details
// stored in the clear are sealed. Instances starting together do the same
// work harmlessly: every change is a compare-and-swap.
func (sv service) reseal(ctx context.Context) error {
	if done, err := referral.Upgraded(ctx, sv.rdb); err != nil || done {
		return err
	}
	renamed, parts, err := appointment.Reseal(ctx, sv.rdb, sv.keys)
	if err != nil {
		return err
	}
	fields, err := referral.Reseal(ctx, sv.rdb, sv.keys)
	if err != nil {
		return err
	}
	if renamed+parts+fields > 0 {
		sv.log.Info("sealed what an older version stored", "referral_fields", fields, "participant_fields", parts, "renamed", renamed)
	}
	return referral.MarkUpgraded(ctx, sv.rdb)
}

func (sv service) start(ctx context.Context, store *oncall.Store) error {
	if sv.redisSettings != "off" {
		if err := redishealth.CheckSettings(ctx, sv.rdb, sv.redisSettings == "refuse", sv.log); err != nil {
			return err
		}
	}
	wait := 100 * time.Millisecond
	for {
		err := store.Seed(ctx)
		if err == nil {
			err = sv.reseal(ctx)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		sv.log.Warn("seed on-call schedules; retrying", "err", err, "in", wait.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}
