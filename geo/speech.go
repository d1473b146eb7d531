package geo

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// NormaliseSpeech turns a speech-recognition result into text the location
// parser reads: "Um, I'm at place code one oh one." becomes "101". It
// lower-cases the text, drops the punctuation recognisers add, hesitations
// ("um", "uh") anywhere, and the fillers officers say before a location
// ("I'm at the", "near", "the corner of", "place code") or after it
// ("please", "thanks").
//
// Spoken numbers become digits. Digits said one by one run together ("one
// zero one", "one oh one", "double four"); English numbers are read as such
// ("forty two", "one hundred and one", "twelve hundred"); "point" between
// digits is a decimal point and "minus", "negative" or a lone "-" a sign.
// "comma", or "and" between two decimals, separates a coordinate pair, so
// "forty point four four seven three and minus eighty point zero zero seven
// six" becomes "40.4473,-80.0076". Decimals must be said digit by digit.
// Ordinals become "1st", "21st"; "and" between words becomes "&" ("fifth
// and wood" is "5th & wood"). Other words are kept, so place names still
// match, but a name that starts with a filler loses it ("Near North Side").
//
// Normalising its own result changes nothing.
func NormaliseSpeech(s string) string {
	return renderSpeech(joinAnd(spokenNumbers(trimFillers(speechWords(s)))))
}

func wordSet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

