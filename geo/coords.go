package geo

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// coordPair is a position as written: two numbers in degrees, with the text
// each came from, for errors.
type coordPair struct {
	first, second         float64
	firstText, secondText string
	// lettered: hemisphere letters said which number is the latitude, and
	// first is it. Otherwise the order is as given, usually lat,lon.
	lettered bool
}

// parseCoords reads a position written as numbers, in decimal degrees,
// degrees and decimal minutes, or degrees, minutes and seconds, as people
// and GPS units write them:
//
//	40.4473,-80.0076           40.4473 -80.0076
//	40°30'44"N 80°03'17"W      N 40°30'44.5" W 80°03'17"
//	40 30 44 N, 80 03 17 W     40°30.733'N 80°03.283'W
//	N40 30.733 W80 03.283      40°30'44", -80°03'17"
//
// The two halves are separated by a comma or spaces. The marks may be °, º
// or "deg" for degrees, ' ′ ’ for minutes, and " ″ ” or two apostrophes for
// seconds. A hemisphere letter (N, S, E, W, before or after) sets the sign
// and says which half is the latitude; both halves have one or neither
// does. Without letters a half may have a leading sign. Without letters or
// marks, the text must not look like other numbers: single numbers need a
// comma or decimals in both ("12 34" is more likely an address or a code),
// and otherwise both halves have the same number of parts ("40 30 44 -80
// 03 17").
//
// found is false when s is not written like a position. Minutes or seconds
// of 60 or more, and two latitudes or two longitudes, are errors wrapping
// ErrNoLocation; the degrees are checked by validPoint.
func parseCoords(s string) (c coordPair, found bool, err error) {
	var buf [16]coordToken
	toks, ok := scanCoords(s, buf[:0])
	if !ok {
		return coordPair{}, false, nil
	}
	a, b, ok := splitHalves(toks)
	if !ok {
		return coordPair{}, false, nil
	}
	c.firstText, c.secondText = s[a.start:a.end], s[b.start:b.end]
	if c.first, err = a.degrees(c.firstText); err != nil {
		return coordPair{}, true, err
	}
	if c.second, err = b.degrees(c.secondText); err != nil {
		return coordPair{}, true, err
	}
	if a.hemi == 0 {
		return c, true, nil
	}
	c.lettered = true
	switch aLat, bLat := a.isLat(), b.isLat(); {
	case aLat && !bLat:
	case !aLat && bLat:
		c.first, c.second = c.second, c.first
		c.firstText, c.secondText = c.secondText, c.firstText
	case aLat:
		return coordPair{}, true, fmt.Errorf("%w: %s and %s are both latitudes", ErrNoLocation, c.firstText, c.secondText)
	default:
		return coordPair{}, true, fmt.Errorf("%w: %s and %s are both longitudes", ErrNoLocation, c.firstText, c.secondText)
	}
	return c, true, nil
}

type coordKind uint8

const (
	coordNumber coordKind = iota
	coordDeg              // a degree mark: °, º, ˚, deg
	coordMin              // a minute mark: ' ′ ’ ‘ ´
	coordSec              // a second mark: " ″ ” “, or two minute marks
	coordHemi             // n, s, e or w
	coordComma
)

// coordToken is one word of a written position. Numbers keep their digits
// without the sign; start and end are byte offsets into the text.
type coordToken struct {
	kind       coordKind
	text       string
	neg, sign  bool // sign: the number had a + or -
	hemi       byte
	start, end int
}

// scanCoords splits s into tokens, appending to toks; false when s holds
// anything else, or more tokens than a position has. It does not allocate
// unless toks must grow.
func scanCoords(s string, toks []coordToken) ([]coordToken, bool) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		t := coordToken{start: i}
		switch {
		case unicode.IsSpace(r):
			i += size
			continue
		case r == ',':
			t.kind, i = coordComma, i+1
		case r == '+' || r == '-' || isDigit(r):
			t.kind, t.sign, t.neg = coordNumber, r == '+' || r == '-', r == '-'
			if t.sign {
				i++
			}
			j := digitsEnd(s, i)
			if j == i {
				return nil, false
			}
			if j < len(s) && s[j] == '.' {
				if k := digitsEnd(s, j+1); k > j+1 {
					j = k
				} else {
					return nil, false
				}
			}
			t.text, i = s[i:j], j
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && unicode.IsLetter(rune(s[j])) {
				j++
			}
			word := s[i:j]
			switch {
			case len(word) == 1 && strings.ContainsRune("nsewNSEW", rune(word[0])):
				t.kind, t.hemi = coordHemi, word[0]|0x20 // lower case
			case strings.EqualFold(word, "deg"), strings.EqualFold(word, "degs"),
				strings.EqualFold(word, "degree"), strings.EqualFold(word, "degrees"):
				t.kind = coordDeg
			default:
				return nil, false
			}
			i = j
		default:
			kind, ok := coordMark(r)
			if !ok {
				return nil, false
			}
			t.kind, i = kind, i+size
			if kind == coordMin {
				if next, n := utf8.DecodeRuneInString(s[i:]); n > 0 {
					if k, _ := coordMark(next); k == coordMin {
						t.kind, i = coordSec, i+n
					}
				}
			}
		}
		if len(toks) == cap(toks) {
			return nil, false
		}
		t.end = i
		toks = append(toks, t)
	}
	return toks, true
}

