package geo

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"
)

// areaIndex is an R-tree over the bounds of Areas.polys, so that a lookup
// looks at the few polygons near a point rather than every one of a
// statewide program's thousands.
type areaIndex struct {
	tree rtree.RTreeG[int] // polygon bounds → index into Areas.polys
	// holes holds the bounds of each polygon's holes (rings 1…), so a point
	// outside a hole's box skips that ring without a pass over its vertices.
	holes [][]orb.Bound
	bound orb.Bound // of every polygon; zero when there are none
}

// index returns the spatial index, built by the first lookup and shared
// by every later one, from any goroutine.
func (a *Areas) index() *areaIndex {
	a.indexOnce.Do(func() { a.idx = newAreaIndex(a.polys) })
	return a.idx
}

func newAreaIndex(polys []indexedPolygon) *areaIndex {
	ix := &areaIndex{holes: make([][]orb.Bound, len(polys))}
	for i, ip := range polys {
		ix.tree.Insert(ip.bound.Min, ip.bound.Max, i)
		if i == 0 {
			ix.bound = ip.bound
		} else {
			ix.bound = ix.bound.Union(ip.bound)
		}
		if len(ip.poly) > 1 {
			hb := make([]orb.Bound, len(ip.poly)-1)
			for h, r := range ip.poly[1:] {
				hb[h] = r.Bound()
			}
			ix.holes[i] = hb
		}
	}
	return ix
}

// locate returns the lowest index of a polygon containing p, or -1.
func (ix *areaIndex) locate(polys []indexedPolygon, p orb.Point) int {
	best := -1
	ix.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if (best < 0 || i < best) && ix.contains(polys[i].poly, i, p) {
			best = i
		}
		return true
	})
	return best
}

// contains is planar.PolygonContains for polys[i], given that p is already
// known to be within the polygon's bounds.
func (ix *areaIndex) contains(poly orb.Polygon, i int, p orb.Point) bool {
	if !ringContains(poly[0], p) {
		return false
	}
	for h, b := range ix.holes[i] {
		if b.Contains(p) && ringContains(poly[h+1], p) {
			return false
		}
	}
	return true
}

// nearby calls visit with polygon indexes in order of the distance from
// pr's origin to their bounds, nearest first, with that distance squared in
// metres², until visit returns false.
func (ix *areaIndex) nearby(pr localProjection, visit func(i int, boxSq float64) bool) {
	ix.tree.Nearby(
		func(min, max [2]float64, _ int, _ bool) float64 {
			return pr.boundDistSq(orb.Bound{Min: min, Max: max})
		},
		func(_, _ [2]float64, i int, boxSq float64) bool {
			return visit(i, boxSq)
		},
	)
}

// ringContains is planar.RingContains without its bounds check, which
// costs a pass over the ring on every call; callers check bounds they
// computed once. It casts a ray towards +x with the same edge rules as
// orb/planar, so points on the ring are inside and results are identical.
func ringContains(r orb.Ring, p orb.Point) bool {
	if len(r) == 0 {
		return false
	}
	in, on := rayCrossing(p, r[0], r[len(r)-1])
	if on {
		return true
	}
	for i := 1; i < len(r); i++ {
		cross, on := rayCrossing(p, r[i-1], r[i])
		if on {
			return true
		}
		if cross {
			in = !in
		}
	}
	return in
}

// rayCrossing reports whether the edge s-e crosses the ray from p, and
// whether p lies on the edge. A ray through a vertex is moved a hair
// towards +x, so a vertex is counted once.
func rayCrossing(p, s, e orb.Point) (cross, on bool) {
	if s[0] > e[0] {
		s, e = e, s
	}
	switch p[0] {
	case s[0]:
		if p[1] == s[1] {
			return false, true
		}
		if s[0] == e[0] && p[1] >= math.Min(s[1], e[1]) && p[1] <= math.Max(s[1], e[1]) {
			return false, true // on a vertical edge
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	case e[0]:
		if p[1] == e[1] {
			return false, true
		}
		p[0] = math.Nextafter(p[0], math.Inf(1))
	}
	if p[0] < s[0] || p[0] > e[0] {
		return false, false
	}
	lo, hi := s[1], e[1]
	if lo > hi {
		lo, hi = hi, lo
	}
	switch {
	case p[1] > hi:
		return false, false
	case p[1] < lo:
		return true, false
	}
	rs := (p[1] - s[1]) / (p[0] - s[0])
	ds := (e[1] - s[1]) / (e[0] - s[0])
	if rs == ds {
		return false, true
	}
	return rs <= ds, false
}
