package geo

import (
	"errors"
	"fmt"
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

// Location is where an officer says a referral is.
type Location struct {
	Point orb.Point
	Given string // the location text as the officer gave it, trimmed
	Place string // the place name if it came from the places file, else ""
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

// ParseLocation reads the location part of an officer's text. It
// understands, ignoring case and surrounding spaces:
//
//   - decimal "lat,lon", with or without spaces around the comma, or "lat lon"
//     when both numbers have decimals: "40.4473,-80.0076";
//   - Google Maps links (?q=, ?query=, ?ll=, /@lat,lon, and a place's
//     !3d…!4d… pin, which wins over the viewport);
//   - Apple Maps links (?ll=, ?q=, ?coordinate=, ?sll=, in that order);
//   - geo: URIs (RFC 5870), including Android's "geo:0,0?q=lat,lon(Label)";
//   - a place code or name from places (which may be nil).
//
// A map link may come with other words around it, as phones share a label
// along with the link. Points must be in range and not 0,0. Errors are
// ErrShortLink, or ErrNoLocation possibly wrapped with the reason.
func ParseLocation(text string, places *Places) (Location, error) {
	given := strings.TrimSpace(text)
	loc := Location{Given: given}
	lower := strings.ToLower(given)

	if lat, lon, ok := matchPair(lower); ok {
		p, err := checkedPoint(lat, lon)
		loc.Point = p
		return loc, err
	}
	if isLink(lower) {
		p, err := parseLink(lower)
		loc.Point = p
		return loc, err
	}
	if pl, ok := places.Lookup(given); ok {
		loc.Point, loc.Place = pl.Point, pl.Name
		return loc, nil
	}
	for _, word := range strings.Fields(lower) {
		if isLink(word) {
			p, err := parseLink(word)
			loc.Point = p
			return loc, err
		}
	}
	return loc, ErrNoLocation
}

// matchPair splits "lat,lon" or "lat lon" into its two numbers as text.
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
// referral can be at. 0,0 is what broken GPS and empty forms produce.
func checkedPoint(latText, lonText string) (orb.Point, error) {
	lat, err := strconv.ParseFloat(latText, 64)
	if err != nil {
		return orb.Point{}, fmt.Errorf("%w: latitude %q: %w", ErrNoLocation, latText, err)
	}
	lon, err := strconv.ParseFloat(lonText, 64)
	if err != nil {
		return orb.Point{}, fmt.Errorf("%w: longitude %q: %w", ErrNoLocation, lonText, err)
	}
	switch {
	case lat < -90 || lat > 90:
		return orb.Point{}, fmt.Errorf("%w: latitude %s is out of range (±90)", ErrNoLocation, latText)
	case lon < -180 || lon > 180:
		return orb.Point{}, fmt.Errorf("%w: longitude %s is out of range (±180)", ErrNoLocation, lonText)
	case lat == 0 && lon == 0:
		return orb.Point{}, fmt.Errorf("%w: 0,0 is not a real location", ErrNoLocation)
	}
	return orb.Point{lon, lat}, nil
}
