package geo

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// ErrNoLocation means the text holds nothing recognisable as a location.
// Errors for coordinates out of range wrap it.
var ErrNoLocation = errors.New("no location recognised")

// ErrShortLink means the text is a shortened map link (maps.app.goo.gl,
// goo.gl/maps). Following it needs a network request to Google at referral
// time, so the officer is asked for coordinates instead.
var ErrShortLink = errors.New("short map links cannot be read; send coordinates instead")

// ErrAmbiguous means the text names more than one place, each within one
// typo; the error wraps it with their names. Places.Match lists them, so
// the officer can be asked which.
var ErrAmbiguous = errors.New("the name matches more than one place")

// Location is where an officer says a referral is.
type Location struct {
	Point orb.Point
	Given string // the location text as the officer gave it, trimmed
	Place string // the place name if it came from the places file, else ""
	// Swapped: a plain number pair was read lon,lat, as only that order is
	// near the program. The reply should say so.
	Swapped bool
	// Coords: the point was written as coordinates or in a map link.
	Coords bool
	// Decimals is how many decimals plain decimal coordinates had (the
	// fewer of the two); 0 for other forms.
	Decimals int
	// Uncertainty is how far off, in metres, coordinates with so few
	// decimals may be: about 1 km for two. 0 for three decimals or more.
	Uncertainty float64
}

// Parser reads officer locations for one program.
type Parser struct {
	Places *Places
	// Near reports whether a point is near the program (e.g. within its
	// areas' bounds plus a margin); nil treats every point as near, so
	// number pairs are always read lat,lon.
	Near func(orb.Point) bool
}

// A number as people type coordinates: optional sign, at most three integer
// digits, optional decimals. Strict on purpose: ParseFloat would also take
// "inf", "1e2" and "0x1p-2".
const numberPattern = `[+-]?\d{1,3}(?:\.\d+)?`

var (
	// "lat,lon" with optional spaces around the comma.
	commaPair = regexp.MustCompile(`^(` + numberPattern + `)\s*,\s*(` + numberPattern + `)$`)
	// "lat lon" only when both have decimals: "12 34" is more likely an
	// address or a code than a position.
	spacePair = regexp.MustCompile(`^([+-]?\d{1,3}\.\d+)\s+([+-]?\d{1,3}\.\d+)$`)
)

// ParseLocation reads the location part of an officer's text with no
// knowledge of where the program is: Parser{Places: places}.Parse(text).
func ParseLocation(text string, places *Places) (Location, error) {
	return Parser{Places: places}.Parse(text)
}

// Parse reads the location part of an officer's text. It understands,
// ignoring case and surrounding spaces:
//
//   - decimal "lat,lon", with or without spaces around the comma, or "lat lon"
//     when both numbers have decimals: "40.4473,-80.0076";
//   - degrees, minutes and seconds, or degrees and decimal minutes, with
//     hemisphere letters or signs: 40°30'44"N 80°03'17"W, N40 30.733
//     W80 03.283, 40 30 44, -80 03 17 (see parseCoords for every form);
//   - Google Maps links (?q=, ?query=, ?ll=, /@lat,lon, and a place's
//     !3d…!4d… pin, which wins over the viewport);
//   - Apple Maps links (?ll=, ?q=, ?coordinate=, ?sll=, in that order);
//   - geo: URIs (RFC 5870), including Android's "geo:0,0?q=lat,lon(Label)";
//   - a place code, name or alias from p.Places (which may be nil), names
//     with up to one typo (see Places.Match).
//
// A number pair without hemisphere letters is lat,lon, unless that point
// is not Near (or not a position at all) and lon,lat is: then it is read
// lon,lat and Swapped is set. Links and lettered pairs are never swapped.
//
// A map link may come with other words around it, as phones share a label
// along with the link. Points must be in range and not 0,0. Errors are
// ErrShortLink, ErrAmbiguous wrapped with the places' names, or
// ErrNoLocation possibly wrapped with the reason; Point is zero with them.
func (p Parser) Parse(text string) (Location, error) {
	given := strings.TrimSpace(text)
	loc := Location{Given: given}
	lower := strings.ToLower(given)

	if c, found, err := parseCoords(given); found {
		if err == nil {
			loc.Point, loc.Swapped, err = p.orient(c)
			loc.Coords = true
			loc.Decimals, loc.Uncertainty = precision(c.firstText, c.secondText)
		}
		return loc, err
	}
	if isLink(lower) {
		pt, err := parseLink(lower)
		loc.Point, loc.Coords = pt, true
		return loc, err
	}
	if pl, ok := p.Places.exact(given); ok {
		loc.Point, loc.Place = pl.Point, pl.Name
		return loc, nil
	}
	switch m := p.Places.nearly(given); len(m) {
	case 0:
	case 1:
		loc.Point, loc.Place = m[0].Point, m[0].Name
		return loc, nil
	default:
		names := make([]string, len(m))
		for i, pl := range m {
			names[i] = strconv.Quote(pl.Name)
		}
		return loc, fmt.Errorf("%w: %s", ErrAmbiguous, strings.Join(names, " or "))
	}
	for _, word := range strings.Fields(lower) {
		if isLink(word) {
			pt, err := parseLink(word)
			loc.Point, loc.Coords = pt, true
			return loc, err
		}
	}
	return loc, ErrNoLocation
}