func coordMark(r rune) (coordKind, bool) {
	switch r {
	case '°', 'º', '˚':
		return coordDeg, true
	case '\'', '′', '’', '‘', '´':
		return coordMin, true
	case '"', '″', '”', '“':
		return coordSec, true
	}
	return 0, false
}

func isDigit[T rune | byte](c T) bool { return c >= '0' && c <= '9' }

// digitsEnd returns the end of the run of ASCII digits starting at i.
func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// coordHalf is a latitude or longitude in up to three parts: degrees,
// minutes, seconds.
type coordHalf struct {
	parts      [3]string
	n          int  // parts used
	neg        bool // a leading minus
	hemi       byte // 'n', 's', 'e', 'w' or 0
	marked     bool // some part carries its mark (°, ', ")
	start, end int
}

// splitHalves finds the two halves of a position: either side of the one
// comma, or else the only way to split the tokens into two halves.
func splitHalves(toks []coordToken) (a, b coordHalf, ok bool) {
	comma := -1
	for i, t := range toks {
		if t.kind == coordComma {
			if comma >= 0 {
				return a, b, false
			}
			comma = i
		}
	}
	if comma >= 0 {
		a, okA := readHalf(toks[:comma])
		b, okB := readHalf(toks[comma+1:])
		return a, b, okA && okB && pairable(a, b, true)
	}
	found := 0
	for k := 1; k < len(toks); k++ {
		x, okX := readHalf(toks[:k])
		y, okY := readHalf(toks[k:])
		if okX && okY && pairable(x, y, false) {
			a, b = x, y
			found++
		}
	}
	return a, b, found == 1
}

// pairable reports whether two halves make a position: both with a
// hemisphere letter or neither, and when neither, marks, or a comma or
// decimals in both for single numbers, or else the same number of parts.
func pairable(a, b coordHalf, comma bool) bool {
	switch {
	case (a.hemi == 0) != (b.hemi == 0):
		return false
	case a.hemi != 0, a.marked || b.marked:
		return true
	case a.n == 1 && b.n == 1:
		return comma || (strings.Contains(a.parts[0], ".") && strings.Contains(b.parts[0], "."))
	}
	return a.n == b.n
}

// readHalf reads all of toks as one half: [hemi] [sign]deg[°] [min[']
// [sec["]]] [hemi], with only the last part having decimals.
func readHalf(toks []coordToken) (h coordHalf, ok bool) {
	if len(toks) == 0 {
		return h, false
	}
	h.start, h.end = toks[0].start, toks[len(toks)-1].end
	i := 0
	if toks[i].kind == coordHemi {
		h.hemi = toks[i].hemi
		i++
	}
	marks := [3]coordKind{coordDeg, coordMin, coordSec}
	maxDigits := [3]int{3, 2, 2}
	signed := false
	for ; h.n < 3 && i < len(toks) && toks[i].kind == coordNumber; h.n++ {
		t := toks[i]
		if t.sign && (h.n > 0 || h.hemi != 0) {
			return h, false // a sign only leads, and not with a letter
		}
		signed = signed || t.sign
		whole, _, _ := strings.Cut(t.text, ".")
		if len(whole) > maxDigits[h.n] {
			return h, false
		}
		if h.n > 0 && strings.Contains(h.parts[h.n-1], ".") {
			return h, false // only the last part may have decimals
		}
		h.parts[h.n], h.neg = t.text, h.neg || t.neg
		i++
		if i < len(toks) && toks[i].kind == marks[h.n] {
			h.marked = true
			i++
		}
	}
	if h.n == 0 {
		return h, false
	}
	if i < len(toks) && toks[i].kind == coordHemi && h.hemi == 0 && !signed {
		h.hemi = toks[i].hemi
		i++
	}
	return h, i == len(toks)
}

func (h coordHalf) isLat() bool { return h.hemi == 'n' || h.hemi == 's' }

// degrees returns the half's value, negative for a minus, S or W; text is
// the half as written, for errors.
func (h coordHalf) degrees(text string) (float64, error) {
	var v float64
	for i, scale := range [3]float64{1, 60, 3600} {
		if i == h.n {
			break
		}
		x, err := strconv.ParseFloat(h.parts[i], 64)
		if err != nil { // not reached: the scanner let only digits through
			return 0, fmt.Errorf("%w: %q: %w", ErrNoLocation, text, err)
		}
		if i > 0 && x >= 60 {
			unit := [3]string{"", "minutes", "seconds"}[i]
			return 0, fmt.Errorf("%w: %s in %s must be under 60", ErrNoLocation, unit, text)
		}
		v += x / scale
	}
	if h.neg || h.hemi == 's' || h.hemi == 'w' {
		v = -v
	}
	return v, nil
}
