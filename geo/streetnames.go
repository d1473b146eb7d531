package geo

import (
	"strconv"
	"strings"
)

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

type streetName struct{ written, key, loose, dir, typ string }

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
