package geo

import (
	"context"
	"errors"
	"strings"
	"unicode"
)

// Split is one reading of an officer's line: the location, then the notes
// after it.
type Split struct {
	Location, Notes string
}

// maxLocationWords bounds the readings tried: no location an officer types
// is longer, and the notes after it may be long.
const maxLocationWords = 12

// Splits lists the readings of line as a location followed by notes,
// longest location first: it may end at any space, or at a "/" (which then
// belongs to neither part), except inside a link, whose slashes are its
// own; a "/" after a space ends it. "wood/5th male 30s" is read as "wood/5th" + "male 30s" before "wood"
// + "5th male 30s". A line with a map link has one reading: the location
// ends with the link. A reading whose location is empty is left out.
func Splits(line string) []Split {
	line = strings.TrimSpace(line)
	var cuts []int // byte offsets where a location may end, in order
	words := 0
	for i := 0; i < len(line) && words < maxLocationWords; {
		start := i
		for i < len(line) && !isSpaceByte(line, i) {
			i++
		}
		word := line[start:i]
		if word[0] == '/' {
			// A slash after a space is the officer's own separator:
			// the location ends before it.
			cuts = append(cuts, start)
			break
		}
		if isLink(strings.ToLower(word)) {
			// A map link ends the location: the words before it are
			// its label, the words after it notes.
			cuts = append(cuts[:0], i)
			break
		}
		for j := 0; j < len(word); j++ {
			if word[j] == '/' {
				cuts = append(cuts, start+j)
			}
		}
		cuts = append(cuts, i)
		words++
		for i < len(line) && isSpaceByte(line, i) {
			i++
		}
	}
	out := make([]Split, 0, len(cuts))
	for k := len(cuts) - 1; k >= 0; k-- {
		loc := strings.TrimRight(line[:cuts[k]], "/ \t\r\n")
		if loc == "" || (len(out) > 0 && out[len(out)-1].Location == loc) {
			continue
		}
		notes := strings.TrimLeft(line[cuts[k]:], "/ \t\r\n")
		out = append(out, Split{Location: strings.Join(strings.Fields(loc), " "), Notes: strings.Join(strings.Fields(notes), " ")})
	}
	return out
}

// isSpaceByte reports whether line[i] starts a white-space character; the
// multi-byte spaces are rare enough in texts to be read as part of a word.
func isSpaceByte(line string, i int) bool {
	return line[i] < 0x80 && unicode.IsSpace(rune(line[i]))
}

// ResolveLeading reads the longest leading part of line that is a
// location and returns its candidates (as Resolve does) with the reading
// taken: the rest of the line is notes. The program's own data (coordinates,
// links, places, addresses) is tried on every reading first; the geocoder,
// a network call, only on the line up to its first "/" (or all of it).
// A map link's words are the location up to the link's end.
func (r *Resolver) ResolveLeading(ctx context.Context, line string) ([]Candidate, Split, error) {
	splits := Splits(line)
	var firstErr error
	for _, sp := range splits {
		found, err := r.local(ctx, sp.Location)
		if err == nil {
			return r.classify(found), sp, nil
		}
		if firstErr == nil || errors.Is(err, ErrShortLink) {
			firstErr = err
		}
	}
	if len(splits) == 0 {
		return nil, Split{}, ErrNoLocation
	}
	if errors.Is(firstErr, ErrShortLink) {
		return nil, Split{}, firstErr
	}
	sp := splits[0]
	if loc, notes, ok := strings.Cut(line, "/"); ok && strings.TrimSpace(loc) != "" {
		sp = Split{Location: strings.Join(strings.Fields(loc), " "), Notes: strings.Join(strings.Fields(notes), " ")}
	}
	if r.Geocoder != nil {
		if gc, err := r.Geocoder.Geocode(ctx, sp.Location); err == nil && len(gc) > 0 {
			return r.classify(gc), sp, nil
		}
	}
	return nil, Split{}, firstErr
}
