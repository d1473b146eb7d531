package geo

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

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

// ParseAddresses reads an address CSV; name is the file name to use in
// errors. The header names at least number, street, lat and lon (also
// latitude, longitude, lng), and optionally city and zip, in any order and
// any case; other columns are ignored. A number like "1200A" or "1200-1204"
// counts as its leading integer. Coordinates keep 7 decimals (1 cm).
//
// On failure the error joins a *PlaceError for each problem found, at most
// 20, then one saying how many more there were.
func ParseAddresses(r io.Reader, name string) (*Addresses, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		_, _ = br.Discard(3) // cannot fail after a successful Peek
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // column counts are checked per row, to say which row
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true

	var errs []error
	more := 0
	fail := func(line int, format string, args ...any) {
		if len(errs) == maxAddressErrors {
			more++
			return
		}
		errs = append(errs, &PlaceError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	var cols addressColumns
	b := newAddressBuilder()
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader cannot resynchronise after a quoting error.
			fail(pe.Line, "%s", pe.Err.Error())
			break
		} else if err != nil {
			return nil, fmt.Errorf("geo: read addresses %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first {
			var missing []string
			if cols, missing = readAddressHeader(rec); len(missing) > 0 {
				noun := "column"
				if len(missing) > 1 {
					noun = "columns"
				}
				fail(line, "header has no %s %s (want number, street, lat, lon; city and zip are optional)",
					strings.Join(missing, ", "), noun)
				break
			}
			continue
		}
		if len(rec) < cols.need {
			fail(line, "has %d columns, want at least %d", len(rec), cols.need)
			continue
		}
		for _, reason := range b.add(rec, cols) {
			fail(line, "%s", reason)
		}
	}
	if len(errs) == 0 && len(b.pts) == 0 {
		fail(0, "has no addresses (want a header naming number, street, lat, lon, then a row per address)")
	}
	if more > 0 {
		errs = append(errs, &PlaceError{File: name, Reason: fmt.Sprintf("and %d more problems", more)})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return b.finish(), nil
}

// addressColumns are the indexes of the columns in an address file; -1
// for an absent optional one.
type addressColumns struct {
	number, street, lat, lon, city, zip int
	need                                int // columns a row must have: the required ones
}

func readAddressHeader(rec []string) (addressColumns, []string) {
	c := addressColumns{-1, -1, -1, -1, -1, -1, 0}
	for i, h := range rec {
		var col *int
		switch strings.ToLower(h) {
		case "number":
			col = &c.number
		case "street":
			col = &c.street
		case "lat", "latitude":
			col = &c.lat
		case "lon", "lng", "longitude":
			col = &c.lon
		case "city":
			col = &c.city
		case "zip":
			col = &c.zip
		default:
			continue
		}
		if *col < 0 {
			*col = i
		}
	}
	c.need = max(c.number, c.street, c.lat, c.lon) + 1
	var missing []string
	for _, m := range []struct {
		name string
		col  int
	}{{"number", c.number}, {"street", c.street}, {"lat", c.lat}, {"lon", c.lon}} {
		if m.col < 0 {
			missing = append(missing, m.name)
		}
	}
	return c, missing
}

// addressBuilder collects rows, interning repeated strings, and then lays
// the points out street by street.
type addressBuilder struct {
	a      *Addresses
	names  map[string]streetName // street as written -> its normalised parts
	cities map[string][2]string  // city as written -> interned copy, normalised
	groups map[[2]string]int32   // normalised street, area -> index in a.streets
	pts    []addrPoint           // in file order
	grp    []int32               // street of each of pts
}

type streetName struct{ written, key, loose, dir, typ string }

func newAddressBuilder() *addressBuilder {
	return &addressBuilder{
		a: &Addresses{
			zips:   []string{""},
			zipIDs: map[string]int32{"": 0},
			cities: map[string]bool{},
			exact:  map[string][]int32{},
			loose:  map[string][]int32{},
		},
		names:  map[string]streetName{},
		cities: map[string][2]string{},
		groups: map[[2]string]int32{},
	}
}

// add checks one row's fields and keeps the point, or returns every
// problem with them.
func (b *addressBuilder) add(rec []string, c addressColumns) []string {
	var reasons []string
	num, reason := fileHouseNumber(rec[c.number])
	if reason != "" {
		reasons = append(reasons, reason)
	}
	st, ok := b.names[rec[c.street]]
	if !ok {
		st = newStreetName(strings.Clone(rec[c.street]))
		if st.key != "" {
			b.names[st.written] = st
		}
	}
	switch {
	case st.written == "":
		reasons = append(reasons, "has no street")
	case st.key == "":
		reasons = append(reasons, fmt.Sprintf("street %q has no letters or digits", st.written))
	}
	lat, latErr := parseDegrees("latitude", rec[c.lat], 90)
	lon, lonErr := parseDegrees("longitude", rec[c.lon], 180)
	for _, err := range []error{latErr, lonErr} {
		if err != nil {
			reasons = append(reasons, err.Error())
		}
	}
	if latErr == nil && lonErr == nil && lat == 0 && lon == 0 {
		reasons = append(reasons, "is at 0,0, which is not a real place")
	}
	if len(reasons) > 0 {
		return reasons
	}

	city := [2]string{} // as written, normalised
	if written := optionalField(rec, c.city); written != "" {
		if city, ok = b.cities[written]; !ok {
			city = [2]string{strings.Clone(written), normaliseName(written)}
			b.cities[city[0]] = city
			if city[1] != "" {
				b.a.cities[city[1]] = true
			}
		}
	}
	zip := int32(0)
	if written := optionalField(rec, c.zip); written != "" {
		z := zipCode(written)
		if zip, ok = b.a.zipIDs[z]; !ok {
			zip = int32(len(b.a.zips))
			z = strings.Clone(z)
			b.a.zips = append(b.a.zips, z)
			b.a.zipIDs[z] = zip
		}
	}
	area, areaKey := city[0], city[1]
	if areaKey == "" {
		area, areaKey = b.a.zips[zip], b.a.zips[zip]
	}
	g, ok := b.groups[[2]string{st.key, areaKey}]
	if !ok {
		g = int32(len(b.a.streets))
		b.groups[[2]string{st.key, areaKey}] = g
		b.a.streets = append(b.a.streets, addrStreet{name: st.written, area: area, areaKey: areaKey, dir: st.dir, typ: st.typ})
		b.a.exact[st.key] = append(b.a.exact[st.key], g)
		b.a.loose[st.loose] = append(b.a.loose[st.loose], g)
	}
	b.pts = append(b.pts, addrPoint{
		num: int32(num),
		lat: int32(math.Round(lat * 1e7)),
		lon: int32(math.Round(lon * 1e7)),
		zip: zip,
	})
	b.grp = append(b.grp, g)
	return nil
}

// finish lays the points out street by street, each street's in number
// order (file order among equal numbers), and builds the indexes.
func (b *addressBuilder) finish() *Addresses {
	a := b.a
	start := make([]int32, len(a.streets)+1)
	for _, g := range b.grp {
		start[g+1]++
	}
	for i := range a.streets {
		start[i+1] += start[i]
	}
	a.points = make([]addrPoint, len(b.pts))
	next := slices.Clone(start)
	for i, p := range b.pts {
		a.points[next[b.grp[i]]] = p
		next[b.grp[i]]++
	}
	for i := range a.streets {
		s := &a.streets[i]
		s.first, s.end, s.box = start[i], start[i+1], int32(len(a.boxes))
		pts := a.points[s.first:s.end]
		slices.SortStableFunc(pts, func(p, q addrPoint) int { return cmp.Compare(p.num, q.num) })
		for j := 0; j < len(pts); j += addrBlock {
			blk := pts[j:min(j+addrBlock, len(pts))]
			box := addrBox{blk[0].lat, blk[0].lon, blk[0].lat, blk[0].lon}
			for _, p := range blk[1:] {
				box.minLat, box.maxLat = min(box.minLat, p.lat), max(box.maxLat, p.lat)
				box.minLon, box.maxLon = min(box.minLon, p.lon), max(box.maxLon, p.lon)
			}
			a.boxes = append(a.boxes, box)
		}
	}
	a.exactTypos = newStreetTypos(a.exact)
	a.looseTypos = newStreetTypos(a.loose)
	return a
}

// optionalField is rec[i], or "" when the column is absent or the row
// ends before it.
func optionalField(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return rec[i]
}

// fileHouseNumber reads the leading integer of a number column.
func fileHouseNumber(s string) (int, string) {
	n, digits := leadingInt(s)
	switch {
	case s == "":
		return 0, "has no number"
	case digits == 0:
		return 0, fmt.Sprintf("number %q does not start with a digit", s)
	case digits > maxHouseDigits:
		return 0, fmt.Sprintf("number %q is too long", s)
	}
	return n, ""
}

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

// Match is one place an address text may mean.
type Match struct {
	Point orb.Point
	// Label is what the officer is shown: "1200 Main St, Ross",
	// "1203 Main St (near 1201), Ross" or "Fifth Ave & Wood St, Pittsburgh",
	// with street names as written in the file.
	Label string
	// Exact is false when the number was not in the file (Point is then
	// the nearest number's) or a street name matched only with a typo.
	Exact bool
}

// Resolve reads an address ("1200 Main St", "1200 main street", "1200
// Main St. Ross", "1200 Main St, Ross 15237", "Main St 1200") or an
// intersection ("5th & Wood", "fifth and wood", "Wood St at 5th Ave",
// "wood/5th"), and returns every candidate, best first: one per city (or
// zip, when the file has no city) where the street exists. It returns nil
// when nothing matches.
//
// Streets match by NormaliseStreet name; failing that, when the text
// leaves out the street's type or direction ("Main", "Carson St" for "E
// Carson St"); failing both, with one typo in a name of 5 or more letters.
// A number not in the file takes the nearest on that street in that city,
// preferring the same side: 1203 and 1200 are equally near to 1201, and
// 1203 wins. Words after the street must name a city or zip in the file,
// and restrict the candidates to it. Text after a separator that follows
// an address ("1200 Main St / back door") is ignored.
//
// Two streets meet, in a city, where their nearest address points are at
// most 150 m apart; the candidate is the midpoint of those two points.
func (a *Addresses) Resolve(text string) []Match {
	if a == nil || len(a.points) == 0 {
		return nil
	}
	segs := addressSegments(text)
	if len(segs) == 0 {
		return nil
	}
	if len(segs) == 1 || isHouseNumber(segs[0][0]) {
		return a.address(segs[0])
	}
	if m := a.intersection(segs[0], segs[1]); m != nil {
		return m
	}
	return a.address(segs[0]) // "Main St 1200 / back door"
}

// addressSegments splits text into lower-case words of letters and digits
// ("1200-1204" stays one word), grouped into the segments that "&", "/",
// "@", "and" and "at" separate. Empty segments are dropped.
func addressSegments(text string) [][]string {
	if len(text) > maxAddressText {
		text = text[:maxAddressText]
	}
	rs := []rune(strings.ToLower(text))
	var segs [][]string
	var seg []string
	var word strings.Builder
	words := 0
	endSeg := func() {
		if len(seg) > 0 {
			segs = append(segs, seg)
		}
		seg = nil
	}
	endWord := func() {
		w := word.String()
		word.Reset()
		switch {
		case w == "":
		case w == "and" || w == "at":
			endSeg()
		case words < maxAddressWords:
			seg = append(seg, w)
			words++
		}
	}
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(r)
		case r == '\'' || r == '’':
		case r == '-' && i > 0 && i+1 < len(rs) && '0' <= rs[i-1] && rs[i-1] <= '9' && '0' <= rs[i+1] && rs[i+1] <= '9':
			word.WriteRune(r)
		case r == '&' || r == '/' || r == '@':
			endWord()
			endSeg()
		default:
			endWord()
		}
	}
	endWord()
	endSeg()
	return segs
}

