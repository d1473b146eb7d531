package geo

import "github.com/paulmach/orb"

// AddressPoint is one address from the program's address file.
type AddressPoint struct {
	Number    int
	Street    string // as written in the file
	City, Zip string
	Point     orb.Point
}

// Addresses are the program's address points, looked up by normalised
// street name in memory. A nil *Addresses is valid and finds nothing. They
// are immutable once parsed and safe for concurrent use.
type Addresses struct {
	points  []addrPoint  // each street's points together, sorted by number
	streets []addrStreet // one per normalised street name per city
	boxes   []addrBox    // bounds of each street's points, addrBlock at a time
	zips    []string     // a point's zip is zips[zip]; zips[0] is ""
	zipIDs  map[string]int32
	cities  map[string]bool    // normalised city names
	exact   map[string][]int32 // NormaliseStreet name -> streets
	loose   map[string][]int32 // the name without direction or type -> streets
	// Typo indexes over the keys of exact and loose.
	exactTypos, looseTypos streetTypos
}

// addrPoint is an address point in 16 bytes. Degrees are stored ×1e7 (1 cm),
// which gives back exactly the value written with up to 7 decimals.
type addrPoint struct {
	num, lat, lon, zip int32
}

func (p addrPoint) point() orb.Point {
	return orb.Point{float64(p.lon) / 1e7, float64(p.lat) / 1e7}
}

// addrStreet is one street in one city: points[first:end].
type addrStreet struct {
	name       string // as first written in the file
	area       string // city as written, else zip, else ""
	areaKey    string // normalised city, else zip, else ""
	dir, typ   string // normalised direction and type words, "" if none
	first, end int32
	box        int32 // boxes[box:] cover points[first:end]
}

// addrBlock points, consecutive by number, share one bounding box: houses
// numbered together stand together, so the boxes let the search for where
// two streets meet skip most pairs of points.
const addrBlock = 16

type addrBox struct{ minLat, minLon, maxLat, maxLon int32 }

// Limits on address files and texts.
const (
	maxAddressErrors = 20  // problems listed before "and N more"
	maxHouseDigits   = 9   // keeps house numbers within int32
	maxAddressText   = 200 // bytes of a text read; the rest is ignored
	maxAddressWords  = 16
	// intersectionMetres is how close two streets' nearest address points
	// must be for the streets to count as meeting.
	intersectionMetres = 150.0
)

// leadingInt returns the number s starts with and how many digits it has;
// the number is only meaningful up to maxHouseDigits digits.
func leadingInt(s string) (n, digits int) {
	for digits < len(s) && '0' <= s[digits] && s[digits] <= '9' {
		if digits < maxHouseDigits {
			n = n*10 + int(s[digits]-'0')
		}
		digits++
	}
	return n, digits
}

// zipCode is the five-digit part of a zip written as "15212-1234" or
// "15212 1234", else the text unchanged.
func zipCode(s string) string {
	if _, d := leadingInt(s); d == 5 {
		return s[:5]
	}
	return s
}

// Len returns the number of address points.
func (a *Addresses) Len() int {
	if a == nil {
		return 0
	}
	return len(a.points)
}

// Points yields every address point, in no particular order:
// for p := range addresses.Points { ... }.
func (a *Addresses) Points(yield func(orb.Point) bool) {
	if a == nil {
		return
	}
	for _, p := range a.points {
		if !yield(p.point()) {
			return
		}
	}
}

// All yields every address point, street by street in number order. The
// street is its first spelling in the file, the number the leading integer
// of what the file has ("1200" for "1200A").
func (a *Addresses) All(yield func(AddressPoint) bool) {
	if a == nil {
		return
	}
	for _, s := range a.streets {
		city := ""
		if a.cities[s.areaKey] {
			city = s.area
		}
		for _, p := range a.points[s.first:s.end] {
			if !yield(AddressPoint{Number: int(p.num), Street: s.name, City: city, Zip: a.zips[p.zip], Point: p.point()}) {
				return
			}
		}
	}
}
