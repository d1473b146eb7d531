package geo

import (
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

const placesCSV = `code,name,lat,lon,aliases
101,PPG Paints Arena,40.4394,-79.9892,the arena;ppg arena;civic arena
102, Acrisure Stadium ,40.4468,-80.0158
zoo,Pittsburgh Zoo,40.4846,-79.9197
104,"Children's Hospital, Lawrenceville",40.4668,-79.9530
105,Mt. Oliver Post Office,40.4109,-79.9794,
106,West Park,40.4530,-80.0110
107,East Park,40.4532,-80.0030
`

func TestPlacesLookup(t *testing.T) {
	ps, err := ParsePlaces("places.csv", []byte(placesCSV))
	if err != nil {
		t.Fatal(err)
	}
	if ps.Len() != 7 {
		t.Errorf("Len = %d, want 7", ps.Len())
	}
	tests := []struct {
		in       string
		wantCode string // "" = not found
	}{
		{"101", "101"},
		{" 101 ", "101"},
		{"ZOO", "zoo"},
		{"ppg paints arena", "101"},
		{"PPG  Paints   Arena", "101"},
		{"Acrisure Stadium", "102"},
		{"acrisure stadium!", "102"},
		{"childrens hospital lawrenceville", "104"},
		{"Children’s Hospital - Lawrenceville", "104"},
		{"mt oliver post office", "105"},
		{"Mt.Oliver Post-Office", "105"},
		{"the arena", "101"},
		{"PPG Pains Arena", "101"},
		{"Est Park", ""}, // East or West
		{"Pittsburgh", ""},
		{"10", ""},
		{"", ""},
		{"...", ""},
	}
	for _, tt := range tests {
		p, ok := ps.Lookup(tt.in)
		if ok != (tt.wantCode != "") || p.Code != tt.wantCode {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.in, p.Code, ok, tt.wantCode)
		}
	}
	p, _ := ps.Lookup("102")
	if want := (Place{Code: "102", Name: "Acrisure Stadium", Point: orb.Point{-80.0158, 40.4468}}); p != want {
		t.Errorf("Lookup(102) = %+v, want %+v", p, want)
	}
}

