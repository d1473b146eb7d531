package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// locateLinear is Locate before the index: every polygon in order, so the
// first that contains p, the smallest cohort ID, wins.
func locateLinear(a *Areas, p orb.Point) (string, bool) {
	for _, ip := range a.polys {
		if ip.bound.Contains(p) && planar.PolygonContains(ip.poly, p) {
			return a.cohorts[ip.cohort].ID, true
		}
	}
	return "", false
}

// nearestLinear is Nearest before the index.
func nearestLinear(a *Areas, p orb.Point) (string, float64) {
	if id, ok := locateLinear(a, p); ok {
		return id, 0
	}
	pr := newLocalProjection(p)
	best, bestSq := "", math.Inf(1)
	for _, ip := range a.polys {
		if pr.boundDistSq(ip.bound) >= bestSq {
			continue
		}
		if d := pr.polygonDistSq(ip.poly, bestSq); d < bestSq {
			best, bestSq = a.cohorts[ip.cohort].ID, d
		}
	}
	return best, math.Sqrt(bestSq)
}

// nearLinear is Near by measuring every polygon.
func nearLinear(a *Areas, p orb.Point, tolerance float64) (string, bool) {
	if _, ok := locateLinear(a, p); ok {
		return "", false
	}
	pr := newLocalProjection(p)
	within := map[string]bool{}
	for _, ip := range a.polys {
		if pr.boundDistSq(ip.bound) <= tolerance*tolerance && pr.polygonDistSq(ip.poly, math.Inf(1)) <= tolerance*tolerance {
			within[a.cohorts[ip.cohort].ID] = true
		}
	}
	if len(within) != 1 {
		return "", false
	}
	for id := range within {
		return id, true
	}
	return "", false
}

