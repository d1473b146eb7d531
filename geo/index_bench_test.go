package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// stateBound is about Pennsylvania's size.
var stateBound = orb.Bound{Min: orb.Point{-80.5, 39.7}, Max: orb.Point{-74.7, 42.3}}

// gridAreas lays n polygons (n a square) over stateBound, one per cell of
// a grid: an irregular 8 to 12-gon around the cell's centre covering about
// a third of the cell. Cohorts take blocks of 10×10 cells.
func gridAreas(n int) *Areas {
	side := int(math.Sqrt(float64(n)))
	w := (stateBound.Max[0] - stateBound.Min[0]) / float64(side)
	h := (stateBound.Max[1] - stateBound.Min[1]) / float64(side)
	rng := rand.New(rand.NewPCG(3, 4))
	byCohort := map[string][]orb.Polygon{}
	for i := range side {
		for j := range side {
			cx := stateBound.Min[0] + (float64(i)+0.5)*w
			cy := stateBound.Min[1] + (float64(j)+0.5)*h
			k := 8 + rng.IntN(5)
			ring := make(orb.Ring, 0, k+1)
			for v := range k {
				angle := 2 * math.Pi * float64(v) / float64(k)
				r := 0.31 + 0.05*rng.Float64() // of the cell
				ring = append(ring, orb.Point{cx + r*w*math.Cos(angle), cy + r*h*math.Sin(angle)})
			}
			ring = append(ring, ring[0])
			id := fmt.Sprintf("c%03d-%03d", i/10, j/10)
			byCohort[id] = append(byCohort[id], orb.Polygon{ring})
		}
	}
	return newAreas(byCohort)
}

// statePoints are spread uniformly over stateBound.
func statePoints() []orb.Point {
	rng := rand.New(rand.NewPCG(5, 6))
	pts := make([]orb.Point, 4096)
	for i := range pts {
		pts[i] = orb.Point{
			stateBound.Min[0] + (stateBound.Max[0]-stateBound.Min[0])*rng.Float64(),
			stateBound.Min[1] + (stateBound.Max[1]-stateBound.Min[1])*rng.Float64(),
		}
	}
	return pts
}

// locatePlain is a plain loop over the polygons, without even a bounds check:
// what Locate would cost with no index at all.
func locatePlain(a *Areas, p orb.Point) (string, bool) {
	for _, ip := range a.polys {
		if planar.PolygonContains(ip.poly, p) {
			return a.cohorts[ip.cohort].ID, true
		}
	}
	return "", false
}

func benchmarkGridLocate(b *testing.B, locate func(*Areas, orb.Point) (string, bool)) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			a := gridAreas(n)
			pts := statePoints()
			inside := 0
			for _, p := range pts {
				if _, ok := locate(a, p); ok {
					inside++
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				locate(a, pts[i%len(pts)])
				i++
			}
			b.ReportMetric(100*float64(inside)/float64(len(pts)), "%inside")
		})
	}
}

func BenchmarkLocateIndexed(b *testing.B) {
	benchmarkGridLocate(b, (*Areas).Locate)
}

func BenchmarkLocateLinear(b *testing.B) {
	benchmarkGridLocate(b, locatePlain)
}
