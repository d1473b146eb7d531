package webhooks

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/oncall"
)

// OnCallAdmin reads and changes who is on call. oncall.Store is one.
type OnCallAdmin interface {
	At(ctx context.Context, cohort string, t time.Time) (oncall.Shift, error)
	Upcoming(ctx context.Context, cohort string, from time.Time, n int) ([]oncall.Shift, error)
	Request(ctx context.Context, r oncall.OverrideRequest) (oncall.Shift, error)
	DeleteOverride(ctx context.Context, id string) error
	Overrides(ctx context.Context, cohort string) ([]oncall.Shift, error)
}

// The admin API's limits on `next?count=`.
const (
	defaultNextCount = 7
	maxNextCount     = 100
)

// adminRoutes serves the on-call admin API under /admin/oncall, every
// request of it checked against the admin token first.
func (s *Server) adminRoutes() {
	g := s.ops.Group("/admin/oncall", s.adminAuth)
	g.RouteNotFound("/*", func(c echo.Context) error { return adminError(c, http.StatusNotFound, "not found") })
	g.GET("", s.adminShow)
	g.GET("/overrides", s.adminOverrides)
	g.POST("/overrides", s.adminAddOverride)
	g.DELETE("/overrides/:id", s.adminDeleteOverride)
	g.GET("/:cohort/next", s.adminNext)
}

// adminAuth refuses any request without the admin token as a bearer
// token, before anything reads its body or the store. The token is
// compared in constant time (of hashes, so its length leaks neither).
func (s *Server) adminAuth(next echo.HandlerFunc) echo.HandlerFunc {
	want := sha256.Sum256([]byte(s.cfg.AdminToken))
	return func(c echo.Context) error {
		scheme, token, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		got := sha256.Sum256([]byte(strings.TrimSpace(token)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			s.log.Warn("admin request refused: no valid bearer token", "method", c.Request().Method,
				"path", c.Request().URL.Path, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, "Bearer")
			return adminError(c, http.StatusUnauthorized, "a valid bearer token is required")
		}
		return next(c)
	}
}

// adminShow answers GET /admin/oncall[?at=RFC3339][&cohort=ID]: who is on
// call in each cohort (or the one asked for) at that time, now by default.
// A cohort with nobody on call has person "".
func (s *Server) adminShow(c echo.Context) error {
	at := s.cfg.Now()
	if q := c.QueryParam("at"); q != "" {
		// An unescaped "+01:00" arrives as " 01:00"; RFC 3339 has no spaces.
		t, err := time.Parse(time.RFC3339, strings.ReplaceAll(q, " ", "+"))
		if err != nil {
			return adminError(c, http.StatusBadRequest, fmt.Sprintf("at %q: want an RFC 3339 time like 2026-11-23T09:00:00-05:00", q))
		}
		at = t
	}
	cohorts, ok := s.adminCohorts(c)
	if !ok {
		return adminError(c, http.StatusNotFound, fmt.Sprintf("unknown cohort %q", c.QueryParam("cohort")))
	}
	ctx := c.Request().Context()
	out := make([]oncall.Shift, 0, len(cohorts))
	for _, id := range cohorts {
		sh, err := s.cfg.OnCall.At(ctx, id, at)
		if err != nil && !errors.Is(err, oncall.ErrNobody) {
			return s.adminFailed(c, "on call", err)
		}
		sh.Cohort = id
		out = append(out, sh)
	}
	return c.JSON(http.StatusOK, map[string][]oncall.Shift{"oncall": out})
}

// adminNext answers GET /admin/oncall/{cohort}/next?count=N: the shifts
// from the one under way now.
func (s *Server) adminNext(c echo.Context) error {
	cohort := c.Param("cohort")
	if !slices.Contains(s.cfg.Cohorts, cohort) {
		return adminError(c, http.StatusNotFound, fmt.Sprintf("unknown cohort %q", cohort))
	}
	n := defaultNextCount
	if q := c.QueryParam("count"); q != "" {
		var err error
		if n, err = strconv.Atoi(q); err != nil || n < 1 || n > maxNextCount {
			return adminError(c, http.StatusBadRequest, fmt.Sprintf("count %q: want 1 to %d", q, maxNextCount))
		}
	}
	shifts, err := s.cfg.OnCall.Upcoming(c.Request().Context(), cohort, s.cfg.Now(), n)
	if err != nil {
		return s.adminFailed(c, "upcoming shifts", err)
	}
	if shifts == nil {
		shifts = []oncall.Shift{}
	}
	return c.JSON(http.StatusOK, map[string][]oncall.Shift{"shifts": shifts})
}

// adminOverrides answers GET /admin/oncall/overrides[?cohort=ID]: every
// override of each cohort (or the one asked for), earliest first.
func (s *Server) adminOverrides(c echo.Context) error {
	cohorts, ok := s.adminCohorts(c)
	if !ok {
		return adminError(c, http.StatusNotFound, fmt.Sprintf("unknown cohort %q", c.QueryParam("cohort")))
	}
	out := []oncall.Shift{}
	for _, id := range cohorts {
		list, err := s.cfg.OnCall.Overrides(c.Request().Context(), id)
		if err != nil {
			return s.adminFailed(c, "overrides", err)
		}
		out = append(out, list...)
	}
	return c.JSON(http.StatusOK, map[string][]oncall.Shift{"overrides": out})
}

// adminAddOverride answers POST /admin/oncall/overrides with a body that
// is an oncall.OverrideRequest: 201 with the override, 409 when it
// overlaps another, 400 when it is not valid. The console's calendar adds
// overrides through the same oncall.Store.Request.
func (s *Server) adminAddOverride(c echo.Context) error {
	var req oncall.OverrideRequest
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return adminError(c, http.StatusBadRequest, "body: want JSON like "+
			`{"cohort":"north","person":"bnguyen","from":"2026-11-23T13:00:00-05:00","for":"4h"}`)
	}
	o, err := s.cfg.OnCall.Request(c.Request().Context(), req)
	switch {
	case errors.Is(err, oncall.ErrOverlap):
		return adminError(c, http.StatusConflict, err.Error())
	case errors.Is(err, oncall.ErrInvalid):
		return adminError(c, http.StatusBadRequest, err.Error())
	case err != nil:
		return s.adminFailed(c, "add override", err)
	}
	s.log.Info("admin: on-call override added", "override", o.Override, "cohort", o.Cohort, "person", o.Person)
	return c.JSON(http.StatusCreated, o)
}

