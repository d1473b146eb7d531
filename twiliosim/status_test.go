package twiliosim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go"
	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// sendWithCallback sends a text to `to` through the REST API whose status
// goes to statusURL, and returns its SID.
func sendWithCallback(t *testing.T, rc *twilio.RestClient, to, statusURL string) string {
	t.Helper()
	p := &api.CreateMessageParams{}
	p.SetFrom(program).SetTo(to).SetBody("KX7P paging").SetStatusCallback(statusURL)
	res, err := rc.Api.CreateMessage(p)
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	return *res.Sid
}

func TestMessageStatusPostsFields(t *testing.T) {
	srv := newServer(t)
	h, base := startHook(t, map[string]string{"/twilio/status": ""})
	rc := restClient(srv, accountSID, authToken)
	sid := sendWithCallback(t, rc, jo, base+"/twilio/status")
	ctx := context.Background()

	steps := []struct {
		status string
		code   int
	}{{"delivered", 0}, {"sent", 0}, {"failed", 30008}, {"failed", 30008}}
	for _, s := range steps {
		if err := srv.MessageStatus(ctx, sid, s.status, s.code); err != nil {
			t.Fatalf("MessageStatus(%s, %d): %v", s.status, s.code, err)
		}
	}
	got := h.to("/twilio/status")
	if len(got) != len(steps) {
		t.Fatalf("status callback got %d requests, want %d", len(got), len(steps))
	}
	for i, s := range steps {
		want := map[string]string{
			"MessageSid": sid, "SmsSid": sid, "AccountSid": accountSID, "From": program, "To": jo,
			"MessageStatus": s.status, "SmsStatus": s.status, "ApiVersion": "2010-04-01",
		}
		if s.code != 0 {
			want["ErrorCode"] = "30008"
		} else if _, ok := got[i].form["ErrorCode"]; ok {
			t.Errorf("callback %d: ErrorCode %q sent with no error", i, got[i].form.Get("ErrorCode"))
		}
		checkForm(t, got[i].form, want)
	}
}

func TestMessageStatusErrors(t *testing.T) {
	srv := newServer(t)
	_, base := startHook(t, map[string]string{"/twilio/status": ""})
	rc := restClient(srv, accountSID, authToken)
	withCallback := sendWithCallback(t, rc, jo, base+"/twilio/status")
	elsewhere := sendWithCallback(t, rc, ana, base+"/twilio/gone")
	if _, err := send(rc, program, jo, "no callback"); err != nil {
		t.Fatalf("send: %v", err)
	}
	noCallback := srv.Messages()[2].SID

	tests := []struct {
		name, sid, status string
		wantErr           string
	}{
		{"unknown message", "SM00000000000000000000000000000000", "delivered", "no message"},
		{"no StatusCallback", noCallback, "delivered", "StatusCallback"},
		{"not a status", withCallback, "bounced", "not a message status"},
		{"webhook answers 404", elsewhere, "delivered", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := srv.MessageStatus(context.Background(), tt.sid, tt.status, 0)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestFailDelivery(t *testing.T) {
	srv := newServer(t)
	h, base := startHook(t, map[string]string{"/twilio/status": ""})
	rc := restClient(srv, accountSID, authToken)
	srv.FailDelivery(jo, 1, 30003)

	first := sendWithCallback(t, rc, jo, base+"/twilio/status")
	select {
	case r := <-h.arrived:
		checkForm(t, r.form, map[string]string{
			"MessageSid": first, "SmsSid": first, "AccountSid": accountSID, "From": program, "To": jo,
			"MessageStatus": "undelivered", "SmsStatus": "undelivered", "ErrorCode": "30003", "ApiVersion": "2010-04-01",
		})
	case <-time.After(5 * time.Second):
		t.Fatal("no undelivered callback")
	}
	sendWithCallback(t, rc, jo, base+"/twilio/status")
	sendWithCallback(t, rc, ana, base+"/twilio/status")

	// Close waits for callbacks in flight, so after it nothing more can come.
	srv.Close()
	if n := len(h.requests()); n != 1 {
		t.Errorf("status callback got %d requests, want only the first message's", n)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("recorded %d messages, want all 3: an undelivered one is still sent", n)
	}
}
