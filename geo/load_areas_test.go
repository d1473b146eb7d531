package geo

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// A valid ring in Pittsburgh.
const okRing = `[[-80.00,40.44],[-79.99,40.44],[-79.99,40.45],[-80.00,40.45],[-80.00,40.44]]`

func polygonFeature(props, rings string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":{"type":"Polygon","coordinates":[` + rings + `]}}`
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + `]}`
}

// problems returns the message of every *FeatureError joined in err.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error is not a joined error: %v", err)
	}
	var out []string
	for _, e := range joined.Unwrap() {
		var fe *FeatureError
		if !errors.As(e, &fe) {
			t.Fatalf("%T is not a *FeatureError: %v", e, e)
		}
		out = append(out, fe.Error())
	}
	return out
}

func TestParseAreasErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"unparsable JSON", `{"type":"FeatureCollection",` + "\n" + `"features":[}`,
			[]string{`f.geojson: is not valid GeoJSON: line 2, column 13: invalid character '}' looking for beginning of value`}},
		{"a single Feature", polygonFeature(`{"cohort":"north"}`, okRing),
			[]string{`f.geojson: is not a GeoJSON FeatureCollection (its type is "Feature")`}},
		{"no features", `{"type":"FeatureCollection","features":[]}`,
			[]string{`f.geojson: has no features`}},
		{"a Point", collection(`{"type":"Feature","properties":{"cohort":"north"},"geometry":{"type":"Point","coordinates":[-80,40.44]}}`),
			[]string{`f.geojson: feature 0 (cohort "north"): geometry is Point, want Polygon or MultiPolygon`}},
		{"no geometry", collection(`{"type":"Feature","properties":{"cohort":"north"},"geometry":null}`),
			[]string{`f.geojson: feature 0 (cohort "north"): has no geometry`}},
		{"malformed coordinates", collection(`{"type":"Feature","properties":{"cohort":"north"},"geometry":{"type":"Polygon","coordinates":[["a"]]}}`),
			[]string{`f.geojson: feature 0 (cohort "north"): Polygon coordinates are not rings of [lon,lat] numbers`}},
		{"no cohort property, named by another", collection(polygonFeature(`{"name":"Elm Park"}`, okRing)),
			[]string{`f.geojson: feature 0 (name "Elm Park"): has no "cohort" property`}},
		{"empty cohort", collection(polygonFeature(`{"cohort":"  "}`, okRing)),
			[]string{`f.geojson: feature 0: has no "cohort" property (it is empty)`}},
		{"numeric cohort", collection(polygonFeature(`{"cohort":3}`, okRing)),
			[]string{`f.geojson: feature 0: has no "cohort" property (its value 3 is not text)`}},
		{"no properties at all", collection(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[` + okRing + `]}}`),
			[]string{`f.geojson: feature 0: has no "cohort" property`}},
		{"ring too short", collection(polygonFeature(`{"cohort":"north"}`, `[[-80,40.44],[-79.99,40.44],[-80,40.44]]`)),
			[]string{`f.geojson: feature 0 (cohort "north"): ring 0 has 3 positions, needs at least 4`}},
		{"ring not closed", collection(polygonFeature(`{"cohort":"north"}`, `[[-80,40.44],[-79.99,40.44],[-79.99,40.45],[-80,40.45]]`)),
			[]string{`f.geojson: feature 0 (cohort "north"): ring 0 is not closed`}},
		{"hole not closed", collection(polygonFeature(`{"cohort":"north"}`, okRing+`,[[-79.998,40.442],[-79.995,40.442],[-79.995,40.445],[-79.998,40.442],[-79.997,40.443]]`)),
			[]string{`f.geojson: feature 0 (cohort "north"): ring 1 is not closed`}},
		{"position without a latitude", collection(polygonFeature(`{"cohort":"north"}`, `[[-80,40.44],[-79.99],[-79.99,40.45],[-80,40.45],[-80,40.44]]`)),
			[]string{`f.geojson: feature 0 (cohort "north"): ring 0 position 1 has 1 numbers, needs lon,lat`}},
		{"longitude out of range", collection(polygonFeature(`{"cohort":"north"}`, `[[-80,40.44],[200,40.44],[-79.99,40.45],[-80,40.45],[-80,40.44]]`)),
			[]string{`f.geojson: feature 0 (cohort "north"): ring 0 position 1 [200,40.44] is out of range (longitude must be within ±180)`}},
		{"latitude out of range", collection(polygonFeature(`{"cohort":"north"}`, `[[-80,40.44],[-79.99,95.5],[-79.99,40.45],[-80,40.45],[-80,40.44]]`)),
			[]string{`f.geojson: feature 0 (cohort "north"): ring 0 position 1 [-79.99,95.5] is out of range (latitude must be within ±90)`}},
		{"Los Angeles written lat,lon", collection(polygonFeature(`{"cohort":"la"}`, `[[34.05,-118.25],[34.05,-118.24],[34.06,-118.24],[34.05,-118.25]]`)),
			[]string{`f.geojson: feature 0 (cohort "la"): ring 0 position 0 [34.05,-118.25] is out of range (latitude must be within ±90), and 3 more of 4 positions; the coordinates look swapped (GeoJSON is lon,lat)`}},
		{"far from the time zone", collection(polygonFeature(`{"cohort":"tokyo"}`, `[[139.7,35.6],[139.8,35.6],[139.8,35.7],[139.7,35.6]]`)),
			[]string{`f.geojson: feature 0 (cohort "tokyo"): is 145° of longitude from the program's time zone America/New_York (first point [139.7,35.6])`}},
		{"multipolygon, second polygon open", collection(`{"type":"Feature","properties":{"cohort":"north","HOOD":"Troy Hill"},"geometry":{"type":"MultiPolygon","coordinates":[[` + okRing + `],[[[-80,40.46],[-79.99,40.46],[-79.99,40.47],[-80,40.47]]]]}}`),
			[]string{`f.geojson: feature 0 (cohort "north", name "Troy Hill"): polygon 1 ring 0 is not closed`}},
		{"every problem in a file", collection(
			polygonFeature(`{"cohort":"north"}`, okRing),
			polygonFeature(`{"name":"Elm"}`, `[[-80,40.44],[-79.99,40.44],[-79.99,40.45],[-80,40.45]]`),
			`{"type":"Feature","properties":{"cohort":"east"},"geometry":{"type":"LineString","coordinates":[[-80,40.44],[-79.99,40.44]]}}`,
			polygonFeature(`{"cohort":"south"}`, `[[-80,40.44],[-79.99,40.44],[-80,40.44]]`),
		), []string{
			`f.geojson: feature 1 (name "Elm"): has no "cohort" property`,
			`f.geojson: feature 1 (name "Elm"): ring 0 is not closed`,
			`f.geojson: feature 2 (cohort "east"): geometry is LineString, want Polygon or MultiPolygon`,
			`f.geojson: feature 3 (cohort "south"): ring 0 has 3 positions, needs at least 4`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAreas("f.geojson", []byte(tt.data), AreaOptions{CohortProperty: "cohort", TimeZone: newYork(t)})
			if a != nil {
				t.Error("got Areas along with errors")
			}
			if got := problems(t, err); !slices.Equal(got, tt.want) {
				t.Errorf("got errors\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestParseAreasUnwrapsJSONError(t *testing.T) {
	_, err := ParseAreas("f.geojson", []byte("{"), AreaOptions{})
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		t.Errorf("error %v does not wrap a *json.SyntaxError", err)
	}
}

// TestSwappedPittsburgh writes one real neighbourhood as lat,lon, as a
// spreadsheet export might, and expects it to be caught.
func TestSwappedPittsburgh(t *testing.T) {
	data, err := os.ReadFile(pittsburghFile)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	// Only Polygons decode into this shape; the MultiPolygons are skipped.
	_ = json.Unmarshal(data, &fc)
	// Bluff's first vertex is [-79.993899,40.438927].
	var bluff [][][2]float64
	for _, f := range fc.Features {
		if f.Properties["HOOD"] == "Bluff" {
			bluff = f.Geometry.Coordinates
		}
	}
	if bluff == nil {
		t.Fatal("no Bluff polygon in the fixture")
	}
	swapped := make([][][2]float64, len(bluff))
	for i, ring := range bluff {
		for _, q := range ring {
			swapped[i] = append(swapped[i], [2]float64{q[1], q[0]})
		}
	}
	coords, err := json.Marshal(swapped)
	if err != nil {
		t.Fatal(err)
	}
	doc := collection(
		polygonFeature(`{"cohort":"west"}`, okRing),
		`{"type":"Feature","properties":{"cohort":"west","HOOD":"Bluff"},"geometry":{"type":"Polygon","coordinates":`+string(coords)+`}}`,
	)

	_, err = ParseAreas("cohorts.geojson", []byte(doc), AreaOptions{CohortProperty: "cohort", TimeZone: newYork(t)})
	want := []string{`cohorts.geojson: feature 1 (cohort "west", name "Bluff"): coordinates look swapped (GeoJSON is lon,lat): first point ` +
		`[40.438927,-79.993899] is 115° of longitude from America/New_York`}
	if got := problems(t, err); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}

	// Without a time zone the swapped polygon is in range and so accepted:
	// the zone is what catches it.
	if _, err := ParseAreas("cohorts.geojson", []byte(doc), AreaOptions{CohortProperty: "cohort"}); err != nil {
		t.Errorf("without a time zone: %v", err)
	}
}

func TestTimeZoneMeridian(t *testing.T) {
	tests := []struct {
		zone string
		want float64
	}{
		{"America/New_York", -75}, // EST, not EDT
		{"Australia/Sydney", 150}, // AEST: daylight time is in January there
		{"Asia/Kolkata", 82.5},    // half-hour offset
		{"UTC", 0},
		{"America/Los_Angeles", -120},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		if got := newZoneMeridian(loc).meridian; got != tt.want {
			t.Errorf("%s: meridian %v, want %v", tt.zone, got, tt.want)
		}
	}
}

func TestLoadAreas(t *testing.T) {
	if _, err := LoadAreas("testdata/missing.geojson", AreaOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
	a, err := LoadAreas("../examples/cohorts.geojson", AreaOptions{CohortProperty: "cohort", TimeZone: newYork(t)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range a.Cohorts() {
		ids = append(ids, c.ID)
		if len(c.Area) == 0 || c.SquareKm <= 0 {
			t.Errorf("cohort %s is empty", c.ID)
		}
	}
	if want := []string{"east", "north", "south", "west"}; !slices.Equal(ids, want) {
		t.Errorf("example cohorts %v, want %v", ids, want)
	}
}

func TestDefaultCohortProperty(t *testing.T) {
	a, err := ParseAreas("f.geojson", []byte(collection(polygonFeature(`{"cohort":" north "}`, okRing))), AreaOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Has("north") {
		t.Errorf("cohorts %v, want north (trimmed)", a.Cohorts())
	}
}
