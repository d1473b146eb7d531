// Package geocode asks a Nominatim- or Pelias-compatible search service where
// a place is, for text the program's own data did not resolve. It is the last
// and optional step of resolving an officer's location: every search is
// bounded by Config.Timeout, restricted to the program's bounding box, and
// cached in Redis, so a slow, failing or absent service costs at most the
// timeout and never breaks dispatch.
//
// Queries may hold the addresses of vulnerable people, so no error from this
// package carries the query text, the cache names a query by its keyed hash
// (the data key's: a copy of Redis cannot be searched by guessing
// addresses), and the results it keeps are sealed.
//
// Redis keys:
//
//	leadline:{geocode}:q:<keyed name of kind|url|normalised query>  string: the results as JSON, sealed; Config.CacheTTL,
//	                                                                 or Config.NegativeTTL when empty
package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/leadline/leadline/geo"

	"github.com/paulmach/orb"
	"github.com/redis/go-redis/v9"
)

// The kinds of search service Config.Kind may name.
const (
	Nominatim = "nominatim"
	Pelias    = "pelias"
)

// Defaults for the zero values of Config's fields.
const (
	DefaultTimeout     = 2 * time.Second
	DefaultCacheTTL    = 30 * 24 * time.Hour
	DefaultNegativeTTL = time.Hour
	DefaultUserAgent   = "leadline"
	DefaultLimit       = 5
)

// maxBody bounds how much of an answer is read; a longer one is malformed.
const maxBody = 1 << 20

const keyPrefix = "leadline:{geocode}:q:"

// Config says which service to ask and how.
type Config struct {
	// URL is the search endpoint's base, e.g. "https://nominatim.example.org"
	// (Nominatim: GET {URL}/search) or "https://pelias.example.org" (Pelias:
	// GET {URL}/v1/search). Query parameters in it (an api_key) are kept.
	URL string
	// Kind is Nominatim or Pelias.
	Kind string
	// Bound is the program's bounding box: the search is restricted to it
	// and results outside it are dropped.
	Bound orb.Bound
	// Timeout bounds a whole Search, cache look-up included. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// Redis caches results; nil means no cache.
	Redis redis.UniversalClient
	// Keys name queries and seal results in the cache (datakey.Keys);
	// required with Redis.
	Keys interface {
		Seal(plain string, aad ...string) (string, error)
		Open(v string, aad ...string) (string, error)
		Name(s string) string
	}
	// CacheTTL is how long found results are kept. Zero means DefaultCacheTTL.
	CacheTTL time.Duration
	// NegativeTTL is how long "nothing found" is kept. Zero means
	// DefaultNegativeTTL.
	NegativeTTL time.Duration
	// HTTP sends the requests. nil means a client with Timeout.
	HTTP *http.Client
	// UserAgent is sent with every request (Nominatim's usage policy
	// requires one). Empty means DefaultUserAgent.
	UserAgent string
	// Limit is the most results asked for and returned. Zero means
	// DefaultLimit.
	Limit int
}

// Validate reports a config that cannot work: a URL that is not absolute
// http(s), an unknown kind, an empty or out-of-range bound, or a negative
// duration or limit. Its errors do not repeat the URL, which may hold a key.
func (c Config) Validate() error {
	if err := checkURL(c.URL); err != nil {
		return err
	}
	if c.Kind != Nominatim && c.Kind != Pelias {
		return fmt.Errorf("geocode: kind %q is neither %q nor %q", c.Kind, Nominatim, Pelias)
	}
	if err := checkBound(c.Bound); err != nil {
		return err
	}
	if c.Timeout < 0 || c.CacheTTL < 0 || c.NegativeTTL < 0 {
		return errors.New("geocode: timeout and TTLs must not be negative")
	}
	if c.Limit < 0 {
		return errors.New("geocode: limit must not be negative")
	}
	if c.Redis != nil && c.Keys == nil {
		return errors.New("geocode: a Redis cache needs the data key")
	}
	return nil
}

