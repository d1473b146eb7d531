package webhooks

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/lockout"
)

// LockoutAdmin lists and lifts the voice line's sign-in locks.
// lockout.Guard is one.
type LockoutAdmin interface {
	Locks(ctx context.Context) ([]lockout.Lock, error)
	UnlockBadge(ctx context.Context, badge, by string) (bool, error)
	UnlockNumber(ctx context.Context, number, by string) (bool, error)
}

// lockoutRoutes serves /admin/lockouts behind the admin token: GET lists
// the locks in force, POST /admin/lockouts/unlock lifts one.
func (s *Server) lockoutRoutes() {
	g := s.ops.Group("/admin/lockouts", s.adminAuth)
	g.GET("", s.adminLocks)
	g.POST("/unlock", s.adminUnlock)
}

func (s *Server) adminLocks(c echo.Context) error {
	locks, err := s.cfg.Lockouts.Locks(c.Request().Context())
	if err != nil {
		return s.adminFailed(c, "locks", err)
	}
	return c.JSON(http.StatusOK, map[string][]lockout.Lock{"locks": locks})
}

// unlockRequest is the body of POST /admin/lockouts/unlock: a badge, or a
// calling number in E.164; either lifts the lock on both.
type unlockRequest struct {
	Badge  string `json:"badge"`
	Number string `json:"number"`
}

var (
	adminBadge  = regexp.MustCompile(`^[0-9A-Za-z*]{1,20}$`)
	adminNumber = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// adminUnlock answers POST /admin/lockouts/unlock: 200 when a lock was
// lifted, 404 when nothing was locked, 400 for a body that names neither.
func (s *Server) adminUnlock(c echo.Context) error {
	var req unlockRequest
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || (req.Badge == "") == (req.Number == "") {
		return adminError(c, http.StatusBadRequest, `body: want JSON like {"badge":"2087"} or {"number":"+14125550999"}, one of them`)
	}
	ctx := c.Request().Context()
	var unlocked bool
	var err error
	switch {
	case req.Badge != "" && !adminBadge.MatchString(req.Badge):
		return adminError(c, http.StatusBadRequest, "badge: want up to 20 letters or digits")
	case req.Badge != "":
		unlocked, err = s.cfg.Lockouts.UnlockBadge(ctx, req.Badge, "admin API")
	case !adminNumber.MatchString(req.Number):
		return adminError(c, http.StatusBadRequest, "number: want E.164, like +14125550999")
	default:
		unlocked, err = s.cfg.Lockouts.UnlockNumber(ctx, req.Number, "admin API")
	}
	if err != nil {
		return s.adminFailed(c, "unlock", err)
	}
	if !unlocked {
		return adminError(c, http.StatusNotFound, "not locked")
	}
	return c.JSON(http.StatusOK, map[string]bool{"unlocked": true})
}
