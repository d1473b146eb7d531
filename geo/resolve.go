package geo

import (
	"context"
	"errors"
	"strconv"

	"github.com/paulmach/orb"
)

// DefaultTolerance is how far outside a cohort's area, in metres, a point
// still counts as that cohort's when it is in no other.
const DefaultTolerance = 50.0

// Candidate is one place an officer's location text may mean, with the
// cohort it falls in.
type Candidate struct {
	Point orb.Point
	// Label is what the officer is shown: "1200 Main St, Ross",
	// "PPG Paints Arena", or the text as given.
	Label string
	Place string // a name from the places file, else ""
	// Cohort is "" for a point in no cohort and not near one.
	Cohort string
	// NearBoundary: outside every area, but within tolerance of Cohort's.
	NearBoundary bool
	// Swapped: a number pair read lon-first because only that order lands
	// near the program.
	Swapped bool
	// Coords: the point was given as coordinates (typed or in a link),
	// not found by name.
	Coords bool
	// Uncertainty is how far off, in metres, typed coordinates may be for
	// the decimals given (about 1 km for 40.44,-80.00); 0 when precise.
	Uncertainty float64
}

// Geocoder is an external search, tried after the program's own data.
type Geocoder interface {
	Geocode(ctx context.Context, query string) ([]Candidate, error)
}

// Resolver turns an officer's location text into candidates, one API for
// texts, calls and the demo alike: coordinates, map links and places
// (Parser), then address points and intersections, then the geocoder.
type Resolver struct {
	Parser    Parser
	Addresses *Addresses
	Areas     *Areas
	// Tolerance is in metres; 0 means DefaultTolerance, negative none.
	Tolerance float64
	Geocoder  Geocoder // nil for none
	// Links follows short map links (maps.app.goo.gl); nil where the
	// program allows no network look-ups: such links are then refused.
	Links LinkFollower
}

// Resolve returns the candidates for text, best first, at most one per
// cohort (the best): two candidates in one cohort page the same people, so
// only different cohorts are worth asking about. Errors are ErrShortLink or
// ErrNoLocation (possibly wrapped with why). A geocoder's failure counts as
// finding nothing.
func (r *Resolver) Resolve(ctx context.Context, text string) ([]Candidate, error) {
	found, err := r.local(ctx, text)
	if err == nil {
		return r.classify(found), nil
	}
	if r.Geocoder != nil && !errors.Is(err, ErrShortLink) {
		if gc, gerr := r.Geocoder.Geocode(ctx, text); gerr == nil && len(gc) > 0 {
			return r.classify(gc), nil
		}
	}
	return nil, err
}

// local finds text in the program's own data: coordinates and links
// (a short link followed when Links is set), places, then address points
// and intersections. It returns candidates without their cohorts.
func (r *Resolver) local(ctx context.Context, text string) ([]Candidate, error) {
	loc, err := r.Parser.Parse(text)
	if errors.Is(err, ErrShortLink) {
		if r.Links == nil {
			return nil, err
		}
		loc, err = r.followShortLink(ctx, text)
	}
	switch {
	case err == nil:
		label := loc.Place
		switch {
		case label != "":
		case loc.Decimals > 0:
			label = formatPointAt(loc.Point, min(loc.Decimals, 6))
		case loc.Coords:
			label = formatCoord(loc.Point.Lat()) + "," + formatCoord(loc.Point.Lon())
		default:
			label = loc.Given
		}
		return []Candidate{{Point: loc.Point, Label: label, Place: loc.Place, Swapped: loc.Swapped,
			Uncertainty: loc.Uncertainty, Coords: loc.Coords}}, nil
	case errors.Is(err, ErrShortLink):
		return nil, err
	case errors.Is(err, ErrAmbiguous):
		var found []Candidate
		for _, p := range r.Parser.Places.Match(text) {
			found = append(found, Candidate{Point: p.Point, Label: p.Name, Place: p.Name})
		}
		if len(found) > 0 {
			return found, nil
		}
	}
	var found []Candidate
	for _, m := range r.Addresses.Resolve(text) {
		found = append(found, Candidate{Point: m.Point, Label: m.Label})
	}
	if len(found) > 0 {
		return found, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, ErrNoLocation
}

// classify sets each candidate's cohort and keeps the first per cohort.
func (r *Resolver) classify(cands []Candidate) []Candidate {
	tol := r.Tolerance
	if tol == 0 {
		tol = DefaultTolerance
	}
	var out []Candidate
	seen := map[string]bool{}
	for _, c := range cands {
		if id, ok := r.Areas.Locate(c.Point); ok {
			c.Cohort = id
		} else if id, ok := r.Areas.Near(c.Point, tol); ok && tol > 0 {
			c.Cohort, c.NearBoundary = id, true
		}
		key := c.Cohort
		if key == "" {
			key = "\x00" + c.Label // points outside stay apart: they are told as such
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	return out
}

// formatPointAt writes p as "lat,lon" with d decimals, as the officer
// wrote it.
func formatPointAt(p orb.Point, d int) string {
	return strconv.FormatFloat(p.Lat(), 'f', d, 64) + "," + strconv.FormatFloat(p.Lon(), 'f', d, 64)
}
