// Package webhooks is Leadline's HTTP face: the endpoints Twilio calls, the
// health checks, and the admin API. It checks that every Twilio request is
// signed, turns it into a call on a small interface, and writes the answer
// as TwiML; admin requests need a bearer token and are answered in JSON. It
// knows nothing of referrals.
//
// It serves two handlers: the public one (Twilio's webhooks, the console,
// the health checks) and the operations one (/metrics, /admin/*, the health
// checks), meant for a private address, so that whoever can reach the
// webhook host cannot read per-cohort activity or try the admin token.
package webhooks

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	twclient "github.com/twilio/twilio-go/client"
	"github.com/twilio/twilio-go/twiml"
)

// SMSReceiver handles an inbound text and returns the reply to its sender.
// dispatch.Service is one.
type SMSReceiver interface {
	ReceiveSMS(ctx context.Context, from, body, messageSID string) (reply string, err error)
}

// VoiceReceiver answers a step of a call with TwiML. step is the path below
// /twilio/voice ("" for an inbound call). dispatch.Service is one.
type VoiceReceiver interface {
	Voice(ctx context.Context, step string, form url.Values) (twiml string, err error)
}

// StatusReceiver handles Twilio's status callbacks for texts and calls.
// dispatch.Service is one.
type StatusReceiver interface {
	Status(ctx context.Context, form url.Values) error
}

// Config is what the server needs.
type Config struct {
	// PublicURL is the base URL Twilio calls; signatures are checked against
	// it plus the request's path and query.
	PublicURL string
	AuthToken string
	SMS       SMSReceiver
	Voice     VoiceReceiver
	Status    StatusReceiver
	// Metrics, if set, is served at /metrics on the operations handler,
	// and request latencies are recorded in it.
	Metrics *prometheus.Registry
	// Ready reports whether the service can take work (Redis reachable);
	// /readyz answers 503 with its error, which must hold no secret.
	Ready func(context.Context) error
	Log   *slog.Logger

	// AdminToken, if set, turns on the admin API under /admin/oncall on the
	// operations handler: every
	// request must carry it as "Authorization: Bearer <token>". Without it
	// (or without OnCall) those paths are 404 like any unknown path.
	AdminToken string
	// OnCall is what the admin API reads and changes.
	OnCall OnCallAdmin
	// Lockouts, with AdminToken, turns on /admin/lockouts: the voice
	// line's sign-in locks, listed and lifted.
	Lockouts LockoutAdmin
	// Cohorts are the program's cohort IDs, in config order: "all cohorts"
	// to the admin API.
	Cohorts []string
	// Now is the clock; required.
	Now func() time.Time

	// Console, if set, serves every path not served above: the browser
	// console (package console), with its own security headers and CSRF.
	Console http.Handler

	// Timeouts bound each connection; zero fields take the defaults.
	Timeouts Timeouts
}

// Timeouts bound what one connection may hold of the server, so that
// clients that trickle bytes or never close cannot use up its descriptors.
// A proxy in front should set its own (see the README's security section).
type Timeouts struct {
	Header time.Duration // to read the request line and headers; default 10s
	Read   time.Duration // to read the whole request; default 30s
	Write  time.Duration // to write the answer; default 60s
	Idle   time.Duration // a kept-alive connection between requests; default 120s
	// MaxHeaderBytes bounds the request line and headers; default 16 KiB,
	// several times what Twilio sends.
	MaxHeaderBytes int
}

func (t Timeouts) orDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Header, 10*time.Second)
	def(&t.Read, 30*time.Second)
	def(&t.Write, 60*time.Second)
	def(&t.Idle, 120*time.Second)
	if t.MaxHeaderBytes <= 0 {
		t.MaxHeaderBytes = 16 << 10
	}
	return t
}

// maxBody is far above any Twilio webhook (a 1,600-character SMS with its
// fields is under 8 KB) and far below anything that could hurt.
const maxBody = "64K"

// Server serves Leadline's HTTP endpoints.
type Server struct {
	echo      *echo.Echo // the public handler
	ops       *echo.Echo // /metrics, /admin/*, the health checks
	cfg       Config
	validator twclient.RequestValidator
	log       *slog.Logger
	latency   *prometheus.HistogramVec
}

