package participant

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/leadline/leadline/timetext"
)

// Lang is the language a participant gets texts in.
type Lang string

// The languages texts are written in.
const (
	English Lang = "en"
	Spanish Lang = "es"
)

// ParseLang reads a language as a case manager or a config file may give it:
// "en", "english", "inglés" (or "ingles"), "es", "spanish", "español" (or
// "espanol"), "sp"; case and surrounding spaces do not matter, and a tag with
// a region ("en-US", "es_MX") counts as its language.
func ParseLang(s string) (Lang, bool) {
	f := fold(strings.TrimSpace(s))
	if i := strings.IndexAny(f, "-_"); i == 2 {
		f = f[:i]
	}
	switch f {
	case "en", "eng", "english", "ingles":
		return English, true
	case "es", "sp", "spa", "spanish", "espanol":
		return Spanish, true
	}
	return "", false
}

// Texts are every text a participant can get, in both languages. Any Lang
// other than Spanish gets English.
//
// Every text is GSM-7, at most 160 septets and passes Check; it starts with
// the Sender and never names a case manager or a referral code (it is never
// given them). A text that would be too long is shortened: the place first,
// then the Sender. A Sender or place holding a forbidden word is left out
// rather than sent; the caller is expected to have refused it already (see
// Forbidden), so this is a second line of defence, not the first.
type Texts struct {
	// Sender is how texts are signed: a neutral name like "Allegheny Care
	// Team", already checked with Forbidden by the caller. It is Clean()ed.
	// Up to 39 characters it is shown whole in every text.
	Sender string
	// Callback is the program's support number in E.164. A US or Canadian
	// number (+1) is shown as 412-555-0199, any other as given.
	Callback string
	// Clock is how times of day are written: the program's clock.
	Clock timetext.Clock
}

// Consent asks the participant to agree to reminders by text, and nothing
// else: it says nothing about an appointment or the program.
func (t Texts) Consent(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "responda SI para recibir recordatorios de citas por texto. Responda STOP para cancelar, AYUDA para ayuda."
		}
		return s + "reply YES to get appointment reminders by text. Reply STOP to stop, HELP for help."
	}, "")
}

// ConsentThanks answers a YES to Consent. It carries the rates notice that
// carriers expect in an opt-in confirmation.
func (t Texts) ConsentThanks(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "gracias, le enviaremos recordatorios de citas. Pueden aplicar tarifas de mensajes y datos. Responda STOP para cancelar."
		}
		return s + "thank you. You will get appointment reminders by text. Msg&data rates may apply. Reply STOP to stop, HELP for help."
	}, "")
}

// ConsentDeclined answers a NO to Consent: no reminders will be sent.
func (t Texts) ConsentDeclined(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "de acuerdo, no le enviaremos recordatorios de citas." + t.call(l)
		}
		return s + "OK, we will not send you appointment reminders." + t.call(l)
	}, "")
}

// Reminder reminds the participant of the appointment at at, which must
// already be in the participant's zone, and at place ("" for none). The place
// is Clean()ed and shortened, at a word where it can be and marked "...",
// until the text fits; if even no place does not fit, the Sender is
// shortened.
func (t Texts) Reminder(l Lang, at time.Time, place string) string {
	return t.text(func(s, p string) string {
		if l == Spanish {
			return s + "recordatorio, cita el " + t.dateText(l, at) + in(l, p) + period(p) + " Responda C para confirmar, R para cambiar." + t.number()
		}
		return s + "reminder, appointment " + t.dateText(l, at) + in(l, p) + period(p) + " Reply C to confirm, R to reschedule." + t.number()
	}, place)
}

// Confirmed answers a C: the appointment at at is confirmed.
func (t Texts) Confirmed(l Lang, at time.Time) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "gracias, su cita del " + t.dateText(l, at) + " queda confirmada." + t.call(l)
		}
		return s + "thank you, your appointment " + t.dateText(l, at) + " is confirmed." + t.call(l)
	}, "")
}

// Reschedule answers an R: the case manager will be in touch.
func (t Texts) Reschedule(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "entendido. Su administrador de casos le va a contactar para buscar otra hora." + t.call(l)
		}
		return s + "got it. Your case manager will contact you to find a new time." + t.call(l)
	}, "")
}

