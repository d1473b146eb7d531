package geo

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestParseCoordinates(t *testing.T) {
	const (
		dmsLat, dmsLon = 40.5122222, -80.0547222 // 40°30'44"N 80°03'17"W
		dmLat, dmLon   = 40.5122167, -80.0547167 // 40°30.733'N 80°03.283'W
	)
	tests := []struct {
		in       string
		lat, lon float64
	}{
		// Degrees, minutes and seconds.
		{`40°30'44"N 80°03'17"W`, dmsLat, dmsLon},
		{`40°30'44"N, 80°03'17"W`, dmsLat, dmsLon},
		{`40°30'44"N,80°03'17"W`, dmsLat, dmsLon},
		{`40° 30' 44" N 80° 03' 17" W`, dmsLat, dmsLon},
		{`40° 30' 44" N , 80° 03' 17" W`, dmsLat, dmsLon},
		{`40°30′44″N 80°03′17″W`, dmsLat, dmsLon},
		{`40°30'44''N 80°03'17''W`, dmsLat, dmsLon},
		{`40°30’44”N 80°03’17”W`, dmsLat, dmsLon}, // a phone's smart quotes
		{`40º30'44"N 80º03'17"W`, dmsLat, dmsLon},
		{`40deg 30' 44" N 80deg 03' 17" W`, dmsLat, dmsLon},
		{`40 DEG 30' 44" N 80 DEG 03' 17" W`, dmsLat, dmsLon},
		{`40 30 44 N 80 03 17 W`, dmsLat, dmsLon},
		{`40 30 44 n 80 3 17 w`, dmsLat, dmsLon},
		{`N 40°30'44" W 80°03'17"`, dmsLat, dmsLon},
		{`N40°30'44" W80°03'17"`, dmsLat, dmsLon},
		{`N 40 30 44, W 80 03 17`, dmsLat, dmsLon},
		{`80°03'17"W 40°30'44"N`, dmsLat, dmsLon}, // the letters say which is which
		{`40°30'44.5"N 80°03'17"W`, 40.5123611, dmsLon},
		{`40°26'50.3"N 80°00'27.4"W`, 40.4473056, -80.0076111},
		{`40°30'44"N 80°03'59.99"W`, dmsLat, -80.0666639},
		{`33°52'7.68"S 151°12'33.48"E`, -33.8688, 151.2093},
		{"  40°30'44\"N\t80°03'17\"W\n", dmsLat, dmsLon},
		// Degrees and decimal minutes.
		{`40°30.733'N 80°03.283'W`, dmLat, dmLon},
		{`40°30.733′N, 80°03.283′W`, dmLat, dmLon},
		{`N40 30.733 W80 03.283`, dmLat, dmLon},
		{`N 40° 30.733 W 80° 03.283`, dmLat, dmLon},
		{`40 30.733 N 80 3.283 W`, dmLat, dmLon},
		// Decimal degrees with marks or letters.
		{`40.4473N 80.0076W`, 40.4473, -80.0076},
		{`40.4473° N, 80.0076° W`, 40.4473, -80.0076},
		{`40.4473°, -80.0076°`, 40.4473, -80.0076},
		{`S 33.8688 E 151.2093`, -33.8688, 151.2093},
		// No letters: a sign, as in decimal pairs.
		{`40°30'44", -80°03'17"`, dmsLat, dmsLon},
		{`40°30'44" -80°03'17"`, dmsLat, dmsLon},
		{`+40°30'44" -80°03'17"`, dmsLat, dmsLon},
		{`40 30 44, -80 03 17`, dmsLat, dmsLon},
		{`40 30 44 -80 03 17`, dmsLat, dmsLon},
		{`40 30.733, -80 03.283`, dmLat, dmLon},
		{`-0°30'00", 10°00'00"`, -0.5, 10}, // the sign is the whole value's
		{`90°00'00"N 180°00'00"E`, 90, 180},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLocation(tt.in, nil)
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if math.Abs(got.Point.Lat()-tt.lat) > 1e-6 || math.Abs(got.Point.Lon()-tt.lon) > 1e-6 {
				t.Errorf("got %.7f,%.7f, want %.7f,%.7f", got.Point.Lat(), got.Point.Lon(), tt.lat, tt.lon)
			}
			if got.Given != strings.TrimSpace(tt.in) || got.Place != "" || got.Swapped {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestParseCoordinatesErrors(t *testing.T) {
	tests := []struct {
		in      string
		message string // "" = ErrNoLocation's own message
	}{
		{`40°60'00"N 80°03'17"W`, `no location recognised: minutes in 40°60'00"N must be under 60`},
		{`40°30'44"N 80°03'60"W`, `no location recognised: seconds in 80°03'60"W must be under 60`},
		{`N40 60.5 W80 03.283`, `no location recognised: minutes in N40 60.5 must be under 60`},
		{`91°00'00"N 80°W`, `no location recognised: latitude 91°00'00"N is out of range (±90)`},
		{`90°00'01"S 80°W`, `no location recognised: latitude 90°00'01"S is out of range (±90)`},
		{`80°W 181°E`, `no location recognised: 80°W and 181°E are both longitudes`},
		{`40°30'N 80°N`, `no location recognised: 40°30'N and 80°N are both latitudes`},
		{`40°N 180°30'W`, `no location recognised: longitude 180°30'W is out of range (±180)`},
		{`0°N 0°E`, `no location recognised: 0,0 is not a real location`},
		{`0 0 0, 0 0 0`, `no location recognised: 0,0 is not a real location`},
		{`40 30 44 80 03 60`, `no location recognised: seconds in 80 03 60 must be under 60`},
		// Not written like a position at all.
		{`40°30'44"N -80°03'17"`, ""}, // one half lettered
		{`-40°30'44"N 80°03'17"W`, ""},
		{`N -40 W 80`, ""},
		{`40°30.5'44"N 80°03'17"W`, ""}, // decimals before the last part
		{`40.5 30 N 80 W`, ""},
		{`40'30°N 80°03'W`, ""}, // marks out of order
		{`40°30"N 80°03'W`, ""},
		{`4000°30'N 80°03'W`, ""},
		{`40°300'N 80°03'W`, ""},
		{`40°30'44"N 80°03'17"W 12`, ""},
		{`40°30'44"N`, ""},
		{`40 30 44`, ""},
		{`40 30 80`, ""},
		{`40 30 44 80 03`, ""},
		{`40 30, 80`, ""},
		{`40°30'44"NW 80°03'17"`, ""},
		{`N 40°30'44" W 80°03'17" E`, ""},
		{`40°30'44"N; 80°03'17"W`, ""},
		{`40°30'44"N,, 80°03'17"W`, ""},
		{`40.°30'N 80°W`, ""},
		{`.5°N 80°W`, ""},
		{`- 40°, 80°`, ""},
		{`north 40 west 80`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLocation(tt.in, nil)
			if !errors.Is(err, ErrNoLocation) {
				t.Fatalf("error %v, want ErrNoLocation", err)
			}
			want := tt.message
			if want == "" {
				want = ErrNoLocation.Error()
			}
			if err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
			if got.Point != (orb.Point{}) || got.Swapped {
				t.Errorf("got %+v along with the error", got)
			}
		})
	}
}

// TestScanCoordsNoAlloc keeps text that is not a position, such as a place
// name, cheap to turn away.
func TestScanCoordsNoAlloc(t *testing.T) {
	for _, s := range []string{"ppg paints arena", `40°30'44"N 80°03'17"W`} {
		allocs := testing.AllocsPerRun(100, func() { parseCoords(s) })
		if allocs != 0 {
			t.Errorf("parseCoords(%q) allocates %v times", s, allocs)
		}
	}
}
