package referral

import (
	"crypto/rand"
	"strings"
)

// codeAlphabet leaves out 0, O, 1 and I: a code is read off a small screen
// and keyed with one thumb.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

const codeLen = 4

// NewCode draws a random code with at least one letter, so that a code can
// never be mistaken for an ETA in minutes ("A R7K2 15").
func NewCode() string {
	var b [codeLen]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic("crypto/rand failed: " + err.Error()) // documented never to fail on supported systems
		}
		for i := range b {
			b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
		}
		if strings.ContainsAny(string(b[:]), "ABCDEFGHJKLMNPQRSTUVWXYZ") {
			return string(b[:])
		}
	}
}

// IsCode reports whether a word (already upper-cased) could be a code.
func IsCode(w string) bool {
	if len(w) != codeLen {
		return false
	}
	letter := false
	for _, r := range w {
		if !strings.ContainsRune(codeAlphabet, r) {
			return false
		}
		if r >= 'A' {
			letter = true
		}
	}
	return letter
}
