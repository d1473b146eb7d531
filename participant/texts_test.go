package participant

import (
	"strings"
	"testing"
	"time"
)

func TestParseLang(t *testing.T) {
	tests := []struct {
		in   string
		want Lang
		ok   bool
	}{
		{"en", English, true},
		{"EN", English, true},
		{"English", English, true},
		{"inglés", English, true},
		{"INGLES", English, true},
		{"en-US", English, true},
		{" es ", Spanish, true},
		{"Spanish", Spanish, true},
		{"español", Spanish, true},
		{"ESPANOL", Spanish, true},
		{"sp", Spanish, true},
		{"es_MX", Spanish, true},
		{"fr", "", false},
		{"", "", false},
		{"e", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseLang(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseLang(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// longPlace is 200 characters with letters that are not GSM-7.
var longPlace = func() string {
	p := "Centro Médico Ñuñoa – Edificio Á, "
	for len([]rune(p)) < 200 {
		p += "Calle Larga número 1234, segundo piso "
	}
	return string([]rune(p)[:200])
}()

// textCase is one text method, and whether its text must show the callback.
type textCase struct {
	name     string
	callback bool
	text     func(Texts, Lang, time.Time, string) string
}

var textCases = []textCase{
	{"Consent", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Consent(l) }},
	{"ConsentThanks", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.ConsentThanks(l) }},
	{"ConsentDeclined", true, func(x Texts, l Lang, _ time.Time, _ string) string { return x.ConsentDeclined(l) }},
	{"Reminder", true, func(x Texts, l Lang, at time.Time, p string) string { return x.Reminder(l, at, p) }},
	{"Confirmed", true, func(x Texts, l Lang, at time.Time, _ string) string { return x.Confirmed(l, at) }},
	{"Reschedule", true, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Reschedule(l) }},
	{"Cancelled", true, func(x Texts, l Lang, at time.Time, _ string) string { return x.Cancelled(l, at) }},
	{"Moved", true, func(x Texts, l Lang, at time.Time, p string) string { return x.Moved(l, at, p) }},
	{"Stopped", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Stopped(l) }},
	{"Started", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Started(l) }},
	{"Help", true, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Help(l) }},
	{"Usage", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Usage(l) }},
	{"StopAsk", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.StopAsk(l) }},
	{"Relayed", false, func(x Texts, l Lang, _ time.Time, _ string) string { return x.Relayed(l) }},
	{"Passed", true, func(x Texts, l Lang, at time.Time, _ string) string { return x.Passed(l, at) }},
	{"NoAppointment", true, func(x Texts, l Lang, _ time.Time, _ string) string { return x.NoAppointment(l) }},
}

// TestEveryTextPasses runs every text in both languages with senders,
// callbacks, places and times at their edges: each must pass Check, start
// with the whole Sender, and show the callback where it says it does.
func TestEveryTextPasses(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	senders := []string{
		"Care Team",
		"Allegheny County Care Team NW",         // 29
		"Allegheny County Care Team NWX",        // 30
		"Allegheny County Care Team North West", // 39: the longest shown whole
	}
	if n := len(senders[2]); n != 30 {
		t.Fatalf("long sender is %d characters", n)
	}
	callbacks := map[string]string{
		"+14125550199":     "412-555-0199",
		"+442071234567":    "+442071234567",
		"+861012345678901": "+861012345678901", // the longest E.164
	}
	places := []string{"", "Room 3", "100 Main St, 2nd floor", longPlace, strings.Repeat("Á", 200)}
	times := []time.Time{
		time.Date(2026, 11, 25, 0, 0, 0, 0, ny),   // Wed 12:00 AM
		time.Date(2026, 11, 25, 0, 59, 0, 0, ny),  // 12:59 AM
		time.Date(2026, 11, 28, 12, 0, 0, 0, ny),  // Sat 12:00 PM
		time.Date(2026, 11, 28, 12, 59, 0, 0, ny), // 12:59 PM
		time.Date(2026, 12, 27, 23, 59, 0, 0, ny), // Sun 11:59 PM
		time.Date(2026, 9, 30, 10, 30, 0, 0, ny),  // the longest month and day
	}
	for _, sender := range senders {
		for cb, shown := range callbacks {
			x := Texts{Sender: sender, Callback: cb}
			for _, l := range []Lang{English, Spanish} {
				for _, tc := range textCases {
					for _, at := range times {
						for _, place := range places {
							text := tc.text(x, l, at, place)
							if err := Check(text); err != nil {
								t.Fatalf("%s(%s) with %q, %q: %v\n%s", tc.name, l, sender, place, err, text)
							}
							if !strings.HasPrefix(text, sender+": ") {
								t.Errorf("%s(%s) does not start with the sender %q:\n%s", tc.name, l, sender, text)
							}
							if tc.callback && !strings.Contains(text, shown) {
								t.Errorf("%s(%s) does not show the callback %q:\n%s", tc.name, l, shown, text)
							}
						}
					}
				}
			}
		}
	}
}

