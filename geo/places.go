package geo

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

// Place is a landmark officers may name instead of giving coordinates.
type Place struct {
	Code, Name string
	Point      orb.Point
}

// Places are the landmarks of a program, found by code, name or alias. A
// nil *Places is valid and finds nothing.
type Places struct {
	list   []Place
	byCode map[string]int // normalised code -> index into list
	byName map[string]int // normalised name or alias -> index into list
	typos  []typoKey      // names and aliases long enough to match with a typo
}

// PlaceError is one problem in a places file. Line is 1-based; 0 when the
// problem is with the whole file.
type PlaceError struct {
	File   string
	Line   int
	Reason string
	Err    error // underlying cause, if any
}

// Error reads like `places.csv:4: latitude "abc" is not a number`.
func (e *PlaceError) Error() string {
	if e.Line <= 0 {
		return e.File + ": " + e.Reason
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

// Unwrap returns the underlying cause, if any.
func (e *PlaceError) Unwrap() error { return e.Err }

// LoadPlaces reads a places CSV file. See ParsePlaces.
func LoadPlaces(path string) (*Places, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("geo: load places: %w", err)
	}
	return ParsePlaces(path, data)
}

// ParsePlaces reads CSV rows of code,name,lat,lon and an optional fifth
// column of aliases, other names for the place separated by ";" ("the
// arena;civic arena"); name is the file name to use in errors. A first row
// whose lat is not a number is a header and is skipped. Codes (ignoring
// case) and names and aliases (as normaliseName leaves them) must be
// unique. On failure the error joins a *PlaceError for every problem found.
func ParsePlaces(name string, data []byte) (*Places, error) {
	// Spreadsheets often save CSV with a byte-order mark, which would
	// otherwise become part of the first code.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1 // column counts are checked per row, to say which row
	r.TrimLeadingSpace = true

	ps := &Places{byCode: map[string]int{}, byName: map[string]int{}}
	codeLine := map[string]int{}
	nameLine := map[string]int{} // for names and aliases
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &PlaceError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)})
	}
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader cannot resynchronise after a quoting error, so
			// this is the last problem we can report.
			errs = append(errs, &PlaceError{File: name, Line: pe.Line, Reason: pe.Err.Error(), Err: err})
			break
		} else if err != nil {
			return nil, fmt.Errorf("geo: read places %s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first && len(rec) >= 3 && !isNumber(rec[2]) {
			continue
		}
		if len(rec) != 4 && len(rec) != 5 {
			fail(line, "has %d columns, want 4 or 5 (code,name,lat,lon[,aliases])", len(rec))
			continue
		}
		p, aliases, reasons := readPlace(rec)
		for _, reason := range reasons {
			fail(line, "%s", reason)
		}
		if len(reasons) > 0 {
			continue
		}
		code := strings.ToLower(p.Code)
		if prev, dup := codeLine[code]; dup {
			fail(line, "code %q is already used on line %d", p.Code, prev)
			continue
		}
		norms, taken := rowNames(p.Name, aliases, nameLine)
		for _, reason := range taken {
			fail(line, "%s", reason)
		}
		if len(taken) > 0 {
			continue
		}
		i := len(ps.list)
		codeLine[code], ps.byCode[code] = line, i
		for _, norm := range norms {
			nameLine[norm], ps.byName[norm] = line, i
			if r := []rune(norm); typoLength(r) {
				ps.typos = append(ps.typos, typoKey{name: r, place: i})
			}
		}
		ps.list = append(ps.list, p)
	}
	if len(errs) == 0 && len(ps.list) == 0 {
		fail(0, "has no places (want rows of code,name,lat,lon)")
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return ps, nil
}

// rowNames normalises a row's name and aliases, once each, and says which
// an earlier row already uses (in lines, by normalised name).
func rowNames(name string, aliases []string, lines map[string]int) (norms, taken []string) {
	for i, n := range append([]string{name}, aliases...) {
		norm := normaliseName(n)
		if slices.Contains(norms, norm) {
			continue
		}
		norms = append(norms, norm)
		if prev, used := lines[norm]; used {
			what := "alias"
			if i == 0 {
				what = "name"
			}
			taken = append(taken, fmt.Sprintf("%s %q is already used on line %d", what, n, prev))
		}
	}
	return norms, taken
}

