package geo

import (
	"fmt"
	"strings"
)

// FeatureError is one problem in an areas file. LoadAreas and ParseAreas
// report every problem they find, each as a *FeatureError, joined with
// errors.Join, so an operator can fix a file in one pass.
type FeatureError struct {
	File string
	// Index is the feature's 0-based position in the "features" array, as
	// jq's .features[N] counts; -1 when the problem is with the whole file.
	Index int
	// Cohort is the feature's cohort id, if it has one.
	Cohort string
	// Name is a name-like property of the feature (name, title, label, hood,
	// neighbo(u)rhood), if present: with it a feature can be found by eye
	// even when its cohort id is missing or shared by many features.
	Name   string
	Reason string
	// Err is the underlying cause, when there is one (e.g. a
	// *json.SyntaxError).
	Err error
}

// Error reads like `cohorts.geojson: feature 12 (cohort "north"): ring 0 is
// not closed`.
func (e *FeatureError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	if e.Index >= 0 {
		fmt.Fprintf(&b, "feature %d", e.Index)
		var labels []string
		if e.Cohort != "" {
			labels = append(labels, fmt.Sprintf("cohort %q", e.Cohort))
		}
		if e.Name != "" && e.Name != e.Cohort {
			labels = append(labels, fmt.Sprintf("name %q", e.Name))
		}
		if len(labels) > 0 {
			b.WriteString(" (" + strings.Join(labels, ", ") + ")")
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the underlying cause, if any.
func (e *FeatureError) Unwrap() error { return e.Err }