// New builds the server. It panics if cfg has no clock, or if cfg.Metrics
// already holds the server's metrics: one registry serves one server.
func New(cfg Config) *Server {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		panic("webhooks.New: Config.Now is required")
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	s := &Server{echo: echo.New(), ops: echo.New(), cfg: cfg, validator: twclient.NewRequestValidator(cfg.AuthToken), log: cfg.Log}
	if cfg.Metrics != nil {
		s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leadline_webhook_duration_seconds", Help: "Time to answer an HTTP request, by route and status.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "status"})
		cfg.Metrics.MustRegister(s.latency)
	}
	for _, e := range []*echo.Echo{s.echo, s.ops} {
		e.HideBanner, e.HidePort = true, true
		// Our own request ID first, then the log line, then recovery inside
		// it, so a panic is logged and counted as the 500 it answers.
		e.Use(s.requestID, s.logRequests(), middleware.RecoverWithConfig(middleware.RecoverConfig{
			LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
				s.log.Error("panic answering a request", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
				return err
			}}), middleware.BodyLimit(maxBody))
		// Load balancers probe the public address, Prometheus and the
		// operator's tools the operations one: both answer.
		e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok\n") })
		e.GET("/readyz", s.ready)
	}
	if cfg.Metrics != nil {
		s.ops.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(cfg.Metrics, promhttp.HandlerOpts{})))
	}
	e := s.echo
	tw := e.Group("/twilio", s.signed)
	tw.POST("/sms", s.sms)
	tw.POST("/voice", s.voice)
	tw.POST("/voice/*", s.voice)
	tw.POST("/status", s.status)
	if cfg.AdminToken != "" && cfg.OnCall != nil {
		s.adminRoutes()
	}
	if cfg.AdminToken != "" && cfg.Lockouts != nil {
		s.lockoutRoutes()
	}
	// The public address never serves these, whatever the console would
	// answer for them: a plain 404, as for a path that does not exist.
	notHere := func(c echo.Context) error { return c.NoContent(http.StatusNotFound) }
	for _, p := range []string{"/metrics", "/admin", "/admin/*"} {
		e.Any(p, notHere)
	}
	if cfg.Console != nil {
		e.Any("/", echo.WrapHandler(cfg.Console))
		e.Any("/*", echo.WrapHandler(cfg.Console))
	}
	return s
}

// Handler is the public server as an http.Handler: Twilio's webhooks, the
// console and the health checks.
func (s *Server) Handler() http.Handler { return s.echo }

// OpsHandler is the operations server as an http.Handler: /metrics, the
// admin API and the health checks.
func (s *Server) OpsHandler() http.Handler { return s.ops }

