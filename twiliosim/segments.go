package twiliosim

import (
	"strings"
	"unicode/utf16"
)

// GSM 03.38: the basic set costs one septet a character, the extension set
// two (an escape and the character). A body with anything else goes out as
// UCS-2.
const (
	gsmBasic     = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "^{}\\[~]|€\f"
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
		switch {
		case strings.ContainsRune(gsmBasic, r):
			n++
		case strings.ContainsRune(gsmExtension, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

func parts(units, single, multi int) int {
	if units <= single {
		return 1
	}
	return (units + multi - 1) / multi
}
