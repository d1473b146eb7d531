package geo

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

const addressesFile = "testdata/pittsburgh-addresses.csv"

// pittsburghAddresses loads the address fixture: downtown, Strip, Oakland,
// South Side, North Side, Lawrenceville, Hill and East Liberty streets,
// plus a Main St in both Millvale and Sharpsburg.
func pittsburghAddresses(t testing.TB) *Addresses {
	t.Helper()
	f, err := os.Open(addressesFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := ParseAddresses(f, addressesFile)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// woodAndFifth is where Wood St crosses Fifth Ave downtown.
var woodAndFifth = orb.Point{-79.9990, 40.4410}

func TestResolveAddress(t *testing.T) {
	a := pittsburghAddresses(t)
	millvale1200 := "1200 Main St, Millvale"
	sharpsburgNear := "1200 Main St (near 500), Sharpsburg"
	tests := []struct {
		text  string
		want  []string // labels, best first; nil for no match
		exact []bool
	}{
		{"1200 Main St", []string{millvale1200, sharpsburgNear}, []bool{true, false}},
		{"1200 main street", []string{millvale1200, sharpsburgNear}, []bool{true, false}},
		{"  1200   MAIN   ST.  ", []string{millvale1200, sharpsburgNear}, []bool{true, false}},
		{"1200 Main St. Millvale", []string{millvale1200}, []bool{true}},
		{"1200 Main St, Millvale 15209", []string{millvale1200}, []bool{true}},
		{"1200 Main St, Millvale, PA 15209", []string{millvale1200}, []bool{true}},
		{"1200 main st 15209", []string{millvale1200}, []bool{true}},
		{"1200 Main Millvale", []string{millvale1200}, []bool{true}},
		{"1200A Main St", []string{millvale1200, sharpsburgNear}, []bool{true, false}},
		{"1200-1204 Main St Millvale", []string{millvale1200}, []bool{true}},
		// 1200 and 1202 are across the street from 1201; 1203 is as near
		// on the same side.
		{"1201 Main", []string{"1201 Main St (near 1203), Millvale", "1201 Main St (near 500), Sharpsburg"}, []bool{false, false}},
		{"1201 Main St Sharpsburg", []string{"1201 Main St (near 500), Sharpsburg"}, []bool{false}},
		{"1200 Mian St", []string{millvale1200, sharpsburgNear}, []bool{false, false}},
		{"1200 Main Stt Millvale", []string{millvale1200}, []bool{false}},
		{"Main St 100", []string{"100 Main St, Millvale", "100 Main St, Sharpsburg"}, []bool{true, true}},
		{"main st 100 sharpsburg", []string{"100 Main St, Sharpsburg"}, []bool{true}},
		{"Penn Av 1500", []string{"1500 Penn Ave, Pittsburgh"}, []bool{true}},
		{"1611 Penn Avenue", []string{"1611 Penn Ave, Pittsburgh"}, []bool{true}},
		{"1610 Penn Ave", []string{"1610 Penn Ave (near 1611), Pittsburgh"}, []bool{false}},
		{"1650 Penn Ave", []string{"1650 Penn Ave (near 1611), Pittsburgh"}, []bool{false}},
		{"1800 E Carson St", []string{"1800 E Carson St, Pittsburgh"}, []bool{true}},
		{"1800 east carson street", []string{"1800 E Carson St, Pittsburgh"}, []bool{true}},
		{"1800 Carson St", []string{"1800 E Carson St, Pittsburgh"}, []bool{true}},
		{"1800 W Carson St", nil, nil},
		{"1800 W Carsn St", nil, nil},
		{"1800 E Carsn St", []string{"1800 E Carson St, Pittsburgh"}, []bool{false}},
		{"200 Highland", []string{"200 N Highland Ave, Pittsburgh", "200 S Highland Ave, Pittsburgh"}, []bool{true, true}},
		{"200 S. Highland Ave", []string{"200 S Highland Ave, Pittsburgh"}, []bool{true}},
		{"1200 Liberty", []string{"1200 Liberty Ave (near 1000), Pittsburgh"}, []bool{false}},
		{"3900 Frobes Ave", []string{"3900 Forbes Ave, Pittsburgh"}, []bool{false}},
		{"AD 1200 Main St Millvale / back door", []string{millvale1200}, []bool{true}},
		{"1200 Main St Millvale at the bus stop", []string{millvale1200}, []bool{true}},
		{"1200 Main St Ross", nil, nil},           // no Ross in the file
		{"1200 Main St 15237", nil, nil},          // nor that zip
		{"1200 Main St Millvale 15215", nil, nil}, // Sharpsburg's zip
		{"1200 Elm St", nil, nil},
		{"1200 Mn St", nil, nil}, // too short for a typo
		{"Main St", nil, nil},    // no number
		{"5th Ave", nil, nil},
		{"", nil, nil},
		{"1200", nil, nil},
		{"&&&///", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := a.Resolve(tt.text)
			var labels []string
			var exact []bool
			for _, m := range got {
				labels = append(labels, m.Label)
				exact = append(exact, m.Exact)
			}
			if !slices.Equal(labels, tt.want) || !slices.Equal(exact, tt.exact) {
				t.Errorf("Resolve(%q)\n got %q %v\nwant %q %v", tt.text, labels, exact, tt.want, tt.exact)
			}
		})
	}
}

func TestResolveAddressPoint(t *testing.T) {
	a := pittsburghAddresses(t)
	// The fixture's 1203 Main St, Millvale.
	want := orb.Point{-79.978479, 40.480701}
	for _, text := range []string{"1203 Main St Millvale", "1201 Main St Millvale"} {
		m := a.Resolve(text)
		if len(m) != 1 || m[0].Point != want {
			t.Errorf("Resolve(%q) = %+v, want one match at %v", text, m, want)
		}
	}
}

func TestResolveIntersection(t *testing.T) {
	a := pittsburghAddresses(t)
	tests := []struct {
		text  string
		want  string // "" for no match
		exact bool
	}{
		{"5th & Wood", "Fifth Ave & Wood St, Pittsburgh", true},
		{"5th&Wood", "Fifth Ave & Wood St, Pittsburgh", true},
		{"fifth and wood", "Fifth Ave & Wood St, Pittsburgh", true},
		{"Wood St at 5th Ave", "Wood St & Fifth Ave, Pittsburgh", true},
		{"Wood / 5th", "Wood St & Fifth Ave, Pittsburgh", true},
		{"wood/5th", "Wood St & Fifth Ave, Pittsburgh", true},
		{"Wood @ Fifth Avenue", "Wood St & Fifth Ave, Pittsburgh", true},
		{"5th and Wood Pittsburgh", "Fifth Ave & Wood St, Pittsburgh", true},
		{"5th and Wood 15222", "Fifth Ave & Wood St, Pittsburgh", true},
		{"5th & Wood / by the bus shelter", "Fifth Ave & Wood St, Pittsburgh", true},
		{"Liberty & Wood", "Liberty Ave & Wood St, Pittsburgh", true},
		{"Smithfield and 5th", "Smithfield St & Fifth Ave, Pittsburgh", true},
		{"Smithfeild and 5th", "Smithfield St & Fifth Ave, Pittsburgh", false},
		{"Wood & Smithfield", "", false}, // parallel, a block apart
		{"Penn & Forbes", "", false},     // across town
		{"5th & Wood Millvale", "", false},
		{"5th & Elm", "", false},
		{"Wood & Wood", "", false},
		{"5th &", "", false},
		{"& Wood", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := a.Resolve(tt.text)
			if tt.want == "" {
				if got != nil {
					t.Errorf("Resolve(%q) = %+v, want nil", tt.text, got)
				}
				return
			}
			if len(got) != 1 || got[0].Label != tt.want || got[0].Exact != tt.exact {
				t.Fatalf("Resolve(%q) = %+v, want one %q exact=%v", tt.text, got, tt.want, tt.exact)
			}
		})
	}
	m := a.Resolve("5th & Wood")
	if d := orbgeo.Distance(m[0].Point, woodAndFifth); d > 30 {
		t.Errorf("5th & Wood is %.0f m from the corner, want within 30 m", d)
	}
}