// Cancelled says the appointment at at is cancelled.
func (t Texts) Cancelled(l Lang, at time.Time) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "su cita del " + t.dateText(l, at) + " fue cancelada." + t.call(l)
		}
		return s + "your appointment " + t.dateText(l, at) + " is cancelled." + t.call(l)
	}, "")
}

// Moved says the appointment is now at at and place, and asks for C or R as
// Reminder does; place is shortened the same way.
func (t Texts) Moved(l Lang, at time.Time, place string) string {
	return t.text(func(s, p string) string {
		if l == Spanish {
			return s + "nueva hora de su cita: " + t.dateText(l, at) + in(l, p) + period(p) + " Responda C para confirmar, R para cambiar." + t.number()
		}
		return s + "your appointment is now " + t.dateText(l, at) + in(l, p) + period(p) + " Reply C to confirm, R to reschedule." + t.number()
	}, place)
}

// Stopped confirms an opt-out made in plain words. (Twilio answers its own
// keywords, STOP and the like, itself.)
func (t Texts) Stopped(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "ya no le enviaremos mensajes. Responda START para volver a recibirlos."
		}
		return s + "you will get no more texts from us. Reply START to resume."
	}, "")
}

// Started confirms that texts resume.
func (t Texts) Started(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "le enviaremos otra vez recordatorios de citas. Responda STOP para cancelar."
		}
		return s + "texts resume: you will get appointment reminders again. Reply STOP to stop."
	}, "")
}

// Help answers HELP: who sends these texts, the support number, and how to
// stop them.
func (t Texts) Help(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "recordatorios de citas." + t.labelled("Ayuda") + " Responda STOP para cancelar."
		}
		return s + "appointment reminders." + t.labelled("Help") + " Reply STOP to stop."
	}, "")
}

// Usage answers a reply that was not understood.
func (t Texts) Usage(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "responda C para confirmar, R para cambiar, STOP para cancelar, AYUDA para ayuda."
		}
		return s + "reply C to confirm, R to reschedule, STOP to stop, HELP for help."
	}, "")
}

// StopAsk answers a message that used "stop" without clearly asking for no
// more texts: how to stop them all, and that the message was passed on.
func (t Texts) StopAsk(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "responda STOP para dejar de recibir todos los mensajes. Pasamos su mensaje a su administrador de casos."
		}
		return s + "reply STOP to stop all texts. We passed your message on to your case manager."
	}, "")
}

// Relayed answers a participant's question or note: it went to their case
// manager, who answers by text.
func (t Texts) Relayed(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "pasamos su mensaje a su administrador de casos, que le va a responder por texto."
		}
		return s + "we passed your message on to your case manager, who will answer by text."
	}, "")
}

// Passed answers a reply about an appointment, at at, that is over.
func (t Texts) Passed(l Lang, at time.Time) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "su cita era el " + t.dateText(l, at) + " y ya es pasada. No tiene otra cita por ahora." + t.call(l)
		}
		return s + "your appointment " + t.dateText(l, at) + " has passed. You have no other appointment now." + t.call(l)
	}, "")
}

// NoAppointment answers a reply when no appointment is coming.
func (t Texts) NoAppointment(l Lang) string {
	return t.text(func(s, _ string) string {
		if l == Spanish {
			return s + "no tiene ninguna cita por ahora." + t.call(l)
		}
		return s + "you have no appointment coming up." + t.call(l)
	}, "")
}

// Message is a case manager's own words to the participant, signed with
// the Sender. It fails, saying why, when the words break the rules of
// Check (a forbidden word, a character outside GSM-7, too long).
func (t Texts) Message(body string) (string, error) {
	body = strings.Join(strings.Fields(body), " ")
	sender := Clean(t.Sender)
	if Forbidden(sender) != "" {
		sender = ""
	}
	text := capitalize(prefix(sender) + body)
	if err := Check(text); err != nil {
		return "", err
	}
	return text, nil
}