// isHouseNumber reports whether a word of a text is a house number:
// digits, then nothing, one letter ("1200a") or a range ("1200-1204"); not
// an ordinal ("5th").
func isHouseNumber(w string) bool {
	_, d := leadingInt(w)
	if d == 0 || d > maxHouseDigits {
		return false
	}
	rest := w[d:]
	return rest == "" || rest[0] == '-' || len(rest) == 1 && 'a' <= rest[0] && rest[0] <= 'z'
}

// addressHit is a candidate with what ranks it.
type addressHit struct {
	Match
	gap float64 // how far the number was from the one asked for, or metres between two streets
}

// address resolves the words of an address: a number first ("1200 Main
// St"), last ("Main St 1200"), or after words that are not a street ("AD
// 1200 Main St"). A typo is tried only when nothing matches without one.
func (a *Addresses) address(words []string) []Match {
	for _, typo := range []bool{false, true} {
		for j, w := range words {
			if !isHouseNumber(w) {
				continue
			}
			n, digits := leadingInt(w)
			if j > 0 && digits == 5 && a.zipIDs[zipCode(w)] > 0 {
				continue // a zip, not a number
			}
			if j > 0 { // "Main St 1200", "Main St 1200 Ross"
				if in, ok := a.areaOf(words[j+1:]); ok {
					if m := a.houses(in.filter(a, a.streetsNamed(words[:j], typo)), n, in, typo); m != nil {
						return m
					}
				}
			}
			ids, in := a.streetAndArea(words[j+1:], typo)
			if m := a.houses(ids, n, in, typo); m != nil {
				return m
			}
		}
	}
	return nil
}