// readPlace checks one row's fields, returning the place, its aliases and
// every problem with them.
func readPlace(rec []string) (Place, []string, []string) {
	var reasons []string
	if rec[0] == "" {
		reasons = append(reasons, "has no code")
	}
	if rec[1] == "" {
		reasons = append(reasons, "has no name")
	} else if normaliseName(rec[1]) == "" {
		reasons = append(reasons, fmt.Sprintf("name %q has no letters or digits", rec[1]))
	}
	lat, latErr := parseDegrees("latitude", rec[2], 90)
	lon, lonErr := parseDegrees("longitude", rec[3], 180)
	for _, err := range []error{latErr, lonErr} {
		if err != nil {
			reasons = append(reasons, err.Error())
		}
	}
	if latErr == nil && lonErr == nil && lat == 0 && lon == 0 {
		reasons = append(reasons, "is at 0,0, which is not a real place")
	}
	var aliases []string
	if len(rec) == 5 {
		for a := range strings.SplitSeq(rec[4], ";") {
			switch a = strings.TrimSpace(a); {
			case a == "": // "a;;b" or a trailing ";"
			case normaliseName(a) == "":
				reasons = append(reasons, fmt.Sprintf("alias %q has no letters or digits", a))
			default:
				aliases = append(aliases, a)
			}
		}
	}
	return Place{Code: rec[0], Name: rec[1], Point: orb.Point{lon, lat}}, aliases, reasons
}

func parseDegrees(what, s string, limit float64) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s %q is not a number", what, s)
	}
	if math.Abs(v) > limit {
		return 0, fmt.Errorf("%s %s is outside ±%.0f", what, s, limit)
	}
	return v, nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// Lookup finds the one place s means (see Match): false when there is
// none, or more than one within a typo.
func (p *Places) Lookup(s string) (Place, bool) {
	if pl, ok := p.exact(s); ok {
		return pl, true
	}
	if m := p.nearly(s); len(m) == 1 {
		return m[0], true
	}
	return Place{}, false
}

// Match returns every place the text may mean: the place whose code,
// name or alias matches exactly, alone; otherwise every place within one
// typo, sorted by name. nil when none.
//
// Codes match ignoring case, and only exactly. Names and aliases match
// ignoring case, punctuation and extra spaces ("mt. oliver" finds "Mt
// Oliver"), or with one typo (a letter missing, extra, wrong, or two
// swapped) when both the text and the name have at least 5 letters or
// digits.
func (p *Places) Match(s string) []Place {
	if pl, ok := p.exact(s); ok {
		return []Place{pl}
	}
	return p.nearly(s)
}

// exact finds the place whose code, name or alias is s.
func (p *Places) exact(s string) (Place, bool) {
	if p == nil {
		return Place{}, false
	}
	s = strings.TrimSpace(s)
	if i, ok := p.byCode[strings.ToLower(s)]; ok {
		return p.list[i], true
	}
	if i, ok := p.byName[normaliseName(s)]; ok {
		return p.list[i], true
	}
	return Place{}, false
}

// nearly returns the places whose name or alias is within one typo of s
// but not s, sorted by name.
func (p *Places) nearly(s string) []Place {
	if p == nil {
		return nil
	}
	text := []rune(normaliseName(s))
	if !typoLength(text) {
		return nil
	}
	var found []Place
	for _, k := range p.typos {
		if oneTypo(text, k.name) && !slices.Contains(found, p.list[k.place]) {
			found = append(found, p.list[k.place])
		}
	}
	slices.SortFunc(found, func(a, b Place) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Code, b.Code))
	})
	return found
}

// Len returns the number of places.
func (p *Places) Len() int {
	if p == nil {
		return 0
	}
	return len(p.list)
}

// normaliseName lower-cases a name and keeps only runs of letters and
// digits, single-spaced. Apostrophes vanish rather than split words, so
// "Children's" and "Childrens" match.
func normaliseName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// Names are the places' names in file order: hints for speech recognition.
func (p *Places) Names() []string {
	if p == nil {
		return nil
	}
	names := make([]string, len(p.list))
	for i, x := range p.list {
		names[i] = x.Name
	}
	return names
}
