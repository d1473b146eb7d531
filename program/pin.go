package program

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// PINs are keyed on a phone, so they are digits; four at least.
const minPINLength = 4

// HashPIN returns the bcrypt hash of an officer's voice-line PIN, for the
// config's pin_hash.
func HashPIN(pin string) (string, error) {
	if err := checkPIN(pin); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash PIN: %w", err)
	}
	return string(h), nil
}

// PINMatches reports whether pin is this person's PIN. People without a
// PIN match none.
func (p *Person) PINMatches(pin string) bool {
	return p.PINHash != "" && bcrypt.CompareHashAndPassword([]byte(p.PINHash), []byte(pin)) == nil
}

// noPINHash is the bcrypt hash of a text no keypad can type. An unknown
// badge is checked against it, so that a wrong badge takes as long to
// refuse as a wrong PIN and timing does not tell which badges exist.
const noPINHash = "$2a$10$xlsWsgqfEU57Cm0i00GWou5D/Nphh3I5H34s.T29KZXr8xC3Smlyu"

// SignIn is the officer with this badge and PIN, if there is one. It costs
// one bcrypt comparison whether or not the badge exists.
func (p *Program) SignIn(badge, pin string) (*Person, bool) {
	o, known := p.OfficerByBadge(badge)
	hash := noPINHash
	if known {
		hash = o.PINHash
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pin)) != nil || !known {
		return nil, false
	}
	return o, true
}

// OfficerByBadge finds the officer with a voice-line PIN and this badge.
func (p *Program) OfficerByBadge(badge string) (*Person, bool) {
	for i := range p.People {
		x := &p.People[i]
		if x.Role == Officer && x.PINHash != "" && x.Badge == badge {
			return x, true
		}
	}
	return nil, false
}

func checkPIN(pin string) error {
	if len(pin) < minPINLength || strings.Trim(pin, "0123456789") != "" {
		return fmt.Errorf("a PIN is %d or more digits", minPINLength)
	}
	return nil
}

func checkPINHash(h string) error {
	if _, err := bcrypt.Cost([]byte(h)); err != nil {
		return errors.New("is not a bcrypt hash (make one with leadline pin)")
	}
	return nil
}
