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
	"strings"
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
