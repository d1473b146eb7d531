package phone

import (
	"strings"
	"unicode/utf16"
)

// GSM 03.38: the basic set costs one septet a character, the extension
// table two (an escape and the character). A text with anything else goes
// out as UCS-2, with far less room per segment.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "^{}\\[~]|€\f"
)

// gsmCost is built once from the tables above and only read after.
var gsmCost = func() map[rune]int {
	m := make(map[rune]int, 140)
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// GSMSeptets is what r costs in a GSM-7 text: 1, 2 for the extension
// table, or 0 when r cannot be sent as GSM-7 at all.
func GSMSeptets(r rune) int { return gsmCost[r] }

// Segments returns how many SMS segments body takes. A single segment holds
// 160 GSM-7 septets or 70 UCS-2 units; once split, each part loses room to
// its concatenation header and holds 153 or 67.
func Segments(body string) int {
	if septets, ok := gsmLength(body); ok {
		return parts(septets, 160, 153)
	}
	return parts(len(utf16.Encode([]rune(body))), 70, 67)
}

func gsmLength(body string) (int, bool) {
	n := 0
	for _, r := range body {
		c := GSMSeptets(r)
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

// Fit returns body cut to at most n segments, ending "..." when cut: the
// last resort that keeps a text within what Twilio sends in one piece.
func Fit(body string, n int) string {
	if Segments(body) <= n {
		return body
	}
	runes := []rune(body)
	lo, hi := 0, len(runes) // the longest prefix that fits, by bisection
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if Segments(string(runes[:mid])+"...") <= n {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return strings.TrimRight(string(runes[:lo]), " \n") + "..."
}
