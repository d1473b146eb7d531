package participant

import (
	"strings"
	"testing"
)

func TestSeptets(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		gsm7 bool
	}{
		{"", 0, true},
		{"abc 123", 7, true},
		{"@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ", 29, true},
		{"¡ÄÖÑÜ§¿äöñüà", 12, true},
		{"line\nbreak\r", 11, true},
		{"€", 2, true},
		{"[", 2, true},
		{"]", 2, true},
		{"{", 2, true},
		{"}", 2, true},
		{"^", 2, true},
		{"~", 2, true},
		{`\`, 2, true},
		{"|", 2, true},
		{"€[]{}^~\\|", 18, true},
		{"a€b", 4, true},
		{"á", 1, false},
		{"sáb", 3, false},
		{"ç", 1, false},
		{"…", 1, false},
		{"’", 1, false},
		{"`", 1, false},
		{"👍", 1, false},
		{"\f", 1, false}, // the extension table's page break is refused on purpose
	}
	for _, tt := range tests {
		n, ok := Septets(tt.s)
		if n != tt.n || ok != tt.gsm7 {
			t.Errorf("Septets(%q) = %d, %v; want %d, %v", tt.s, n, ok, tt.n, tt.gsm7)
		}
	}
}

func TestCheckLength(t *testing.T) {
	tests := []struct {
		name string
		text string
		ok   bool
	}{
		{"empty", "", true},
		{"160 plain", strings.Repeat("a", 160), true},
		{"161 plain", strings.Repeat("a", 161), false},
		{"158 plain and a euro is 160", strings.Repeat("a", 158) + "€", true},
		{"159 plain and a euro is 161", strings.Repeat("a", 159) + "€", false},
		{"80 brackets are 160", strings.Repeat("[", 80), true},
		{"81 brackets are 162", strings.Repeat("]", 81), false},
		{"160 with é and ñ", strings.Repeat("éñ", 80), true},
		{"not GSM-7", "Centro Médico Á", false},
		{"emoji", "see you 👍", false},
	}
	for _, tt := range tests {
		if err := Check(tt.text); (err == nil) != tt.ok {
			t.Errorf("%s: Check = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

func TestCheckForbiddenWords(t *testing.T) {
	words := []string{
		"lead", "police", "arrest", "diversion", "divert", "drug", "treatment",
		"policía", "policia", "arresto", "droga", "tratamiento", "desvío", "desvio",
	}
	for _, w := range words {
		for _, form := range []string{w, strings.ToUpper(w), strings.ToUpper(w[:1]) + w[1:]} {
			for _, text := range []string{form, "Your " + form + " appointment", "at the " + form + "."} {
				if err := Check(text); err == nil {
					t.Errorf("Check(%q) = nil, want a forbidden-word error", text)
				}
				if got := Forbidden(text); got == "" {
					t.Errorf("Forbidden(%q) = \"\"", text)
				}
			}
		}
	}
}

func TestForbidden(t *testing.T) {
	tests := []struct {
		s, want string
	}{
		{"Allegheny Care Team", ""},
		{"Team leader", ""},
		{"Leadership Center", ""},
		{"Do not mislead", ""},
		{"pleaded", ""},
		{"Allegheny LEAD", "LEAD"},
		{"LEAD's office", "LEAD"},
		{"LEAD-program", "LEAD"},
		{"lead2", "lead"},
		{"MyLEADTeam", "MyLEADTeam"},
		{"AlleghenyLead", "AlleghenyLead"},
		{"L.E.A.D. team", "L.E.A.D"},
		{"L E A D", "L E A D"},
		{"Northside Drugstore", "Drugstore"},
		{"Policeman's hall", "Policeman"},
		{"was arrested", "arrested"},
		{"POLICÍA municipal", "POLICÍA"},
		{"Centro de Tratamiento", "Tratamiento"},
		{"Desvío Asistido", "Desvío"},
		{"Diverted", "Diverted"},
		{"first police then drug", "police"},
		{"Drogas", "Drogas"},
		{"Arresto", "Arresto"},
	}
	for _, tt := range tests {
		if got := Forbidden(tt.s); got != tt.want {
			t.Errorf("Forbidden(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"Room 3", "Room 3"},
		{"Centro Médico Ñuñoa – Edificio Á", "Centro Médico Ñuñoa - Edificio A"},
		{"sábado más allá", "sabado mas alla"},
		{"ÁÍÓÚ áíóú", "AIOU aiou"},
		{"it’s “here” — ok…", `it's "here" - ok...`},
		{"  many   spaces\n\tand lines  ", "many spaces and lines"},
		{"Café 👍 now", "Café now"},
		{"São Paulo, Curaçao, Łódź", "Sao Paulo, Curacao, Lodz"},
		{"Œuvre", "OEuvre"},
		{"€5 [a]", "€5 [a]"},
		{"日本 Clinic", "Clinic"},
		{"Müller Straße", "Müller Straße"},
		{"zero\u200bwidth", "zerowidth"},
		{"non\u00a0breaking", "non breaking"},
	}
	for _, tt := range tests {
		got := Clean(tt.in)
		if got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if _, ok := Septets(got); !ok {
			t.Errorf("Clean(%q) = %q, not GSM-7", tt.in, got)
		}
	}
}
