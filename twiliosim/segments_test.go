package twiliosim

import (
	"strings"
	"testing"
)

func TestSegments(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"empty", "", 1},
		{"short", "Accepted KX7P", 1},
		{"160 GSM-7", strings.Repeat("a", 160), 1},
		{"161 GSM-7", strings.Repeat("a", 161), 2},
		{"306 GSM-7", strings.Repeat("a", 306), 2},
		{"307 GSM-7", strings.Repeat("a", 307), 3},
		{"extension chars cost two", strings.Repeat("€", 80), 1},
		{"extension chars over", strings.Repeat("€", 81), 2},
		{"accented GSM-7", strings.Repeat("é", 160), 1},
		{"70 UCS-2", strings.Repeat("ł", 70), 1},
		{"71 UCS-2", strings.Repeat("ł", 71), 2},
		{"emoji takes two units", strings.Repeat("👍", 35), 1},
		{"emoji over", strings.Repeat("👍", 36), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := segments(tt.body); got != tt.want {
				t.Errorf("segments = %d, want %d", got, tt.want)
			}
		})
	}
}