// adminDeleteOverride answers DELETE /admin/oncall/overrides/{id}: 204, or
// 404 when there is no such override.
func (s *Server) adminDeleteOverride(c echo.Context) error {
	id := c.Param("id")
	err := s.cfg.OnCall.DeleteOverride(c.Request().Context(), id)
	switch {
	case errors.Is(err, oncall.ErrNoOverride):
		return adminError(c, http.StatusNotFound, "no such override "+id)
	case err != nil:
		return s.adminFailed(c, "delete override", err)
	}
	s.log.Info("admin: on-call override deleted", "override", id)
	return c.NoContent(http.StatusNoContent)
}

// adminCohorts are the cohorts a request asks about: ?cohort=ID, or all.
// ok is false for an unknown one.
func (s *Server) adminCohorts(c echo.Context) (ids []string, ok bool) {
	id := c.QueryParam("cohort")
	if id == "" {
		return s.cfg.Cohorts, true
	}
	if !slices.Contains(s.cfg.Cohorts, id) {
		return nil, false
	}
	return []string{id}, true
}

// adminFailed logs an error of the store and answers 500.
func (s *Server) adminFailed(c echo.Context, what string, err error) error {
	s.log.Error("admin: "+what, "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	return adminError(c, http.StatusInternalServerError, what+" failed")
}

func adminError(c echo.Context, status int, msg string) error {
	return c.JSON(status, map[string]string{"error": msg})
}
