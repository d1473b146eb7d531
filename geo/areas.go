package geo

import (
	"sync"
	"time"

	"github.com/paulmach/orb"
)

// AreaOptions says how to read an areas file.
type AreaOptions struct {
	// CohortProperty is the feature property holding the cohort id;
	// features sharing an id form one cohort. Empty means "cohort".
	CohortProperty string
	// TimeZone is the program's zone. Areas far from its meridian are
	// reported, which catches files written as lat,lon instead of GeoJSON's
	// lon,lat. nil skips that check.
	TimeZone *time.Location
}

// Cohort is one service area: every polygon of the features that share its
// id. Its geometry is shared with the Areas it came from and must not be
// modified.
type Cohort struct {
	ID   string
	Area orb.MultiPolygon
	// SquareKm is the area on the sphere (orb/geo.Area), holes subtracted.
	SquareKm float64
}

// Areas are the cohorts' service areas, ready for point lookups. A nil
// *Areas has no cohorts. An Areas must not be copied.
type Areas struct {
	cohorts []Cohort // sorted by ID
	byID    map[string]int
	// polys lists every polygon with its bounds in cohort order, so where
	// areas overlap the lowest index, and so the smallest cohort ID, wins.
	polys []indexedPolygon

	indexOnce sync.Once
	idx       *areaIndex // built on first lookup; see index
}

type indexedPolygon struct {
	bound  orb.Bound
	poly   orb.Polygon
	cohort int // index into Areas.cohorts
}

// Cohorts returns the cohorts sorted by ID.
func (a *Areas) Cohorts() []Cohort {
	if a == nil {
		return nil
	}
	return append([]Cohort(nil), a.cohorts...)
}

// Has reports whether a cohort with this id has an area.
func (a *Areas) Has(id string) bool {
	if a == nil {
		return false
	}
	_, ok := a.byID[id]
	return ok
}

// Bound returns the bounds of every cohort's area: the zero Bound when
// there are none.
func (a *Areas) Bound() orb.Bound {
	if a == nil {
		return orb.Bound{}
	}
	return a.index().bound
}

// Locate returns the cohort whose area contains p. Points on an outer
// boundary count as inside; points in a hole, or exactly on its edge, do not
// (orb/planar's rule). Where areas overlap, the cohort
// with the smallest ID wins.
func (a *Areas) Locate(p orb.Point) (cohort string, ok bool) {
	if a == nil {
		return "", false
	}
	if i := a.index().locate(a.polys, p); i >= 0 {
		return a.cohorts[a.polys[i].cohort].ID, true
	}
	return "", false
}
