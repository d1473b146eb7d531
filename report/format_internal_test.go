package report

import (
	"testing"
	"time"
)

func TestRoundedMinutes(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0m"},
		{29 * time.Second, "0m"},
		{30 * time.Second, "1m"},
		{12 * time.Minute, "12m"},
		{59*time.Minute + 29*time.Second, "59m"},
		{59*time.Minute + 30*time.Second, "1h00m"},
		{65 * time.Minute, "1h05m"},
		{25*time.Hour + 10*time.Minute, "25h10m"},
		{-5 * time.Minute, "-5m"}, // a clock that went back; shown, not hidden
	}
	for _, tt := range tests {
		if got := roundedMinutes(tt.d); got != tt.want {
			t.Errorf("roundedMinutes(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestSpreadsheetSafe(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "Eastside": "Eastside", "=1+2": "'=1+2", "+1": "'+1", "-1": "'-1",
		"@x": "'@x", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "'=x": "'=x",
	} {
		if got := spreadsheetSafe(in); got != want {
			t.Errorf("spreadsheetSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
