package participant

import (
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Kind is what a participant's reply asks for.
type Kind int

// The kinds of reply. Unknown gets the Usage text.
const (
	Unknown    Kind = iota
	Confirm         // the appointment is confirmed (C)
	Reschedule      // the participant cannot come (R)
	Yes             // yes to the consent question
	No              // no to the consent question
	Stop            // no more texts
	Start           // texts again
	Help            // who is this, how do I stop
	// Unsure is a message that uses "stop" without asking for no more
	// texts ("can I stop by earlier?", "don't stop"): the participant is
	// asked to reply STOP if that is what they meant.
	Unsure
	// Message is anything else said in words: a question ("where is it?",
	// "es para mañana?") or a note, which goes to the case manager.
	Message
)

var kindNames = [...]string{"Unknown", "Confirm", "Reschedule", "Yes", "No", "Stop", "Start", "Help", "Unsure", "Message"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Reply is what ParseReply made of a participant's text.
type Reply struct {
	Kind Kind
	// Keyword is true for Twilio's own opt-out, opt-in and help keywords
	// (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, OPTOUT, REVOKE;
	// START, UNSTOP; HELP, INFO) typed alone: Twilio answers those itself
	// on a long code, so the service records them and sends no
	// confirmation of its own. "Alone" means the whole body but for
	// surrounding white space, in any case: "stop" and " STOP\n" are the
	// keyword, "STOP." and "STOP!!" are not. When Twilio does not take a
	// reply as its keyword, the participant would otherwise hear nothing
	// back, so erring this way costs at worst a second confirmation.
	Keyword bool
	// Lang is the language the reply was written in when its words tell
	// ("para" is Spanish, "stop texting me" English), else "". Keywords
	// and single letters (STOP, C, R, OK, NO) tell nothing.
	Lang Lang
}

// twilioKeywords are the words Twilio acts on and answers itself when they
// are a whole message sent to a long code. Twilio also takes YES as an opt-in
// word there; it is left out because on this line YES answers the consent
// question, but the caller should know that a YES from a participant who
// opted out with a keyword also opts them back in at Twilio.
var twilioKeywords = map[string]Kind{
	"stop": Stop, "stopall": Stop, "unsubscribe": Stop, "cancel": Stop,
	"end": Stop, "quit": Stop, "optout": Stop, "revoke": Stop,
	"start": Start, "unstop": Start,
	"help": Help, "info": Help,
}

type meaning struct {
	kind Kind
	lang Lang
}

// phrases are whole replies, written as normalize leaves them: lower case,
// no accents, no apostrophes, punctuation gone.
var phrases = map[string]meaning{}

func init() {
	add := func(k Kind, l Lang, ps ...string) {
		for _, p := range ps {
			phrases[p] = meaning{k, l}
		}
	}
	// Twilio's keywords with something around them ("STOP.", "Help?") mean
	// the same but are not keywords.
	for w, k := range twilioKeywords {
		add(k, "", w)
	}
	add(Confirm, "", "c")
	add(Confirm, English, "confirm", "confirmed", "confirming", "i confirm",
		"ill be there", "i will be there", "will be there", "be there", "see you then")
	add(Confirm, Spanish, "confirmo", "confirmar", "confirmado", "alli estare", "ahi estare")

	add(Reschedule, "", "r")
	add(Reschedule, English, "reschedule", "cant make it", "can not make it", "cannot make it",
		"i cant make it", "i can not make it", "i cannot make it", "i cant come", "i cannot come")
	add(Reschedule, Spanish, "cambiar", "reprogramar", "cambiar la cita", "cambiar cita",
		"no puedo", "no puedo ir", "no voy a poder", "no puedo llegar")

	add(Yes, "", "y", "ok", "okay")
	add(Yes, English, "yes", "yeah", "yea", "yep", "yup", "sure", "yes please")
	add(Yes, Spanish, "si", "claro", "claro que si", "de acuerdo", "esta bien", "vale")

	add(No, "", "no", "n")
	add(No, English, "nope", "nah", "no thanks", "no thank you")
	add(No, Spanish, "no gracias")

	add(Stop, English, "stop please", "please stop", "no more texts", "no more")
	// "para" alone is taken as stop: a participant who texts just "para"
	// most likely means "stop" (parar), and missing an opt-out costs far
	// more than a mistaken one, which START undoes. "para" inside a
	// sentence ("para mañana?") is only the preposition, and is not.
	add(Stop, Spanish, "para", "pare", "parar", "alto", "basta", "ya basta", "cancelar",
		"baja", "detener", "no mas", "darme de baja")

	add(Start, English, "resume", "start again", "restart", "start texting me again")
	add(Start, Spanish, "comenzar", "empezar", "reanudar", "volver a empezar")

	add(Help, English, "help me", "who is this", "whos this", "who are you", "what is this")
	add(Help, Spanish, "ayuda", "ayudame", "informacion", "quien es", "quien es este",
		"quien eres", "que es esto")
}

// stopWords make any reply a Stop wherever they stand: nobody writes them
// meaning anything else.
var stopWords = map[string]bool{"stopall": true, "unsubscribe": true, "optout": true}

// stopObjects may follow "stop" in an opt-out: "stop it", "stop all",
// "stop now", "stop texting". Any other word after it ("stop by", "stop
// in") is the word used otherwise, and makes the message Unsure.
var stopObjects = map[string]bool{
	"it": true, "all": true, "now": true, "this": true, "that": true, "them": true, "already": true,
	"texting": true, "messaging": true, "sending": true, "contacting": true, "calling": true,
	"texts": true, "text": true, "messages": true, "msgs": true, "me": true, "these": true,
}

// stopPhrases make a reply a Stop wherever they stand in it.
var stopPhrases = []struct {
	words string
	lang  Lang
}{
	{"stop texting", English}, {"stop messaging", English}, {"no more texts", English},
	{"no more text", English}, {"no more messages", English}, {"no more msgs", English},
	{"dont text me", English}, {"do not text me", English}, {"dont text", English},
	{"do not text", English}, {"dont message me", English}, {"do not message me", English},
	{"leave me alone", English}, {"unsubscribe me", English}, {"remove me", English},
	{"take me off", English}, {"opt out", English},
	{"no mas mensajes", Spanish}, {"no mas textos", Spanish}, {"no me escriban", Spanish},
	{"no me escribas", Spanish}, {"no me manden", Spanish}, {"no me envien", Spanish},
	{"dejen de escribirme", Spanish}, {"dejen de mandarme", Spanish},
	{"dejen de enviarme", Spanish}, {"no quiero mensajes", Spanish},
	{"darme de baja", Spanish}, {"parar los mensajes", Spanish}, {"basta", Spanish},
}

// fillers are politeness around an answer: "C thanks", "yes please",
// "no gracias". They are dropped when the reply is not understood with them,
// and tell the language.
var fillers = map[string]Lang{
	"please": English, "pls": English, "plz": English, "thanks": English, "thank": English,
	"you": English, "thx": English, "ty": English, "hi": English, "hello": English, "hey": English,
	"gracias": Spanish, "por": Spanish, "favor": Spanish, "hola": Spanish, "muchas": Spanish,
}

// affirmations may come before the actual answer: "ok c", "yes C".
var affirmations = map[string]bool{"ok": true, "okay": true, "yes": true, "y": true, "si": true, "k": true}

// ParseReply reads a participant's text. Case, accents, surrounding
// punctuation, emoji and extra spaces never matter, so "Sí", "SI" and "si!"
// are all Yes, and "C." is Confirm.
//
// It tries, in order: Twilio's keywords typed alone (Keyword true); the
// whole reply as a known phrase; an opt-out phrase anywhere in it ("stop
// texting", "no more texts", "no más mensajes") or "stop" as a request
// ("stop", "stop it", "please stop now"), which wins over everything else
// in the same message; "stop" used otherwise ("can I stop by earlier?"),
// which is Unsure; the reply without politeness words ("C thanks", "no
// gracias"); an answer after "ok" or "yes" ("ok C"); the word "help" or
// "ayuda" anywhere. A reply of only question marks is Help. A question, or
// three words or more, is a Message for the case manager; anything else is
// Unknown. Lang is the language the words look like when nothing more
// certain tells.
//
// "no" alone is No, but "no more texts" and "no más" are Stop. Spanish
// "para" alone is Stop; in a sentence ("para mañana?") it is a Message.
// "cancelar" and "CANCEL" alone are Stop (CANCEL is Twilio's keyword), even
// though a participant may mean the appointment: the caller's Stopped text
// says how to resume.
func ParseReply(body string) Reply {
	if k, ok := twilioKeywords[strings.ToLower(strings.TrimSpace(body))]; ok {
		return Reply{Kind: k, Keyword: true}
	}
	words := normalize(body)
	if len(words) == 0 {
		if strings.ContainsAny(body, "?¿") {
			return Reply{Kind: Help}
		}
		return Reply{}
	}
	if m, ok := phrases[strings.Join(words, " ")]; ok {
		return Reply{Kind: m.kind, Lang: m.lang}
	}
	if k, l := stops(words); k != Unknown {
		return Reply{Kind: k, Lang: or(l, guessLang(body, words))}
	}
	core, lang := withoutFillers(words)
	if m, ok := phrases[strings.Join(core, " ")]; ok && len(core) > 0 {
		return Reply{Kind: m.kind, Lang: or(m.lang, lang)}
	}
	if len(core) > 1 && affirmations[core[0]] {
		if m, ok := phrases[strings.Join(core[1:], " ")]; ok && m.kind != Yes && m.kind != No {
			return Reply{Kind: m.kind, Lang: or(m.lang, lang)}
		}
	}
	for _, w := range words {
		switch w {
		case "help":
			return Reply{Kind: Help, Lang: English}
		case "ayuda":
			return Reply{Kind: Help, Lang: Spanish}
		}
	}
	if strings.ContainsAny(body, "?¿") || len(words) >= 3 {
		return Reply{Kind: Message, Lang: guessLang(body, words)}
	}
	return Reply{Lang: guessLang(body, words)}
}

// stops reports whether words ask for no more texts (Stop), or use "stop"
// in a way that may not (Unsure), and the language of the phrase or of the
// politeness around it; Unknown when neither.
func stops(words []string) (Kind, Lang) {
	joined := " " + strings.Join(words, " ") + " "
	for _, p := range stopPhrases {
		if strings.Contains(joined, " "+p.words+" ") {
			return Stop, p.lang
		}
	}
	core, l := withoutFillers(words)
	for _, w := range words {
		if stopWords[w] {
			return Stop, l
		}
	}
	if !slices.Contains(words, "stop") {
		return Unknown, ""
	}
	// "stop", "please stop", "stop it now", "stop all texts": the word
	// "stop" first, then only words an opt-out is made of.
	if len(core) > 0 && core[0] == "stop" && len(core) <= 4 {
		all := true
		for _, w := range core[1:] {
			all = all && (stopObjects[w] || w == "stop")
		}
		if all {
			return Stop, l
		}
	}
	return Unsure, l
}

// spanishWords and englishWords tell the language of a message whose
// meaning is not known: a few of each language's commonest words, none of
// them shared.
var (
	spanishWords = wordSet("es esta donde que cuando cita hora el la los las mi mis de del por favor puedo tengo " +
		"hoy manana para llegar temprano como quien necesito ir voy estoy usted gracias hola una un con mas tarde")
	englishWords = wordSet("the is it where what when my can you to time today tomorrow appointment how do am " +
		"need this earlier by i im at be will there come get thanks hello have please an of late")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// guessLang is the language the words look like: Spanish for an opening
// "¿" or more Spanish words than English, English for more English, else "".
func guessLang(body string, words []string) Lang {
	if strings.ContainsRune(body, '¿') {
		return Spanish
	}
	es, en := 0, 0
	for _, w := range words {
		if spanishWords[w] {
			es++
		}
		if englishWords[w] {
			en++
		}
	}
	switch {
	case es > en:
		return Spanish
	case en > es:
		return English
	}
	return ""
}

// withoutFillers drops politeness words and reports the language of the
// first one.
func withoutFillers(words []string) ([]string, Lang) {
	var core []string
	var lang Lang
	for _, w := range words {
		if l, ok := fillers[w]; ok {
			lang = or(lang, l)
			continue
		}
		core = append(core, w)
	}
	return core, lang
}

func or(a, b Lang) Lang {
	if a != "" {
		return a
	}
	return b
}

// normalize splits a reply into lower-case words without accents.
// Apostrophes vanish so "can't" and "cant" are one word; any other
// character that is not a letter or a digit (punctuation, emoji) parts
// words.
func normalize(body string) []string {
	var b strings.Builder
	for _, r := range fold(body) {
		switch {
		case strings.ContainsRune("'’‘`´", r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}