// orient makes a point of c, swapping an unlettered pair when only lon,lat
// is near the program.
func (p Parser) orient(c coordPair) (orb.Point, bool, error) {
	pt, err := validPoint(c.first, c.second, c.firstText, c.secondText)
	if c.lettered || p.Near == nil || (err == nil && p.Near(pt)) {
		return pt, false, err
	}
	if sw, swErr := validPoint(c.second, c.first, c.secondText, c.firstText); swErr == nil && p.Near(sw) {
		return sw, true, nil
	}
	return pt, false, err
}

// matchPair splits "lat,lon" or "lat lon" into its two numbers as text:
// the decimal forms of parseCoords, for coordinates inside map links.
func matchPair(s string) (lat, lon string, ok bool) {
	m := commaPair.FindStringSubmatch(s)
	if m == nil {
		m = spacePair.FindStringSubmatch(s)
	}
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// checkedPoint turns matched numbers into a point, rejecting positions no
// referral can be at.
func checkedPoint(latText, lonText string) (orb.Point, error) {
	lat, err := strconv.ParseFloat(latText, 64)
	if err != nil {
		return orb.Point{}, fmt.Errorf("%w: latitude %q: %w", ErrNoLocation, latText, err)
	}
	lon, err := strconv.ParseFloat(lonText, 64)
	if err != nil {
		return orb.Point{}, fmt.Errorf("%w: longitude %q: %w", ErrNoLocation, lonText, err)
	}
	return validPoint(lat, lon, latText, lonText)
}

// validPoint checks a position in degrees; the texts are the numbers as
// written, for errors. 0,0 is what broken GPS and empty forms produce.
func validPoint(lat, lon float64, latText, lonText string) (orb.Point, error) {
	switch {
	case !(lat >= -90 && lat <= 90):
		return orb.Point{}, fmt.Errorf("%w: latitude %s is out of range (±90)", ErrNoLocation, latText)
	case !(lon >= -180 && lon <= 180):
		return orb.Point{}, fmt.Errorf("%w: longitude %s is out of range (±180)", ErrNoLocation, lonText)
	case lat == 0 && lon == 0:
		return orb.Point{}, fmt.Errorf("%w: 0,0 is not a real location", ErrNoLocation)
	}
	return orb.Point{lon, lat}, nil
}

// plainDecimal is a number as typed in decimal degrees.
var plainDecimal = regexp.MustCompile(`^[+-]?\d{1,3}(?:\.(\d+))?$`)

// precision is the fewer decimals of two plain decimal numbers, and how far
// off a point with so few may be: a unit of the last decimal, in metres of
// latitude, rounded to one digit (two decimals: 1 km). Shown to the officer
// only when it is 1 km or more; three decimals (about 100 m) is as good as
// most phones' first fix.
func precision(a, b string) (int, float64) {
	ma, mb := plainDecimal.FindStringSubmatch(a), plainDecimal.FindStringSubmatch(b)
	if ma == nil || mb == nil {
		return 0, 0
	}
	d := min(len(ma[1]), len(mb[1]))
	if d >= 3 {
		return d, 0
	}
	return d, 111_000 / math.Pow(10, float64(d)) / 1.11
}