// text builds a text from build, given the Sender's prefix ("Name: ") and
// the place, and returns the first version that passes Check: the whole
// place, then shorter places, then no place; then shorter Senders with no
// place. If none passes (which the templates make impossible unless the
// callback is absurdly long), it returns the last one tried.
func (t Texts) text(build func(sender, place string) string, place string) string {
	sender := Clean(t.Sender)
	if Forbidden(sender) != "" {
		sender = ""
	}
	place = strings.Trim(Clean(place), " .,;:-")
	if Forbidden(place) != "" {
		place = ""
	}
	var last string
	try := func(sender, place string) bool {
		last = capitalize(build(prefix(sender), place))
		// Most candidates are only too long; Septets says so cheaply.
		n, ok := Septets(last)
		return ok && n <= MaxSeptets && Check(last) == nil
	}
	for _, p := range shortenings(place, minPlace) {
		if try(sender, p) {
			return last
		}
	}
	for _, s := range shortenings(sender, 1)[1:] {
		if try(s, "") {
			return last
		}
	}
	return last
}

// minPlace is the fewest letters of a place worth showing before "...":
// fewer say nothing.
const minPlace = 4

// shortenings are s, then s cut at each space from the end, then s cut
// after each letter from the end down to least letters, each cut marked with
// "...", and last "". Cutting at a word is tried first because "Centro
// Médico..." reads better than "Centro Méd...".
func shortenings(s string, least int) []string {
	out := []string{s}
	if s == "" {
		return out
	}
	rs := []rune(s)
	for i := len(rs) - 1; i > 0; i-- {
		if rs[i] == ' ' {
			if cut := strings.TrimRight(string(rs[:i]), " .,;:-"); utf8.RuneCountInString(cut) >= least {
				out = append(out, cut+"...")
			}
		}
	}
	for i := len(rs) - 1; i >= least; i-- {
		if cut := strings.TrimRight(string(rs[:i]), " .,;:-"); utf8.RuneCountInString(cut) >= least {
			out = append(out, cut+"...")
		}
	}
	return append(out, "")
}

// prefix is how a text starts: the Sender and a colon, or nothing when
// there is no Sender to show.
func prefix(sender string) string {
	if sender == "" {
		return ""
	}
	return sender + ": "
}

// capitalize puts a capital on the first letter, for texts that start
// without a Sender.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if unicode.IsLower(r) {
		return string(unicode.ToUpper(r)) + s[size:]
	}
	return s
}

// in is the place phrase of Reminder and Moved: " at place", or "" when
// there is no place.
func in(l Lang, place string) string {
	switch {
	case place == "":
		return ""
	case l == Spanish:
		return " en " + place
	}
	return " at " + place
}

// period ends the sentence a place ends, unless the place was cut and
// already ends in "...".
func period(place string) string {
	if strings.HasSuffix(place, ".") {
		return ""
	}
	return "."
}

// number is the bare callback number that ends a reminder, after a space.
func (t Texts) number() string {
	if n := t.callback(); n != "" {
		return " " + n
	}
	return ""
}

// call is the closing "Questions? Call <callback>." sentence, after a space.
func (t Texts) call(l Lang) string {
	n := t.callback()
	switch {
	case n == "":
		return ""
	case l == Spanish:
		return " ¿Preguntas? Llame al " + n + "."
	}
	return " Questions? Call " + n + "."
}

// labelled is " Help: <callback>." for Help, or "" without a callback.
func (t Texts) labelled(label string) string {
	if n := t.callback(); n != "" {
		return " " + label + ": " + n + "."
	}
	return ""
}

// maxCallback is the longest a callback may show: an E.164 number is at most
// 16 characters with its "+". Anything longer is not a phone number.
const maxCallback = 16

// callback is the support number as a participant should read it:
// 412-555-0199 for a +1 number, E.164 otherwise.
func (t Texts) callback() string {
	c := strings.TrimSpace(t.Callback)
	if len(c) == 12 && strings.HasPrefix(c, "+1") && digits(c[2:]) {
		return c[2:5] + "-" + c[5:8] + "-" + c[8:]
	}
	c = Clean(c)
	if Forbidden(c) != "" {
		return ""
	}
	if utf8.RuneCountInString(c) > maxCallback {
		c = string([]rune(c)[:maxCallback])
	}
	return c
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// dateText shows an appointment time to a participant: "Wed 25 Nov, 2:30
// PM" or "mié 25 nov, 2:30 PM", in at's own zone and the program's clock.
func (t Texts) dateText(l Lang, at time.Time) string {
	return timetext.Style{Clock: t.Clock, Spanish: l == Spanish}.DateTime(at)
}
