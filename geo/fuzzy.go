package geo

import (
	"slices"
	"unicode"
)

// typoMinLetters is the fewest letters and digits a name, and the text
// matched against it, must have to match with a typo: one letter off in a
// shorter name is too often another word.
const typoMinLetters = 5

// typoKey is a normalised name or alias of list[place], for matching typos.
type typoKey struct {
	name  []rune
	place int
}

// typoLength reports whether a normalised name is long enough to match
// with a typo.
func typoLength(name []rune) bool {
	n := 0
	for _, r := range name {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n >= typoMinLetters
}

// oneTypo reports whether a and b differ by at most one typo: a letter
// inserted, deleted or replaced, or two adjacent letters swapped. That is
// a Damerau-Levenshtein distance of at most 1.
func oneTypo(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0 // length of the common prefix
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch len(b) - len(a) {
	case 0:
		if i == len(a) {
			return true
		}
		if slices.Equal(a[i+1:], b[i+1:]) {
			return true // replaced
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && slices.Equal(a[i+2:], b[i+2:])
	case 1:
		return slices.Equal(a[i:], b[i+1:]) // inserted into b
	}
	return false
}
