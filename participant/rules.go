// Package participant holds everything Leadline says to and reads from
// participants, the people referred to the program: the wording rules every
// text must pass, the texts themselves in English and Spanish, the parsing of
// their replies, the sending window and caps, and the parsing of appointment
// times typed by case managers.
//
// Participant texts are health and criminal-legal data (42 CFR Part 2): a
// text that lands on a shared phone must not reveal what the program is. So
// every text is built to pass Check, and Check is the last word.
//
// The package is pure logic: no Redis, no network, and no clock reads (the
// time is always passed in).
package participant

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/leadline/leadline/phone"
)

// MaxSeptets is the most a participant text may use: one GSM-7 SMS segment.
const MaxSeptets = 160

// forbiddenInWords are matched anywhere inside a word, after case and accents
// are folded: "Policeman", "drugstore" and "arrested" give the program away
// as surely as the bare words. "arresto" and "policía" are covered by
// "arrest" and "policia"; they are listed so the list reads as the rule does.
var forbiddenInWords = []string{
	"police", "arrest", "diversion", "divert", "drug", "treatment",
	"policia", "arresto", "droga", "tratamiento", "desvio",
}

// forbiddenWholeWord is only forbidden as a word of its own: "leader" and
// "mislead" are ordinary words, "LEAD" and "Lead" name the program.
const forbiddenWholeWord = "lead"

// Check reports why text may not go to a participant, or nil. The text must
// be all GSM-7 (the basic set, plus the extension table at two septets a
// character), at most 160 septets, and free of forbidden words: "lead" as a
// word of its own (not inside "leader"), and "police", "arrest", "diversion",
// "divert", "drug", "treatment", "policía", "arresto", "droga",
// "tratamiento" and "desvío" anywhere, even inside a longer word, in any case
// and with or without accents.
//
// The error names the offending character or word; it says nothing else
// about the text, so it may be logged.
func Check(text string) error {
	if w := Forbidden(text); w != "" {
		return fmt.Errorf("participant: %q may not be in a participant text", w)
	}
	n, ok := Septets(text)
	if !ok {
		return fmt.Errorf("participant: %q is not a GSM-7 character", firstNonGSM(text))
	}
	if n > MaxSeptets {
		return fmt.Errorf("participant: text is %d GSM-7 characters, more than %d", n, MaxSeptets)
	}
	return nil
}

// Septets is the GSM-7 length of s and whether s is all GSM-7. Characters of
// the extension table (€ [ ] { } ^ ~ \ |) count two. When ok is false, n
// counts every character that is not GSM-7 as one, so it is still a fair
// idea of the length.
func Septets(s string) (n int, ok bool) {
	ok = true
	for _, r := range s {
		c := septets(r)
		if c == 0 {
			c, ok = 1, false
		}
		n += c
	}
	return n, ok
}

// septets is the GSM-7 cost of r: 1, 2 for the extension table, or 0 when r
// cannot be sent as GSM-7 at all. The page break (form feed) is in the
// extension table but is refused here: phones show it in different ways,
// and no text needs it.
func septets(r rune) int {
	if r == '\f' {
		return 0
	}
	return phone.GSMSeptets(r)
}

func firstNonGSM(s string) rune {
	for _, r := range s {
		if septets(r) == 0 {
			return r
		}
	}
	return 0
}

// Forbidden reports the first word of s, as it is written there, that is or
// contains a forbidden word (see Check), or "" if there is none. The service
// uses it to refuse a sender name or an appointment place a case manager
// typed, and can quote the word back: Forbidden("Northside Drugstore") is
// "Drugstore".
//
// Words are runs of letters, so "LEAD's" and "LEAD-program" hold the word
// "LEAD"; a word in camel case is also split where its case changes
// ("MyLEADTeam" holds "LEAD"), and letters spelled out one by one
// ("L.E.A.D.", "L E A D") are read together.
func Forbidden(s string) string {
	words := wordSpans(s)
	for i, w := range words {
		if forbiddenWord(s[w[0]:w[1]]) {
			return s[w[0]:w[1]]
		}
		if spelled := spelledFrom(s, words[i:]); spelled != "" {
			return spelled
		}
	}
	return ""
}