// houses finds number n, or the nearest, on each of the streets ids.
func (a *Addresses) houses(ids []int32, n int, in addressArea, typo bool) []Match {
	var hits []addressHit
	for _, id := range ids {
		s := &a.streets[id]
		i, ok := a.nearestNumber(s, n, in.zip)
		if !ok {
			continue
		}
		p := a.points[i]
		label := strconv.Itoa(n) + " " + s.name
		if int(p.num) != n {
			label += " (near " + strconv.Itoa(int(p.num)) + ")"
		}
		if s.area != "" {
			label += ", " + s.area
		}
		hits = append(hits, addressHit{
			Match: Match{Point: p.point(), Label: label, Exact: !typo && int(p.num) == n},
			gap:   math.Abs(float64(int(p.num) - n)),
		})
	}
	return rankHits(hits)
}

func rankHits(hits []addressHit) []Match {
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(x, y addressHit) int {
		if x.gap != y.gap {
			return cmp.Compare(x.gap, y.gap)
		}
		return strings.Compare(x.Label, y.Label)
	})
	out := make([]Match, 0, len(hits))
	for _, h := range hits {
		if len(out) == 0 || out[len(out)-1] != h.Match {
			out = append(out, h.Match)
		}
	}
	return out
}

// nearestNumber finds number n on a street, or the nearest to it, among
// points in zip (-1 for any). Nearness counts lots, since numbers step by
// two along one side: 1200 and 1203 are both one lot from 1201, and the
// same side (1203) wins; then the smaller difference, then the lower.
func (a *Addresses) nearestNumber(s *addrStreet, n int, zip int32) (int32, bool) {
	pts := a.points[s.first:s.end]
	i, _ := slices.BinarySearchFunc(pts, n, func(p addrPoint, n int) int { return cmp.Compare(int(p.num), n) })
	for j := i; j < len(pts) && int(pts[j].num) == n; j++ {
		if zip < 0 || pts[j].zip == zip {
			return s.first + int32(j), true
		}
	}
	best, bestKey := -1, [3]int{}
	consider := func(j int) bool {
		d := int(pts[j].num) - n
		if d < 0 {
			d = -d
		}
		key := [3]int{(d + 1) / 2, d % 2, d}
		if best >= 0 && key[0] > bestKey[0] {
			return false // only further from here
		}
		if (zip < 0 || pts[j].zip == zip) && (best < 0 || slices.Compare(key[:], bestKey[:]) < 0) {
			best, bestKey = j, key
		}
		return true
	}
	for j := i - 1; j >= 0 && consider(j); j-- {
	}
	for j := i; j < len(pts) && consider(j); j++ {
	}
	return s.first + int32(best), best >= 0
}

