package geo

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geo"
)

// LoadAreas reads a GeoJSON FeatureCollection of Polygon and MultiPolygon
// features from path. See ParseAreas.
func LoadAreas(path string, opt AreaOptions) (*Areas, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("geo: load areas: %w", err)
	}
	return ParseAreas(path, data, opt)
}

// ParseAreas reads a GeoJSON FeatureCollection of Polygon and MultiPolygon
// features; name is the file name to use in errors. Every feature needs a
// cohort id, rings of at least 4 positions that close, coordinates in range
// and, when opt.TimeZone is set, a place within 45° of longitude of that
// zone's meridian (which catches lat,lon files). On failure the error joins
// a *FeatureError for every problem found, not just the first.
func ParseAreas(name string, data []byte, opt AreaOptions) (*Areas, error) {
	prop := cmp.Or(opt.CohortProperty, "cohort")
	feats, fileErr := decodeCollection(name, data)
	if fileErr != nil {
		return nil, errors.Join(fileErr)
	}
	var meridian *zoneMeridian
	if opt.TimeZone != nil {
		meridian = newZoneMeridian(opt.TimeZone)
	}
	var errs []error
	byCohort := map[string][]orb.Polygon{}
	for i, raw := range feats {
		f, probs := readFeature(raw, prop, meridian)
		for _, reason := range probs {
			errs = append(errs, &FeatureError{File: name, Index: i, Cohort: f.cohort, Name: f.name, Reason: reason})
		}
		if len(probs) == 0 {
			byCohort[f.cohort] = append(byCohort[f.cohort], f.polys...)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return newAreas(byCohort), nil
}

func newAreas(byCohort map[string][]orb.Polygon) *Areas {
	a := &Areas{byID: make(map[string]int, len(byCohort))}
	for id, polys := range byCohort {
		mp := orb.MultiPolygon(polys)
		a.cohorts = append(a.cohorts, Cohort{ID: id, Area: mp, SquareKm: geo.Area(mp) / 1e6})
	}
	slices.SortFunc(a.cohorts, func(x, y Cohort) int { return strings.Compare(x.ID, y.ID) })
	for ci, c := range a.cohorts {
		a.byID[c.ID] = ci
		for _, p := range c.Area {
			a.polys = append(a.polys, indexedPolygon{bound: p.Bound(), poly: p, cohort: ci})
		}
	}
	return a
}

// decodeCollection returns the raw features, or the one error that makes the
// whole file unreadable.
func decodeCollection(name string, data []byte) ([]json.RawMessage, *FeatureError) {
	var fc struct {
		Type     string            `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, &FeatureError{File: name, Index: -1, Reason: "is not valid GeoJSON: " + describeJSONError(data, err), Err: err}
	}
	switch {
	case fc.Type != "FeatureCollection":
		return nil, &FeatureError{File: name, Index: -1, Reason: fmt.Sprintf("is not a GeoJSON FeatureCollection (its type is %q)", fc.Type)}
	case len(fc.Features) == 0:
		return nil, &FeatureError{File: name, Index: -1, Reason: "has no features"}
	}
	return fc.Features, nil
}

// describeJSONError adds the line and column to errors that carry only a
// byte offset, since nobody can find byte 81734 in an editor.
func describeJSONError(data []byte, err error) string {
	var offset int64
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	default:
		return err.Error()
	}
	before := data[:min(max(offset, 0), int64(len(data)))]
	line := bytes.Count(before, []byte("\n")) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n') - 1
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}
