package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// intersection finds where the streets that left and right name meet, in
// each city where both exist. A city or zip may follow either street.
func (a *Addresses) intersection(left, right []string) []Match {
	l, lin := a.streetAndArea(left, false)
	r, rin := a.streetAndArea(right, false)
	if len(l) > 0 && len(r) > 0 {
		return a.crossings(l, r, lin, rin, false)
	}
	if len(l) == 0 {
		l, lin = a.streetAndArea(left, true)
	}
	if len(r) == 0 {
		r, rin = a.streetAndArea(right, true)
	}
	return a.crossings(l, r, lin, rin, true)
}

// crossings pairs the streets l and r of each city where they meet.
func (a *Addresses) crossings(l, r []int32, lin, rin addressArea, typo bool) []Match {
	var hits []addressHit
	for _, li := range l {
		for _, ri := range r {
			sl, sr := &a.streets[li], &a.streets[ri]
			if li == ri || sl.areaKey != sr.areaKey {
				continue
			}
			p, q, d, ok := a.meeting(sl, sr, lin.zip, rin.zip)
			if !ok {
				continue
			}
			label := sl.name + " & " + sr.name
			if sl.area != "" {
				label += ", " + sl.area
			}
			pp, qp := a.points[p].point(), a.points[q].point()
			hits = append(hits, addressHit{
				Match: Match{Point: orb.Point{(pp[0] + qp[0]) / 2, (pp[1] + qp[1]) / 2}, Label: label, Exact: !typo},
				gap:   d,
			})
		}
	}
	return rankHits(hits)
}

// meeting finds the closest pair of points of two streets (in zips zl, zr;
// -1 for any) at most intersectionMetres apart, and their distance.
func (a *Addresses) meeting(sl, sr *addrStreet, zl, zr int32) (p, q int32, metres float64, ok bool) {
	// Metres per 1e-7 degree, on a plane tangent at the first point: exact
	// enough over a few hundred metres.
	const m = 111_320 / 1e7
	ky := m
	kx := m * math.Cos(float64(a.points[sl.first].lat)/1e7*math.Pi/180)
	best := intersectionMetres * intersectionMetres
	gap := func(lo1, hi1, lo2, hi2 int32) float64 {
		return float64(max(0, int64(lo2)-int64(hi1), int64(lo1)-int64(hi2)))
	}
	for bl := sl.first; bl < sl.end; bl += addrBlock {
		boxL := a.boxes[sl.box+(bl-sl.first)/addrBlock]
		for br := sr.first; br < sr.end; br += addrBlock {
			boxR := a.boxes[sr.box+(br-sr.first)/addrBlock]
			dx := gap(boxL.minLon, boxL.maxLon, boxR.minLon, boxR.maxLon) * kx
			dy := gap(boxL.minLat, boxL.maxLat, boxR.minLat, boxR.maxLat) * ky
			if dx*dx+dy*dy > best {
				continue
			}
			for i := bl; i < min(bl+addrBlock, sl.end); i++ {
				pl := a.points[i]
				if zl >= 0 && pl.zip != zl {
					continue
				}
				for j := br; j < min(br+addrBlock, sr.end); j++ {
					pr := a.points[j]
					if zr >= 0 && pr.zip != zr {
						continue
					}
					dx := float64(int64(pl.lon)-int64(pr.lon)) * kx
					dy := float64(int64(pl.lat)-int64(pr.lat)) * ky
					if d := dx*dx + dy*dy; d < best || !ok && d <= best {
						best, p, q, ok = d, i, j, true
					}
				}
			}
		}
	}
	return p, q, math.Sqrt(best), ok
}
