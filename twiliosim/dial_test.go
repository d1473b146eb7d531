package twiliosim_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/leadline/leadline/twiliosim"
)

const (
	cm1 = "+14125550121" // case managers the voice line connects to
	cm2 = "+14125550122"
)

func TestDialOutcomePostedToAction(t *testing.T) {
	tests := []struct {
		name       string
		outcomes   map[string]string // by number
		numbers    string            // the Dial's children
		wantStatus string
		answered   bool
	}{
		{name: "no answer", outcomes: map[string]string{cm1: "no-answer"},
			numbers: `<Number>` + cm1 + `</Number>`, wantStatus: "no-answer"},
		{name: "busy", outcomes: map[string]string{cm1: "busy"},
			numbers: cm1, wantStatus: "busy"},
		{name: "failed", outcomes: map[string]string{cm1: "failed"},
			numbers: `<Number>` + cm1 + `</Number>`, wantStatus: "failed"},
		{name: "last tried decides", outcomes: map[string]string{cm1: "busy", cm2: "no-answer"},
			numbers: `<Number>` + cm1 + `</Number><Number>` + cm2 + `</Number>`, wantStatus: "no-answer"},
		{name: "second answers", outcomes: map[string]string{cm1: "busy"},
			numbers: `<Number>` + cm1 + `</Number><Number>` + cm2 + `</Number>`, wantStatus: "completed", answered: true},
		{name: "reset to completed", outcomes: map[string]string{cm1: "completed"},
			numbers: cm1, wantStatus: "completed", answered: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			for n, st := range tt.outcomes {
				srv.DialOutcome(n, "busy")
				srv.DialOutcome(n, st)
			}
			h, sess := calling(t, srv, map[string]string{
				"/twilio/voice": `<Response><Say>Connecting you.</Say><Dial action="/twilio/voice/dialled">` +
					tt.numbers + `</Dial><Say>not this</Say></Response>`,
				"/twilio/voice/dialled": `<Response><Say>Done.</Say></Response>`,
			})
			got := h.to("/twilio/voice/dialled")
			if len(got) != 1 {
				t.Fatalf("Dial action got %d requests, want 1", len(got))
			}
			want := inboundFields(got[0].form.Get("CallSid"), "in-progress")
			want["DialCallStatus"], want["DialCallDuration"] = tt.wantStatus, "0"
			if tt.answered {
				want["DialCallDuration"] = "30"
			}
			checkForm(t, got[0].form, want)
			if d, ok := got[0].form["DialCallSid"]; ok != tt.answered {
				t.Errorf("DialCallSid = %q, want one only when answered", d)
			}
			if said := sess.Said(); !slices.Equal(said, []string{"Connecting you.", "Done."}) {
				t.Errorf("Said = %q, want the Dial's document up to the Dial, then the action's", said)
			}
		})
	}
}

func TestDialActionRunsNextDial(t *testing.T) {
	srv := newServer(t)
	srv.DialOutcome(cm1, "no-answer")
	h, sess := calling(t, srv, map[string]string{
		"/twilio/voice": `<Response><Dial callerId="` + program + `" timeout="20" action="dialled?try=1">` +
			`<Number>` + cm1 + `</Number></Dial></Response>`,
		"/twilio/dialled?try=1": `<Response><Say>Trying the backup.</Say>` +
			`<Dial action="/twilio/dialled?try=2" answerOnBridge="true">` + cm2 + `</Dial></Response>`,
		"/twilio/dialled?try=2": `<Response><Hangup/></Response>`,
	})
	first := h.to("/twilio/dialled?try=1")
	if len(first) != 1 || first[0].form.Get("DialCallStatus") != "no-answer" {
		t.Fatalf("first action got %+v, want DialCallStatus no-answer", first)
	}
	second := h.to("/twilio/dialled?try=2")
	if len(second) != 1 || second[0].form.Get("DialCallStatus") != "completed" {
		t.Fatalf("second action got %+v, want DialCallStatus completed", second)
	}
	if got, want := sess.Dialled(), []string{cm1, cm2}; !slices.Equal(got, want) {
		t.Errorf("Dialled = %q, want %q", got, want)
	}
	wantDials := []twiliosim.DialInfo{
		{Numbers: []string{cm1}, CallerID: program, Timeout: 20, Action: h.base + "/twilio/dialled?try=1"},
		{Numbers: []string{cm2}, Action: h.base + "/twilio/dialled?try=2"},
	}
	if got := sess.Dials(); !slices.EqualFunc(got, wantDials, equalDial) {
		t.Errorf("Dials = %+v\nwant %+v", got, wantDials)
	}
	if !sess.HungUp() {
		t.Error("HungUp = false after <Hangup/>")
	}
}

func equalDial(a, b twiliosim.DialInfo) bool {
	return slices.Equal(a.Numbers, b.Numbers) && a.CallerID == b.CallerID && a.Timeout == b.Timeout && a.Action == b.Action
}

