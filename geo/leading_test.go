package geo

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

func TestSplits(t *testing.T) {
	for _, tt := range []struct {
		line string
		want []Split
	}{
		{"40.4473,-80.0076 male 30s", []Split{
			{"40.4473,-80.0076 male 30s", ""}, {"40.4473,-80.0076 male", "30s"}, {"40.4473,-80.0076", "male 30s"}}},
		{"wood/5th", []Split{{"wood/5th", ""}, {"wood", "5th"}}},
		{"40.4473,-80.0076/notes", []Split{{"40.4473,-80.0076/notes", ""}, {"40.4473,-80.0076", "notes"}}},
		{"5th & Wood / by the bank", []Split{
			{"5th & Wood", "by the bank"}, {"5th &", "Wood / by the bank"}, {"5th", "& Wood / by the bank"}}},
		{"40.4473,-80.0076 👍 / 🐕", []Split{{"40.4473,-80.0076 👍", "🐕"}, {"40.4473,-80.0076", "👍 / 🐕"}}},
		{"https://maps.apple.com/?ll=40.44,-80.00 no slash notes", []Split{{"https://maps.apple.com/?ll=40.44,-80.00", "no slash notes"}}},
		{"Joe's Diner maps.app.goo.gl/abc / blue hoodie", []Split{{"Joe's Diner maps.app.goo.gl/abc", "blue hoodie"}}},
		{"  /  ", nil},
		{"/ notes only", []Split{{"/ notes", "only"}, {"/ notes only", ""}}[:0]},
	} {
		got := Splits(tt.line)
		if tt.line == "/ notes only" {
			// A leading "/" is not a location; whatever is tried, the notes
			// word is never lost.
			for _, sp := range got {
				if sp.Location == "" {
					t.Errorf("Splits(%q): empty location", tt.line)
				}
			}
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Splits(%q)\n got %q\nwant %q", tt.line, got, tt.want)
		}
	}
}

func TestSplitsBounded(t *testing.T) {
	line := "40.4473,-80.0076"
	for range 200 {
		line += " word"
	}
	if n := len(Splits(line)); n != maxLocationWords {
		t.Fatalf("%d readings, want %d", n, maxLocationWords)
	}
}

func TestUnits(t *testing.T) {
	for _, tt := range []struct {
		u    Units
		m    float64
		want string
	}{
		{Metric, 1000, "1 km"}, {Metric, 2340, "2.3 km"}, {Metric, 405_000, "405 km"}, {Metric, 40, "40 m"},
		{Miles, 1000, "0.6 mi"}, {Miles, 405_000, "252 mi"}, {Miles, 40, "130 ft"}, {Miles, 25_000, "16 mi"},
	} {
		if got := tt.u.Format(tt.m); got != tt.want {
			t.Errorf("%s.Format(%v) = %q, want %q", tt.u, tt.m, got, tt.want)
		}
	}
	for _, tt := range []struct {
		u    Units
		m    float64
		want string
	}{
		{Metric, 1000, "1 kilometre"}, {Metric, 2340, "2.3 kilometres"}, {Metric, 40, "40 metres"},
		{Miles, 1000, "0.6 miles"}, {Miles, 1609, "1.0 miles"}, {Miles, 40, "130 feet"}, {Miles, 25_000, "16 miles"},
		{Metric, math.NaN(), "unknown distance"},
	} {
		if got := tt.u.Spoken(tt.m); got != tt.want {
			t.Errorf("%s.Spoken(%v) = %q, want %q", tt.u, tt.m, got, tt.want)
		}
	}
	if UnitsFor("US") != Miles || UnitsFor("DE") != Metric {
		t.Error("UnitsFor: US is miles, DE metric")
	}
	for s, want := range map[string]float64{"25km": 25000, "15 mi": 15 * 1609.344, "500m": 500, "0km": 0} {
		if got, err := ParseDistance(s); err != nil || math.Abs(got-want) > 1e-6 {
			t.Errorf("ParseDistance(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "25", "km", "-3km", "3 parsecs"} {
		if _, err := ParseDistance(s); err == nil {
			t.Errorf("ParseDistance(%q): want an error", s)
		}
	}
}

func TestPrecision(t *testing.T) {
	for _, tt := range []struct {
		text     string
		decimals int
		km       float64
	}{
		{"40.44 -80.00", 2, 1}, {"40.4473,-80.0076", 4, 0}, {"40.447,-80.008", 3, 0}, {"40.4,-80.0", 1, 10},
	} {
		loc, err := ParseLocation(tt.text, nil)
		if err != nil {
			t.Fatal(err)
		}
		if loc.Decimals != tt.decimals || math.Abs(loc.Uncertainty-tt.km*1000) > 1 {
			t.Errorf("%q: decimals %d uncertainty %v, want %d and %v km", tt.text, loc.Decimals, loc.Uncertainty, tt.decimals, tt.km)
		}
	}
}

// A short link is followed with one GET, no cookies sent, and read as the
// link it leads to; a link that leads nowhere readable stays refused.
func TestShortLinkFollowed(t *testing.T) {
	var gets int
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gets++
		if r.Header.Get("Cookie") != "" {
			t.Errorf("cookie sent: %q", r.Header.Get("Cookie"))
		}
		switch r.URL.Path {
		case "/pin":
			http.Redirect(w, r, "https://www.google.com/maps/place/X/@40.44,-80.00,17z/data=!3d40.4471!4d-80.0079", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "https://maps.app.goo.gl/loop", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	r := &Resolver{Links: ShortLinks{Client: TestClient(srv)}}
	cands, err := r.Resolve(context.Background(), "maps.app.goo.gl/pin")
	if err != nil || len(cands) != 1 || cands[0].Point != (orb.Point{-80.0079, 40.4471}) {
		t.Fatalf("Resolve = %+v, %v", cands, err)
	}
	for _, path := range []string{"loop", "gone"} {
		if _, err := r.Resolve(context.Background(), "https://maps.app.goo.gl/"+path); !errors.Is(err, ErrShortLink) {
			t.Errorf("%s: err %v, want ErrShortLink", path, err)
		}
	}
	if gets != 3 {
		t.Errorf("%d requests, want one per link", gets)
	}
}
