package geo

import (
	"testing"

	"github.com/paulmach/orb"
)

// benchPoints is a 20×20 grid over the fixture's bounds plus a 10% margin,
// so it mixes points inside the city, in its rivers and outside it.
func benchPoints(a *Areas) []orb.Point {
	var b orb.Bound
	for i, c := range a.Cohorts() {
		if i == 0 {
			b = c.Area.Bound()
		} else {
			b = b.Union(c.Area.Bound())
		}
	}
	b = b.Pad(0.1 * (b.Max[0] - b.Min[0]))
	const n = 20
	pts := make([]orb.Point, 0, n*n)
	for i := range n {
		for j := range n {
			pts = append(pts, orb.Point{
				b.Min[0] + (b.Max[0]-b.Min[0])*(float64(i)+0.5)/n,
				b.Min[1] + (b.Max[1]-b.Min[1])*(float64(j)+0.5)/n,
			})
		}
	}
	return pts
}

func BenchmarkLocate(b *testing.B) {
	a := pittsburgh(b)
	pts := benchPoints(a)
	inside := 0
	for _, p := range pts {
		if _, ok := a.Locate(p); ok {
			inside++
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Locate(pts[i%len(pts)])
		i++
	}
	b.ReportMetric(100*float64(inside)/float64(len(pts)), "%inside")
}

func BenchmarkNearest(b *testing.B) {
	a := pittsburgh(b)
	pts := benchPoints(a)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Nearest(pts[i%len(pts)])
		i++
	}
}

func BenchmarkParseLocation(b *testing.B) {
	ps := testPlaces(b)
	inputs := []string{
		"40.4473,-80.0076",
		"https://www.google.com/maps/place/X/@40.44,-80.00,17z/data=!3m1!4b1!8m2!3d40.4471!4d-80.0079",
		"geo:0,0?q=40.44,-80.00(Label)",
		"ppg paints arena",
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = ParseLocation(inputs[i%len(inputs)], ps)
		i++
	}
}
