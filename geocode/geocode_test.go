package geocode_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/geocode"
)

// pittsburgh is the program's bounding box in these tests.
var pittsburgh = orb.Bound{Min: orb.Point{-80.1, 40.36}, Max: orb.Point{-79.86, 40.5}}

var (
	downtown     = orb.Point{-79.9959, 40.4406}
	philadelphia = orb.Point{-75.1652, 39.9526} // outside the bound
)

// secret is in every query, so a test can check no error repeats it.
const secret = "secret"

// The services' canned answers: one place inside the bound, then one outside.
const (
	nominatimBody = `[
		{"lat":"39.9526","lon":"-75.1652","display_name":"Market Street, Philadelphia"},
		{"lat":"40.4406","lon":"-79.9959","display_name":"Market Square, Pittsburgh"}
	]`
	peliasBody = `{"type":"FeatureCollection","features":[
		{"type":"Feature","geometry":{"type":"Point","coordinates":[-75.1652,39.9526]},"properties":{"label":"Market Street, Philadelphia"}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[-79.9959,40.4406]},"properties":{"label":"Market Square, Pittsburgh"}}
	]}`
)

// service is a fake search service that counts its requests.
type service struct {
	*httptest.Server
	requests atomic.Int32
}

func newService(t *testing.T, h http.HandlerFunc) *service {
	t.Helper()
	s := &service{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// answer returns a handler that always writes body with status 200.
func answer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}

func key(kind, base, normalised string) string {
	return "leadline:{geocode}:q:" + testKeys.Name(kind+"|"+base+"|"+normalised)
}

// testKeys is the data key the tests' caches use.
var testKeys = func() *datakey.Keys {
	k, err := datakey.New()
	if err != nil {
		panic(err)
	}
	return k
}()

func TestSearchAsksEachKindWithinTheBound(t *testing.T) {
	for _, tc := range []struct {
		kind, base, path string
		want             url.Values
		body             string
	}{
		{
			kind: geocode.Nominatim, path: "/search",
			want: url.Values{
				"q": {"Market Square secret"}, "format": {"jsonv2"}, "limit": {"5"},
				"viewbox": {"-80.1,40.5,-79.86,40.36"}, "bounded": {"1"},
			},
			body: nominatimBody,
		},
		{
			// A base with a path and an API key keeps both.
			kind: geocode.Pelias, base: "/pelias/?api_key=k1", path: "/pelias/v1/search",
			want: url.Values{
				"text": {"Market Square secret"}, "size": {"5"}, "api_key": {"k1"},
				"boundary.rect.min_lat": {"40.36"}, "boundary.rect.min_lon": {"-80.1"},
				"boundary.rect.max_lat": {"40.5"}, "boundary.rect.max_lon": {"-79.86"},
			},
			body: peliasBody,
		},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			srv := newService(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tc.path {
					t.Errorf("path %q, want %q", r.URL.Path, tc.path)
				}
				if got := r.URL.Query(); got.Encode() != tc.want.Encode() {
					t.Errorf("query\n got %s\nwant %s", got.Encode(), tc.want.Encode())
				}
				if ua := r.UserAgent(); ua != "leadline" {
					t.Errorf("User-Agent %q, want leadline", ua)
				}
				answer(tc.body)(w, r)
			})
			c := geocode.New(geocode.Config{URL: srv.URL + tc.base, Kind: tc.kind, Bound: pittsburgh})

			got, err := c.Search(context.Background(), "  Market   Square\tsecret ")
			if err != nil {
				t.Fatal(err)
			}
			want := []geocode.Result{{Point: downtown, Label: "Market Square, Pittsburgh"}}
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestSearchReturnsCachedResultsWithoutARequest(t *testing.T) {
	rdb := testRedis(t)
	srv := newService(t, answer(nominatimBody))
	c := geocode.New(geocode.Config{URL: srv.URL, Kind: geocode.Nominatim, Bound: pittsburgh, Redis: rdb, Keys: testKeys})
	ctx := context.Background()

	first, err := c.Search(ctx, "Market Square secret")
	if err != nil {
		t.Fatal(err)
	}
	// The same query in another case and spacing is the same cache entry.
	again, err := c.Search(ctx, "  market SQUARE  secret")
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if len(first) != 1 || !slices.Equal(first, again) {
		t.Errorf("cached %v, first %v", again, first)
	}
	k := key(geocode.Nominatim, srv.URL, "market square secret")
	ttl := rdb.TTL(ctx, k).Val()
	if ttl < geocode.DefaultCacheTTL-time.Minute || ttl > geocode.DefaultCacheTTL {
		t.Errorf("TTL of %s is %v, want about %v", k, ttl, geocode.DefaultCacheTTL)
	}
	if v := rdb.Get(ctx, k).Val(); strings.Contains(strings.ToLower(v+k), secret) {
		t.Errorf("cache entry %s = %s holds the query", k, v)
	}
}

func TestSearchCachesNothingFoundForNegativeTTL(t *testing.T) {
	rdb := testRedis(t)
	srv := newService(t, answer(`{"type":"FeatureCollection","features":[]}`))
	c := geocode.New(geocode.Config{
		URL: srv.URL, Kind: geocode.Pelias, Bound: pittsburgh, Redis: rdb, Keys: testKeys,
		NegativeTTL: 10 * time.Minute,
	})
	ctx := context.Background()

	for range 2 {
		got, err := c.Search(ctx, "Nowhere secret")
		if err != nil || len(got) != 0 {
			t.Fatalf("got %v, %v; want nothing", got, err)
		}
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	k := key(geocode.Pelias, srv.URL, "nowhere secret")
	if ttl := rdb.TTL(ctx, k).Val(); ttl < 9*time.Minute || ttl > 10*time.Minute {
		t.Errorf("TTL of %s is %v, want about 10m", k, ttl)
	}
}

func TestSearchCachesOnlyResultsInsideTheBound(t *testing.T) {
	rdb := testRedis(t)
	srv := newService(t, answer(`[{"lat":"39.9526","lon":"-75.1652","display_name":"Philadelphia"}]`))
	c := geocode.New(geocode.Config{URL: srv.URL, Kind: geocode.Nominatim, Bound: pittsburgh, Redis: rdb, Keys: testKeys})
	ctx := context.Background()

	if got, err := c.Search(ctx, "Market Street secret"); err != nil || len(got) != 0 {
		t.Fatalf("got %v, %v; want nothing", got, err)
	}
	k := key(geocode.Nominatim, srv.URL, "market street secret")
	if ttl := rdb.TTL(ctx, k).Val(); ttl > geocode.DefaultNegativeTTL || ttl < geocode.DefaultNegativeTTL-time.Minute {
		t.Errorf("TTL of %s is %v, want about %v", k, ttl, geocode.DefaultNegativeTTL)
	}
}

func TestSearchKeepsAtMostLimitResults(t *testing.T) {
	srv := newService(t, answer(`[
		{"lat":"40.44","lon":"-79.99","display_name":"first"},
		{"lat":"40.45","lon":"-79.98","display_name":"second"}
	]`))
	c := geocode.New(geocode.Config{URL: srv.URL, Kind: geocode.Nominatim, Bound: pittsburgh, Limit: 1})

	got, err := c.Search(context.Background(), "Liberty Avenue secret")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Label != "first" {
		t.Errorf("got %v, want only the first", got)
	}
}

func TestSearchGivesUpAtTheTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newService(t, func(w http.ResponseWriter, r *http.Request) {
		select { // answer only once the client has gone
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	rdb := testRedis(t)
	c := geocode.New(geocode.Config{
		URL: srv.URL, Kind: geocode.Nominatim, Bound: pittsburgh, Redis: rdb, Keys: testKeys,
		Timeout: 100 * time.Millisecond,
	})

	start := time.Now() // wall clock: times the real HTTP timeout
	got, err := c.Search(context.Background(), "Market Square secret")
	elapsed := time.Since(start) // wall clock: as above
	if err == nil {
		t.Fatalf("got %v, want a timeout error", got)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %q is not context.DeadlineExceeded", err)
	}
	if elapsed > time.Second {
		t.Errorf("Search took %v with a 100ms timeout", elapsed)
	}
	noQuery(t, err)
	if n := rdb.DBSize(context.Background()).Val(); n != 0 {
		t.Errorf("a timeout left %d cache entries", n)
	}
}

func TestSearchErrors(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	for _, tc := range []struct {
		name, kind string
		h          http.HandlerFunc
		url        string // instead of the test server's
	}{
		{name: "500", kind: geocode.Nominatim, h: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "query was "+r.URL.Query().Get("q"), http.StatusInternalServerError)
		}},
		{name: "429", kind: geocode.Pelias, h: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTooManyRequests)
		}},
		{name: "nominatim not JSON", kind: geocode.Nominatim, h: answer(`<html>secret</html>`)},
		{name: "nominatim error object", kind: geocode.Nominatim, h: answer(`{"error":"Unable to geocode secret"}`)},
		{name: "pelias not GeoJSON", kind: geocode.Pelias, h: answer(`{"features":"secret"}`)},
		{name: "pelias truncated", kind: geocode.Pelias, h: answer(`{"type":"FeatureCollection","features":[`)},
		{name: "connection refused", kind: geocode.Pelias, url: closed.URL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rdb := testRedis(t)
			base := tc.url
			if tc.h != nil {
				base = newService(t, tc.h).URL
			}
			c := geocode.New(geocode.Config{URL: base, Kind: tc.kind, Bound: pittsburgh, Redis: rdb, Keys: testKeys})

			got, err := c.Search(context.Background(), "12 Secret Lane")
			if err == nil {
				t.Fatalf("got %v, want an error", got)
			}
			noQuery(t, err)
			if n := rdb.DBSize(context.Background()).Val(); n != 0 {
				t.Errorf("an error left %d cache entries", n)
			}
		})
	}
}