// wordSpans are the byte ranges of the runs of letters in s.
func wordSpans(s string) [][2]int {
	var spans [][2]int
	start := -1
	for i, r := range s {
		switch {
		case isWordRune(r) && start < 0:
			start = i
		case !isWordRune(r) && start >= 0:
			spans = append(spans, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(s)})
	}
	return spans
}

// spelledFrom reads one-letter words from the first of words on, as long as
// only dots, dashes and spaces part them, and returns the stretch of s they
// cover if together they spell the whole word "lead".
func spelledFrom(s string, words [][2]int) string {
	var letters strings.Builder
	for i, w := range words {
		if utf8.RuneCountInString(s[w[0]:w[1]]) != 1 {
			return ""
		}
		if i > 0 && strings.Trim(s[words[i-1][1]:w[0]], ".- ") != "" {
			return ""
		}
		letters.WriteString(s[w[0]:w[1]])
		if fold(letters.String()) == forbiddenWholeWord {
			return s[words[0][0]:w[1]]
		}
	}
	return ""
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// forbiddenWord reports whether one word (a run of letters) is or holds a
// forbidden word.
func forbiddenWord(word string) bool {
	f := fold(word)
	for _, w := range forbiddenInWords {
		if strings.Contains(f, w) {
			return true
		}
	}
	for _, part := range camelParts(word) {
		if fold(part) == forbiddenWholeWord {
			return true
		}
	}
	return false
}

// camelParts splits a word where its case changes from lower to upper
// ("myLead" → "my", "Lead") and before the last capital of a run of capitals
// followed by a small letter ("LEADTeam" → "LEAD", "Team").
func camelParts(word string) []string {
	rs := []rune(word)
	var parts []string
	from := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsLower(rs[i-1]) && unicode.IsUpper(rs[i])
		capsToWord := unicode.IsUpper(rs[i-1]) && unicode.IsUpper(rs[i]) &&
			i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if lowerToUpper || capsToWord {
			parts = append(parts, string(rs[from:i]))
			from = i
		}
	}
	return append(parts, string(rs[from:]))
}

// fold lowercases s and takes the accents off its letters, so "POLICÍA"
// and "policia" compare equal.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// cleanTable maps characters that are not GSM-7 to what a reader would take
// them for. Accented letters not listed here lose their accent (see Clean).
var cleanTable = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '`': "'", '´': "'",
	'“': `"`, '”': `"`, '„': `"`, '‟': `"`, '″': `"`, '«': `"`, '»': `"`,
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'…': "...", '•': "-", '·': "-", '×': "x",
	'ç': "c", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D",
	'þ': "th", 'Þ': "Th", 'œ': "oe", 'Œ': "OE", 'ı': "i", 'ĸ': "k",
}

// Clean makes s safe to put into a participant text. Characters that are
// GSM-7 stay (é, ñ, ü and € among them); other letters become their nearest
// GSM-7 letter where there is one (á → a, Í → I, ç → c, œ → oe); curly
// quotes, long dashes and the ellipsis become ' " - and ...; anything else
// (emoji, other scripts, control characters) is dropped. Runs of white space,
// new lines included, become one space, and the ends are trimmed.
//
// Clean does not check for forbidden words or length: see Check.
func Clean(s string) string {
	var b strings.Builder
	space := false
	put := func(t string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(t)
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
		case septets(r) > 0:
			put(string(r))
		case cleanTable[r] != "":
			put(cleanTable[r])
		default:
			// Take the accent off: the letter decomposes into a GSM-7
			// base and combining marks, which are dropped.
			var base strings.Builder
			for _, d := range norm.NFD.String(string(r)) {
				if septets(d) > 0 && !unicode.IsSpace(d) {
					base.WriteRune(d)
				}
			}
			if base.Len() > 0 {
				put(base.String())
			}
		}
	}
	return b.String()
}
