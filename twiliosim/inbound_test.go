package twiliosim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"

	"github.com/leadline/leadline/twiliosim"
)

// webhook is a stand-in for Leadline's /twilio/sms: it checks the signature
// with twilio-go's own validator, remembers what it got and answers with the
// TwiML that reply returns.
type webhook struct {
	token string
	reply func(form map[string]string) string

	mu       sync.Mutex
	received []map[string]string
}

func (h *webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/twilio/sms" {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	form := make(map[string]string)
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	v := client.NewRequestValidator(h.token)
	if !v.Validate("http://"+r.Host+r.URL.Path, form, r.Header.Get("X-Twilio-Signature")) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	h.mu.Lock()
	h.received = append(h.received, form)
	h.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, h.reply(form))
}

func (h *webhook) got() []map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]string(nil), h.received...)
}

// startWebhook serves h and points srv at it.
func startWebhook(t *testing.T, srv *twiliosim.Server, h *webhook) {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	srv.SetWebhookBase(hs.URL + "/")
}

func echo(form map[string]string) string {
	return "<Response><Message>you said " + form["Body"] + "</Message></Response>"
}

func TestTextDeliversTwilioFields(t *testing.T) {
	srv := newServer(t)
	h := &webhook{token: authToken, reply: echo}
	startWebhook(t, srv, h)

	sid, err := srv.Text(context.Background(), jo, program, "1")
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	got := h.got()
	if len(got) != 1 {
		t.Fatalf("webhook got %d requests, want 1", len(got))
	}
	want := map[string]string{
		"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": accountSID,
		"From": jo, "To": program, "Body": "1", "NumMedia": "0", "NumSegments": "1",
		"ApiVersion": "2010-04-01", "SmsStatus": "received",
	}
	for k, v := range want {
		if got[0][k] != v {
			t.Errorf("%s = %q, want %q", k, got[0][k], v)
		}
	}
	if !strings.HasPrefix(sid, "SM") || len(sid) != 34 {
		t.Errorf("MessageSid = %q, want SM and 32 hex digits", sid)
	}
}

func TestTextRecordsTwiMLReplies(t *testing.T) {
	tests := []struct {
		name  string
		twiml string
		want  []twiliosim.Message // SID and At are not compared
	}{
		{
			name:  "message text",
			twiml: `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Accepted KX7P</Message></Response>`,
			want:  []twiliosim.Message{{From: program, To: jo, Body: "Accepted KX7P"}},
		},
		{
			name:  "message body element",
			twiml: `<Response><Message><Body>Accepted &amp; on the way</Body></Message></Response>`,
			want:  []twiliosim.Message{{From: program, To: jo, Body: "Accepted & on the way"}},
		},
		{
			name:  "two messages, one to someone else",
			twiml: `<Response><Message>one</Message><Message to="` + ana + `">two</Message></Response>`,
			want: []twiliosim.Message{
				{From: program, To: jo, Body: "one"},
				{From: program, To: ana, Body: "two"},
			},
		},
		{name: "empty response element", twiml: `<Response/>`},
		{name: "empty body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			startWebhook(t, srv, &webhook{token: authToken, reply: func(map[string]string) string { return tt.twiml }})
			if _, err := srv.Text(context.Background(), jo, program, "1"); err != nil {
				t.Fatalf("Text: %v", err)
			}
			got := srv.Messages()
			if len(got) != len(tt.want) {
				t.Fatalf("recorded %+v, want %+v", got, tt.want)
			}
			for i, m := range got {
				w := tt.want[i]
				if m.From != w.From || m.To != w.To || m.Body != w.Body || m.Via != "twiml" || m.Segments != 1 {
					t.Errorf("message %d = %+v, want %+v via twiml", i, m, w)
				}
			}
		})
	}
}

func TestTextErrors(t *testing.T) {
	tests := []struct {
		name    string
		token   string // the webhook checks signatures with this
		twiml   string
		noHook  bool
		wantErr string
	}{
		{name: "signed with another token", token: "othertoken", wantErr: "403"},
		{name: "invalid TwiML", token: authToken, twiml: "<Response><Message>", wantErr: "invalid TwiML"},
		{name: "no webhook", noHook: true, wantErr: "SetWebhookBase"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			if !tt.noHook {
				startWebhook(t, srv, &webhook{token: tt.token, reply: func(map[string]string) string { return tt.twiml }})
			}
			sid, err := srv.Text(context.Background(), jo, program, "1")
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Text: err = %v, want one containing %q", err, tt.wantErr)
			}
			if sid == "" {
				t.Error("Text returned no MessageSid with its error")
			}
			if got := srv.Messages(); len(got) != 0 {
				t.Errorf("recorded %+v, want nothing", got)
			}
		})
	}
}

func TestRedeliverSendsSameMessageSid(t *testing.T) {
	srv := newServer(t)
	h := &webhook{token: authToken, reply: echo}
	startWebhook(t, srv, h)
	ctx := context.Background()

	sid, err := srv.Text(ctx, jo, program, "DONE ENGAGED")
	if err != nil {
		t.Fatalf("Text: %v", err)
	}
	if err := srv.Redeliver(ctx, sid); err != nil {
		t.Fatalf("Redeliver: %v", err)
	}
	got := h.got()
	if len(got) != 2 {
		t.Fatalf("webhook got %d requests, want 2", len(got))
	}
	for k, v := range got[0] {
		if got[1][k] != v {
			t.Errorf("redelivered %s = %q, first delivery had %q", k, got[1][k], v)
		}
	}
	if n := len(srv.Unread(jo)); n != 2 {
		t.Errorf("%d replies recorded, want one per delivery", n)
	}
	if err := srv.Redeliver(ctx, "SM00000000000000000000000000000000"); err == nil {
		t.Error("Redeliver of an unknown MessageSid: no error")
	}
}

func TestTextHonoursContext(t *testing.T) {
	srv := newServer(t)
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(func() { close(release) })
	srv.SetWebhookBase(hs.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now() // wall clock: times the real webhook timeout
	if _, err := srv.Text(ctx, jo, program, "1"); err == nil {
		t.Fatal("Text to a hung webhook: no error")
	}
	if d := time.Since(start); d > 2*time.Second { // wall clock: as above
		t.Errorf("Text returned after %s, want about 50ms", d)
	}
}
