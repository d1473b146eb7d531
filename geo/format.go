package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// MapLink returns a Google Maps link that drops a pin on p, e.g.
// "https://maps.google.com/?q=40.4473,-80.0076". Google's plain ?q= form
// opens in every phone's browser or maps app without an account.
func MapLink(p orb.Point) string {
	return "https://maps.google.com/?q=" + formatCoord(p[1]) + "," + formatCoord(p[0])
}

// formatCoord writes degrees with 4 to 6 decimals: 6 is about 10 cm, more
// than any phone knows, and 4 (about 10 m) keeps short numbers readable.
func formatCoord(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	for n := 6; n > 4 && strings.HasSuffix(s, "0"); n-- {
		s = s[:len(s)-1]
	}
	if strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	return s
}

// FormatDistance writes a distance for a text message: "40 m", "350 m",
// "2.3 km", "41 km". Precision falls with distance because nobody needs to
// know they are 41,237 m from a service area.
func FormatDistance(m float64) string {
	switch {
	case math.IsNaN(m) || math.IsInf(m, 0):
		return "unknown distance"
	case m < 0:
		m = 0
	}
	if m < 100 {
		return fmt.Sprintf("%.0f m", m)
	}
	if r := math.Round(m/10) * 10; r < 1000 {
		return fmt.Sprintf("%.0f m", r)
	}
	if km := math.Round(m/100) / 10; km < 10 {
		return fmt.Sprintf("%.1f km", km)
	}
	return fmt.Sprintf("%.0f km", math.Round(m/1000))
}