func TestPlacesMatch(t *testing.T) {
	ps := testPlaces(t)
	tests := []struct {
		in   string
		want []string // codes, in order
	}{
		// Exact codes, names and aliases.
		{"101", []string{"101"}},
		{"ppg paints arena", []string{"101"}},
		{"PPG Paints Arena!", []string{"101"}},
		{" PPG   paints-arena ", []string{"101"}},
		{"the arena", []string{"101"}},
		{"The Arena.", []string{"101"}},
		{"Civic Arena", []string{"101"}},
		{"East Park", []string{"107"}},
		// One typo in a name or alias.
		{"PPG Paint Arena", []string{"101"}},   // deleted
		{"PPG Pains Arena", []string{"101"}},   // deleted
		{"PPG Paintz Arena", []string{"101"}},  // replaced
		{"PPG Paitns Arena", []string{"101"}},  // swapped
		{"PPG Paints Arenas", []string{"101"}}, // inserted
		{"PPGPaints Arena", []string{"101"}},   // a space counts as a letter
		{"civic arean", []string{"101"}},
		{"Acrisure Stadum", []string{"102"}},
		{"acrisure stadiun", []string{"102"}},
		{"Pittsburgh Zo", []string{"zoo"}},
		{"Childrens Hospital Lawrencevile", []string{"104"}},
		// Equally close to two places: both, by name.
		{"Est Park", []string{"107", "106"}},
		{"Wast Park", []string{"107", "106"}},
		// Too far, or codes, which match only exactly.
		{"PPG Pants Aren", nil},
		{"Acrisure", nil},
		{"102 ", []string{"102"}},
		{"1021", nil},
		{"10", nil},
		{"zo", nil},
		{"zooo", nil},
		{"", nil},
		{"...", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range ps.Match(tt.in) {
			got = append(got, p.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlacesMatchShortAndExact(t *testing.T) {
	ps, err := ParsePlaces("p.csv", []byte(`1,Mall,40.44,-80.00
2,Plaza,40.44,-80.01
3,Arsenal Park,40.46,-79.96
4,Arsenal Parks,40.47,-79.96
5,Heinz Hall,40.44,-80.00, heinz hall ; ;Heinz Hall. ;
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"mall", []string{"1"}},
		{"mal", nil},   // names under 5 letters match only exactly
		{"malls", nil}, // however long the text
		{"plaza", []string{"2"}},
		{"plazz", []string{"2"}},
		{"plaz", nil},                   // nor does text under 5 letters
		{"Arsenal Park", []string{"3"}}, // an exact match wins over a typo
		{"Arsenal Parks", []string{"4"}},
		{"Arsenal Pork", []string{"3"}},
		{"Arsenal Parkes", []string{"4"}},
		{"Arsenal Prk", []string{"3"}},
		{"Arsenal Parkss", []string{"4"}},
		{"Arsenal Pars", []string{"3", "4"}},
		{"heinz hal", []string{"5"}},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range ps.Match(tt.in) {
			got = append(got, p.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNilPlaces(t *testing.T) {
	var ps *Places
	if _, ok := ps.Lookup("101"); ok || ps.Len() != 0 || ps.Match("101") != nil || ps.Names() != nil {
		t.Error("nil Places found something")
	}
}

func TestPlacesWithoutHeader(t *testing.T) {
	ps, err := ParsePlaces("p.csv", []byte("\uFEFF101,Market Square,40.4406,-80.0025\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ps.Lookup("101"); !ok {
		t.Error("first row was taken as a header, or the byte-order mark kept")
	}
}

func TestParsePlacesErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string
	}{
		{"bad latitude", "code,name,lat,lon\n101,Arena,abc,-79.9\n",
			[]string{`p.csv:2: latitude "abc" is not a number`}},
		{"out of range", "101,Arena,40.4,-200\n",
			[]string{`p.csv:1: longitude -200 is outside ±180`}},
		{"0,0", "101,Arena,0,0\n",
			[]string{`p.csv:1: is at 0,0, which is not a real place`}},
		{"wrong column count", "code,name,lat,lon\n101,Arena,40.4\n102,Zoo,40.48,-79.91,the zoo,extra\n",
			[]string{`p.csv:2: has 3 columns, want 4 or 5 (code,name,lat,lon[,aliases])`, `p.csv:3: has 6 columns, want 4 or 5 (code,name,lat,lon[,aliases])`}},
		{"duplicate code, ignoring case", "A1,Arena,40.4,-79.9\na1,Zoo,40.48,-79.91\n",
			[]string{`p.csv:2: code "a1" is already used on line 1`}},
		{"duplicate name, ignoring punctuation", "1,St. Clair,40.4,-79.9\n2,st clair,40.41,-79.91\n",
			[]string{`p.csv:2: name "st clair" is already used on line 1`}},
		{"alias is another place's name", "1,Civic Arena,40.4,-79.9\n2,PPG Paints Arena,40.44,-79.98,the arena;civic arena\n",
			[]string{`p.csv:2: alias "civic arena" is already used on line 1`}},
		{"name is another place's alias", "1,PPG Paints Arena,40.44,-79.98,The Arena\n2,The Arena!,40.4,-79.9\n",
			[]string{`p.csv:2: name "The Arena!" is already used on line 1`}},
		{"alias is another place's alias", "1,PPG Paints Arena,40.44,-79.98,the arena\n2,Acrisure Stadium,40.44,-80.01,the stadium;the arena;the arena\n",
			[]string{`p.csv:2: alias "the arena" is already used on line 1`}},
		{"a skipped row's aliases stay free", "1,Arena,40.44,-79.98\n1,Stadium,40.44,-80.01,the stadium\n2,Heinz Field,40.44,-80.01,the stadium\n3,Zoo,40.48,-79.91,the arena\n",
			[]string{`p.csv:2: code "1" is already used on line 1`}},
		{"alias without letters", "1,Arena,40.4,-79.9,the arena;!!\n",
			[]string{`p.csv:1: alias "!!" has no letters or digits`}},
		{"empty fields", "code,name,lat,lon\n,,40.4,-79.9\n3,!!,40.4,-79.9\n",
			[]string{`p.csv:2: has no code`, `p.csv:2: has no name`, `p.csv:3: name "!!" has no letters or digits`}},
		{"no rows", "code,name,lat,lon\n",
			[]string{`p.csv: has no places (want rows of code,name,lat,lon)`}},
		{"bad quoting stops the file", "1,Arena,40.4,-79.9\n2,x,1,2\n3,\"Zoo,40.48,-79.91\n",
			[]string{`p.csv:3: extraneous or missing " in quoted-field`}},
		{"every problem reported", "code,name,lat,lon\n1,A,40.4,-79.9\n1,B,40.4,-79.9\n2,C,north,-79.9\n3,D,40.4\n",
			[]string{`p.csv:3: code "1" is already used on line 2`, `p.csv:4: latitude "north" is not a number`, `p.csv:5: has 3 columns, want 4 or 5 (code,name,lat,lon[,aliases])`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParsePlaces("p.csv", []byte(tt.data))
			if ps != nil {
				t.Error("got Places along with errors")
			}
			var got []string
			if joined, ok := err.(interface{ Unwrap() []error }); ok {
				for _, e := range joined.Unwrap() {
					var pe *PlaceError
					if !errors.As(e, &pe) {
						t.Fatalf("%T is not a *PlaceError", e)
					}
					got = append(got, pe.Error())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestLoadPlacesExample(t *testing.T) {
	if _, err := LoadPlaces("testdata/missing.csv"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want os.ErrNotExist", err)
	}
	ps, err := LoadPlaces("../examples/places.csv")
	if err != nil {
		t.Fatal(err)
	}
	areas, err := LoadAreas("../examples/cohorts.geojson", AreaOptions{CohortProperty: "cohort", TimeZone: newYork(t)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"PPG Paints Arena": "west", "Acrisure Stadium": "north", "Market Square": "west",
		"Pittsburgh Zoo": "east", "Carnegie Museum of Art": "east", "SouthSide Works": "south",
	}
	seen := 0
	for code := range 1000 {
		p, ok := ps.Lookup(strconv.Itoa(code))
		if !ok {
			continue
		}
		seen++
		got, in := areas.Locate(p.Point)
		if !in {
			t.Errorf("%s %s is in no cohort", p.Code, p.Name)
		}
		if w, ok := want[p.Name]; ok && got != w {
			t.Errorf("%s is in %q, want %q", p.Name, got, w)
		}
	}
	if seen != ps.Len() {
		t.Errorf("found %d places by numeric code, file has %d", seen, ps.Len())
	}
}
