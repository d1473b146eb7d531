package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func testPlaces(t testing.TB) *Places {
	t.Helper()
	ps, err := ParsePlaces("places.csv", []byte(placesCSV))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

var pt = orb.Point{-80.0076, 40.4473}

func TestParseLocation(t *testing.T) {
	ps := testPlaces(t)
	tests := []struct {
		in    string
		want  orb.Point
		place string
	}{
		// Plain coordinates.
		{"40.4473,-80.0076", pt, ""},
		{"40.4473, -80.0076", pt, ""},
		{"40.4473 , -80.0076", pt, ""},
		{"  40.4473,-80.0076 \n", pt, ""},
		{"40.4473 -80.0076", pt, ""},
		{"+40.4473,-80.0076", pt, ""},
		{"40,-80", orb.Point{-80, 40}, ""},
		{"-33.8688,151.2093", orb.Point{151.2093, -33.8688}, ""},
		{"90,180", orb.Point{180, 90}, ""},
		// Google Maps.
		{"https://maps.google.com/?q=40.4473,-80.0076", pt, ""},
		{"http://maps.google.com/?q=40.4473,-80.0076", pt, ""},
		{"HTTPS://MAPS.GOOGLE.COM/?Q=40.4473,-80.0076", pt, ""},
		{"maps.google.com/?q=40.4473,-80.0076", pt, ""},
		{"https://maps.google.com/maps?ll=40.4473,-80.0076&z=15", pt, ""},
		{"https://maps.google.com/?q=loc:40.4473,-80.0076", pt, ""},
		{"https://www.google.com/maps?q=40.4473,-80.0076", pt, ""},
		{"https://www.google.com/maps?q=40.4473,+-80.0076", pt, ""},
		{"https://www.google.com/maps?q=40.4473%2C-80.0076", pt, ""},
		{"https://google.com/maps?q=40.4473,-80.0076", pt, ""},
		{"https://www.google.com/maps/search/?api=1&query=40.4473,-80.0076", pt, ""},
		{"https://www.google.com/maps/@40.4473,-80.0076,17z", pt, ""},
		{"https://www.google.com/maps/@40.4473,-80.0076", pt, ""},
		{"https://www.google.com/maps/place/Some+Name/@40.44,-80.00,17z/data=!3m1!4b1!4m6!3m5!1s0x8834f1:0x9b2!8m2!3d40.4473!4d-80.0076!16s%2Fg%2F11", pt, ""},
		{"https://www.google.co.uk/maps/@51.5007,-0.1246,17z", orb.Point{-0.1246, 51.5007}, ""},
		// Apple Maps: ll first, then q, coordinate, sll.
		{"https://maps.apple.com/?ll=40.4473,-80.0076", pt, ""},
		{"https://maps.apple.com/?q=40.4473,-80.0076", pt, ""},
		{"https://maps.apple.com/?sll=40.4473,-80.0076", pt, ""},
		{"https://maps.apple.com/?coordinate=40.4473,-80.0076", pt, ""},
		{"https://maps.apple.com/?sll=40.5,-80.1&ll=40.4473,-80.0076", pt, ""},
		{"https://maps.apple.com/?q=Dropped%20Pin&ll=40.4473,-80.0076&t=m", pt, ""},
		// geo: URIs.
		{"geo:40.4473,-80.0076", pt, ""},
		{"GEO:40.4473,-80.0076", pt, ""},
		{"geo:40.4473,-80.0076;u=35", pt, ""},
		{"geo:40.4473,-80.0076,250", pt, ""},
		{"geo:40.4473,-80.0076,250.5;crs=wgs84;u=10", pt, ""},
		{"geo:0,0?q=40.4473,-80.0076(Label)", pt, ""},
		{"geo:0,0?q=40.4473,-80.0076%20(Home%20Base)", pt, ""},
		{"geo:40.4,-80.1?q=40.4473,-80.0076", pt, ""},
		{"geo:40.4473,-80.0076?z=17", pt, ""},
		// A label around a shared link.
		{"Dropped Pin\nhttps://maps.apple.com/?ll=40.4473,-80.0076&q=Dropped%20Pin", pt, ""},
		{"here: https://maps.google.com/?q=40.4473,-80.0076", pt, ""},
		// Places.
		{"101", orb.Point{-79.9892, 40.4394}, "PPG Paints Arena"},
		{"ppg paints arena", orb.Point{-79.9892, 40.4394}, "PPG Paints Arena"},
		{" Zoo ", orb.Point{-79.9197, 40.4846}, "Pittsburgh Zoo"},
		{"PPG Paints Arena!", orb.Point{-79.9892, 40.4394}, "PPG Paints Arena"},
		{"PPG Paint Arena", orb.Point{-79.9892, 40.4394}, "PPG Paints Arena"},
		{"the arena", orb.Point{-79.9892, 40.4394}, "PPG Paints Arena"},
		{"Acrisure Stadum", orb.Point{-80.0158, 40.4468}, "Acrisure Stadium"},
		// Degrees, minutes and seconds (more in TestParseCoordinates).
		{`40°26'50.28"N 80°00'27.36"W`, pt, ""},
		{`N40 26.838 W80 00.456`, pt, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLocation(tt.in, ps)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			want := Location{Point: tt.want, Given: strings.TrimSpace(tt.in), Place: tt.place}
			// What kind of form it was is TestPrecision's to check.
			got.Coords, got.Decimals, got.Uncertainty = false, 0, 0
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseLocationErrors(t *testing.T) {
	ps := testPlaces(t)
	tests := []struct {
		in      string
		want    error
		message string // "" = the sentinel's own message
	}{
		{"", ErrNoLocation, ""},
		{"   ", ErrNoLocation, ""},
		{"here", ErrNoLocation, ""},
		{"40.4473", ErrNoLocation, ""},
		{"40.4473,-80.0076abc", ErrNoLocation, ""},
		{"40.4473,,-80.0076", ErrNoLocation, ""},
		{"40.4473;-80.0076", ErrNoLocation, ""},
		{"40 80", ErrNoLocation, ""},
		{"40.4473 -80", ErrNoLocation, ""},
		{"1e1,2", ErrNoLocation, ""},
		{"nan,inf", ErrNoLocation, ""},
		{"1234.5,10", ErrNoLocation, ""},
		{"Pittsburgh", ErrNoLocation, ""},
		{"PPG Pants Aren", ErrNoLocation, ""},
		{"Est Park", ErrAmbiguous, `the name matches more than one place: "East Park" or "West Park"`},
		{`40°60'N 80°W`, ErrNoLocation, `no location recognised: minutes in 40°60'N must be under 60`},
		{"91,10", ErrNoLocation, "no location recognised: latitude 91 is out of range (±90)"},
		{"40.44,-180.5", ErrNoLocation, "no location recognised: longitude -180.5 is out of range (±180)"},
		{"0,0", ErrNoLocation, "no location recognised: 0,0 is not a real location"},
		{"0.0, -0.0", ErrNoLocation, "no location recognised: 0,0 is not a real location"},
		{"https://maps.app.goo.gl/AbCdEf123", ErrShortLink, ""},
		{"https://goo.gl/maps/AbCdEf", ErrShortLink, ""},
		{"maps.app.goo.gl/AbCdEf123", ErrShortLink, ""},
		{"Market Square\nhttps://maps.app.goo.gl/AbCdEf123", ErrShortLink, ""},
		{"https://goo.gl/AbCdEf", ErrNoLocation, "no location recognised: goo.gl is not a map link"},
		{"https://example.com/?q=40.4473,-80.0076", ErrNoLocation, "no location recognised: example.com is not a map link"},
		{"https://www.google.com/search?q=40.4473,-80.0076", ErrNoLocation, "no location recognised: google.com is not a map link"},
		{"https://maps.google.com/?q=Market+Square", ErrNoLocation, "no location recognised: the Google Maps link has no coordinates"},
		{"https://maps.google.com/?q=0,0", ErrNoLocation, "no location recognised: 0,0 is not a real location"},
		{"https://maps.apple.com/?address=Pittsburgh", ErrNoLocation, "no location recognised: the Apple Maps link has no coordinates"},
		{"geo:0,0?q=Market+Square", ErrNoLocation, `no location recognised: the geo: link searches for "market square" instead of giving coordinates`},
		{"geo:91,0", ErrNoLocation, "no location recognised: latitude 91 is out of range (±90)"},
		{"geo:abc", ErrNoLocation, "no location recognised: the geo: link has no coordinates"},
		{"https://maps.google.com/?q=40.44%ZZ", ErrNoLocation, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLocation(tt.in, ps)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if tt.message != "" && err.Error() != tt.message {
				t.Errorf("error %q, want %q", err, tt.message)
			}
			if got.Given != strings.TrimSpace(tt.in) || got.Point != (orb.Point{}) {
				t.Errorf("got %+v along with the error", got)
			}
		})
	}
}

func TestParserSwapped(t *testing.T) {
	pittsburgh := orb.Bound{Min: orb.Point{-80.5, 40}, Max: orb.Point{-79.5, 41}}
	p := Parser{Places: testPlaces(t), Near: pittsburgh.Contains}
	tests := []struct {
		in      string
		want    orb.Point
		swapped bool
	}{
		{"-80.0076,40.4473", pt, true},
		{"-80.0076, 40.4473", pt, true},
		{"-80.0076 40.4473", pt, true},
		{`-80°00'27.36", 40°26'50.28"`, pt, true},
		{`-80 00 27.36 40 26 50.28`, pt, true},
		{"40.4473,-80.0076", pt, false},
		{"40.4473 -80.0076", pt, false},
		{`40°26'50.28", -80°00'27.36"`, pt, false},
		// Far from the program either way: as given.
		{"-33.8688,151.2093", orb.Point{151.2093, -33.8688}, false},
		{"51.5007,-0.1246", orb.Point{-0.1246, 51.5007}, false},
		{"-0.1246,51.5007", orb.Point{51.5007, -0.1246}, false},
		// Letters and links say which is which.
		{`80°00'27.36"W 40°26'50.28"N`, pt, false},
		{`40°26'50.28"W 80°00'27.36"N`, orb.Point{-40.4473, 80.0076}, false},
		{"geo:-80.0076,40.4473", orb.Point{40.4473, -80.0076}, false},
		{"https://maps.google.com/?q=-80.0076,40.4473", orb.Point{40.4473, -80.0076}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := p.Parse(tt.in)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if !closeTo(got.Point, tt.want) || got.Swapped != tt.swapped {
				t.Errorf("got %v swapped %v, want %v swapped %v", got.Point, got.Swapped, tt.want, tt.swapped)
			}
		})
	}

	// Only lon,lat is a position, and it is near: swapped.
	sydney := orb.Bound{Min: orb.Point{150.5, -34.5}, Max: orb.Point{151.5, -33.5}}
	got, err := Parser{Near: sydney.Contains}.Parse("151.2093,-33.8688")
	if err != nil || got.Point != (orb.Point{151.2093, -33.8688}) || !got.Swapped {
		t.Errorf("lat out of range, lon,lat near: got %+v, %v", got, err)
	}
	// Only lon,lat is a position, but it is not near: the error stands.
	_, err = p.Parse("151.2093,-33.8688")
	if want := "no location recognised: latitude 151.2093 is out of range (±90)"; err == nil || err.Error() != want {
		t.Errorf("lat out of range, lon,lat far: error %v, want %q", err, want)
	}
	// Without Near, as ParseLocation: never swapped.
	for _, parse := range []func(string) (Location, error){
		Parser{}.Parse,
		func(s string) (Location, error) { return ParseLocation(s, nil) },
	} {
		if got, err := parse("-80.0076,40.4473"); err != nil || got.Point != (orb.Point{40.4473, -80.0076}) || got.Swapped {
			t.Errorf("without Near: got %+v, %v", got, err)
		}
		if _, err := parse("151.2093,-33.8688"); !errors.Is(err, ErrNoLocation) {
			t.Errorf("without Near: error %v, want ErrNoLocation", err)
		}
	}
}

// closeTo reports whether a and b are within 1e-6 degrees in each axis.
func closeTo(a, b orb.Point) bool {
	return math.Abs(a[0]-b[0]) <= 1e-6 && math.Abs(a[1]-b[1]) <= 1e-6
}

// fuzzSeeds are inputs for FuzzParseLocation's corpus: every form the
// parser knows and the near misses around them.
var fuzzSeeds = []string{
	"", "here", "101", "Acrisure Stadium", "40.4473", "40.4473,-80.0076", "40.4473 , -80.0076",
	"40.4473 -80.0076", "91,10", "0,0", "40.4473,-80.0076abc", "-90,-180", "999.9,999.9",
	"https://maps.google.com/?q=40.44,-80.00", "https://www.google.com/maps/search/?api=1&query=40.44,-80.00",
	"https://www.google.com/maps/@40.4473,-80.0076,17z",
	"https://www.google.com/maps/place/X/@40.44,-80.00,17z/data=!3m1!4b1!8m2!3d40.4471!4d-80.0079",
	"https://maps.apple.com/?ll=40.44,-80.00", "https://maps.apple.com/?coordinate=40.44,-80.00&q=x",
	"geo:40.4473,-80.0076;u=35", "geo:40.4473,-80.0076,250", "geo:0,0?q=40.44,-80.00(Label)", "geo:0,0?q=%zz",
	"geo:", "geo:?", "geo:;", "https://", "http://[::1", "https://maps.app.goo.gl/x", "maps.google.com/?q=1,2(",
	"x https://maps.google.com/?q=40.44,-80.00 y", "https://www.google.com/maps/@-91,-80,17z",
	"-80.0076,40.4473", "-80.0076 40.4473", "151.2093,-33.8688",
	`40°30'44"N 80°03'17"W`, `40° 30' 44" N, 80° 03' 17" W`, `40°30′44″N 80°03′17″W`, `40°30'44''N 80°03'17''W`,
	`40deg 30' 44" N 80deg 03' 17" W`, `40 30 44 N 80 03 17 W`, `N 40°30'44.5" W 80°03'17"`, `80°03'17"W 40°30'44"N`,
	`40°30.733'N 80°03.283'W`, `N40 30.733 W80 03.283`, `40°30'44", -80°03'17"`, `40 30 44 -80 03 17`,
	`-80°03'17" 40°30'44"`, `40.4473° N, 80.0076° W`, `40°60'N 80°W`, `40°N 80°N`, `91°N 80°W`, `-40°N 80°W`,
	`40 30 80 03`, `40°30.5'44"N 80°W`, `0°N 0°E`, `-0°30', 0°`,
	"PPG Paint Arena", "the arena", "Acrisure Stadum", "Est Park", "PPG Pants Aren", "zo",
}

func FuzzParseLocation(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	ps := testPlaces(f)
	pittsburgh := orb.Bound{Min: orb.Point{-80.5, 40}, Max: orb.Point{-79.5, 41}}
	near := Parser{Places: ps, Near: pittsburgh.Contains}
	f.Fuzz(func(t *testing.T, text string) {
		loc, err := ParseLocation(text, ps)
		check(t, text, loc, err)
		if loc.Swapped {
			t.Errorf("ParseLocation(%q) swapped without Near", text)
		}
		nloc, nerr := near.Parse(text)
		check(t, text, nloc, nerr)
		switch {
		case nloc.Swapped:
			if nerr != nil || !pittsburgh.Contains(nloc.Point) || (err == nil && pittsburgh.Contains(loc.Point)) {
				t.Errorf("Parse(%q) = %+v, %v swapped, but ParseLocation gives %+v, %v", text, nloc, nerr, loc, err)
			}
		case nloc != loc || (err == nil) != (nerr == nil):
			t.Errorf("Parse(%q) = %+v, %v; ParseLocation gives %+v, %v", text, nloc, nerr, loc, err)
		}
	})
}

// check holds for every result: Given trimmed, a known error and a zero
// Point, or a point in range.
func check(t *testing.T, text string, loc Location, err error) {
	t.Helper()
	if loc.Given != strings.TrimSpace(text) {
		t.Errorf("Given = %q, want the trimmed text", loc.Given)
	}
	if err != nil {
		if !errors.Is(err, ErrNoLocation) && !errors.Is(err, ErrShortLink) && !errors.Is(err, ErrAmbiguous) {
			t.Errorf("error %v is not ErrNoLocation, ErrShortLink or ErrAmbiguous", err)
		}
		if loc.Point != (orb.Point{}) || loc.Swapped || loc.Place != "" {
			t.Errorf("%q: got %+v along with error %v", text, loc, err)
		}
		return
	}
	lon, lat := loc.Point[0], loc.Point[1]
	if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) || (lat == 0 && lon == 0) {
		t.Errorf("%q: %v is out of range", text, loc.Point)
	}
}
