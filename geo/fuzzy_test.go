package geo

import "testing"

func TestOneTypo(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"arena", "arena", true},
		{"arena", "arenas", true},   // inserted
		{"arena", "rena", true},     // deleted
		{"arena", "arens", true},    // replaced
		{"arena", "aerna", true},    // swapped
		{"arena", "raena", true},    // swapped at the start
		{"arena", "arean", true},    // swapped at the end
		{"arena", "", false},        //
		{"", "a", true},             //
		{"arena", "aenra", false},   // swapped, but not next to each other
		{"arena", "arenass", false}, // two inserted
		{"arena", "xrenx", false},   // two replaced
		{"arena", "rean", false},    // deleted and swapped
		{"café", "cafe", true},      // letters, not bytes
		{"cafés", "cafe", false},
		{"ppg paints arena", "ppgpaints arena", true},
	}
	for _, tt := range tests {
		for _, ab := range [][2]string{{tt.a, tt.b}, {tt.b, tt.a}} {
			if got := oneTypo([]rune(ab[0]), []rune(ab[1])); got != tt.want {
				t.Errorf("oneTypo(%q, %q) = %v, want %v", ab[0], ab[1], got, tt.want)
			}
		}
	}
}

func TestTypoLength(t *testing.T) {
	for s, want := range map[string]bool{"arena": true, "zoo": false, "mall": false, "a b c d": false, "a b c d e": true, "1234 5": true} {
		if got := typoLength([]rune(s)); got != want {
			t.Errorf("typoLength(%q) = %v, want %v", s, got, want)
		}
	}
}
