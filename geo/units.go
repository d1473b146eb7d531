package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Units is how distances are written to people: metric, or miles where
// the program's country uses them.
type Units string

// The units a program may write distances in.
const (
	Metric Units = "km"
	Miles  Units = "mi"
)

// UnitsFor is the units of a country (ISO 3166 region): miles in the
// United States, the United Kingdom, Liberia and Myanmar, else metric.
func UnitsFor(region string) Units {
	switch strings.ToUpper(region) {
	case "US", "GB", "LR", "MM", "PR", "GU", "VI", "AS", "MP":
		return Miles
	}
	return Metric
}

const (
	metresPerMile = 1609.344
	metresPerFoot = 0.3048
)

// Format writes a distance in metres for a text message in u: metric as
// FormatDistance does ("1 km" rather than "1.0 km"); miles as "300 ft",
// "0.4 mi", "2.3 mi", "41 mi".
func (u Units) Format(m float64) string {
	if u != Miles || math.IsNaN(m) || math.IsInf(m, 0) {
		return strings.Replace(FormatDistance(m), ".0 km", " km", 1)
	}
	m = max(m, 0)
	if ft := m / metresPerFoot; ft < 1000 {
		return fmt.Sprintf("%.0f ft", math.Max(10, math.Round(ft/10)*10))
	}
	if mi := math.Round(m/metresPerMile*10) / 10; mi < 10 {
		return strconv.FormatFloat(mi, 'f', 1, 64) + " mi"
	}
	return fmt.Sprintf("%.0f mi", math.Round(m/metresPerMile))
}

// ParseDistance reads a distance written with its unit ("25km", "15 mi",
// "500m", "800 ft") into metres.
func ParseDistance(s string) (float64, error) {
	t := strings.ToLower(strings.ReplaceAll(s, " ", ""))
	for _, u := range []struct {
		suffix string
		metres float64
	}{{"km", 1000}, {"mi", metresPerMile}, {"ft", metresPerFoot}, {"m", 1}} {
		if n, ok := strings.CutSuffix(t, u.suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
				break
			}
			return f * u.metres, nil
		}
	}
	return 0, fmt.Errorf("%q: want a distance like 25km or 15mi", s)
}

// spokenUnits are the words a voice reads for Format's abbreviations.
var spokenUnits = map[string][2]string{ // unit: {one, many}
	"m": {"metre", "metres"}, "km": {"kilometre", "kilometres"},
	"ft": {"foot", "feet"}, "mi": {"mile", "miles"},
}

// Spoken is Format for a voice: the unit in words ("0.4 miles", "300
// feet", "1 kilometre"), which text-to-speech reads better than "mi".
func (u Units) Spoken(m float64) string {
	n, unit, ok := strings.Cut(u.Format(m), " ")
	w, known := spokenUnits[unit]
	if !ok || !known {
		return u.Format(m)
	}
	if n == "1" {
		return n + " " + w[0]
	}
	return n + " " + w[1]
}
