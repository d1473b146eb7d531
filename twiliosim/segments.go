package twiliosim

import (
	"unicode/utf16"

	"github.com/leadline/leadline/phone"
)

// segments returns how many SMS segments body takes. A single segment holds
// 160 GSM-7 septets or 70 UCS-2 units; once split, each part loses room to
// its concatenation header and holds 153 or 67.
func segments(body string) int {
	if septets, ok := gsmSeptets(body); ok {
		return parts(septets, 160, 153)
	}
	return parts(len(utf16.Encode([]rune(body))), 70, 67)
}

func gsmSeptets(body string) (int, bool) {
	n := 0
	for _, r := range body {
		c := phone.GSMSeptets(r)
		if c == 0 {
			return 0, false
		}
		n += c
	}
	return n, true
}

func parts(units, single, multi int) int {
	if units <= single {
		return 1
	}
	return (units + multi - 1) / multi
}
