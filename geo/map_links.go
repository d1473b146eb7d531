package geo

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/paulmach/orb"
)

var (
	// A Google place link's own pin, e.g. "!3d40.4471!4d-80.0079". It is
	// where the place is, while "/@lat,lon" is only where the map was looking.
	googlePin = regexp.MustCompile(`!3d(` + numberPattern + `)!4d(` + numberPattern + `)`)
	googleAt  = regexp.MustCompile(`/@(` + numberPattern + `),(` + numberPattern + `)(?:[,/]|$)`)
	// geo:lat,lon[,alt] before any ;params (RFC 5870).
	geoPath = regexp.MustCompile(`^(` + numberPattern + `),(` + numberPattern + `)(?:,[+-]?\d+(?:\.\d+)?)?$`)
)

// isLink reports whether s (lower-cased) looks like a map link or geo: URI,
// including links pasted without their scheme.
func isLink(s string) bool {
	for _, prefix := range []string{"http://", "https://", "geo:", "www.google.", "google.", "maps.google.", "maps.apple.com/", "maps.app.goo.gl/", "goo.gl/maps"} {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// parseLink reads a point from a lower-cased map link or geo: URI.
func parseLink(s string) (orb.Point, error) {
	if rest, ok := strings.CutPrefix(s, "geo:"); ok {
		return parseGeoURI(rest)
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return orb.Point{}, fmt.Errorf("%w: unreadable link: %w", ErrNoLocation, err)
	}
	host := strings.TrimPrefix(u.Hostname(), "www.")
	switch {
	case host == "maps.app.goo.gl", host == "goo.gl" && strings.HasPrefix(u.Path, "/maps"):
		return orb.Point{}, ErrShortLink
	case isGoogleMaps(host, u.Path):
		return fromGoogle(s, u)
	case host == "maps.apple.com":
		if p, found, err := fromQuery(u.Query(), "ll", "q", "coordinate", "sll"); found {
			return p, err
		}
		return orb.Point{}, fmt.Errorf("%w: the Apple Maps link has no coordinates", ErrNoLocation)
	}
	return orb.Point{}, fmt.Errorf("%w: %s is not a map link", ErrNoLocation, host)
}

// isGoogleMaps accepts maps.google.<tld> and google.<tld>/maps, with or
// without www. (already removed from host).
func isGoogleMaps(host, path string) bool {
	h := strings.TrimPrefix(host, "maps.")
	if !strings.HasPrefix(h, "google.") {
		return false
	}
	return h != host || path == "/maps" || strings.HasPrefix(path, "/maps/")
}

func fromGoogle(s string, u *url.URL) (orb.Point, error) {
	if m := googlePin.FindAllStringSubmatch(s, -1); m != nil {
		last := m[len(m)-1] // the place's pin comes after any others in the data
		return checkedPoint(last[1], last[2])
	}
	if p, found, err := fromQuery(u.Query(), "q", "query", "ll", "center", "destination"); found {
		return p, err
	}
	if m := googleAt.FindStringSubmatch(u.Path); m != nil {
		return checkedPoint(m[1], m[2])
	}
	return orb.Point{}, fmt.Errorf("%w: the Google Maps link has no coordinates", ErrNoLocation)
}

// fromQuery reads the first of keys whose value is a lat,lon pair. Values
// that are addresses or labels are passed over, not errors.
func fromQuery(q url.Values, keys ...string) (p orb.Point, found bool, err error) {
	for _, k := range keys {
		if lat, lon, ok := matchPair(cleanQueryValue(q.Get(k))); ok {
			p, err := checkedPoint(lat, lon)
			return p, true, err
		}
	}
	return orb.Point{}, false, nil
}

// cleanQueryValue drops what apps wrap around coordinates in a query:
// Google's old "loc:" prefix and a trailing "(Label)".
func cleanQueryValue(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "loc:")
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// parseGeoURI reads the part of a geo: URI after "geo:". Android puts the
// pin in ?q= and leaves 0,0 in the path, so q wins when it has coordinates.
func parseGeoURI(rest string) (orb.Point, error) {
	path, query, _ := strings.Cut(rest, "?")
	search := ""
	for kv := range strings.SplitSeq(query, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != "q" {
			continue
		}
		if unescaped, err := url.QueryUnescape(v); err == nil {
			v = unescaped
		}
		search = cleanQueryValue(v)
		if lat, lon, ok := matchPair(search); ok {
			return checkedPoint(lat, lon)
		}
	}
	coords, _, _ := strings.Cut(path, ";")
	m := geoPath.FindStringSubmatch(strings.ReplaceAll(coords, " ", ""))
	if m == nil {
		return orb.Point{}, fmt.Errorf("%w: the geo: link has no coordinates", ErrNoLocation)
	}
	p, err := checkedPoint(m[1], m[2])
	if err != nil && search != "" {
		return orb.Point{}, fmt.Errorf("%w: the geo: link searches for %q instead of giving coordinates", ErrNoLocation, search)
	}
	return p, err
}
