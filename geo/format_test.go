package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestMapLink(t *testing.T) {
	tests := []struct {
		p    orb.Point
		want string
	}{
		{orb.Point{-80.0076, 40.4473}, "https://maps.google.com/?q=40.4473,-80.0076"},
		{orb.Point{-80, 40.44}, "https://maps.google.com/?q=40.4400,-80.0000"},
		{orb.Point{-79.9542332, 40.4406812}, "https://maps.google.com/?q=40.440681,-79.954233"},
		{orb.Point{-79.95423, 40.44068}, "https://maps.google.com/?q=40.44068,-79.95423"},
		{orb.Point{151.2093, -33.8688}, "https://maps.google.com/?q=-33.8688,151.2093"},
		{orb.Point{-0.0000001, 51.5}, "https://maps.google.com/?q=51.5000,0.0000"},
	}
	for _, tt := range tests {
		if got := MapLink(tt.p); got != tt.want {
			t.Errorf("MapLink(%v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestFormatDistance(t *testing.T) {
	tests := []struct {
		m    float64
		want string
	}{
		{0, "0 m"},
		{-3, "0 m"},
		{7.4, "7 m"},
		{99.4, "99 m"},
		{99.6, "100 m"},
		{346, "350 m"},
		{994, "990 m"},
		{996, "1.0 km"},
		{2345, "2.3 km"},
		{9949, "9.9 km"},
		{9951, "10 km"},
		{41237, "41 km"},
		{math.Inf(1), "unknown distance"},
		{math.NaN(), "unknown distance"},
	}
	for _, tt := range tests {
		if got := FormatDistance(tt.m); got != tt.want {
			t.Errorf("FormatDistance(%v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}