// addressArea is a city or zip the officer named; zero for none.
type addressArea struct {
	city string // normalised
	zip  int32  // -1 for any
}

// areaOf reads words after a street as a city, a zip, both, or nothing,
// with an optional state ("Pittsburgh PA 15222"). ok is false for words
// that name no city or zip in the file.
func (a *Addresses) areaOf(words []string) (in addressArea, ok bool) {
	in.zip = -1
	if len(words) > 0 {
		last := words[len(words)-1]
		if z, known := a.zipIDs[zipCode(last)]; known && z > 0 {
			in.zip, words = z, words[:len(words)-1]
		}
	}
	if len(words) > 0 && (words[len(words)-1] == "pa" || words[len(words)-1] == "pennsylvania") {
		words = words[:len(words)-1]
	}
	if len(words) == 0 {
		return in, true
	}
	in.city = strings.Join(words, " ")
	return in, a.cities[in.city]
}

// filter keeps the streets in the named city.
func (in addressArea) filter(a *Addresses, ids []int32) []int32 {
	if in.city == "" {
		return ids
	}
	var kept []int32
	for _, id := range ids {
		if a.streets[id].areaKey == in.city {
			kept = append(kept, id)
		}
	}
	return kept
}

// streetAndArea reads words as a street followed by an optional city or
// zip, trying the longest street first.
func (a *Addresses) streetAndArea(words []string, typo bool) ([]int32, addressArea) {
	for k := len(words); k >= 1; k-- {
		in, ok := a.areaOf(words[k:])
		if !ok {
			continue
		}
		if ids := in.filter(a, a.streetsNamed(words[:k], typo)); len(ids) > 0 {
			return ids, in
		}
	}
	return nil, addressArea{}
}