func TestTextWording(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	x := Texts{Sender: "Allegheny Care Team", Callback: "+14125550199"}
	wed := time.Date(2026, 11, 25, 14, 30, 0, 0, ny)
	sat := time.Date(2026, 11, 28, 0, 0, 0, 0, ny)
	tests := []struct {
		name, got, want string
	}{
		{"Reminder en", x.Reminder(English, wed, "Room 3, 100 Main St"),
			"Allegheny Care Team: reminder, appointment Wed 25 Nov, 2:30 PM at Room 3, 100 Main St. Reply C to confirm, R to reschedule. 412-555-0199"},
		{"Reminder en, no place", x.Reminder(English, wed, ""),
			"Allegheny Care Team: reminder, appointment Wed 25 Nov, 2:30 PM. Reply C to confirm, R to reschedule. 412-555-0199"},
		{"Reminder es", x.Reminder(Spanish, wed, "Oficina 3"),
			"Allegheny Care Team: recordatorio, cita el mié 25 nov, 2:30 PM en Oficina 3. Responda C para confirmar, R para cambiar. 412-555-0199"},
		{"Cancelled es, Saturday at midnight", x.Cancelled(Spanish, sat),
			"Allegheny Care Team: su cita del sab 28 nov, 12:00 AM fue cancelada. ¿Preguntas? Llame al 412-555-0199."},
		{"Confirmed en, noon", x.Confirmed(English, sat.Add(12*time.Hour)),
			"Allegheny Care Team: thank you, your appointment Sat 28 Nov, 12:00 PM is confirmed. Questions? Call 412-555-0199."},
		{"Help en", x.Help(English),
			"Allegheny Care Team: appointment reminders. Help: 412-555-0199. Reply STOP to stop."},
		{"Consent en", x.Consent(English),
			"Allegheny Care Team: reply YES to get appointment reminders by text. Reply STOP to stop, HELP for help."},
		{"Stopped es", x.Stopped(Spanish),
			"Allegheny Care Team: ya no le enviaremos mensajes. Responda START para volver a recibirlos."},
		{"Usage en", x.Usage(English),
			"Allegheny Care Team: reply C to confirm, R to reschedule, STOP to stop, HELP for help."},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestSpanishDays(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	want := []string{"dom 29 nov", "lun 30 nov", "mar 1 dic", "mié 2 dic", "jue 3 dic", "vie 4 dic", "sab 5 dic"}
	x := Texts{Sender: "Care Team", Callback: "+14125550199"}
	for i, w := range want {
		at := time.Date(2026, 11, 29+i, 9, 5, 0, 0, ny)
		if got := x.Confirmed(Spanish, at); !strings.Contains(got, w+", 9:05 AM") {
			t.Errorf("Confirmed(Spanish, %v) = %q, want it to hold %q", at, got, w+", 9:05 AM")
		}
	}
}

func TestPlaceShortening(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 11, 25, 14, 30, 0, 0, ny)
	x := Texts{Sender: "Allegheny County Care Team NWX", Callback: "+14125550199"}
	tests := []struct {
		name, place string
		holds       string // what the text must show of the place
		lacks       string // what it must not
	}{
		{"cut at a word", longPlace, " at Centro Médico Ñuñoa - Edificio... Reply", "Calle"},
		{"one long word is cut inside", strings.Repeat("x", 200), "xxxx... Reply", ""},
		{"a forbidden place is left out", "Police HQ", "2:30 PM. Reply", "Police"},
		{"a cut never makes a forbidden word", "Leadership Academy Auditorium Building Number Twelve East Wing", "", "Lead..."},
		{"only emoji is no place", "👍👍", "2:30 PM. Reply", " at "},
		{"trailing dots are dropped", "Room 3...", " at Room 3. Reply", "Room 3..."},
	}
	for _, tt := range tests {
		got := x.Reminder(English, at, tt.place)
		if err := Check(got); err != nil {
			t.Errorf("%s: %v\n%s", tt.name, err, got)
		}
		if !strings.Contains(got, tt.holds) || tt.lacks != "" && strings.Contains(got, tt.lacks) {
			t.Errorf("%s: %q should hold %q and not %q", tt.name, got, tt.holds, tt.lacks)
		}
	}
}

func TestSenderShortening(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	at := time.Date(2026, 11, 25, 14, 30, 0, 0, ny)
	tests := []struct {
		name, sender, wantPrefix string
	}{
		{"too long, cut at a word", strings.Repeat("Allegheny ", 10) + "Team", "Allegheny Allegheny"},
		{"forbidden sender is left out", "Allegheny LEAD", "Reminder, appointment"},
		{"no sender", "", "Reminder, appointment"},
		{"only emoji", "🙂", "Reminder, appointment"},
		{"accents cleaned", "Equipo Médico Ándes", "Equipo Médico Andes: "},
	}
	for _, tt := range tests {
		x := Texts{Sender: tt.sender, Callback: "+14125550199"}
		got := x.Reminder(English, at, "Room 3")
		if err := Check(got); err != nil {
			t.Errorf("%s: %v\n%s", tt.name, err, got)
		}
		if !strings.HasPrefix(got, tt.wantPrefix) {
			t.Errorf("%s: %q should start with %q", tt.name, got, tt.wantPrefix)
		}
	}
}

func TestNoCallback(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	x := Texts{Sender: "Care Team"}
	at := time.Date(2026, 11, 25, 14, 30, 0, 0, ny)
	for _, l := range []Lang{English, Spanish} {
		for _, tc := range textCases {
			got := tc.text(x, l, at, "Room 3")
			if err := Check(got); err != nil {
				t.Errorf("%s(%s): %v", tc.name, l, err)
			}
			if strings.Contains(got, "Call .") || strings.Contains(got, ": .") || strings.HasSuffix(got, " ") {
				t.Errorf("%s(%s) without a callback reads badly: %q", tc.name, l, got)
			}
		}
	}
}
