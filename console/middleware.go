package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
)

// contentSecurityPolicy allows scripts, styles and images only from the
// console itself: no inline script or style, no framing, forms only to
// the console. Board pages that show map tiles add the tile server to
// img-src here.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// headers sets the security headers of every answer.
func (s *Server) headers(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), payment=(), usb=()")
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(c.Request().URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// signedIn finds the request's session, if any, and its Viewer. A session
// that has run out, or whose person is no longer staff in the config (left
// the program, or became an officer), is ended here, on every request.
func (s *Server) signedIn(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") {
			return next(c)
		}
		id := s.cookie(c.Request(), sessionCookie)
		if id == "" {
			return next(c)
		}
		ctx := c.Request().Context()
		ss, err := s.session(ctx, id)
		if errors.Is(err, errNoSession) {
			s.setCookie(c.Response(), sessionCookie, "", -1)
			c.Set(endedCtx, true)
			return next(c)
		}
		if err != nil {
			return err
		}
		p, ok := s.prog.Person(ss.Person)
		if !ok || !p.Role.Staff() {
			if err := s.endSession(ctx, id); err != nil {
				return err
			}
			s.setCookie(c.Response(), sessionCookie, "", -1)
			c.Set(endedCtx, true)
			return next(c)
		}
		c.Set(viewerKey, &Viewer{Person: p, Cohorts: s.prog.CohortsOf(p.ID), Session: ss})
		return next(c)
	}
}

// csrfBinding is what the request's CSRF token is bound to: the session
// when signed in, else an anonymous cookie, made here if the browser has
// none yet.
func (s *Server) csrfBinding(c echo.Context, create bool) string {
	if v := ViewerOf(c); v != nil {
		return "session:" + v.Session.id
	}
	a := s.cookie(c.Request(), anonCookie)
	if a == "" && create {
		a = newToken()
		s.setCookie(c.Response(), anonCookie, a, 0)
		// Later reads in this request see it.
		c.Request().AddCookie(&http.Cookie{Name: s.cookieName(anonCookie), Value: a})
	}
	if a == "" {
		return ""
	}
	return "anon:" + a
}

// csrfToken is the token a page's forms carry.
func (s *Server) csrfToken(c echo.Context) (string, error) {
	if t, ok := c.Get(csrfCtx).(string); ok {
		return t, nil
	}
	t, err := s.csrf.token(c.Request().Context(), s.csrfBinding(c, true))
	if err != nil {
		return "", err
	}
	c.Set(csrfCtx, t)
	return t, nil
}

// checkCSRF refuses any POST (or other unsafe method) without the token of
// its session or anonymous cookie, before any handler reads it.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		got := c.Request().Header.Get(csrfHeader)
		if got == "" {
			got = c.FormValue(csrfField)
		}
		binding := s.csrfBinding(c, false)
		ok := false
		if binding != "" {
			var err error
			if ok, err = s.csrf.check(c.Request().Context(), binding, got); err != nil {
				return err
			}
		}
		if !ok {
			return echo.NewHTTPError(http.StatusForbidden, "This form has expired or did not come from the console. Go back, reload the page and try again.")
		}
		return next(c)
	}
}

// require is Require.
func (s *Server) require(roles ...program.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			v := ViewerOf(c)
			if v == nil {
				to := "/signin"
				if ended, _ := c.Get(endedCtx).(bool); ended {
					to += "?ended=1"
				}
				return c.Redirect(http.StatusSeeOther, to)
			}
			if len(roles) > 0 && !v.Is(roles...) {
				return echo.NewHTTPError(http.StatusForbidden, "This page is not open to your role.")
			}
			return next(c)
		}
	}
}
