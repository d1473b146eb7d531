// Package geo answers where a referral is: it parses the location text an
// officer sends (coordinates, map links, geo: URIs, landmark codes and
// names), finds the cohort whose service area contains that point and,
// when none does, the nearest cohort and how far away it is.
//
// Points are orb.Point values, [lon, lat] in degrees, as in GeoJSON. Areas
// and Places are immutable once loaded and safe for concurrent use.
package geo
