package officer_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leadline/leadline/internal/e2e"

	"github.com/paulmach/orb"

	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/geocode"
)

// Officers say where they are the way they say it: addresses,
// intersections, landmarks with typos, DMS, pairs lon-first.
func TestOfficerLocationForms(t *testing.T) {
	for _, tt := range []struct {
		text, cohort, at string
	}{
		{"AD 5th & Wood / by the bank", "West", "At: Fifth Ave & Wood St, Pittsburgh (5th & Wood)"},
		{"AD wood st at fifth ave", "West", "At: Wood St & Fifth Ave, Pittsburgh (wood st at fifth ave)"},
		{"SC 301 wood street", "West", "At: 301 Wood St, Pittsburgh (301 wood street)"},
		{"SC PPG Paint Arena", "West", "At: PPG Paints Arena (PPG Paint Arena)"},
		{"SC the arena", "West", "At: PPG Paints Arena (the arena)"},
		{"AD -80.0076,40.4473", "North", "At: 40.4473,-80.0076 (-80.0076,40.4473)"},
		{`AD 40°26'50.5"N 80°00'27.4"W`, "North", "https://maps.google.com/?q=40.447361,-80.007611"},
		{"AD 40 26.842 N 80 0.457 W", "North", "https://maps.google.com/?q=40.447367,-80.007617"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			w := e2e.New(t, e2e.Start)
			w.Text("osmith", tt.text)
			code := e2e.CodeIn(t, w.Expect("osmith", tt.cohort, "Paging"))
			oncall := map[string]string{"West": "ewalsh", "North": "jrivera"}[tt.cohort]
			w.Expect(oncall, "LEAD page "+code, tt.at)
		})
	}
}

// Two or more candidates in different cohorts are asked back, never
// guessed; nothing is stored until the officer picks.
func TestAmbiguousAddressIsAskedBack(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	ctx := context.Background()
	w.Text("osmith", "AD 100 Main St / by the bridge")
	w.Expect("osmith", "Did you mean 1) 100 Main St, Millvale (outside every area) 2) 100 Main St, Pittsburgh (East) 3) 100 Main St, Sharpsburg (outside every area)? Reply 1 or 2 or 3.")
	if n := w.Redis.ZCard(ctx, "leadline:{dispatch}:referrals").Val(); n != 0 {
		t.Fatalf("%d referrals stored before the officer chose", n)
	}
	w.Text("osmith", "4")
	w.Expect("osmith", "Did you mean 1)")
	w.Text("osmith", "2")
	code := e2e.CodeIn(t, w.Expect("osmith", "East", "Paging"))
	w.Expect("cobi", "LEAD page "+code, "At: 100 Main St, Pittsburgh (100 Main St)", "by the bridge")
	w.Text("osmith", "2")
	w.Expect("osmith", "Nothing is waiting for a choice")

	// Choosing a candidate outside every area leads to the usual YES.
	w.Text("osmith", "SC 100 Main St")
	w.Expect("osmith", "Did you mean")
	w.Text("osmith", "3")
	w.Expect("osmith", "Outside every cohort area. Nearest:", "YES")
	w.Quiet("osmith", "jrivera", "cobi", "bnguyen")
}

func TestUnknownLocationShowsTheForms(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	w.Text("osmith", "AD 99 Nowhere Lane")
	w.Expect("osmith", "Location not found", "1200 Main St", "5th & Wood", "place name or code", "lat,lon", "map link")
}

// A point a few metres outside a cohort, and near no other, is that
// cohort's; the page says it is near the boundary.
func TestNearTheBoundary(t *testing.T) {
	w := e2e.New(t, e2e.Start)
	p, cohort := pointJustOutside(t, w)
	w.Text("osmith", fmt.Sprintf("SC %.6f,%.6f", p.Lat(), p.Lon()))
	name := w.Prog.CohortName(cohort)
	code := e2e.CodeIn(t, w.Expect("osmith", name, "Paging"))
	r := w.Referral(code)
	if r.Cohort != cohort || !r.NearBoundary {
		t.Fatalf("referral: %+v", r)
	}
	oncall, err := w.OnCall.Current(context.Background(), cohort)
	if err != nil {
		t.Fatal(err)
	}
	w.Expect(oncall, "LEAD page "+code, "(near the boundary)")
}

// pointJustOutside walks out of the sample's areas from a few points
// inside until it is 10–40 m outside one cohort and near no other.
func pointJustOutside(t *testing.T, w *e2e.World) (orb.Point, string) {
	t.Helper()
	a := w.Prog.Areas
	for _, start := range []orb.Point{{-80.0076, 40.4473}, {-79.9892, 40.4394}, {-79.9197, 40.4846}, {-79.9666, 40.4283}} {
		for _, dir := range [][2]float64{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			step := orb.Point{dir[0] * 5 / (111320 * math.Cos(start.Lat()*math.Pi/180)), dir[1] * 5 / 110540}
			q := start
			for range 4000 {
				q = orb.Point{q[0] + step[0], q[1] + step[1]}
				if _, in := a.Locate(q); in {
					continue
				}
				cohort, m := a.Nearest(q)
				if m < 10 {
					continue
				}
				if c, ok := a.Near(q, 50); ok && m <= 40 && c == cohort {
					return q, cohort
				}
				break
			}
		}
	}
	t.Fatal("no point just outside a cohort found: the test cannot check the tolerance")
	return orb.Point{}, ""
}

// A place the program's data does not know goes to the external geocoder
// (a Nominatim-compatible server here), bounded to the program's area.
func TestGeocoderAfterLocalData(t *testing.T) {
	var asked atomic.Int32
	nominatim := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.URL.Path != "/search" || r.URL.Query().Get("bounded") != "1" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if strings.Contains(strings.ToLower(r.URL.Query().Get("q")), "heinz hall") {
			fmt.Fprint(w, `[{"lat":"40.4425","lon":"-80.0000","display_name":"Heinz Hall, Penn Avenue, Pittsburgh"}]`)
			return
		}
		fmt.Fprint(w, `[]`)
	}))
	defer nominatim.Close()
	base := e2e.New(t, e2e.Start)
	gc := geocode.New(geocode.Config{URL: nominatim.URL, Kind: "nominatim", Bound: base.Prog.Areas.Bound(), Redis: base.Redis, Keys: e2e.Keys()})
	w := e2e.NewInstance(t, base.Prog, base.Redis, base.Sim, base.Clock, func(c *dispatch.Config) { c.Geocoder = gc })

	w.Text("osmith", "SC Heinz Hall / lobby")
	code := e2e.CodeIn(t, w.Expect("osmith", "Paging"))
	r := w.Referral(code)
	if r.Place != "Heinz Hall, Penn Avenue, Pittsburgh" || r.Lat != 40.4425 {
		t.Errorf("geocoded referral: %+v", r)
	}
	// Local data first: a place code never reaches the geocoder.
	before := asked.Load()
	w.Text("osmith", "SC 101")
	w.Expect("osmith", "West")
	if asked.Load() != before {
		t.Error("a place code was sent to the geocoder")
	}
	// Cached: the same text again asks nobody.
	w.Text("osmith", "SC heinz hall")
	w.Expect("osmith", "Paging")
	w.Text("osmith", "SC Nowhere Special")
	w.Expect("osmith", "Location not found")
	if got := asked.Load() - before; got != 1 {
		t.Errorf("geocoder asked %d times for a cached and an unknown place, want 1", got)
	}
}
