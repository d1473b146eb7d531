package program

import (
	"fmt"
	"time"

	"github.com/leadline/leadline/geo"
)

// Defaults of how officers' referrals are read.
const (
	// DefaultPageAnywayLimit is how far outside every cohort, in metres, a
	// point may be and still be offered to the nearest cohort with YES: a
	// neighbouring town just past a cohort's edge is, a point in another
	// city is not.
	DefaultPageAnywayLimit = 25_000.0
	// DefaultResendWindow is how long the same referral sent again by the
	// same officer at the same place is taken as a resend, not a new one.
	DefaultResendWindow = 10 * time.Minute
)

// officers reads how officers' referrals are read (the top-level keys
// distance_units, page_anyway_limit, resend_window, network_lookups),
// defaulting each: the units of the program number's country, 25 km, 10
// minutes, no look-ups.
func (v *validator) officers(p *Program, c *fileConfig) {
	p.Units = geo.UnitsFor(p.Region)
	switch u := geo.Units(c.DistanceUnits); u {
	case "":
	case geo.Metric, geo.Miles:
		p.Units = u
	default:
		v.add("distance_units", fmt.Sprintf("%q: want km or mi", c.DistanceUnits))
	}
	p.PageAnywayLimit = DefaultPageAnywayLimit
	if c.PageAnywayLimit != "" {
		m, err := geo.ParseDistance(c.PageAnywayLimit)
		if err != nil {
			v.add("page_anyway_limit", err.Error())
		}
		p.PageAnywayLimit = m
	}
	p.ResendWindow = DefaultResendWindow
	if c.ResendWindow != "" {
		d, err := time.ParseDuration(c.ResendWindow)
		if err != nil || d < 0 || d > 24*time.Hour {
			v.add("resend_window", fmt.Sprintf("%q: want a duration like 10m (0s to turn it off, at most 24h)", c.ResendWindow))
		}
		p.ResendWindow = d
	}
	p.NetworkLookups = c.NetworkLookups
}
