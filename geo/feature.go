package geo

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// feature is one decoded areas feature.
type feature struct {
	cohort string
	name   string
	polys  []orb.Polygon
}

// rawGeometry is a GeoJSON geometry with its coordinates left undecoded
// until its type is known.
type rawGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// readFeature decodes and checks one feature, returning every problem with it
// as a reason. The labels (cohort, name) are filled in even when it has
// problems, so the errors can name it.
func readFeature(raw json.RawMessage, prop string, meridian *zoneMeridian) (feature, []string) {
	var rf struct {
		Properties map[string]any `json:"properties"`
		Geometry   *rawGeometry   `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return feature{}, []string{"is not a GeoJSON Feature: " + err.Error()}
	}
	var probs []string
	f := feature{name: nameOf(rf.Properties, prop)}
	var problem string
	if f.cohort, problem = cohortOf(rf.Properties, prop); problem != "" {
		probs = append(probs, problem)
	}
	polys, multi, problem := decodeGeometry(rf.Geometry)
	if problem != "" {
		return f, append(probs, problem)
	}
	shape := checkShape(polys, multi)
	probs = append(probs, shape...)
	if len(shape) == 0 && meridian != nil {
		if reason := meridian.check(polys); reason != "" {
			probs = append(probs, reason)
		}
	}
	if len(probs) == 0 {
		f.polys = toPolygons(polys)
	}
	return f, probs
}

// cohortOf returns the feature's cohort id, trimmed, or why it has none.
func cohortOf(props map[string]any, prop string) (id, problem string) {
	v, present := props[prop]
	if !present {
		return "", fmt.Sprintf("has no %q property", prop)
	}
	s, isString := v.(string)
	if !isString {
		return "", fmt.Sprintf("has no %q property (its value %s is not text)", prop, jsonText(v))
	}
	if id = strings.TrimSpace(s); id == "" {
		return "", fmt.Sprintf("has no %q property (it is empty)", prop)
	}
	return id, ""
}

// decodeGeometry returns a Polygon or MultiPolygon as polygons of rings of
// positions, left as plain numbers so that malformed positions can still be
// described.
func decodeGeometry(g *rawGeometry) (polys [][][][]float64, multi bool, problem string) {
	if g == nil {
		return nil, false, "has no geometry"
	}
	var err error
	switch g.Type {
	case "Polygon":
		var poly [][][]float64
		err = json.Unmarshal(g.Coordinates, &poly)
		polys = [][][][]float64{poly}
	case "MultiPolygon":
		multi = true
		err = json.Unmarshal(g.Coordinates, &polys)
	default:
		return nil, false, fmt.Sprintf("geometry is %s, want Polygon or MultiPolygon", cmp.Or(g.Type, "missing"))
	}
	if err != nil {
		want := "rings of [lon,lat] numbers"
		if multi {
			want = "polygons of " + want
		}
		return nil, false, fmt.Sprintf("%s coordinates are not %s", g.Type, want)
	}
	return polys, multi, ""
}

// checkShape reports rings too short or not closed, positions without two
// numbers, and coordinates out of range.
func checkShape(polys [][][][]float64, multi bool) []string {
	var probs []string
	if len(polys) == 0 {
		return []string{"has no polygons"}
	}
	var ranges rangeTally
	for pi, poly := range polys {
		where := ""
		if multi {
			where = fmt.Sprintf("polygon %d ", pi)
		}
		if len(poly) == 0 {
			probs = append(probs, where+"has no rings")
		}
		for ri, ring := range poly {
			ringName := fmt.Sprintf("%sring %d", where, ri)
			if len(ring) < 4 {
				probs = append(probs, fmt.Sprintf("%s has %d positions, needs at least 4", ringName, len(ring)))
			}
			for qi, q := range ring {
				if len(q) < 2 {
					probs = append(probs, fmt.Sprintf("%s position %d has %d numbers, needs lon,lat", ringName, qi, len(q)))
					continue
				}
				ranges.add(ringName, qi, q)
			}
			if len(ring) >= 2 && !samePosition(ring[0], ring[len(ring)-1]) {
				probs = append(probs, ringName+" is not closed")
			}
		}
	}
	if reason := ranges.reason(); reason != "" {
		probs = append(probs, reason)
	}
	return probs
}

// rangeTally collects out-of-range positions so that a feature gets one
// error for them, not one per vertex as a swapped file would otherwise give.
type rangeTally struct {
	first     string // the first offending position, described
	bad, all  int
	swappable int // positions that would be in range read as lat,lon
}

func (t *rangeTally) add(ringName string, qi int, q []float64) {
	t.all++
	if math.Abs(q[1]) <= 180 && math.Abs(q[0]) <= 90 {
		t.swappable++
	}
	if math.Abs(q[0]) <= 180 && math.Abs(q[1]) <= 90 {
		return
	}
	t.bad++
	if t.first == "" {
		t.first = fmt.Sprintf("%s position %d %s is out of range (%s)", ringName, qi, formatPosition(q), rangeReason(q))
	}
}

func (t *rangeTally) reason() string {
	if t.bad == 0 {
		return ""
	}
	r := t.first
	if t.bad > 1 {
		r += fmt.Sprintf(", and %d more of %d positions", t.bad-1, t.all)
	}
	// A typo puts a few positions out of range; swapped columns put most of
	// them out, and every one back in when read the other way round.
	if t.swappable == t.all && t.bad*2 >= t.all {
		r += "; the coordinates look swapped (GeoJSON is lon,lat)"
	}
	return r
}

// samePosition compares lon and lat; a position too short to compare has
// already been reported, so it does not also count as an open ring.
func samePosition(a, b []float64) bool {
	if len(a) < 2 || len(b) < 2 {
		return true
	}
	return a[0] == b[0] && a[1] == b[1]
}

func rangeReason(q []float64) string {
	if math.Abs(q[0]) > 180 {
		return "longitude must be within ±180"
	}
	return "latitude must be within ±90"
}

func toPolygons(polys [][][][]float64) []orb.Polygon {
	out := make([]orb.Polygon, len(polys))
	for pi, poly := range polys {
		out[pi] = make(orb.Polygon, len(poly))
		for ri, ring := range poly {
			r := make(orb.Ring, len(ring))
			for qi, q := range ring {
				r[qi] = orb.Point{q[0], q[1]}
			}
			out[pi][ri] = r
		}
	}
	return out
}

// nameOf finds a property that commonly names a feature, other than the
// cohort property itself, so errors can point at a feature a person
// recognises. Keys are matched ignoring case and tried in sorted order, so
// the same file always gives the same message.
func nameOf(props map[string]any, cohortProp string) string {
	keys := slices.Sorted(maps.Keys(props))
	for _, want := range []string{"name", "title", "label", "hood", "neighborhood", "neighbourhood"} {
		for _, k := range keys {
			if !strings.EqualFold(k, want) || k == cohortProp {
				continue
			}
			if s, ok := props[k].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	}
	return ""
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// formatPosition writes a GeoJSON position for an error message, [x,y] in
// the file's order, with at most 6 decimals so a message stays short.
func formatPosition(q []float64) string {
	short := func(v float64) string { return strconv.FormatFloat(math.Round(v*1e6)/1e6, 'f', -1, 64) }
	return "[" + short(q[0]) + "," + short(q[1]) + "]"
}