// TestResolveStreetTypes checks a file without a city column, where zips
// name the candidates, and streets that differ only by type.
func TestResolveStreetTypes(t *testing.T) {
	const data = "Zip,LON,Street,Notes,Lat,Number\n" +
		"15209,-79.9780,Main St,,40.4800,100\n" +
		"15209,-79.9700,Main Ave,corner lot,40.4850,100\n" +
		"15215,-79.9300,Main St,,40.4950,100\n" +
		"15215,-79.9310,Oak Way,,40.4955,7\n" +
		",-79.9312,Oak Way,,40.4956,9\n"
	a, err := ParseAddresses(strings.NewReader(data), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"100 Main", []string{"100 Main Ave, 15209", "100 Main St, 15209", "100 Main St, 15215"}},
		{"100 Main St", []string{"100 Main St, 15209", "100 Main St, 15215"}},
		{"100 Main Avenue", []string{"100 Main Ave, 15209"}},
		{"100 Main 15215", []string{"100 Main St, 15215"}},
		{"9 Oak Way", []string{"9 Oak Way", "9 Oak Way (near 7), 15215"}},
		{"Main St & Oak", []string{"Main St & Oak Way, 15215"}},
	}
	for _, tt := range tests {
		var got []string
		for _, m := range a.Resolve(tt.text) {
			got = append(got, m.Label)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Resolve(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestNormaliseStreet(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Main St", "main st"},
		{"MAIN STREET", "main st"},
		{"Main Str.", "main st"},
		{"  Main   St  ", "main st"},
		{"Fifth Avenue", "5th ave"},
		{"5th Av", "5th ave"},
		{"E. Carson Street", "e carson st"},
		{"East Carson St", "e carson st"},
		{"North Highland Avenue", "n highland ave"},
		{"SW Temple Rd", "sw temple rd"},
		{"Southeast Blvd", "se blvd"},
		{"Boulevard of the Allies", "blvd of the allies"},
		{"Ohio River Parkway", "ohio river pkwy"},
		{"Lincoln Highway", "lincoln hwy"},
		{"Fort Pitt Blvd.", "fort pitt blvd"},
		{"Grandview Drive", "grandview dr"},
		{"Cherry Lane", "cherry ln"},
		{"Chatham Court", "chatham ct"},
		{"Penn Place", "penn pl"},
		{"Bigelow Terrace", "bigelow ter"},
		{"Mellon Circle", "mellon cir"},
		{"Market Square", "market sq"},
		{"Strawberry Way", "strawberry way"},
		{"Twentieth St", "20th st"},
		{"Second Ave", "2nd ave"},
		{"twelfth street", "12th st"},
		{"21st St", "21st st"},
		{"O'Hara Street", "ohara st"},
		{"St. Clair St", "st clair st"},
		{"Route 51", "route 51"},
		{"!!", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormaliseStreet(tt.in); got != tt.want {
			t.Errorf("NormaliseStreet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAddressesErrors(t *testing.T) {
	var many strings.Builder
	many.WriteString("number,street,lat,lon\n")
	for range 25 {
		many.WriteString("x,Main St,40.4,-79.9\n")
	}
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"missing column", "number,street,lat\n100,Main St,40.4\n",
			[]string{`a.csv:1: header has no lon column (want number, street, lat, lon; city and zip are optional)`}},
		{"no header", "100,Main St,40.4,-79.9\n",
			[]string{`a.csv:1: header has no number, street, lat, lon columns (want number, street, lat, lon; city and zip are optional)`}},
		{"bad latitude", "number,street,lat,lon\n100,Main St,40.4,-79.9\n101,Main St,abc,-79.9\n",
			[]string{`a.csv:3: latitude "abc" is not a number`}},
		{"bad number", "number,street,lat,lon\nA100,Main St,40.4,-79.9\n,Main St,40.4,-79.9\n1234567890,Main St,40.4,-79.9\n",
			[]string{`a.csv:2: number "A100" does not start with a digit`, `a.csv:3: has no number`, `a.csv:4: number "1234567890" is too long`}},
		{"every problem in a row", "number,street,lat,lon\nx,!!,95,-200\n",
			[]string{`a.csv:2: number "x" does not start with a digit`, `a.csv:2: street "!!" has no letters or digits`,
				`a.csv:2: latitude 95 is outside ±90`, `a.csv:2: longitude -200 is outside ±180`}},
		{"short row, no street, 0,0", "number,street,lat,lon,city\n100,Main St,40.4\n101,,40.4,-79.9\n102,Main St,0,0\n",
			[]string{`a.csv:2: has 3 columns, want at least 4`, `a.csv:3: has no street`, `a.csv:4: is at 0,0, which is not a real place`}},
		{"empty", "",
			[]string{`a.csv: has no addresses (want a header naming number, street, lat, lon, then a row per address)`}},
		{"header only", "number,street,lat,lon\n",
			[]string{`a.csv: has no addresses (want a header naming number, street, lat, lon, then a row per address)`}},
		{"bad quoting stops the file", "number,street,lat,lon\n1,Main St,40.4,-79.9\n2,\"Main St,40.4,-79.9\n",
			[]string{`a.csv:3: extraneous or missing " in quoted-field`}},
		{"at most 20", many.String(), func() []string {
			var w []string
			for line := 2; line < 22; line++ {
				w = append(w, fmt.Sprintf(`a.csv:%d: number "x" does not start with a digit`, line))
			}
			return append(w, "a.csv: and 5 more problems")
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAddresses(strings.NewReader(tt.data), "a.csv")
			if a != nil {
				t.Error("got Addresses along with errors")
			}
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("error %v does not join errors", err)
			}
			var got []string
			for _, e := range joined.Unwrap() {
				var pe *PlaceError
				if !errors.As(e, &pe) {
					t.Fatalf("%T is not a *PlaceError", e)
				}
				got = append(got, pe.Error())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAddressesFixture(t *testing.T) {
	a := pittsburghAddresses(t)
	if a.Len() < 60 || a.Len() > 150 {
		t.Errorf("Len = %d, want 60 to 150", a.Len())
	}
	// Every Pittsburgh address is in a neighbourhood; the boroughs are not.
	hoods := pittsburgh(t)
	n := 0
	for p := range a.All {
		n++
		_, in := hoods.Locate(p.Point)
		if in != (p.City == "Pittsburgh") {
			t.Errorf("%d %s, %s at %v: in a neighbourhood = %v", p.Number, p.Street, p.City, p.Point, in)
		}
		if p.Zip == "" {
			t.Errorf("%d %s has no zip", p.Number, p.Street)
		}
	}
	var pts []orb.Point
	for p := range a.Points {
		pts = append(pts, p)
	}
	if n != a.Len() || len(pts) != a.Len() {
		t.Errorf("All yields %d and Points %d, Len is %d", n, len(pts), a.Len())
	}

	// Wood St and Fifth Ave both have points near the corner.
	for _, street := range []string{"Wood St", "Fifth Ave"} {
		near := 0
		for p := range a.All {
			if p.Street == street && orbgeo.Distance(p.Point, woodAndFifth) < 40 {
				near++
			}
		}
		if near < 2 {
			t.Errorf("%s has %d points within 40 m of Wood & Fifth, want 2 or more", street, near)
		}
	}
}

func TestAddressesKeepCoordinates(t *testing.T) {
	const data = "\uFEFFnumber,street,city,lat,lon\n1200A,Main St,Ross,40.5012345,-80.0123456\n"
	a, err := ParseAddresses(strings.NewReader(data), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := AddressPoint{Number: 1200, Street: "Main St", City: "Ross", Point: orb.Point{-80.0123456, 40.5012345}}
	for p := range a.All {
		if p != want {
			t.Errorf("got %+v, want %+v", p, want)
		}
	}
	if m := a.Resolve("1200 Main St, Ross"); len(m) != 1 || m[0].Point != want.Point || !m[0].Exact {
		t.Errorf("Resolve = %+v", m)
	}
	stopped := 0
	for range a.Points {
		stopped++
		break
	}
	if stopped != 1 {
		t.Error("Points did not stop")
	}
}

func TestNilAddresses(t *testing.T) {
	var a *Addresses
	if a.Len() != 0 || a.Resolve("1200 Main St") != nil {
		t.Error("nil Addresses found something")
	}
	for range a.Points {
		t.Error("nil Addresses has points")
	}
	for range a.All {
		t.Error("nil Addresses has addresses")
	}
}

func FuzzResolve(f *testing.F) {
	a := pittsburghAddresses(f)
	for _, s := range []string{
		"1200 Main St", "1200 Main St, Millvale 15209", "5th & Wood", "wood/5th",
		"Main St 100", "AD 1200 Main St / notes", "1200-1204 Main", "1200a main",
		"Smithfeild and 5th", "& / @ and at", "999999999999 Main St", "1-2-3-4",
		"\xff\xfe 1200 Main", "５th & Wood", strings.Repeat("1200 Main St ", 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range a.Resolve(s) {
			if m.Label == "" || math.IsNaN(m.Point[0]) || math.Abs(m.Point[1]) > 90 || math.Abs(m.Point[0]) > 180 {
				t.Fatalf("Resolve(%q) gave %+v", s, m)
			}
		}
	})
}
