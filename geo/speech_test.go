package geo

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestNormaliseSpeech(t *testing.T) {
	tests := []struct{ in, want string }{
		// Case, spaces and the punctuation recognisers add.
		{"", ""},
		{"  PNC   Park  ", "pnc park"},
		{"PNC Park.", "pnc park"},
		{"PNC Park?", "pnc park"},
		{"PNC Park!", "pnc park"},
		{"Yes. PNC Park.", "pnc park"},
		{"\tMarket\nSquare ", "market square"},
		{"I’m at Market Square", "market square"},
		{"...", ""},
		// Hesitations go anywhere, fillers only at the start or end.
		{"um", ""},
		{"Um, uh, PNC Park", "pnc park"},
		{"PNC, er, Park", "pnc, park"},
		{"like PNC Park", "pnc park"},
		{"so PNC Park", "pnc park"},
		{"okay PNC Park", "pnc park"},
		{"ok PNC Park", "pnc park"},
		{"yeah, well, PNC Park", "pnc park"},
		{"please PNC Park", "pnc park"},
		{"PNC Park please", "pnc park"},
		{"PNC Park, thank you.", "pnc park"},
		{"PNC Park okay?", "pnc park"},
		{"I'm at PNC Park", "pnc park"},
		{"I am at PNC Park", "pnc park"},
		{"we're at PNC Park", "pnc park"},
		{"we are at PNC Park", "pnc park"},
		{"I'm near PNC Park", "pnc park"},
		{"near PNC Park", "pnc park"},
		{"at PNC Park", "pnc park"},
		{"at the PPG Paints Arena", "ppg paints arena"},
		{"by the zoo", "zoo"},
		{"I'm just outside the zoo", "zoo"},
		{"in front of the zoo", "zoo"},
		{"the corner of Fifth and Wood", "5th & wood"},
		{"corner of Fifth and Wood", "5th & wood"},
		{"place code 101", "101"},
		{"code 101", "101"},
		{"number 101", "101"},
		{"place one oh one", "101"},
		{"oh, PNC Park", "pnc park"},
		{"my location is PNC Park", "pnc park"},
		// Kept: words inside a name, and "the" that starts one.
		{"Market Square", "market square"},
		{"The Waterfront", "the waterfront"},
		{"PNC Park near the river", "pnc park near the river"},
		{"Place Vendome", "place vendome"},
		{"Point Breeze", "point breeze"},
		{"Point State Park", "point state park"},
		{"Double Tree", "double tree"},
		{"Near North Side", "north side"}, // a filler at the start goes, even in a name
		{"minus world", "minus world"},
		// Digits said one by one.
		{"one zero one", "101"},
		{"four four one one", "4411"},
		{"one oh one", "101"},
		{"one o one", "101"},
		{"four oh four", "404"},
		{"one oh", "10"},
		{"one oh oh one", "1001"},
		{"double four", "44"},
		{"triple one", "111"},
		{"one double oh seven", "1007"},
		{"one-oh-one", "101"},
		{"one-o-one", "101"},
		{"1 0 1", "101"},
		{"one 0 one", "101"},
		// English numbers.
		{"forty", "40"},
		{"forty two", "42"},
		{"forty-two", "42"},
		{"fourteen", "14"},
		{"one hundred", "100"},
		{"one hundred one", "101"},
		{"one hundred and one", "101"},
		{"twelve hundred", "1200"},
		{"two thousand and five", "2005"},
		{"one thousand two hundred", "1200"},
		{"one forty", "140"},
		{"nineteen oh four", "1904"},
		{"forty four seventy three", "4473"},
		// Decimals and coordinate pairs.
		{"forty point four four seven three", "40.4473"},
		{"forty point four four seven three eighty", "40.4473 80"},
		{"minus eighty point zero zero seven six", "-80.0076"},
		{"negative eighty point oh oh seven six", "-80.0076"},
		{"minus eighty point double oh seven six", "-80.0076"},
		{"forty point four four seven three comma minus eighty point zero zero seven six", "40.4473,-80.0076"},
		{"forty point four four seven three, minus eighty point zero zero seven six", "40.4473,-80.0076"},
		{"forty point four four seven three and negative eighty point zero zero seven six", "40.4473,-80.0076"},
		{"forty point four four seven three minus eighty point zero zero seven six", "40.4473 -80.0076"},
		{"forty point 4473", "40 point 4473"},
		{"minus 80.0076", "-80.0076"},
		{"40.4473 - 80.0076", "40.4473 -80.0076"},
		{"x - y", "x - y"},
		{"one point", "1 point"},
		// Digits given as digits pass through.
		{"101", "101"},
		{"40.4473,-80.0076", "40.4473,-80.0076"},
		{"40.4473, -80.0076", "40.4473,-80.0076"},
		{"40.4473 -80.0076", "40.4473 -80.0076"},
		{"40.4473,-80.0076.", "40.4473,-80.0076"},
		{"geo:40.4473,-80.0076", "geo:40.4473,-80.0076"},
		// "and" and ordinals.
		{"fifth and wood", "5th & wood"},
		{"fifth avenue", "5th avenue"},
		{"first", "1st"},
		{"second avenue", "2nd avenue"},
		{"third street", "3rd street"},
		{"twelfth street", "12th street"},
		{"twentieth street", "20th street"},
		{"twenty first street", "21st street"},
		{"forty third street", "43rd street"},
		{"fortieth and butler", "40th & butler"},
		{"one and two", "1 and 2"},
		{"market square and 101", "market square and 101"},
		{"and", "and"},
	}
	for _, tt := range tests {
		if got := NormaliseSpeech(tt.in); got != tt.want {
			t.Errorf("NormaliseSpeech(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// speechPlacesCSV is examples/places.csv.
const speechPlacesCSV = `code,name,lat,lon
101,PPG Paints Arena,40.4394,-79.9892
102,Acrisure Stadium,40.4468,-80.0158
103,Market Square,40.4406,-80.0025
104,Pittsburgh Zoo,40.4846,-79.9197
105,Carnegie Museum of Art,40.4437,-79.9491
106,SouthSide Works,40.4283,-79.9666
107,PNC Park,40.4469,-80.0057
108,Cathedral of Learning,40.4443,-79.9532
109,Allegheny General Hospital,40.4570,-80.0035
110,Phipps Conservatory,40.4390,-79.9474
`

// TestSpokenLocation reads what officers say, as a recogniser writes it,
// through NormaliseSpeech and ParseLocation.
func TestSpokenLocation(t *testing.T) {
	ps, err := ParsePlaces("places.csv", []byte(speechPlacesCSV))
	if err != nil {
		t.Fatal(err)
	}
	arena := orb.Point{-79.9892, 40.4394}
	pair := orb.Point{-80.0076, 40.4473}
	tests := []struct {
		said  string
		want  orb.Point
		place string
	}{
		{"Um, I'm at place code one oh one.", arena, "PPG Paints Arena"},
		{"one zero one", arena, "PPG Paints Arena"},
		{"one hundred and one", arena, "PPG Paints Arena"},
		{"Place code 101.", arena, "PPG Paints Arena"},
		{"one zero three", orb.Point{-80.0025, 40.4406}, "Market Square"},
		{"Yeah, we're at one oh seven, please.", orb.Point{-80.0057, 40.4469}, "PNC Park"},
		{"code one ten", orb.Point{-79.9474, 40.4390}, "Phipps Conservatory"},
		{"at the PPG Paints Arena", arena, "PPG Paints Arena"},
		{"I'm outside the Cathedral of Learning.", orb.Point{-79.9532, 40.4443}, "Cathedral of Learning"},
		{"Uh, near the Southside Works.", orb.Point{-79.9666, 40.4283}, "SouthSide Works"},
		{"Market Square.", orb.Point{-80.0025, 40.4406}, "Market Square"},
		{"forty point four four seven three, minus eighty point zero zero seven six", pair, ""},
		{"forty point four four seven three and negative eighty point zero zero seven six", pair, ""},
		{"Forty point four four seven three comma minus eighty point double oh seven six.", pair, ""},
		{"forty point four four seven three minus eighty point zero zero seven six", pair, ""},
		{"40.4473, -80.0076", pair, ""},
		{"I'm at 40.4473 minus 80.0076", pair, ""},
		{"40.4473 - 80.0076", pair, ""},
	}
	for _, tt := range tests {
		t.Run(tt.said, func(t *testing.T) {
			text := NormaliseSpeech(tt.said)
			got, err := ParseLocation(text, ps)
			if err != nil {
				t.Fatalf("ParseLocation(%q): %v", text, err)
			}
			if got.Point != tt.want || got.Place != tt.place {
				t.Errorf("ParseLocation(%q) = %v %q, want %v %q", text, got.Point, got.Place, tt.want, tt.place)
			}
		})
	}
}

func FuzzNormaliseSpeech(f *testing.F) {
	for _, s := range []string{
		"Um, I'm at place code one oh one.", "forty point four four seven three and negative eighty point zero zero seven six",
		"the corner of fifth and wood", "one hundred and one", "twelve hundred", "double oh seven", "twenty first",
		"minus twenty first", "place double four", "one oh minus two", "1 , 2 and 3.5", "x and 1.5 , -2",
		"one point oh main", "so the the arena", "forty-two", "40.4473, -80.0076", "and and", "oh oh",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := NormaliseSpeech(s)
		if once != strings.TrimSpace(once) {
			t.Errorf("NormaliseSpeech(%q) = %q, with spaces around it", s, once)
		}
		if twice := NormaliseSpeech(once); twice != once {
			t.Errorf("NormaliseSpeech(%q) = %q, but NormaliseSpeech(%q) = %q", s, once, once, twice)
		}
	})
}
