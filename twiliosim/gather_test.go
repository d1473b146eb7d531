package twiliosim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/leadline/leadline/twiliosim"
)

func TestSpeakPostsSpeechResult(t *testing.T) {
	tests := []struct {
		name   string
		gather string
	}{
		{name: "speech", gather: `<Gather input="speech" action="/twilio/voice/menu"/>`},
		{name: "dtmf and speech", gather: `<Gather input="dtmf speech" action="voice/menu"/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			h, sess := calling(t, srv, map[string]string{
				"/twilio/voice":      `<Response>` + tt.gather + `</Response>`,
				"/twilio/voice/menu": `<Response><Say>Accepted.</Say><Gather input="speech"/></Response>`,
			})
			if err := sess.Speak(context.Background(), "accept", 0.9123); err != nil {
				t.Fatalf("Speak: %v", err)
			}
			got := h.to("/twilio/voice/menu")
			if len(got) != 1 {
				t.Fatalf("action got %d requests, want 1", len(got))
			}
			want := inboundFields(got[0].form.Get("CallSid"), "in-progress")
			want["SpeechResult"], want["Confidence"] = "accept", "0.9123"
			checkForm(t, got[0].form, want)
			if _, ok := got[0].form["Digits"]; ok {
				t.Errorf("Speak posted Digits %q", got[0].form.Get("Digits"))
			}
			if said := sess.Said(); !slices.Equal(said, []string{"Accepted."}) {
				t.Errorf("Said = %q, want the action's", said)
			}
		})
	}
}

func TestSpeakRefused(t *testing.T) {
	tests := []struct {
		name    string
		voice   string
		speech  string
		conf    float64
		wantErr string
	}{
		{name: "dtmf only", voice: `<Response><Gather input="dtmf"/></Response>`,
			speech: "accept", conf: 0.9, wantErr: "does not listen for speech"},
		{name: "default input", voice: `<Response><Gather/></Response>`,
			speech: "accept", conf: 0.9, wantErr: "does not listen for speech"},
		{name: "no Gather", voice: `<Response><Say>Hello.</Say><Pause/></Response>`,
			speech: "accept", conf: 0.9, wantErr: "ended"},
		{name: "nothing said", voice: `<Response><Gather input="speech"/></Response>`,
			speech: " ", conf: 0.9, wantErr: "Silence"},
		{name: "confidence out of range", voice: `<Response><Gather input="speech"/></Response>`,
			speech: "accept", conf: 1.5, wantErr: "confidence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			h, sess := calling(t, srv, map[string]string{"/twilio/voice": tt.voice})
			err := sess.Speak(context.Background(), tt.speech, tt.conf)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Speak: err = %v, want one containing %q", err, tt.wantErr)
			}
			if n := len(h.requests()); n != 1 {
				t.Errorf("webhooks got %d requests, want only the greeting", n)
			}
		})
	}
}

func TestPressRefusedBySpeechGather(t *testing.T) {
	srv := newServer(t)
	_, sess := calling(t, srv, map[string]string{"/twilio/voice": `<Response><Gather input="speech"/></Response>`})
	if err := sess.Press(context.Background(), "1"); err == nil || !strings.Contains(err.Error(), "keys") {
		t.Errorf("Press: err = %v, want the Gather not listening for keys", err)
	}
}

func TestGatherInfo(t *testing.T) {
	srv := newServer(t)
	h, sess := calling(t, srv, map[string]string{
		"/twilio/voice": `<Response><Gather input="dtmf speech" numDigits="4" finishOnKey="*" timeout="8"
			hints="accept, decline" action="menu?step=2" speechTimeout="auto" language="en-GB"/></Response>`,
		"/twilio/menu?step=2": `<Response><Gather/></Response>`,
	})
	want := twiliosim.GatherInfo{
		Input: "dtmf speech", NumDigits: 4, FinishOnKey: "*", Timeout: 8, Hints: "accept, decline",
		Action: h.base + "/twilio/menu?step=2", SpeechTimeout: "auto", Language: "en-GB",
	}
	if got, ok := sess.Gather(); !ok || got != want {
		t.Errorf("Gather = %+v, %v\nwant %+v, true", got, ok, want)
	}

	if err := sess.Press(context.Background(), "12*"); err != nil {
		t.Fatalf("Press: %v", err)
	}
	want = twiliosim.GatherInfo{Action: h.base + "/twilio/menu?step=2"}
	if got, ok := sess.Gather(); !ok || got != want {
		t.Errorf("Gather of a bare <Gather/> = %+v, %v\nwant %+v, true", got, ok, want)
	}

	if err := sess.Silence(context.Background()); err != nil {
		t.Fatalf("Silence: %v", err)
	}
	if got, ok := sess.Gather(); ok {
		t.Errorf("Gather after the call ended = %+v, true; want false", got)
	}
}

func TestGatherInvalidInput(t *testing.T) {
	srv := newServer(t)
	_, base := startHook(t, map[string]string{"/twilio/voice": `<Response><Gather input="keys"/></Response>`})
	srv.SetWebhookBase(base)
	if _, err := srv.PlaceCall(context.Background(), jo, program); err == nil || !strings.Contains(err.Error(), "input") {
		t.Errorf("PlaceCall: err = %v, want one naming the Gather's input", err)
	}
}