func TestSearchWithoutAQueryAsksNothing(t *testing.T) {
	srv := newService(t, answer(nominatimBody))
	c := geocode.New(geocode.Config{URL: srv.URL, Kind: geocode.Nominatim, Bound: pittsburgh})
	if got, err := c.Search(context.Background(), " \t "); err != nil || got != nil {
		t.Errorf("got %v, %v; want nothing", got, err)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestSearchWithAnInvalidConfigFails(t *testing.T) {
	srv := newService(t, answer(nominatimBody))
	c := geocode.New(geocode.Config{URL: srv.URL, Kind: "google", Bound: pittsburgh})
	if _, err := c.Search(context.Background(), "Market Square"); err == nil {
		t.Error("Search with an unknown kind succeeded")
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("%d requests, want 0", n)
	}
}

func TestValidate(t *testing.T) {
	good := geocode.Config{URL: "https://nominatim.example.org", Kind: geocode.Nominatim, Bound: pittsburgh}
	for _, tc := range []struct {
		name   string
		change func(*geocode.Config)
		ok     bool
	}{
		{"good", func(*geocode.Config) {}, true},
		{"pelias with path and key", func(c *geocode.Config) {
			c.Kind, c.URL = geocode.Pelias, "http://localhost:4000/pelias?api_key=k"
		}, true},
		{"empty URL", func(c *geocode.Config) { c.URL = "" }, false},
		{"relative URL", func(c *geocode.Config) { c.URL = "nominatim.example.org" }, false},
		{"ftp URL", func(c *geocode.Config) { c.URL = "ftp://nominatim.example.org" }, false},
		{"no host", func(c *geocode.Config) { c.URL = "https:///search" }, false},
		{"unparsable URL", func(c *geocode.Config) { c.URL = "https://exa mple.org/%zz" }, false},
		{"no kind", func(c *geocode.Config) { c.Kind = "" }, false},
		{"unknown kind", func(c *geocode.Config) { c.Kind = "Nominatim " }, false},
		{"zero bound", func(c *geocode.Config) { c.Bound = orb.Bound{} }, false},
		{"point bound", func(c *geocode.Config) { c.Bound = downtown.Bound() }, false},
		{"inverted bound", func(c *geocode.Config) { c.Bound = orb.Bound{Min: pittsburgh.Max, Max: pittsburgh.Min} }, false},
		{"latitude out of range", func(c *geocode.Config) {
			c.Bound = orb.Bound{Min: orb.Point{-80.1, 40.36}, Max: orb.Point{-79.86, 91}}
		}, false},
		{"NaN corner", func(c *geocode.Config) { c.Bound.Min[0] = math.NaN() }, false},
		{"negative timeout", func(c *geocode.Config) { c.Timeout = -time.Second }, false},
		{"negative limit", func(c *geocode.Config) { c.Limit = -1 }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			err := c.Validate()
			if tc.ok && err != nil {
				t.Errorf("Validate() = %v, want nil", err)
			}
			if !tc.ok && err == nil {
				t.Error("Validate() = nil, want an error")
			}
		})
	}
}

// noQuery fails the test if err's text holds any of the query.
func noQuery(t *testing.T, err error) {
	t.Helper()
	if strings.Contains(strings.ToLower(err.Error()), secret) {
		t.Errorf("error %q holds the query", err)
	}
}
