package participant

import "testing"

func TestParseReply(t *testing.T) {
	tests := []struct {
		body string
		want Reply
	}{
		// Confirm
		{"C", Reply{Kind: Confirm}},
		{"c", Reply{Kind: Confirm}},
		{"C.", Reply{Kind: Confirm}},
		{" c! ", Reply{Kind: Confirm}},
		{"Confirm", Reply{Kind: Confirm, Lang: English}},
		{"CONFIRMED", Reply{Kind: Confirm, Lang: English}},
		{"Confirmo", Reply{Kind: Confirm, Lang: Spanish}},
		{"confirmar", Reply{Kind: Confirm, Lang: Spanish}},
		{"I'll be there", Reply{Kind: Confirm, Lang: English}},
		{"ill be there!", Reply{Kind: Confirm, Lang: English}},
		{"I’ll be there 👍", Reply{Kind: Confirm, Lang: English}},
		{"C thanks", Reply{Kind: Confirm, Lang: English}},
		{"C gracias", Reply{Kind: Confirm, Lang: Spanish}},
		{"ok c", Reply{Kind: Confirm}},
		{"Yes C", Reply{Kind: Confirm}},
		{"allí estaré", Reply{Kind: Confirm, Lang: Spanish}},

		// Reschedule
		{"R", Reply{Kind: Reschedule}},
		{"r.", Reply{Kind: Reschedule}},
		{"Reschedule", Reply{Kind: Reschedule, Lang: English}},
		{"reschedule please", Reply{Kind: Reschedule, Lang: English}},
		{"CAMBIAR", Reply{Kind: Reschedule, Lang: Spanish}},
		{"reprogramar", Reply{Kind: Reschedule, Lang: Spanish}},
		{"can't make it", Reply{Kind: Reschedule, Lang: English}},
		{"cant make it", Reply{Kind: Reschedule, Lang: English}},
		{"I can't make it", Reply{Kind: Reschedule, Lang: English}},
		{"No puedo", Reply{Kind: Reschedule, Lang: Spanish}},
		{"no puedo ir", Reply{Kind: Reschedule, Lang: Spanish}},

		// Yes
		{"YES", Reply{Kind: Yes, Lang: English}},
		{"yes!", Reply{Kind: Yes, Lang: English}},
		{"Y", Reply{Kind: Yes}},
		{"yeah", Reply{Kind: Yes, Lang: English}},
		{"Yep", Reply{Kind: Yes, Lang: English}},
		{"ok", Reply{Kind: Yes}},
		{"OKAY", Reply{Kind: Yes}},
		{"Sí", Reply{Kind: Yes, Lang: Spanish}},
		{"SI", Reply{Kind: Yes, Lang: Spanish}},
		{"si!!", Reply{Kind: Yes, Lang: Spanish}},
		{"Claro", Reply{Kind: Yes, Lang: Spanish}},
		{"yes please", Reply{Kind: Yes, Lang: English}},

		// No
		{"no", Reply{Kind: No}},
		{"NO", Reply{Kind: No}},
		{"No.", Reply{Kind: No}},
		{"n", Reply{Kind: No}},
		{"nope", Reply{Kind: No, Lang: English}},
		{"no thanks", Reply{Kind: No, Lang: English}},
		{"No, thank you", Reply{Kind: No, Lang: English}},
		{"no gracias", Reply{Kind: No, Lang: Spanish}},

		// Stop: Twilio's keywords alone
		{"STOP", Reply{Kind: Stop, Keyword: true}},
		{"stop", Reply{Kind: Stop, Keyword: true}},
		{"  Stop\n", Reply{Kind: Stop, Keyword: true}},
		{"STOPALL", Reply{Kind: Stop, Keyword: true}},
		{"unsubscribe", Reply{Kind: Stop, Keyword: true}},
		{"Cancel", Reply{Kind: Stop, Keyword: true}},
		{"END", Reply{Kind: Stop, Keyword: true}},
		{"quit", Reply{Kind: Stop, Keyword: true}},
		{"OPTOUT", Reply{Kind: Stop, Keyword: true}},
		{"revoke", Reply{Kind: Stop, Keyword: true}},
		// Stop: the keywords with more around them are not keywords
		{"STOP.", Reply{Kind: Stop}},
		{"STOP!!", Reply{Kind: Stop}},
		{"🛑 stop", Reply{Kind: Stop}},
		{"stop it", Reply{Kind: Stop, Lang: English}},
		{"stop it now", Reply{Kind: Stop, Lang: English}},
		{"please stop all texts", Reply{Kind: Stop, Lang: English}},
		{"cancel.", Reply{Kind: Stop}},
		{"stop please", Reply{Kind: Stop, Lang: English}},
		{"Please stop", Reply{Kind: Stop, Lang: English}},
		// Stop: plain English
		{"stop texting me", Reply{Kind: Stop, Lang: English}},
		{"Stop texting", Reply{Kind: Stop, Lang: English}},
		{"stop messaging me", Reply{Kind: Stop, Lang: English}},
		{"no more texts", Reply{Kind: Stop, Lang: English}},
		{"No more messages please", Reply{Kind: Stop, Lang: English}},
		{"don't text me", Reply{Kind: Stop, Lang: English}},
		{"dont text me", Reply{Kind: Stop, Lang: English}},
		{"Do not text me again", Reply{Kind: Stop, Lang: English}},
		{"leave me alone", Reply{Kind: Stop, Lang: English}},
		{"unsubscribe me", Reply{Kind: Stop, Lang: English}},
		{"remove me", Reply{Kind: Stop, Lang: English}},
		{"take me off your list", Reply{Kind: Stop, Lang: English}},
		// Stop: plain Spanish
		{"para", Reply{Kind: Stop, Lang: Spanish}},
		{"PARA", Reply{Kind: Stop, Lang: Spanish}},
		{"Para.", Reply{Kind: Stop, Lang: Spanish}},
		{"pare", Reply{Kind: Stop, Lang: Spanish}},
		{"parar", Reply{Kind: Stop, Lang: Spanish}},
		{"alto", Reply{Kind: Stop, Lang: Spanish}},
		{"basta", Reply{Kind: Stop, Lang: Spanish}},
		{"ya basta!", Reply{Kind: Stop, Lang: Spanish}},
		{"no más mensajes", Reply{Kind: Stop, Lang: Spanish}},
		{"no mas mensajes", Reply{Kind: Stop, Lang: Spanish}},
		{"No más textos", Reply{Kind: Stop, Lang: Spanish}},
		{"no más", Reply{Kind: Stop, Lang: Spanish}},
		{"no me escriban", Reply{Kind: Stop, Lang: Spanish}},
		{"No me manden mensajes", Reply{Kind: Stop, Lang: Spanish}},
		{"dejen de escribirme por favor", Reply{Kind: Stop, Lang: Spanish}},
		{"cancelar", Reply{Kind: Stop, Lang: Spanish}},
		{"Baja", Reply{Kind: Stop, Lang: Spanish}},
		{"detener", Reply{Kind: Stop, Lang: Spanish}},

		// Start
		{"START", Reply{Kind: Start, Keyword: true}},
		{"unstop", Reply{Kind: Start, Keyword: true}},
		{"Start!", Reply{Kind: Start}},
		{"resume", Reply{Kind: Start, Lang: English}},
		{"start again", Reply{Kind: Start, Lang: English}},
		{"comenzar", Reply{Kind: Start, Lang: Spanish}},
		{"Empezar", Reply{Kind: Start, Lang: Spanish}},
		{"reanudar", Reply{Kind: Start, Lang: Spanish}},

		// Help
		{"HELP", Reply{Kind: Help, Keyword: true}},
		{"info", Reply{Kind: Help, Keyword: true}},
		{"help?", Reply{Kind: Help}},
		{"Ayuda", Reply{Kind: Help, Lang: Spanish}},
		{"ayuda por favor", Reply{Kind: Help, Lang: Spanish}},
		{"?", Reply{Kind: Help}},
		{"??", Reply{Kind: Help}},
		{"¿?", Reply{Kind: Help}},
		{"who is this?", Reply{Kind: Help, Lang: English}},
		{"Quién es?", Reply{Kind: Help, Lang: Spanish}},
		{"I need help", Reply{Kind: Help, Lang: English}},

		// Unsure: "stop" used otherwise, or an opt-out in doubt
		{"can I stop by earlier?", Reply{Kind: Unsure, Lang: English}},
		{"Can I stop in tomorrow", Reply{Kind: Unsure, Lang: English}},
		{"Stop. Who is this?", Reply{Kind: Unsure, Lang: English}},
		{"don't stop", Reply{Kind: Unsure}},
		{"stop by at 3", Reply{Kind: Unsure, Lang: English}},
		{"puedo hacer un stop en la oficina?", Reply{Kind: Unsure, Lang: Spanish}},

		// Message: questions and sentences go to the case manager
		{"where is it?", Reply{Kind: Message, Lang: English}},
		{"What time is it", Reply{Kind: Message, Lang: English}},
		{"es para mañana?", Reply{Kind: Message, Lang: Spanish}},
		{"para mañana?", Reply{Kind: Message, Lang: Spanish}}, // "para" in a sentence is the preposition
		{"¿Dónde es la cita?", Reply{Kind: Message, Lang: Spanish}},
		{"I might be 10 minutes late", Reply{Kind: Message, Lang: English}},
		{"no more", Reply{Kind: Stop, Lang: English}},

		// Unknown
		{"", Reply{}},
		{"   ", Reply{}},
		{"👍", Reply{}},
		{"hello", Reply{Lang: English}},
		{"hola", Reply{Lang: Spanish}},
		{"cc", Reply{}},
		{"ok no", Reply{}},
		{"see you", Reply{Lang: English}},
	}
	for _, tt := range tests {
		if got := ParseReply(tt.body); got != tt.want {
			t.Errorf("ParseReply(%q) = %+v, want %+v", tt.body, got, tt.want)
		}
	}
}

func TestKindString(t *testing.T) {
	if Stop.String() != "Stop" || Kind(42).String() != "Kind(42)" {
		t.Errorf("Kind.String: %q, %q", Stop, Kind(42))
	}
}
