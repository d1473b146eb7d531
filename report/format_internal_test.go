package report

import (
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, // under a minute: seconds, never "0m"
		{29 * time.Second, "29s"},
		{30 * time.Second, "30s"},
		{59*time.Second + 400*time.Millisecond, "59s"},
		{59*time.Second + 600*time.Millisecond, "1m"},
		{90 * time.Second, "2m"},
		{12 * time.Minute, "12m"},
		{59*time.Minute + 29*time.Second, "59m"},
		{59*time.Minute + 30*time.Second, "1h00m"},
		{65 * time.Minute, "1h05m"},
		{25*time.Hour + 10*time.Minute, "25h10m"},
		{-5 * time.Minute, "-5m"}, // a clock that went back; shown, not hidden
		{-30 * time.Second, "-30s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.d); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.d, got, tt.want)
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
