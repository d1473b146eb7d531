package console

import (
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/program"
)

// Viewer is the signed-in person of a request: who they are, what their
// role lets them see, and their session.
type Viewer struct {
	Person  *program.Person
	Cohorts []string // the cohorts whose work they see (program.CohortsOf)
	Session *Session
}

// Is reports whether the viewer has one of roles.
func (v *Viewer) Is(roles ...program.Role) bool { return slices.Contains(roles, v.Person.Role) }

// Sees reports whether the viewer may see a cohort's referrals.
func (v *Viewer) Sees(cohort string) bool { return slices.Contains(v.Cohorts, cohort) }

// AllCohorts reports whether the viewer sees the whole program.
func (v *Viewer) AllCohorts() bool { return v.Person.Role == program.ProgramManager }

const (
	viewerKey = "console.viewer"
	csrfCtx   = "console.csrf"
	endedCtx  = "console.ended"
)

// ViewerOf is the signed-in person of the request, or nil.
func ViewerOf(c echo.Context) *Viewer {
	v, _ := c.Get(viewerKey).(*Viewer)
	return v
}