func checkURL(raw string) error {
	if raw == "" {
		return errors.New("geocode: URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// A *url.Error repeats the URL; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("geocode: URL does not parse: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("geocode: URL must start with http:// or https://")
	}
	if u.Host == "" {
		return errors.New("geocode: URL has no host")
	}
	return nil
}

func checkBound(b orb.Bound) error {
	for _, p := range []orb.Point{b.Min, b.Max} {
		if !validPoint(p) {
			return fmt.Errorf("geocode: bound corner %v is not a [lon, lat] point", p)
		}
	}
	if b.Min[0] >= b.Max[0] || b.Min[1] >= b.Max[1] {
		return fmt.Errorf("geocode: bound %v–%v is empty: Min must be south-west of Max", b.Min, b.Max)
	}
	return nil
}

// validPoint reports whether p is a finite longitude and latitude.
func validPoint(p orb.Point) bool {
	lon, lat := p[0], p[1]
	return !math.IsNaN(lon) && !math.IsNaN(lat) &&
		lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90
}

// Result is one place the service found.
type Result struct {
	Point orb.Point `json:"point"` // [lon, lat]
	Label string    `json:"label"` // the service's name for it, e.g. Nominatim's display_name
}

// Client searches one service. It is safe for concurrent use.
type Client struct {
	c       Config
	invalid error // from Validate; every Search returns it
}

// New returns a client for c with its defaults filled in. A config that
// fails Validate gives a client whose every Search fails with that error.
func New(c Config) *Client {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.CacheTTL <= 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.NegativeTTL <= 0 {
		c.NegativeTTL = DefaultNegativeTTL
	}
	if c.HTTP == nil {
		c.HTTP = &http.Client{Timeout: c.Timeout}
	}
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	if c.Limit <= 0 {
		c.Limit = DefaultLimit
	}
	return &Client{c: c, invalid: c.Validate()}
}

// Search returns results inside the bound, best first, or none. A timeout,
// a non-2xx answer or a malformed body is an error (wrapped, with no query
// text in it: queries may hold addresses of vulnerable people and errors
// reach logs); callers treat errors as "not found". Cached results are
// returned without a request. The cache is best effort: a Redis failure
// means a request, never an error. A blank query finds nothing.
func (c *Client) Search(ctx context.Context, query string) ([]Result, error) {
	if c.invalid != nil {
		return nil, c.invalid
	}
	text := strings.Join(strings.Fields(query), " ")
	if text == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.c.Timeout)
	defer cancel()

	key := c.cacheKey(text)
	if rs, ok := c.cached(ctx, key); ok {
		return rs, nil
	}
	rs, err := c.ask(ctx, text)
	if err != nil {
		return nil, err
	}
	rs = c.keep(rs)
	c.store(ctx, key, rs)
	return rs, nil
}

// cacheKey is the Redis key for a query, named by its keyed hash so the
// key holds no address. The query is compared lower-cased with its spaces
// collapsed.
func (c *Client) cacheKey(query string) string {
	if c.c.Keys == nil {
		return ""
	}
	norm := strings.ToLower(strings.Join(strings.Fields(query), " "))
	return keyPrefix + c.c.Keys.Name(c.c.Kind+"|"+c.c.URL+"|"+norm)
}

// cached returns the cached results for key, if any. They are filtered
// again, so a smaller bound or limit takes effect at once.
func (c *Client) cached(ctx context.Context, key string) ([]Result, bool) {
	if c.c.Redis == nil {
		return nil, false
	}
	sealed, err := c.c.Redis.Get(ctx, key).Result()
	if err != nil {
		return nil, false
	}
	b, err := c.c.Keys.Open(sealed, key)
	if err != nil {
		return nil, false
	}
	var rs []Result
	if json.Unmarshal([]byte(b), &rs) != nil {
		return nil, false
	}
	return c.keep(rs), true
}

// store caches rs under key, empty results for the shorter NegativeTTL.
// A failure only costs a request next time.
func (c *Client) store(ctx context.Context, key string, rs []Result) {
	if c.c.Redis == nil {
		return
	}
	ttl := c.c.CacheTTL
	if len(rs) == 0 {
		ttl = c.c.NegativeTTL
		rs = []Result{}
	}
	b, err := json.Marshal(rs)
	if err != nil {
		return
	}
	sealed, err := c.c.Keys.Seal(string(b), key)
	if err != nil {
		return
	}
	c.c.Redis.Set(ctx, key, sealed, ttl)
}

// keep returns the valid results inside the bound, at most Limit of them,
// in the service's order.
func (c *Client) keep(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if len(out) == c.c.Limit {
			break
		}
		if validPoint(r.Point) && c.c.Bound.Contains(r.Point) {
			out = append(out, r)
		}
	}
	return out
}