var (
	hesitations = wordSet("um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm")
	// leadingFillers are stripped, repeatedly, from the start only: later
	// on ("PNC Park near the river") they may be part of the location.
	leadingFillers = [][]string{
		{"the", "corner", "of"}, {"corner", "of"}, {"in", "front", "of"},
		{"my", "location", "is"}, {"location", "is"}, {"place", "code"}, {"place", "number"},
		{"i", "am"}, {"we", "are"}, {"i'm"}, {"im"}, {"we're"}, {"it's"},
		{"at"}, {"near"}, {"by"}, {"outside"}, {"code"}, {"number"},
		{"like"}, {"so"}, {"okay"}, {"ok"}, {"yeah"}, {"yes"}, {"well"}, {"please"}, {"oh"},
	}
	// afterFiller words go only when a filler came before them: "at the
	// Waterfront" loses "the", "The Waterfront" keeps it.
	afterFiller     = wordSet("the", "just", "right")
	trailingFillers = [][]string{{"thank", "you"}, {"thanks"}, {"please"}, {"okay"}, {"ok"}}

	digitWords = map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4,
		"five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
	teenWords = map[string]int{"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
		"fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
	tensWords = map[string]int{"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
		"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
	ordinalWords = map[string]int{"first": 1, "second": 2, "third": 3, "fourth": 4,
		"fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
		"eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
		"sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19,
		"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
		"sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90}

	plainDigits   = regexp.MustCompile(`^\d+$`)
	typedDecimal  = regexp.MustCompile(`^\d+\.\d+$`)
	unsignedInput = regexp.MustCompile(`^\d+(?:\.\d+)?$`)
	// numberish is a number, or numbers already joined by commas.
	numberish = regexp.MustCompile(`^[+-]?\d+(?:\.\d+)?(?:,[+-]?\d+(?:\.\d+)?)*$`)
)

// speechWords splits lower-cased text into words and "," tokens, dropping
// trailing punctuation and hesitations, and splitting "forty-two".
func speechWords(s string) []string {
	s = strings.ReplaceAll(strings.ToLower(s), "’", "'")
	var toks []string
	for _, w := range strings.Fields(s) {
		word := strings.TrimRight(w, ".,?!;:…")
		parts := []string{word}
		if ps := strings.Split(word, "-"); len(ps) > 1 && allNumberWords(ps) {
			parts = ps
		}
		for _, p := range parts {
			switch {
			case p == "comma":
				toks = appendComma(toks)
			case p != "" && !hesitations[p]:
				toks = append(toks, p)
			}
		}
		if strings.Contains(w[len(word):], ",") {
			toks = appendComma(toks)
		}
	}
	return toks
}

func allNumberWords(parts []string) bool {
	for _, p := range parts {
		_, digit := digitWords[p]
		_, teen := teenWords[p]
		_, tens := tensWords[p]
		_, ord := ordinalWords[p]
		if !digit && !teen && !tens && !ord && !isOh(p) && p != "hundred" && p != "thousand" {
			return false
		}
	}
	return true
}

// appendComma adds a "," token unless it would lead or repeat one.
func appendComma(toks []string) []string {
	if len(toks) == 0 || toks[len(toks)-1] == "," {
		return toks
	}
	return append(toks, ",")
}

// trimFillers strips leading and trailing fillers and commas.
func trimFillers(toks []string) []string {
	stripped := false
	for len(toks) > 0 {
		if toks[0] == "," {
			toks = toks[1:]
		} else if n := phraseLen(toks, leadingFillers); n > 0 {
			toks, stripped = toks[n:], true
		} else if stripped && afterFiller[toks[0]] || toks[0] == "place" && numberAt(toks, 1) {
			toks, stripped = toks[1:], true
		} else {
			break
		}
	}
	for len(toks) > 0 {
		if toks[len(toks)-1] == "," {
			toks = toks[:len(toks)-1]
		} else if n := trailingLen(toks); n > 0 {
			toks = toks[:len(toks)-n]
		} else {
			break
		}
	}
	return toks
}

// phraseLen returns the length of the first phrase toks starts with, or 0.
func phraseLen(toks []string, phrases [][]string) int {
	for _, p := range phrases {
		if len(toks) >= len(p) && slices.Equal(toks[:len(p)], p) {
			return len(p)
		}
	}
	return 0
}

func trailingLen(toks []string) int {
	for _, p := range trailingFillers {
		if len(toks) >= len(p) && slices.Equal(toks[len(toks)-len(p):], p) {
			return len(p)
		}
	}
	return 0
}

// at returns toks[i], or "" past the end.
func at(toks []string, i int) string {
	if i < len(toks) {
		return toks[i]
	}
	return ""
}

// numberAt reports whether a number can start at toks[i]. "oh" cannot: it
// is a zero only after other digits.
func numberAt(toks []string, i int) bool {
	t := at(toks, i)
	_, digit := digitWords[t]
	_, teen := teenWords[t]
	_, tens := tensWords[t]
	_, repeat := repeatedDigit(toks, i)
	return digit || teen || tens || unsignedInput.MatchString(t) || repeat
}

// spokenNumbers writes ordinals and numbers as digits.
func spokenNumbers(toks []string) []string {
	var out []string
	for i := 0; i < len(toks); {
		if word, n := ordinalAt(toks, i); n > 0 {
			out, i = append(out, word), i+n
		} else if num, next := numberPhrase(toks, i); next > i {
			out, i = append(out, num), next
		} else {
			out, i = append(out, toks[i]), i+1
		}
	}
	return out
}

// ordinalAt reads "fifth" or "twenty first" at toks[i] as "5th" or
// "21st", returning how many words it used.
func ordinalAt(toks []string, i int) (string, int) {
	n, used := ordinalWords[at(toks, i)], 1
	if tens, ok := tensWords[at(toks, i)]; ok {
		if d := ordinalWords[at(toks, i+1)]; d > 0 && d < 10 {
			n, used = tens+d, 2
		}
	}
	if n == 0 {
		return "", 0
	}
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix, used
}

// numberPhrase reads a signed decimal number at toks[i], returning it and
// the index after it; the index is i when there is none.
func numberPhrase(toks []string, i int) (string, int) {
	j, sign := i, ""
	if t := toks[j]; (t == "minus" || t == "negative" || t == "-") && numberAt(toks, j+1) {
		j, sign = j+1, "-"
	}
	if typedDecimal.MatchString(toks[j]) {
		return sign + toks[j], j + 1
	}
	whole, j := wholeDigits(toks, j)
	if whole == "" {
		return "", i
	}
	if frac, k := decimalDigits(toks, j); frac != "" {
		return sign + whole + "." + frac, k
	}
	return sign + whole, j
}

// wholeDigits reads a run of digits and numbers at toks[j] and writes them
// one after another: "one zero one" is "101", "nineteen oh four" "1904".
func wholeDigits(toks []string, j int) (string, int) {
	var b strings.Builder
	for j < len(toks) {
		t := toks[j]
		if plainDigits.MatchString(t) {
			b.WriteString(t)
			j++
		} else if (t == "oh" || t == "o") && b.Len() > 0 && (j+1 == len(toks) || numberAt(toks, j+1) || isOh(toks[j+1])) {
			b.WriteByte('0')
			j++
		} else if d, ok := repeatedDigit(toks, j); ok {
			b.WriteString(d)
			j += 2
		} else if v, next, ok := cardinal(toks, j); ok {
			b.WriteString(strconv.Itoa(v))
			j = next
		} else {
			break
		}
	}
	return b.String(), j
}

// decimalDigits reads "point" and the digits said one by one after it.
func decimalDigits(toks []string, j int) (string, int) {
	if at(toks, j) != "point" {
		return "", j
	}
	var b strings.Builder
	k := j + 1
	for k < len(toks) {
		if d, ok := digitWords[toks[k]]; ok {
			b.WriteString(strconv.Itoa(d))
			k++
		} else if isOh(toks[k]) && (k+1 == len(toks) || decimalAt(toks, k+1)) {
			b.WriteByte('0')
			k++
		} else if d, ok := repeatedDigit(toks, k); ok {
			b.WriteString(d)
			k += 2
		} else {
			break
		}
	}
	if b.Len() == 0 {
		return "", j
	}
	return b.String(), k
}

func isOh(t string) bool { return t == "oh" || t == "o" }

func decimalAt(toks []string, k int) bool {
	_, digit := digitWords[toks[k]]
	_, repeat := repeatedDigit(toks, k)
	return digit || isOh(toks[k]) || repeat
}

// repeatedDigit reads "double four" or "triple oh" at toks[i].
func repeatedDigit(toks []string, i int) (string, bool) {
	times := map[string]int{"double": 2, "triple": 3}[at(toks, i)]
	next := at(toks, i+1)
	d, ok := digitWords[next]
	switch {
	case times == 0:
		return "", false
	case ok:
	case isOh(next):
		d = 0
	case len(next) == 1 && plainDigits.MatchString(next):
		d = int(next[0] - '0')
	default:
		return "", false
	}
	return strings.Repeat(strconv.Itoa(d), times), true
}

// cardinal reads an English number below a million at toks[j]: "forty
// two", "one hundred and one", "twelve hundred", "two thousand and five".
func cardinal(toks []string, j int) (int, int, bool) {
	v, j, ok := hundreds(toks, j)
	if !ok {
		return 0, j, false
	}
	if at(toks, j) == "thousand" && v > 0 {
		v, j = v*1000, j+1
		k := j
		if at(toks, k) == "and" {
			k++
		}
		if w, next, ok := hundreds(toks, k); ok && w > 0 {
			v, j = v+w, next
		}
	}
	return v, j, true
}

func hundreds(toks []string, j int) (int, int, bool) {
	v, j, ok := small(toks, j)
	if !ok || at(toks, j) != "hundred" || v == 0 {
		return v, j, ok
	}
	v, j = v*100, j+1
	k := j
	if at(toks, k) == "and" {
		k++
	}
	if w, next, ok := small(toks, k); ok && w > 0 {
		v, j = v+w, next
	}
	return v, j, true
}

// small reads a number below a hundred. "twenty first" is not one: it is
// left for ordinalAt.
func small(toks []string, j int) (int, int, bool) {
	t := at(toks, j)
	if d, ok := digitWords[t]; ok {
		return d, j + 1, true
	}
	if v, ok := teenWords[t]; ok {
		return v, j + 1, true
	}
	v, ok := tensWords[t]
	if !ok {
		return 0, j, false
	}
	if d := ordinalWords[at(toks, j+1)]; d > 0 && d < 10 {
		return 0, j, false
	}
	if d := digitWords[at(toks, j+1)]; d > 0 {
		return v + d, j + 2, true
	}
	return v, j + 1, true
}

// joinAnd turns "and" into "," between two numbers when either is a
// decimal (a coordinate pair) and into "&" between two words.
func joinAnd(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t
		if t != "and" || i == 0 || i == len(toks)-1 {
			continue
		}
		left, right := toks[i-1], toks[i+1]
		switch {
		case numberish.MatchString(left) && numberish.MatchString(right):
			lastLeft := left[strings.LastIndexByte(left, ',')+1:]
			firstRight, _, _ := strings.Cut(right, ",")
			if strings.Contains(lastLeft, ".") || strings.Contains(firstRight, ".") {
				out[i] = ","
			}
		case isSpeechWord(left) && isSpeechWord(right):
			out[i] = "&"
		}
	}
	return out
}

func isSpeechWord(t string) bool {
	return t != "," && t != "and" && !numberish.MatchString(t)
}

// renderSpeech joins tokens with spaces. A comma follows the word before
// it, and joins two numbers without a space so "lat,lon" reads as a pair.
func renderSpeech(toks []string) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t != "," && !(toks[i-1] == "," && i >= 2 &&
			numberish.MatchString(toks[i-2]) && numberish.MatchString(t)) {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}
