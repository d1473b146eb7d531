// Package examples embeds the sample program that `leadline demo` runs and
// the README's quick start uses.
package examples

import "embed"

// FS holds program.yaml, cohorts.geojson, places.csv and addresses.csv.
//
//go:embed program.yaml cohorts.geojson places.csv addresses.csv
var FS embed.FS