// ask sends one search and decodes the answer.
func (c *Client) ask(ctx context.Context, text string) ([]Result, error) {
	u, err := c.requestURL(text)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("geocode: %s request: %w", c.c.Kind, bare(err))
	}
	req.Header.Set("User-Agent", c.c.UserAgent)
	req.Header.Set("Accept", "application/json")
	resp, err := c.c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("geocode: %s request: %w", c.c.Kind, bare(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("geocode: %s answered %s", c.c.Kind, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("geocode: %s answer: %w", c.c.Kind, bare(err))
	}
	var rs []Result
	if c.c.Kind == Nominatim {
		rs, err = decodeNominatim(body)
	} else {
		rs, err = decodePelias(body)
	}
	if err != nil {
		return nil, fmt.Errorf("geocode: malformed %s answer: %w", c.c.Kind, err)
	}
	return rs, nil
}

// bare strips the *url.Error the HTTP client wraps its errors in, since
// its text repeats the request URL and so the query.
func bare(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// requestURL is the search URL for text, restricted to the bound.
func (c *Client) requestURL(text string) (string, error) {
	u, err := url.Parse(c.c.URL)
	if err != nil {
		return "", fmt.Errorf("geocode: URL does not parse: %w", bare(err))
	}
	q := u.Query()
	b := c.c.Bound
	minLon, minLat := num(b.Min[0]), num(b.Min[1])
	maxLon, maxLat := num(b.Max[0]), num(b.Max[1])
	limit := strconv.Itoa(c.c.Limit)
	path := strings.TrimSuffix(u.Path, "/")
	switch c.c.Kind {
	case Nominatim:
		u.Path = path + "/search"
		q.Set("q", text)
		q.Set("format", "jsonv2")
		q.Set("limit", limit)
		q.Set("viewbox", minLon+","+maxLat+","+maxLon+","+minLat)
		q.Set("bounded", "1")
	case Pelias:
		u.Path = path + "/v1/search"
		q.Set("text", text)
		q.Set("size", limit)
		q.Set("boundary.rect.min_lat", minLat)
		q.Set("boundary.rect.min_lon", minLon)
		q.Set("boundary.rect.max_lat", maxLat)
		q.Set("boundary.rect.max_lon", maxLon)
	}
	u.RawPath = ""
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// nominatimPlace is one element of a Nominatim jsonv2 answer.
type nominatimPlace struct {
	Lat         string `json:"lat"`
	Lon         string `json:"lon"`
	DisplayName string `json:"display_name"`
}

// decodeNominatim reads a jsonv2 answer: an array of places with lat and
// lon as strings. Places without readable coordinates are skipped.
func decodeNominatim(body []byte) ([]Result, error) {
	var places []nominatimPlace
	if err := json.Unmarshal(body, &places); err != nil {
		return nil, err
	}
	rs := make([]Result, 0, len(places))
	for _, p := range places {
		lat, err1 := strconv.ParseFloat(p.Lat, 64)
		lon, err2 := strconv.ParseFloat(p.Lon, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		rs = append(rs, Result{Point: orb.Point{lon, lat}, Label: p.DisplayName})
	}
	return rs, nil
}

// peliasCollection is a Pelias answer, a GeoJSON FeatureCollection.
type peliasCollection struct {
	Type     string          `json:"type"`
	Features []peliasFeature `json:"features"`
}

type peliasFeature struct {
	Geometry struct {
		Coordinates []float64 `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		Label string `json:"label"`
	} `json:"properties"`
}

// decodePelias reads a GeoJSON FeatureCollection of points. Features
// without two coordinates are skipped.
func decodePelias(body []byte) ([]Result, error) {
	var fc peliasCollection
	if err := json.Unmarshal(body, &fc); err != nil {
		return nil, err
	}
	if fc.Type != "FeatureCollection" {
		return nil, errors.New("not a GeoJSON FeatureCollection")
	}
	rs := make([]Result, 0, len(fc.Features))
	for _, f := range fc.Features {
		if len(f.Geometry.Coordinates) < 2 {
			continue
		}
		p := orb.Point{f.Geometry.Coordinates[0], f.Geometry.Coordinates[1]}
		rs = append(rs, Result{Point: p, Label: f.Properties.Label})
	}
	return rs, nil
}

// Geocode is Search as geo.Resolver's Geocoder wants it.
func (c *Client) Geocode(ctx context.Context, query string) ([]geo.Candidate, error) {
	rs, err := c.Search(ctx, query)
	if err != nil {
		return nil, err
	}
	out := make([]geo.Candidate, len(rs))
	for i, r := range rs {
		out[i] = geo.Candidate{Point: r.Point, Label: r.Label}
	}
	return out, nil
}
