package geo

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

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
