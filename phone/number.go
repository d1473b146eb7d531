// Package phone is Leadline's one way to handle phone numbers and send texts:
// it turns what people type into E.164, masks numbers for logs, and sends SMS
// through Twilio's REST API with retries, deciding in one place which
// failures are final.
package phone

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// e164 is the shape Twilio accepts: a plus and 8 to 15 digits.
var e164 = regexp.MustCompile(`^\+[0-9]{8,15}$`)

// Parse returns the E.164 form of s, reading it as dialled in region (an ISO
// code such as "US") unless it starts with "+": "412-555-0111" in "US" is
// "+14125550111", "+44 20 7946 0018" is "+442079460018" in any region. It
// rejects anything libphonenumber does not consider a valid number, with an
// error that quotes s so a config error points at the right line.
func Parse(s, region string) (string, error) {
	num, err := phonenumbers.Parse(strings.TrimSpace(s), strings.ToUpper(region))
	if err != nil {
		if region == "" && !strings.HasPrefix(strings.TrimSpace(s), "+") {
			return "", fmt.Errorf("phone number %q: no region to read it in: write it with + and the country code: %w", s, err)
		}
		return "", fmt.Errorf("phone number %q: %w", s, err)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("phone number %q is not a valid number", s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// Region returns the ISO region of an E.164 number ("+14125550100" is "US"),
// or "" if it has none: invalid numbers and non-geographic ones such as
// international freephone.
func Region(number string) string {
	num, err := phonenumbers.Parse(number, "")
	if err != nil {
		return ""
	}
	r := phonenumbers.GetRegionCodeForNumber(num)
	if len(r) != 2 || r == "ZZ" {
		return ""
	}
	return r
}

// Mask hides the middle of a number so logs can tell numbers apart without
// holding them: "+14125550111" becomes "+1412***0111". At least three digits
// are always hidden. Anything that is not E.164 is hidden except its last two
// characters ("***ab"), or entirely when it has four or fewer.
func Mask(number string) string {
	if e164.MatchString(number) {
		head := min(5, len(number)-4-3)
		return number[:head] + "***" + number[len(number)-4:]
	}
	r := []rune(number)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 4:
		return "***"
	}
	return "***" + string(r[len(r)-2:])
}
