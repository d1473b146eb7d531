package geo

import (
	"fmt"
	"math"
	"time"
)

// maxMeridianOffset is how far, in degrees of longitude, an area may lie from
// its time zone's meridian. Real zones stretch about 15-30° from theirs;
// swapped lat,lon files land much further away, so a loose bound catches
// them without false alarms.
const maxMeridianOffset = 45

// zoneMeridian is the central meridian of a time zone's standard time.
type zoneMeridian struct {
	zone     string
	meridian float64
}

// newZoneMeridian takes the smaller of the zone's January and July offsets
// as standard time, which holds in both hemispheres.
func newZoneMeridian(loc *time.Location) *zoneMeridian {
	year := time.Now().In(loc).Year()
	_, jan := time.Date(year, time.January, 1, 12, 0, 0, 0, loc).Zone()
	_, jul := time.Date(year, time.July, 1, 12, 0, 0, 0, loc).Zone()
	return &zoneMeridian{zone: loc.String(), meridian: float64(min(jan, jul)) / 3600 * 15}
}

// check returns why a feature's bounding-box centre is too far from the
// zone's meridian, or "" if it is not. The positions must already be known
// to be well formed.
func (z *zoneMeridian) check(polys [][][][]float64) string {
	var first []float64
	minLon, minLat := math.Inf(1), math.Inf(1)
	maxLon, maxLat := math.Inf(-1), math.Inf(-1)
	for _, poly := range polys {
		for _, ring := range poly {
			for _, q := range ring {
				if first == nil {
					first = q
				}
				minLon, maxLon = math.Min(minLon, q[0]), math.Max(maxLon, q[0])
				minLat, maxLat = math.Min(minLat, q[1]), math.Max(maxLat, q[1])
			}
		}
	}
	if first == nil {
		return ""
	}
	off := math.Abs(wrapDegrees((minLon+maxLon)/2 - z.meridian))
	if off <= maxMeridianOffset {
		return ""
	}
	// Read the other way round, the latitudes would be the longitudes.
	if math.Abs(wrapDegrees((minLat+maxLat)/2-z.meridian)) <= maxMeridianOffset {
		return fmt.Sprintf("coordinates look swapped (GeoJSON is lon,lat): first point %s is %.0f° of longitude from %s",
			formatPosition(first), off, z.zone)
	}
	return fmt.Sprintf("is %.0f° of longitude from the program's time zone %s (first point %s)",
		off, z.zone, formatPosition(first))
}