// Serve serves the public handler on public and the operations handler on
// ops (if not nil) until ctx is done, then stops taking requests and waits
// up to 10 s for those under way. Either listener failing stops both.
func (s *Server) Serve(ctx context.Context, public, ops net.Listener) error {
	servers := []*echo.Echo{s.echo}
	s.echo.Listener = public
	if ops != nil {
		s.ops.Listener = ops
		servers = append(servers, s.ops)
	}
	t := s.cfg.Timeouts.orDefaults()
	errc := make(chan error, len(servers))
	for _, e := range servers {
		hs := e.Server
		hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout = t.Header, t.Read, t.Write, t.Idle
		hs.MaxHeaderBytes = t.MaxHeaderBytes
		go func() { errc <- e.Start("") }()
	}
	var first error
	select {
	case first = <-errc:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	errs := []error{}
	if first != nil && !errors.Is(first, http.ErrServerClosed) {
		errs = append(errs, first)
	}
	for _, e := range servers {
		if err := e.Shutdown(shutdown); err != nil {
			errs = append(errs, err)
		}
	}
	for range len(servers) - btoi(first != nil) {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Drain readies the server for its shutdown: answers carry "Connection:
// close" from now on, so clients open a new connection (to another
// instance) for their next request instead of reusing one this server is
// about to close under them.
func (s *Server) Drain() { s.echo.Server.SetKeepAlivesEnabled(false) }

func (s *Server) ready(c echo.Context) error {
	if s.cfg.Ready != nil {
		// Not logged: probes come every few seconds, and whoever runs the
		// check (serve's Redis monitor) logs the cause once.
		if err := s.cfg.Ready(c.Request().Context()); err != nil {
			return c.String(http.StatusServiceUnavailable, "not ready: "+err.Error()+"\n")
		}
	}
	return c.String(http.StatusOK, "ready\n")
}

// signed refuses any request not signed by Twilio for this exact URL,
// before anything reads or remembers it.
func (s *Server) signed(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if err := req.ParseForm(); err != nil {
			return c.NoContent(http.StatusBadRequest)
		}
		params := make(map[string]string, len(req.PostForm))
		for k, v := range req.PostForm {
			params[k] = v[0]
		}
		url := s.cfg.PublicURL + req.URL.RequestURI()
		if !s.validator.Validate(url, params, req.Header.Get("X-Twilio-Signature")) {
			s.log.Warn("unsigned or badly signed request refused", "path", req.URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			return c.NoContent(http.StatusForbidden)
		}
		return next(c)
	}
}

func (s *Server) sms(c echo.Context) error {
	req := c.Request()
	from, body, sid := req.PostForm.Get("From"), req.PostForm.Get("Body"), req.PostForm.Get("MessageSid")
	if from == "" {
		return c.NoContent(http.StatusBadRequest)
	}
	reply, err := s.cfg.SMS.ReceiveSMS(req.Context(), from, body, sid)
	if err != nil {
		s.log.Error("inbound text", "sid", sid, "err", err)
		if reply == "" {
			return c.NoContent(http.StatusInternalServerError)
		}
	}
	return messageReply(c, reply)
}

func (s *Server) voice(c echo.Context) error {
	if s.cfg.Voice == nil {
		return c.NoContent(http.StatusNotFound)
	}
	req := c.Request()
	doc, err := s.cfg.Voice.Voice(req.Context(), c.Param("*"), req.PostForm)
	if err != nil {
		s.log.Error("voice step", "path", req.URL.Path, "err", err)
		return c.NoContent(http.StatusInternalServerError)
	}
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", []byte(doc))
}

func (s *Server) status(c echo.Context) error {
	if s.cfg.Status == nil {
		return c.NoContent(http.StatusNoContent)
	}
	req := c.Request()
	if err := s.cfg.Status.Status(req.Context(), req.PostForm); err != nil {
		s.log.Error("status callback", "err", err)
		return c.NoContent(http.StatusInternalServerError)
	}
	return c.NoContent(http.StatusNoContent)
}

// messageReply answers a webhook with TwiML holding reply (none if "").
func messageReply(c echo.Context, reply string) error {
	var verbs []twiml.Element
	if reply != "" {
		verbs = append(verbs, &twiml.MessagingMessage{Body: reply})
	}
	doc, err := twiml.Messages(verbs)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "text/xml; charset=utf-8", []byte(doc))
}

// maxTwilioToken bounds the I-Twilio-Idempotency-Token that is logged: Twilio's
// are far shorter, and anything longer is a client's, not Twilio's.
const maxTwilioToken = 64

// requestID gives every request an ID of our own, whatever the client sent
// as X-Request-Id (an ID it chose could be anything, of any length, and
// would be echoed and logged); Twilio's idempotency token is kept beside it
// when it looks like one.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := rand.Text()[:20]
		c.Request().Header.Set(echo.HeaderXRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		if tok := c.Request().Header.Get("I-Twilio-Idempotency-Token"); tok != "" && !plainToken(tok) {
			c.Request().Header.Del("I-Twilio-Idempotency-Token")
		}
		return next(c)
	}
}

// plainToken reports whether tok is short and made of letters, digits and
// dashes only.
func plainToken(tok string) bool {
	if len(tok) > maxTwilioToken {
		return false
	}
	for _, r := range tok {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// logRequests logs one line per request: never a query, body or number.
func (s *Server) logRequests() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogLatency: true, LogMethod: true, LogURIPath: true, LogRequestID: true, HandleError: true,
		LogHeaders: []string{"I-Twilio-Idempotency-Token"},
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			attrs := []any{"method", v.Method, "path", v.URIPath, "status", v.Status,
				"latency_ms", float64(v.Latency.Microseconds()) / 1000, "request_id", v.RequestID}
			if tok := v.Headers["I-Twilio-Idempotency-Token"]; len(tok) > 0 {
				attrs = append(attrs, "twilio_token", tok[0])
			}
			s.log.Info("http", attrs...)
			if s.latency != nil {
				// The route pattern, not the path: unknown paths must not
				// grow the label set.
				route := c.Path()
				if route == "" || route == "/*" {
					route = "other"
				}
				s.latency.WithLabelValues(route, strconv.Itoa(v.Status)).Observe(v.Latency.Seconds())
			}
			return nil
		},
	})
}
