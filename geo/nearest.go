package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Nearest returns the cohort with the area closest to p and the distance in
// metres from p to that area's nearest edge: 0 when p is inside. Between
// cohorts equally near, the smallest ID wins. With no areas it returns ""
// and +Inf.
//
// Distances use an equirectangular projection centred on p, which is
// accurate to well under 1% within 100 km: plenty to tell an officer how far
// outside a service area they are.
func (a *Areas) Nearest(p orb.Point) (cohort string, metres float64) {
	if a == nil {
		return "", math.Inf(1)
	}
	if id, ok := a.Locate(p); ok {
		return id, 0
	}
	pr := newLocalProjection(p)
	best, bestSq := -1, math.Inf(1)
	a.index().nearby(pr, func(i int, boxSq float64) bool {
		if boxSq > bestSq {
			return false // no edge in this box or any later one is nearer
		}
		// Ties go to the lowest polygon index, as for overlaps in Locate.
		if d := pr.polygonDistSq(a.polys[i].poly, math.Inf(1)); d < bestSq || d == bestSq && i < best {
			best, bestSq = i, d
		}
		return true
	})
	if best < 0 {
		return "", math.Inf(1)
	}
	return a.cohorts[a.polys[best].cohort].ID, math.Sqrt(bestSq)
}

// Near returns the cohort within tolerance metres of p, measured as
// Nearest does, for a point just outside every area: a location a few
// metres off a boundary, as geocoders and phones give. It reports false
// when p is inside a cohort (use Locate), when no cohort is that near, and
// when two or more are, since a point between cohorts is not guessed.
func (a *Areas) Near(p orb.Point, tolerance float64) (cohort string, ok bool) {
	if a == nil || !(tolerance >= 0) {
		return "", false
	}
	if _, in := a.Locate(p); in {
		return "", false
	}
	pr := newLocalProjection(p)
	tolSq := tolerance * tolerance
	found, ambiguous := -1, false
	a.index().nearby(pr, func(i int, boxSq float64) bool {
		if boxSq > tolSq {
			return false
		}
		c := a.polys[i].cohort
		if c == found || pr.polygonDistSq(a.polys[i].poly, math.Inf(1)) > tolSq {
			return true
		}
		if found >= 0 {
			ambiguous = true
			return false
		}
		found = c
		return true
	})
	if found < 0 || ambiguous {
		return "", false
	}
	return a.cohorts[found].ID, true
}

// localProjection maps lon/lat to metres east and north of an origin.
type localProjection struct {
	origin orb.Point
	kx, ky float64 // metres per degree of longitude and of latitude
}

func newLocalProjection(origin orb.Point) localProjection {
	ky := orb.EarthRadius * math.Pi / 180
	return localProjection{origin: origin, kx: ky * math.Cos(origin[1]*math.Pi/180), ky: ky}
}

func (pr localProjection) project(q orb.Point) (x, y float64) {
	return wrapDegrees(q[0]-pr.origin[0]) * pr.kx, (q[1] - pr.origin[1]) * pr.ky
}

// boundDistSq is a lower bound of the squared distance to anything in b:
// the projection scales each axis by a constant, so the box stays a box.
func (pr localProjection) boundDistSq(b orb.Bound) float64 {
	dx := intervalGap(pr.origin[0], b.Min[0], b.Max[0]) * pr.kx
	dy := intervalGap(pr.origin[1], b.Min[1], b.Max[1]) * pr.ky
	return dx*dx + dy*dy
}

// polygonDistSq is the squared distance from the origin to the nearest edge
// of any ring of poly. It stops early once it cannot beat limit.
func (pr localProjection) polygonDistSq(poly orb.Polygon, limit float64) float64 {
	best := limit
	for _, r := range poly {
		if len(r) == 0 {
			continue
		}
		ax, ay := pr.project(r[len(r)-1])
		for _, q := range r {
			bx, by := pr.project(q)
			if d := segmentDistSq(ax, ay, bx, by); d < best {
				best = d
			}
			ax, ay = bx, by
		}
	}
	return best
}

// segmentDistSq is the squared distance from (0,0) to the segment a-b.
func segmentDistSq(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	lenSq := dx*dx + dy*dy
	t := 0.0
	if lenSq > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/lenSq))
	}
	x, y := ax+t*dx, ay+t*dy
	return x*x + y*y
}

// intervalGap is how far v lies outside [lo, hi] in degrees, going the short
// way round for longitudes.
func intervalGap(v, lo, hi float64) float64 {
	if v >= lo && v <= hi {
		return 0
	}
	return math.Min(math.Abs(wrapDegrees(lo-v)), math.Abs(wrapDegrees(hi-v)))
}

// wrapDegrees brings an angle difference into [-180, 180].
func wrapDegrees(d float64) float64 {
	if d > 180 || d < -180 {
		d = math.Mod(d+180, 360)
		if d < 0 {
			d += 360
		}
		d -= 180
	}
	return d
}
