package geo

import (
	"math"
	"testing"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

const pittsburghFile = "testdata/pittsburgh-neighborhoods.geojson"

func newYork(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// pittsburgh loads the fixture with each neighbourhood as its own cohort.
func pittsburgh(t testing.TB) *Areas {
	t.Helper()
	a, err := LoadAreas(pittsburghFile, AreaOptions{CohortProperty: "HOOD", TimeZone: newYork(t)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestPittsburghCohorts(t *testing.T) {
	a := pittsburgh(t)
	cs := a.Cohorts()
	if len(cs) != 91 {
		t.Fatalf("got %d cohorts, want 91", len(cs))
	}
	multi, total := 0, 0.0
	for i, c := range cs {
		if i > 0 && cs[i-1].ID >= c.ID {
			t.Errorf("cohorts not sorted: %q before %q", cs[i-1].ID, c.ID)
		}
		if len(c.Area) > 1 {
			multi++
		}
		total += c.SquareKm
	}
	if multi != 3 {
		t.Errorf("%d cohorts have several polygons, want 3", multi)
	}
	// The City of Pittsburgh covers about 151 km² (58.3 sq mi) including
	// its rivers; the neighbourhoods leave some river out.
	if total < 135 || total > 155 {
		t.Errorf("total area %.1f km², want about 144", total)
	}
	for _, id := range []string{"Shadyside", "Central Business District"} {
		if !a.Has(id) {
			t.Errorf("Has(%q) = false", id)
		}
	}
	if a.Has("shadyside") || a.Has("") {
		t.Error("Has matched an id that is not in the file")
	}
}

func TestLocatePittsburgh(t *testing.T) {
	a := pittsburgh(t)
	// Well-known places, each at least 100 m inside its neighbourhood.
	tests := []struct {
		place    string
		lat, lon float64
		want     string
	}{
		{"Market Square", 40.4406, -80.0025, "Central Business District"},
		{"Downtown, Grant St", 40.4406, -79.9959, "Central Business District"},
		{"Cathedral of Learning", 40.4443, -79.9532, "North Oakland"},
		{"Central Oakland interior point", 40.4406805, -79.9542332, "Central Oakland"},
		{"Carnegie Mellon University", 40.4433, -79.9436, "Squirrel Hill North"},
		{"Frick Park", 40.4330, -79.9050, "Squirrel Hill South"},
		{"Walnut St & S Aiken Ave", 40.4519, -79.9346, "Shadyside"},
		{"Acrisure Stadium", 40.4468, -80.0158, "North Shore"},
		{"PNC Park", 40.4469, -80.0057, "North Shore"},
		{"Pittsburgh Zoo", 40.4846, -79.9197, "Highland Park"},
		{"SouthSide Works", 40.4283, -79.9666, "South Side Flats"},
		{"Penn Ave & 21st St", 40.4518, -79.9845, "Strip District"},
		{"Penn Ave & N Highland Ave", 40.4613, -79.9249, "East Liberty"},
		{"Butler St & 43rd St", 40.4707, -79.9600, "Central Lawrenceville"},
		{"Grandview Ave", 40.4324, -80.0089, "Mount Washington"},
		{"Brownsville Rd", 40.3960, -79.9870, "Carrick"},
	}
	for _, tt := range tests {
		t.Run(tt.place, func(t *testing.T) {
			got, ok := a.Locate(orb.Point{tt.lon, tt.lat})
			if !ok || got != tt.want {
				t.Errorf("Locate = %q, %v; want %q", got, ok, tt.want)
			}
			near, m := a.Nearest(orb.Point{tt.lon, tt.lat})
			if near != tt.want || m != 0 {
				t.Errorf("Nearest = %q, %v; want %q, 0", near, m, tt.want)
			}
		})
	}
}

func TestNearestOutsidePittsburgh(t *testing.T) {
	a := pittsburgh(t)
	// want and approxM come from a haversine to the nearest vertex, computed
	// separately; the nearest edge can only be a little closer.
	tests := []struct {
		name     string
		lat, lon float64
		want     string
		approxM  float64
	}{
		{"towards the airport", 40.5200, -80.2300, "Fairywood", 13267},
		{"south-east, past Lincoln Place", 40.3000, -79.7000, "Lincoln Place", 18477},
		{"north-east, Penn Hills", 40.5000, -79.8000, "Lincoln-Lemington-Belmar", 7237},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := orb.Point{tt.lon, tt.lat}
			if got, ok := a.Locate(p); ok {
				t.Fatalf("Locate = %q, want nothing", got)
			}
			got, m := a.Nearest(p)
			if got != tt.want {
				t.Errorf("Nearest cohort = %q, want %q", got, tt.want)
			}
			if math.Abs(m-tt.approxM) > 0.01*tt.approxM {
				t.Errorf("Nearest distance = %.0f m, want %.0f m ± 1%%", m, tt.approxM)
			}
		})
	}
}

// TestNearestMatchesHaversine checks the projected edge distance against a
// brute-force haversine to points sampled densely along every edge, for a
// grid of points around the city.
func TestNearestMatchesHaversine(t *testing.T) {
	a := pittsburgh(t)
	for lat := 40.30; lat <= 40.56; lat += 0.065 {
		for lon := -80.16; lon <= -79.80; lon += 0.09 {
			p := orb.Point{lon, lat}
			if _, ok := a.Locate(p); ok {
				continue
			}
			got, m := a.Nearest(p)
			want, wantM := bruteNearest(a, p)
			if got != want || math.Abs(m-wantM) > 0.01*wantM+5 {
				t.Errorf("Nearest(%v) = %q %.0f m, haversine says %q %.0f m", p, got, m, want, wantM)
			}
		}
	}
}

func bruteNearest(a *Areas, p orb.Point) (string, float64) {
	best, bestM := "", math.Inf(1)
	for _, c := range a.Cohorts() {
		for _, poly := range c.Area {
			for _, r := range poly {
				for i := 1; i < len(r); i++ {
					for s := 0.0; s <= 1; s += 0.05 {
						q := orb.Point{r[i-1][0] + s*(r[i][0]-r[i-1][0]), r[i-1][1] + s*(r[i][1]-r[i-1][1])}
						if d := orbgeo.DistanceHaversine(p, q); d < bestM {
							best, bestM = c.ID, d
						}
					}
				}
			}
		}
	}
	return best, bestM
}

func TestEmptyAndNilAreas(t *testing.T) {
	for name, a := range map[string]*Areas{"nil": nil, "empty": newAreas(nil)} {
		t.Run(name, func(t *testing.T) {
			if id, ok := a.Locate(orb.Point{-80, 40.44}); ok || id != "" {
				t.Errorf("Locate = %q, %v", id, ok)
			}
			if id, m := a.Nearest(orb.Point{-80, 40.44}); id != "" || !math.IsInf(m, 1) {
				t.Errorf("Nearest = %q, %v; want \"\", +Inf", id, m)
			}
			if a.Has("x") || len(a.Cohorts()) != 0 {
				t.Error("nil or empty Areas has cohorts")
			}
		})
	}
}

// A square "ring" cohort with a square hole, and an "island" cohort in part
// of the hole. All squares are aligned to whole 0.01° so expected areas and
// distances can be worked out by hand.
const holesGeoJSON = `{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"cohort":"ring"},"geometry":{"type":"Polygon","coordinates":[
   [[-80.00,40.40],[-79.96,40.40],[-79.96,40.44],[-80.00,40.44],[-80.00,40.40]],
   [[-79.99,40.41],[-79.99,40.43],[-79.97,40.43],[-79.97,40.41],[-79.99,40.41]]]}},
 {"type":"Feature","properties":{"cohort":"island"},"geometry":{"type":"Polygon","coordinates":[
   [[-79.985,40.415],[-79.980,40.415],[-79.980,40.420],[-79.985,40.420],[-79.985,40.415]]]}}
]}`

func TestHoles(t *testing.T) {
	a, err := ParseAreas("holes.geojson", []byte(holesGeoJSON), AreaOptions{CohortProperty: "cohort", TimeZone: newYork(t)})
	if err != nil {
		t.Fatal(err)
	}
	lonM := func(deg, lat float64) float64 {
		return deg * orb.EarthRadius * math.Pi / 180 * math.Cos(lat*math.Pi/180)
	}
	tests := []struct {
		name     string
		p        orb.Point
		want     string
		wantOK   bool
		nearest  string
		nearestM float64 // 0 inside
	}{
		{"in the ring", orb.Point{-79.995, 40.42}, "ring", true, "ring", 0},
		{"on the outer edge counts as in", orb.Point{-80.00, 40.42}, "ring", true, "ring", 0},
		{"in the island", orb.Point{-79.9825, 40.4175}, "island", true, "island", 0},
		// 0.005° of longitude from the hole's east edge; the island's
		// corner is 0.005° away on both axes, so farther.
		{"in the hole, off the island", orb.Point{-79.975, 40.425}, "", false, "ring", lonM(0.005, 40.425)},
		// 0.001° of longitude from the island's east edge, 0.009° from the
		// hole's west edge.
		{"in the hole, beside the island", orb.Point{-79.979, 40.4175}, "", false, "island", lonM(0.001, 40.4175)},
		{"outside everything", orb.Point{-80.01, 40.42}, "", false, "ring", lonM(0.01, 40.42)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := a.Locate(tt.p)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Locate = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
			near, m := a.Nearest(tt.p)
			if near != tt.nearest || math.Abs(m-tt.nearestM) > 0.001*tt.nearestM+0.01 {
				t.Errorf("Nearest = %q, %.1f m; want %q, %.1f m", near, m, tt.nearest, tt.nearestM)
			}
		})
	}

	// Area of a lat/lon box on the sphere: R² Δλ (sin φ2 − sin φ1).
	box := func(lon1, lat1, lon2, lat2 float64) float64 {
		rad := math.Pi / 180
		return orb.EarthRadius * orb.EarthRadius * (lon2 - lon1) * rad * (math.Sin(lat2*rad) - math.Sin(lat1*rad)) / 1e6
	}
	wantKm := map[string]float64{
		"ring":   box(-80.00, 40.40, -79.96, 40.44) - box(-79.99, 40.41, -79.97, 40.43),
		"island": box(-79.985, 40.415, -79.980, 40.420),
	}
	for _, c := range a.Cohorts() {
		// orb/geo.Area treats edges as great circles, not parallels, which
		// differs from the box formula by a fraction of a percent.
		if want := wantKm[c.ID]; math.Abs(c.SquareKm-want) > 0.005*want {
			t.Errorf("%s: SquareKm = %.4f, want %.4f", c.ID, c.SquareKm, want)
		}
	}
}
