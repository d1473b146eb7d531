package geo

import (
	"errors"
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
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLocation(tt.in, ps)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			want := Location{Point: tt.want, Given: strings.TrimSpace(tt.in), Place: tt.place}
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
}

func FuzzParseLocation(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	ps := testPlaces(f)
	f.Fuzz(func(t *testing.T, text string) {
		loc, err := ParseLocation(text, ps)
		if loc.Given != strings.TrimSpace(text) {
			t.Errorf("Given = %q, want the trimmed text", loc.Given)
		}
		if err != nil {
			if !errors.Is(err, ErrNoLocation) && !errors.Is(err, ErrShortLink) {
				t.Errorf("error %v is neither ErrNoLocation nor ErrShortLink", err)
			}
			return
		}
		lon, lat := loc.Point[0], loc.Point[1]
		if !(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180) || (lat == 0 && lon == 0) {
			t.Errorf("ParseLocation(%q) = %v, out of range", text, loc.Point)
		}
	})
}
