package console

import (
	"net"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
)

// loopback reports whether u is a plain-http address on this machine: the
// only place the demo's one-click sign-in may be offered.
func loopback(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

type demoData struct {
	People []program.Person
}

// demoSignInForm is GET /signin/demo (demo only): a button per staff
// member.
func (s *Server) demoSignInForm(c echo.Context) error {
	var staff []program.Person
	for _, p := range s.prog.People {
		if p.Role.Staff() {
			staff = append(staff, p)
		}
	}
	return s.Render(c, http.StatusOK, "demo", "Sign in as anyone (demo)", demoData{People: staff})
}

// demoSignIn is POST /signin/demo (demo only): a session for the person
// chosen, audited like any sign-in (via "demo").
func (s *Server) demoSignIn(c echo.Context) error {
	p, ok := s.prog.Person(c.FormValue("person"))
	if !ok || !p.Role.Staff() {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose a staff member.")
	}
	return s.startSession(c, p.ID, "demo")
}
