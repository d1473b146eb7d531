package console

import (
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/appointment"
	"github.com/leadline/leadline/followup"
	"github.com/leadline/leadline/oncall"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

// Config is what the console needs.
type Config struct {
	Program *program.Program
	Redis   redis.UniversalClient
	// Texter sends sign-in codes (OutboxTexter in serve).
	Texter Texter
	// Clock is the time source of codes, sessions and the audit log;
	// required, so tests can move it.
	Clock func() time.Time
	// Keys open the referral details the console shows (the program's
	// data key); required.
	Keys referral.Sealer
	// PublicURL is the console's base URL as browsers see it; https makes
	// cookies Secure and adds Strict-Transport-Security.
	PublicURL string
	// IPExtractor finds the client's address (for rate limits and the audit
	// log); default the connection's peer. Behind a proxy use one of echo's
	// extractors that trusts it.
	IPExtractor echo.IPExtractor
	Log         *slog.Logger
	// OIDC, if set, adds "Sign in with <provider>"; see OIDCConfig.
	OIDC *OIDCConfig
	// Actions, if set, offers the supervisor actions on a referral page
	// (cancel, page now, close, mark followed up) and the community
	// referral form, and carries them out; nil hides them.
	Actions Actions
	// MapTiles is an optional tile URL template for the referral page's
	// map ("https://tile.example.org/{z}/{x}/{y}.png"; https, one host): that
	// page's Content-Security-Policy then allows images from its origin.
	// Without it the map shows the point and the cohort's outline only.
	MapTiles string
	// MapAttribution is the tiles' attribution, shown under the map.
	MapAttribution string
	// DemoSignIn offers a one-click sign-in as any staff member, at
	// /signin/demo. Only `leadline demo` sets it; New refuses it unless
	// PublicURL is a loopback http address.
	DemoSignIn bool
}

// Server is the console's HTTP handler and the state it shares across
// requests.
type Server struct {
	prog    *program.Program
	rdb     redis.UniversalClient
	texter  Texter
	now     func() time.Time
	log     *slog.Logger
	keys    referral.Sealer
	secure  bool
	public  *url.URL
	csrf    csrfKeys
	audit   *Audit
	pages   map[string]*template.Template
	echo    *echo.Echo
	oidc    *oidcLogin
	sending sync.WaitGroup

	referrals       *referral.Store
	oncall          *oncall.Store   // the calendar, its overrides and feeds
	plans           *followup.Plans // read only: the follow-ups each case manager owes
	appts           Appointments    // read only: appointments and consents awaited; nil without a datakey.Keys
	feed            *feed
	actions         Actions
	tiles           string
	tileOrigin      string
	tileAttribution string
	demo            bool
}

// New builds the console. Program, Redis, Texter, Clock and Keys are required.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Program == nil:
		return nil, errors.New("console: Config.Program is required")
	case cfg.Redis == nil:
		return nil, errors.New("console: Config.Redis is required")
	case cfg.Texter == nil:
		return nil, errors.New("console: Config.Texter is required")
	case cfg.Clock == nil:
		return nil, errors.New("console: Config.Clock is required")
	case cfg.Keys == nil:
		return nil, errors.New("console: Config.Keys is required")
	}
	pub, err := url.Parse(strings.TrimRight(cfg.PublicURL, "/"))
	if err != nil || (cfg.PublicURL != "" && (pub.Scheme != "http" && pub.Scheme != "https" || pub.Host == "")) {
		return nil, errors.New("console: Config.PublicURL must be an http(s) URL")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	origin, err := tileOrigin(cfg.MapTiles)
	if err != nil {
		return nil, err
	}
	if cfg.DemoSignIn && !loopback(pub) {
		return nil, errors.New("console: DemoSignIn is for the demo only: PublicURL must be http://127.0.0.1 or localhost")
	}
	s := &Server{prog: cfg.Program, rdb: cfg.Redis, texter: cfg.Texter, now: cfg.Clock, log: cfg.Log, keys: cfg.Keys,
		secure: pub.Scheme == "https", public: pub, csrf: csrfKeys{rdb: cfg.Redis},
		audit:     NewAudit(cfg.Redis, cfg.Clock, cfg.Program.Retention.Records),
		referrals: referral.NewStore(cfg.Redis, nil, cfg.Clock, cfg.Program.Retention.Details, cfg.Keys),
		oncall:    oncall.New(cfg.Redis, cfg.Program, cfg.Clock, cfg.Log),
		actions:   cfg.Actions, tiles: cfg.MapTiles, tileOrigin: origin, tileAttribution: cfg.MapAttribution,
		demo: cfg.DemoSignIn}
	s.feed = newFeed(s)
	// The caseloads read what the service keeps, through the packages that
	// own it; they send nothing, so no notifier or timer queue.
	s.plans = followup.New(cfg.Program, cfg.Redis, s.referrals, nil, nil, cfg.Clock, cfg.Log)
	if k, ok := cfg.Keys.(appointment.Keys); ok {
		s.appts = appointment.New(cfg.Program, cfg.Redis, s.referrals, nil, nil, k, cfg.Clock, cfg.Log)
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if cfg.OIDC != nil {
		if s.oidc, err = newOIDCLogin(*cfg.OIDC, pub); err != nil {
			return nil, err
		}
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = cfg.IPExtractor
	if e.IPExtractor == nil {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	e.HTTPErrorHandler = s.errorPage
	e.Use(middleware.Recover(), middleware.BodyLimit("16K"), s.headers, s.signedIn, s.checkCSRF)
	static, _ := fs.Sub(staticFS, "static")
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", staticHandler(static))))
	e.GET("/", s.board, s.require())
	e.GET("/me", s.home, s.require())
	e.GET("/board/events", s.boardEvents, s.require())
	e.GET("/referrals/:code", s.referralPage, s.require())
	e.GET("/areas/:file", s.areaGeoJSON, s.require())
	e.GET("/dashboard", s.dashboard, s.require(dashboardRoles...))
	e.GET("/oncall", s.calendar, s.require(dashboardRoles...))
	e.GET("/oncall/feeds", s.feedsPage, s.require(dashboardRoles...))
	e.POST("/oncall/feeds", s.feedsSubmit, s.require(dashboardRoles...))
	e.GET("/ical/:file", s.icalFeed)
	e.POST("/oncall/overrides", s.overrideAdd, s.require(overrideEditors...))
	e.POST("/oncall/overrides/:id/remove", s.overrideRemove, s.require(overrideEditors...))
	e.GET("/caseloads", s.caseloads, s.require(caseloadRoles...))
	e.GET("/caseloads/:person", s.caseloadPerson, s.require(caseloadRoles...))
	e.GET("/map", s.mapPage, s.require(mapRoles...))
	e.GET("/dashboard/report.:format", s.reportDownload, s.require(dashboardRoles...), reportFormat)
	if s.actions != nil {
		e.GET("/referrals/:code/:action", s.actionForm, s.require(), s.actionAllowed)
		e.POST("/referrals/:code/:action", s.actionSubmit, s.require(), s.actionAllowed)
		e.GET("/community", s.communityForm, s.require(community...))
		e.POST("/community", s.communitySubmit, s.require(community...))
	}
	if s.demo {
		e.GET("/signin/demo", s.demoSignInForm)
		e.POST("/signin/demo", s.demoSignIn)
	}
	e.GET("/signin", s.signInForm)
	e.POST("/signin", s.askForCode)
	e.GET("/signin/code", s.codeForm)
	e.POST("/signin/code", s.checkCodeEntry)
	e.POST("/signout", s.signOut, s.require())
	e.GET("/audit", s.auditPage, s.require(program.ProgramManager))
	e.GET("/audit.csv", s.auditCSV, s.require(program.ProgramManager))
	if s.oidc != nil {
		e.GET("/signin/oidc", s.oidcStart)
		e.GET("/signin/oidc/callback", s.oidcCallback)
	}
	s.echo = e
	return s, nil
}

// Handler is the console as an http.Handler, for every path it serves: /
// (the board), /board/events, /referrals/…, /areas/…, /me, /signin…,
// /signout, /audit, /audit.csv, /static/…, and with Actions /community.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo is the console's router, for the pages added on top of it: a route
// with Require gets the signed-in Viewer and CSRF checks, and Render draws
// a page from templates/.
func (s *Server) Echo() *echo.Echo { return s.echo }

// Audit is the console's audit log, for pages to Record what people do.
func (s *Server) Audit() *Audit { return s.audit }

// Wait blocks until every sign-in code being handed to the Texter has
// been; call it before exiting (tests call it before reading phones).
func (s *Server) Wait() { s.sending.Wait() }

// Require is route middleware: only a signed-in person, and if roles are
// given only one with one of them, may pass; anyone else signed in gets
// 403, anyone not signed in is sent to sign in.
func (s *Server) Require(roles ...program.Role) echo.MiddlewareFunc { return s.require(roles...) }