// streetsNamed finds the streets that words name: by exact name, else with
// the direction or type left out; or, when typo is set, by either with one
// typo.
func (a *Addresses) streetsNamed(words []string, typo bool) []int32 {
	key := streetKey(words)
	dir, loose, typ := splitStreetKey(key)
	var ids []int32
	fits := func(id int32) bool {
		s := &a.streets[id]
		return (dir == "" || dir == s.dir) && (typ == "" || typ == s.typ)
	}
	if !typo {
		if ids = a.exact[key]; len(ids) > 0 {
			return ids
		}
		for _, id := range a.loose[loose] {
			if fits(id) {
				ids = append(ids, id)
			}
		}
		return ids
	}
	// A typo that makes another direction or type ("W Carson St" for "E
	// Carson St", "Main Rd" for "Main Dr") names another street.
	for _, name := range a.exactTypos.near(key) {
		for _, id := range a.exact[name] {
			if fits(id) {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) > 0 {
		return ids
	}
	for _, name := range a.looseTypos.near(loose) {
		for _, id := range a.loose[name] {
			if fits(id) && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// intersection finds where the streets that left and right name meet, in
// each city where both exist. A city or zip may follow either street.
func (a *Addresses) intersection(left, right []string) []Match {
	l, lin := a.streetAndArea(left, false)
	r, rin := a.streetAndArea(right, false)
	if len(l) > 0 && len(r) > 0 {
		return a.crossings(l, r, lin, rin, false)
	}
	if len(l) == 0 {
		l, lin = a.streetAndArea(left, true)
	}
	if len(r) == 0 {
		r, rin = a.streetAndArea(right, true)
	}
	return a.crossings(l, r, lin, rin, true)
}

// crossings pairs the streets l and r of each city where they meet.
func (a *Addresses) crossings(l, r []int32, lin, rin addressArea, typo bool) []Match {
	var hits []addressHit
	for _, li := range l {
		for _, ri := range r {
			sl, sr := &a.streets[li], &a.streets[ri]
			if li == ri || sl.areaKey != sr.areaKey {
				continue
			}
			p, q, d, ok := a.meeting(sl, sr, lin.zip, rin.zip)
			if !ok {
				continue
			}
			label := sl.name + " & " + sr.name
			if sl.area != "" {
				label += ", " + sl.area
			}
			pp, qp := a.points[p].point(), a.points[q].point()
			hits = append(hits, addressHit{
				Match: Match{Point: orb.Point{(pp[0] + qp[0]) / 2, (pp[1] + qp[1]) / 2}, Label: label, Exact: !typo},
				gap:   d,
			})
		}
	}
	return rankHits(hits)
}

// meeting finds the closest pair of points of two streets (in zips zl, zr;
// -1 for any) at most intersectionMetres apart, and their distance.
func (a *Addresses) meeting(sl, sr *addrStreet, zl, zr int32) (p, q int32, metres float64, ok bool) {
	// Metres per 1e-7 degree, on a plane tangent at the first point: exact
	// enough over a few hundred metres.
	const m = 111_320 / 1e7
	ky := m
	kx := m * math.Cos(float64(a.points[sl.first].lat)/1e7*math.Pi/180)
	best := intersectionMetres * intersectionMetres
	gap := func(lo1, hi1, lo2, hi2 int32) float64 {
		return float64(max(0, int64(lo2)-int64(hi1), int64(lo1)-int64(hi2)))
	}
	for bl := sl.first; bl < sl.end; bl += addrBlock {
		boxL := a.boxes[sl.box+(bl-sl.first)/addrBlock]
		for br := sr.first; br < sr.end; br += addrBlock {
			boxR := a.boxes[sr.box+(br-sr.first)/addrBlock]
			dx := gap(boxL.minLon, boxL.maxLon, boxR.minLon, boxR.maxLon) * kx
			dy := gap(boxL.minLat, boxL.maxLat, boxR.minLat, boxR.maxLat) * ky
			if dx*dx+dy*dy > best {
				continue
			}
			for i := bl; i < min(bl+addrBlock, sl.end); i++ {
				pl := a.points[i]
				if zl >= 0 && pl.zip != zl {
					continue
				}
				for j := br; j < min(br+addrBlock, sr.end); j++ {
					pr := a.points[j]
					if zr >= 0 && pr.zip != zr {
						continue
					}
					dx := float64(int64(pl.lon)-int64(pr.lon)) * kx
					dy := float64(int64(pl.lat)-int64(pr.lat)) * ky
					if d := dx*dx + dy*dy; d < best || !ok && d <= best {
						best, p, q, ok = d, i, j, true
					}
				}
			}
		}
	}
	return p, q, math.Sqrt(best), ok
}

// Street name words and the one form each is looked up by.
var (
	streetTypes = map[string][]string{
		"st": {"street", "str"}, "ave": {"avenue", "av"}, "rd": {"road"},
		"blvd": {"boulevard"}, "dr": {"drive"}, "ln": {"lane"}, "ct": {"court"},
		"pl": {"place"}, "ter": {"terrace"}, "pkwy": {"parkway"},
		"hwy": {"highway"}, "way": nil, "cir": {"circle"}, "sq": {"square"},
	}
	streetDirections = map[string][]string{
		"n": {"north"}, "s": {"south"}, "e": {"east"}, "w": {"west"},
		"ne": {"northeast"}, "nw": {"northwest"}, "se": {"southeast"}, "sw": {"southwest"},
	}
	streetWordForms = func() map[string]string {
		m := map[string]string{}
		for _, group := range []map[string][]string{streetTypes, streetDirections} {
			for form, words := range group {
				for _, w := range words {
					m[w] = form
				}
			}
		}
		for w, n := range ordinalWords { // shared with speech
			if n > 20 {
				continue
			}
			suffix := "th"
			switch {
			case n%10 == 1 && n != 11:
				suffix = "st"
			case n%10 == 2 && n != 12:
				suffix = "nd"
			case n%10 == 3 && n != 13:
				suffix = "rd"
			}
			m[w] = strconv.Itoa(n) + suffix
		}
		return m
	}()
)

// NormaliseStreet is the key streets are looked up by: lower case,
// punctuation dropped (apostrophes without a space: "O'Hara" is "ohara"),
// single spaces, and each word in one form: street types ("Street",
// "Str" → "st"; "Avenue", "Av" → "ave"; rd, blvd, dr, ln, ct, pl, ter,
// pkwy, hwy, way, cir, sq), directions ("North" → "n"; s, e, w, ne, nw, se,
// sw) and ordinals up to twentieth ("Fifth" → "5th"). So "E. Carson
// Street" is "e carson st", as is "east carson st".
func NormaliseStreet(s string) string {
	return streetKey(strings.Fields(normaliseName(s)))
}

// streetKey is NormaliseStreet for text already split into normalised
// words.
func streetKey(words []string) string {
	var b strings.Builder
	for i, w := range words {
		if f, ok := streetWordForms[w]; ok {
			w = f
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

func newStreetName(written string) streetName {
	key := NormaliseStreet(written)
	dir, loose, typ := splitStreetKey(key)
	return streetName{written: written, key: key, loose: loose, dir: dir, typ: typ}
}

// splitStreetKey splits a normalised name into a leading direction, the
// rest and a trailing type, leaving at least one word in the rest: "e
// carson st" is "e", "carson", "st"; "n ave" (North Ave) is "", "n", "ave".
func splitStreetKey(key string) (dir, rest, typ string) {
	rest = key
	if i := strings.LastIndexByte(rest, ' '); i >= 0 {
		if _, ok := streetTypes[rest[i+1:]]; ok {
			rest, typ = rest[:i], rest[i+1:]
		}
	}
	if i := strings.IndexByte(rest, ' '); i >= 0 {
		if _, ok := streetDirections[rest[:i]]; ok {
			dir, rest = rest[:i], rest[i+1:]
		}
	}
	return dir, rest, typ
}

// streetTypos finds names within one typo (see oneTypo) of a text by
// single-letter deletions: two strings are within one typo only if they,
// or one and a deletion from the other, or a deletion from each, are equal.
// It keeps a hash of each deletion, sorted, and checks every hit.
type streetTypos struct {
	names []string
	dels  []typoDeletion
}

type typoDeletion struct {
	hash uint64
	name int32
}

func newStreetTypos(keys map[string][]int32) streetTypos {
	var t streetTypos
	for name := range keys {
		rs := []rune(name)
		if !typoLength(rs) {
			continue
		}
		id := int32(len(t.names))
		t.names = append(t.names, name)
		for i := -1; i < len(rs); i++ {
			t.dels = append(t.dels, typoDeletion{deletionHash(rs, i), id})
		}
	}
	slices.SortFunc(t.dels, func(x, y typoDeletion) int { return cmp.Compare(x.hash, y.hash) })
	return t
}

// near returns the names within one typo of s, but not s itself.
func (t *streetTypos) near(s string) []string {
	rs := []rune(s)
	if !typoLength(rs) || len(t.dels) == 0 {
		return nil
	}
	var found []string
	for i := -1; i < len(rs); i++ {
		h := deletionHash(rs, i)
		j, _ := slices.BinarySearchFunc(t.dels, h, func(d typoDeletion, h uint64) int { return cmp.Compare(d.hash, h) })
		for ; j < len(t.dels) && t.dels[j].hash == h; j++ {
			name := t.names[t.dels[j].name]
			if name != s && !slices.Contains(found, name) && oneTypo(rs, []rune(name)) {
				found = append(found, name)
			}
		}
	}
	slices.Sort(found)
	return found
}

// deletionHash is the FNV-1a hash of rs without rs[skip] (skip -1: all).
func deletionHash(rs []rune, skip int) uint64 {
	h := uint64(14695981039346656037)
	for i, r := range rs {
		if i != skip {
			h = (h ^ uint64(r)) * 1099511628211
		}
	}
	return h
}