// checkPoints are a 100×100 grid over the fixture's bounds plus 10% and
// 2,000 random points over the same box.
func checkPoints(a *Areas) []orb.Point {
	b := a.Bound()
	b = b.Pad(0.1 * (b.Max[0] - b.Min[0]))
	const n = 100
	pts := make([]orb.Point, 0, n*n+2000)
	for i := range n {
		for j := range n {
			pts = append(pts, orb.Point{
				b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/(n-1),
				b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/(n-1),
			})
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		pts = append(pts, orb.Point{
			b.Min[0] + (b.Max[0]-b.Min[0])*rng.Float64(),
			b.Min[1] + (b.Max[1]-b.Min[1])*rng.Float64(),
		})
	}
	return pts
}

// boundaryPoints are every vertex of every ring and the midpoint of every
// edge: the points where containment rules, not geometry, decide.
func boundaryPoints(a *Areas) []orb.Point {
	var pts []orb.Point
	for _, ip := range a.polys {
		for _, r := range ip.poly {
			for i, q := range r {
				pts = append(pts, q)
				if i > 0 {
					pts = append(pts, orb.Point{(r[i-1][0] + q[0]) / 2, (r[i-1][1] + q[1]) / 2})
				}
			}
		}
	}
	return pts
}

func TestIndexMatchesLinear(t *testing.T) {
	t.Parallel()
	holes, err := ParseAreas("holes.geojson", []byte(holesGeoJSON), AreaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, a := range map[string]*Areas{"pittsburgh": pittsburgh(t), "holes": holes} {
		t.Run(name, func(t *testing.T) {
			for _, p := range boundaryPoints(a) {
				got, ok := a.Locate(p)
				want, wantOK := locateLinear(a, p)
				if got != want || ok != wantOK {
					t.Fatalf("Locate(%v) = %q, %v; linear %q, %v", p, got, ok, want, wantOK)
				}
			}
			inside, outside, near50 := 0, 0, 0
			for _, p := range checkPoints(a) {
				got, ok := a.Locate(p)
				want, wantOK := locateLinear(a, p)
				if got != want || ok != wantOK {
					t.Fatalf("Locate(%v) = %q, %v; linear %q, %v", p, got, ok, want, wantOK)
				}
				if ok {
					inside++
				} else {
					outside++
				}
				if _, ok := a.Near(p, 50); ok {
					near50++
				}
				near, m := a.Nearest(p)
				wantNear, wantM := nearestLinear(a, p)
				if near != wantNear || m != wantM {
					t.Fatalf("Nearest(%v) = %q, %v; linear %q, %v", p, near, m, wantNear, wantM)
				}
				for _, tol := range []float64{0, 50, 500} {
					near, ok := a.Near(p, tol)
					wantNear, wantOK := nearLinear(a, p, tol)
					if near != wantNear || ok != wantOK {
						t.Fatalf("Near(%v, %v) = %q, %v; linear %q, %v", p, tol, near, ok, wantNear, wantOK)
					}
				}
			}
			t.Logf("%d points inside, %d outside, %d within 50 m of one cohort", inside, outside, near50)
			if inside == 0 || outside == 0 || near50 == 0 {
				t.Error("the check needs points inside, outside and near")
			}
		})
	}
}

func TestRingContainsMatchesPlanar(t *testing.T) {
	t.Parallel()
	a := pittsburgh(t)
	pts := append(checkPoints(a), boundaryPoints(a)...)
	for _, ip := range a.polys {
		for _, r := range ip.poly {
			b := r.Bound()
			for _, p := range pts {
				if !b.Contains(p) {
					continue
				}
				if got, want := ringContains(r, p), planar.RingContains(r, p); got != want {
					t.Fatalf("ringContains(%v) = %v, planar says %v", p, got, want)
				}
			}
		}
	}
}

// twoSquares has cohorts "east" and "west", 1 km squares 20 m apart.
func twoSquares(t testing.TB) (a *Areas, gapLon float64, lonPerMetre float64) {
	t.Helper()
	const lat = 40.44
	lonPerMetre = 1 / (orb.EarthRadius * math.Pi / 180 * math.Cos(lat*math.Pi/180))
	latPerMetre := 1 / (orb.EarthRadius * math.Pi / 180)
	square := func(west float64) orb.Polygon {
		east := west + 1000*lonPerMetre
		south, north := lat-500*latPerMetre, lat+500*latPerMetre
		return orb.Polygon{{{west, south}, {east, south}, {east, north}, {west, north}, {west, south}}}
	}
	gapLon = -80 + 1000*lonPerMetre // the west square's east edge
	a = newAreas(map[string][]orb.Polygon{
		"west": {square(-80)},
		"east": {square(gapLon + 20*lonPerMetre)},
	})
	return a, gapLon, lonPerMetre
}

func TestNear(t *testing.T) {
	a, edge, perM := twoSquares(t)
	const lat = 40.44
	tests := []struct {
		name      string
		p         orb.Point
		tolerance float64
		want      string
		wantOK    bool
	}{
		{"inside west", orb.Point{edge - 10*perM, lat}, 50, "", false},
		{"5 m off west's outer edge", orb.Point{-80 - 5*perM, lat}, 50, "west", true},
		{"5 m off east's outer edge", orb.Point{edge + 1025*perM, lat}, 50, "east", true},
		{"200 m off west's outer edge", orb.Point{-80 - 200*perM, lat}, 50, "", false},
		{"in the gap, 10 m from each", orb.Point{edge + 10*perM, lat}, 50, "", false},
		{"in the gap, 5 m from west, tolerance 10", orb.Point{edge + 5*perM, lat}, 10, "west", true},
		{"negative tolerance", orb.Point{-80 - 5*perM, lat}, -1, "", false},
		{"NaN tolerance", orb.Point{-80 - 5*perM, lat}, math.NaN(), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := a.Near(tt.p, tt.tolerance)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Near = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestNearPittsburgh(t *testing.T) {
	a := pittsburgh(t)
	// The city's westernmost vertex; a point due west of it is outside
	// every neighbourhood's bounds.
	west := a.polys[0].poly[0][0]
	for _, ip := range a.polys {
		for _, q := range ip.poly[0] {
			if q[0] < west[0] {
				west = q
			}
		}
	}
	perM := 1 / (orb.EarthRadius * math.Pi / 180 * math.Cos(west[1]*math.Pi/180))
	wantID, _ := nearestLinear(a, west)
	t.Logf("westernmost vertex %v, of %s", west, wantID)
	if id, ok := a.Near(orb.Point{west[0] - 5*perM, west[1]}, 50); !ok || id != wantID {
		t.Errorf("5 m west: Near = %q, %v; want %q", id, ok, wantID)
	}
	if id, ok := a.Near(orb.Point{west[0] - 200*perM, west[1]}, 50); ok {
		t.Errorf("200 m west: Near = %q, want nothing", id)
	}
}

func TestBound(t *testing.T) {
	a := pittsburgh(t)
	var want orb.Bound
	for i, c := range a.Cohorts() {
		if i == 0 {
			want = c.Area.Bound()
		} else {
			want = want.Union(c.Area.Bound())
		}
	}
	if got := a.Bound(); !got.Equal(want) {
		t.Errorf("Bound = %v, want %v", got, want)
	}
	var nilAreas *Areas
	for name, a := range map[string]*Areas{"nil": nilAreas, "empty": newAreas(nil)} {
		if got := a.Bound(); !got.Equal(orb.Bound{}) {
			t.Errorf("%s: Bound = %v, want zero", name, got)
		}
		if id, ok := a.Near(orb.Point{-80, 40.44}, 50); ok {
			t.Errorf("%s: Near = %q", name, id)
		}
	}
}

// TestIndexConcurrentFirstUse has many goroutines make the first lookups
// at once, so the race detector sees the lazy build.
func TestIndexConcurrentFirstUse(t *testing.T) {
	a := pittsburgh(t)
	pts := checkPoints(a)[:400]
	want := make([]string, len(pts))
	for i, p := range pts {
		want[i], _ = nearestLinear(a, p)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := g; i < len(pts); i += 8 {
				if got, _ := a.Nearest(pts[i]); got != want[i] {
					errs <- fmt.Errorf("Nearest(%v) = %q, want %q", pts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