func TestDialsKeepsEarlierSteps(t *testing.T) {
	srv := newServer(t)
	_, sess := calling(t, srv, map[string]string{
		"/twilio/voice":      `<Response><Dial>` + cm1 + `</Dial><Gather action="/twilio/voice/menu"/></Response>`,
		"/twilio/voice/menu": `<Response><Dial>` + cm2 + `</Dial><Say>Bye.</Say></Response>`,
	})
	if err := sess.Press(context.Background(), "1"); err != nil {
		t.Fatalf("Press: %v", err)
	}
	if got := sess.Dialled(); !slices.Equal(got, []string{cm2}) {
		t.Errorf("Dialled = %q, want only the latest step's", got)
	}
	if got := sess.Dials(); len(got) != 2 || got[0].Numbers[0] != cm1 || got[1].Numbers[0] != cm2 {
		t.Errorf("Dials = %+v, want both steps' Dials", got)
	}
	if got := sess.Said(); !slices.Equal(got, []string{"Bye."}) {
		t.Errorf("Said = %q, want the verbs after the Dial", got)
	}
}

func TestDialWhisper(t *testing.T) {
	tests := []struct {
		name         string
		whisper      string
		callerID     string // the Dial's; empty for none
		wantFrom     string // of the child leg
		wantStatus   string
		wantWhispers []string
	}{
		{name: "connects", callerID: program, wantFrom: program, wantStatus: "completed",
			whisper:      `<Response><Say>Officer Jo for case KX7P.</Say><Pause length="1"/><Say>Connecting.</Say></Response>`,
			wantWhispers: []string{"Officer Jo for case KX7P.", "Connecting."}},
		{name: "hangs up", wantFrom: program, wantStatus: "no-answer",
			whisper:      `<Response><Say>Case KX7P is closed.</Say><Hangup/><Say>never</Say></Response>`,
			wantWhispers: []string{"Case KX7P is closed."}},
		{name: "other caller ID", callerID: "+14125550199", wantFrom: "+14125550199", wantStatus: "completed",
			whisper: `<Response/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			callerID := ""
			if tt.callerID != "" {
				callerID = ` callerId="` + tt.callerID + `"`
			}
			h, sess := calling(t, srv, map[string]string{
				"/twilio/voice": `<Response><Dial` + callerID + ` action="/twilio/voice/dialled">` +
					`<Number url="whisper?case=KX7P" method="POST">` + cm1 + `</Number></Dial></Response>`,
				"/twilio/whisper?case=KX7P": tt.whisper,
				"/twilio/voice/dialled":     `<Response><Say>Thank you.</Say></Response>`,
			})
			whisper := h.to("/twilio/whisper?case=KX7P")
			if len(whisper) != 1 {
				t.Fatalf("whisper got %d requests, want 1", len(whisper))
			}
			parent := h.to("/twilio/voice")[0].form.Get("CallSid")
			child := whisper[0].form.Get("CallSid")
			if !strings.HasPrefix(child, "CA") || child == parent {
				t.Errorf("whisper CallSid = %q, want a new CA SID for the dialled leg", child)
			}
			checkForm(t, whisper[0].form, map[string]string{
				"ParentCallSid": parent, "AccountSid": accountSID, "From": tt.wantFrom, "To": cm1,
				"CallStatus": "in-progress", "Direction": "outbound-dial", "ApiVersion": "2010-04-01",
			})
			if got := sess.Whispered(); !slices.Equal(got, tt.wantWhispers) {
				t.Errorf("Whispered = %q, want %q", got, tt.wantWhispers)
			}

			action := h.to("/twilio/voice/dialled")
			if len(action) != 1 {
				t.Fatalf("Dial action got %d requests, want 1", len(action))
			}
			want := inboundFields(parent, "in-progress")
			want["DialCallStatus"] = tt.wantStatus
			if tt.wantStatus == "completed" {
				want["DialCallSid"], want["DialCallDuration"] = child, "30"
			} else {
				want["DialCallDuration"] = "0"
			}
			checkForm(t, action[0].form, want)
			if said := sess.Said(); !slices.Equal(said, []string{"Thank you."}) {
				t.Errorf("Said = %q, want only what the caller heard", said)
			}
		})
	}
}

func TestDialRefused(t *testing.T) {
	tests := []struct {
		name, dial, wantErr string
	}{
		{name: "no number", dial: `<Dial action="/x"></Dial>`, wantErr: "no number"},
		{name: "other noun", dial: `<Dial><Client>jo</Client></Dial>`, wantErr: "<Client>"},
		{name: "bad timeout", dial: `<Dial timeout="soon">` + cm1 + `</Dial>`, wantErr: "timeout"},
		{name: "whisper by GET", dial: `<Dial><Number url="/w" method="GET">` + cm1 + `</Number></Dial>`, wantErr: "POST"},
		{name: "whisper verb", dial: `<Dial><Number url="/twilio/w">` + cm1 + `</Number></Dial>`, wantErr: "<Gather>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			_, base := startHook(t, map[string]string{
				"/twilio/voice": `<Response>` + tt.dial + `</Response>`,
				"/twilio/w":     `<Response><Gather/></Response>`,
			})
			srv.SetWebhookBase(base)
			if _, err := srv.PlaceCall(context.Background(), jo, program); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("PlaceCall: err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestDialOutcomePanicsForUnknownStatus(t *testing.T) {
	srv := newServer(t)
	defer func() {
		if recover() == nil {
			t.Error("DialOutcome with status ringing did not panic")
		}
	}()
	srv.DialOutcome(cm1, "ringing")
}
