package twiliosim_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/leadline/leadline/twiliosim"
)

func TestRESTSendIsRecorded(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken,
		Clock: func() time.Time { return at }})
	t.Cleanup(srv.Close)

	p := &api.CreateMessageParams{}
	p.SetFrom(program).SetTo(jo).SetBody("AD 4411 paging").SetStatusCallback("http://lead.test/twilio/status")
	res, err := restClient(srv, accountSID, authToken).Api.CreateMessage(p)
	if err != nil {
		t.Fatalf("CreateMessage: %v", err)
	}
	if res.Sid == nil || !strings.HasPrefix(*res.Sid, "SM") || len(*res.Sid) != 34 {
		t.Fatalf("sid = %v, want SM and 32 hex digits", res.Sid)
	}
	for name, got := range map[string]*string{
		"status": res.Status, "to": res.To, "from": res.From, "body": res.Body,
		"account_sid": res.AccountSid, "direction": res.Direction, "num_segments": res.NumSegments,
		"date_created": res.DateCreated,
	} {
		want := map[string]string{
			"status": "queued", "to": jo, "from": program, "body": "AD 4411 paging",
			"account_sid": accountSID, "direction": "outbound-api", "num_segments": "1",
			"date_created": "Mon, 02 Mar 2026 14:05:00 +0000",
		}[name]
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %q", name, got, want)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	m, err := srv.NextMessage(ctx, jo)
	if err != nil {
		t.Fatalf("NextMessage: %v", err)
	}
	want := twiliosim.Message{SID: *res.Sid, From: program, To: jo, Body: "AD 4411 paging", Via: "rest",
		StatusCallback: "http://lead.test/twilio/status", Segments: 1, At: at}
	if m != want {
		t.Errorf("NextMessage = %+v\nwant %+v", m, want)
	}
	if got := srv.Messages(); len(got) != 1 || got[0] != want {
		t.Errorf("Messages = %+v, want just %+v", got, want)
	}
	if n := srv.Attempts(jo); n != 1 {
		t.Errorf("Attempts = %d, want 1", n)
	}
}

func TestRESTRejects(t *testing.T) {
	tests := []struct {
		name             string
		sid, token, path string // path is the account SID in the URL
		from, to, body   string
		status, code     int
	}{
		{name: "wrong token", sid: accountSID, token: "wrongtoken", from: program, to: jo, body: "hi", status: 401, code: 20003},
		{name: "unknown account", sid: "AC99999999999999999999999999999999", token: authToken, from: program, to: jo, body: "hi", status: 401, code: 20003},
		{name: "another account's messages", sid: accountSID, token: authToken, path: "AC99999999999999999999999999999999", from: program, to: jo, body: "hi", status: 404, code: 20404},
		{name: "To not E.164", sid: accountSID, token: authToken, from: program, to: "412-555-0111", body: "hi", status: 400, code: 21211},
		{name: "To too short", sid: accountSID, token: authToken, from: program, to: "+1412555", body: "hi", status: 400, code: 21211},
		{name: "no To", sid: accountSID, token: authToken, from: program, body: "hi", status: 400, code: 21604},
		{name: "From not E.164", sid: accountSID, token: authToken, from: "LEAD", to: jo, body: "hi", status: 400, code: 21212},
		{name: "no From", sid: accountSID, token: authToken, to: jo, body: "hi", status: 400, code: 21603},
		{name: "no Body", sid: accountSID, token: authToken, from: program, to: jo, status: 400, code: 21602},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			p := &api.CreateMessageParams{}
			if tt.path != "" {
				p.SetPathAccountSid(tt.path)
			}
			if tt.from != "" {
				p.SetFrom(tt.from)
			}
			if tt.to != "" {
				p.SetTo(tt.to)
			}
			if tt.body != "" {
				p.SetBody(tt.body)
			}
			_, err := restClient(srv, tt.sid, tt.token).Api.CreateMessage(p)
			var rest *client.TwilioRestError
			if !errors.As(err, &rest) {
				t.Fatalf("err = %v, want a *client.TwilioRestError", err)
			}
			if rest.Status != tt.status || rest.Code != tt.code {
				t.Errorf("status %d code %d, want %d %d (%s)", rest.Status, rest.Code, tt.status, tt.code, rest.Message)
			}
			if want := "https://www.twilio.com/docs/errors/"; !strings.HasPrefix(rest.MoreInfo, want) {
				t.Errorf("more_info = %q, want it to start with %q", rest.MoreInfo, want)
			}
			if got := srv.Messages(); len(got) != 0 {
				t.Errorf("recorded %+v, want nothing", got)
			}
		})
	}
}

func TestFailSends(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		status, code int
		sends        int
		wantFailed   int // of sends, how many fail (the first ones)
	}{
		{name: "429 twice", n: 2, status: 429, code: 20429, sends: 3, wantFailed: 2},
		{name: "500 forever", n: -1, status: 500, code: 20500, sends: 4, wantFailed: 4},
		{name: "opted out once", n: 1, status: 400, code: 21610, sends: 2, wantFailed: 1},
		{name: "landline", n: 1, status: 400, code: 21614, sends: 1, wantFailed: 1},
		{name: "cleared", n: 0, status: 500, code: 20500, sends: 1, wantFailed: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			rc := restClient(srv, accountSID, authToken)
			srv.FailSends(jo, tt.n, tt.status, tt.code)
			for i := range tt.sends {
				_, err := send(rc, program, jo, "hello")
				if i >= tt.wantFailed {
					if err != nil {
						t.Fatalf("send %d: %v, want success", i+1, err)
					}
					continue
				}
				var rest *client.TwilioRestError
				if !errors.As(err, &rest) || rest.Status != tt.status || rest.Code != tt.code {
					t.Fatalf("send %d: err = %v, want status %d code %d", i+1, err, tt.status, tt.code)
				}
			}
			if got := srv.Attempts(jo); got != tt.sends {
				t.Errorf("Attempts = %d, want %d", got, tt.sends)
			}
			if got := len(srv.Messages()); got != tt.sends-tt.wantFailed {
				t.Errorf("recorded %d messages, want %d", got, tt.sends-tt.wantFailed)
			}
		})
	}
}

func TestFailSendsOnlyThatNumber(t *testing.T) {
	srv := newServer(t)
	rc := restClient(srv, accountSID, authToken)
	srv.FailSends(jo, -1, 500, 20500)
	if _, err := send(rc, program, ana, "hello"); err != nil {
		t.Fatalf("send to another number: %v", err)
	}
	if got := srv.Attempts(jo); got != 0 {
		t.Errorf("Attempts(jo) = %d, want 0", got)
	}
}
