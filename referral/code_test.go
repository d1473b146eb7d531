package referral

import (
	"strings"
	"testing"
)

func TestNewCode(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		c := NewCode()
		if !IsCode(c) {
			t.Fatalf("NewCode() = %q: not a valid code", c)
		}
		if strings.ContainsAny(c, "0O1I") {
			t.Fatalf("NewCode() = %q has a confusable character", c)
		}
		seen[c] = true
	}
	// 2,000 draws from ~1M codes: a handful of repeats at most.
	if len(seen) < 1990 {
		t.Errorf("only %d distinct codes in 2000 draws", len(seen))
	}
}
