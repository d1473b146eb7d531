package phone

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
