package twiliosim_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/leadline/leadline/twiliosim"
)

func TestRESTCallIsRecorded(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken,
		Clock: func() time.Time { return at }})
	t.Cleanup(srv.Close)

	p := &api.CreateCallParams{}
	p.SetFrom(program).SetTo(jo).SetUrl("https://lead.test/twilio/voice").SetMethod("POST").
		SetStatusCallback("https://lead.test/twilio/status").SetStatusCallbackMethod("POST").SetTimeout(25)
	res, err := restClient(srv, accountSID, authToken).Api.CreateCall(p)
	if err != nil {
		t.Fatalf("CreateCall: %v", err)
	}
	if res.Sid == nil || !strings.HasPrefix(*res.Sid, "CA") || len(*res.Sid) != 34 {
		t.Fatalf("sid = %v, want CA and 32 hex digits", res.Sid)
	}
	want := map[string]string{
		"status": "queued", "to": jo, "from": program, "account_sid": accountSID,
		"direction": "outbound-api", "api_version": "2010-04-01",
		"date_created": "Mon, 02 Mar 2026 14:05:00 +0000",
		"uri":          "/2010-04-01/Accounts/" + accountSID + "/Calls/" + *res.Sid + ".json",
	}
	for name, got := range map[string]*string{
		"status": res.Status, "to": res.To, "from": res.From, "account_sid": res.AccountSid,
		"direction": res.Direction, "api_version": res.ApiVersion, "date_created": res.DateCreated, "uri": res.Uri,
	} {
		if got == nil || *got != want[name] {
			t.Errorf("%s = %v, want %q", name, got, want[name])
		}
	}

	if u := srv.UnreadCalls(jo); len(u) != 1 {
		t.Errorf("UnreadCalls = %+v, want the call", u)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c, err := srv.NextCall(ctx, jo)
	if err != nil {
		t.Fatalf("NextCall: %v", err)
	}
	wantCall := twiliosim.Call{SID: *res.Sid, From: program, To: jo, URL: "https://lead.test/twilio/voice",
		StatusCallback: "https://lead.test/twilio/status", Ring: 25 * time.Second, At: at}
	if c != wantCall {
		t.Errorf("NextCall = %+v\nwant %+v", c, wantCall)
	}
	if got := srv.Calls(); len(got) != 1 || got[0] != wantCall {
		t.Errorf("Calls = %+v, want just %+v", got, wantCall)
	}
	if u := srv.UnreadCalls(jo); len(u) != 0 {
		t.Errorf("UnreadCalls after NextCall = %+v, want none", u)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("a call recorded %d messages", n)
	}
	if n := srv.Attempts(jo); n != 1 {
		t.Errorf("Attempts = %d, want 1", n)
	}
}

func TestRESTCallRejects(t *testing.T) {
	const hook = "https://lead.test/twilio/voice"
	tests := []struct {
		name             string
		sid, token, path string // path is the account SID in the URL
		from, to, url    string
		method           string
		timeout          int // 0 for none
		status, code     int
	}{
		{name: "wrong token", sid: accountSID, token: "wrongtoken", from: program, to: jo, url: hook, status: 401, code: 20003},
		{name: "another account's calls", sid: accountSID, token: authToken, path: "AC99999999999999999999999999999999", from: program, to: jo, url: hook, status: 404, code: 20404},
		{name: "To not E.164", sid: accountSID, token: authToken, from: program, to: "412-555-0111", url: hook, status: 400, code: 21211},
		{name: "no To", sid: accountSID, token: authToken, from: program, url: hook, status: 400, code: 21201},
		{name: "From not E.164", sid: accountSID, token: authToken, from: "LEAD", to: jo, url: hook, status: 400, code: 21212},
		{name: "no From", sid: accountSID, token: authToken, to: jo, url: hook, status: 400, code: 21213},
		{name: "no Url", sid: accountSID, token: authToken, from: program, to: jo, status: 400, code: 21205},
		{name: "relative Url", sid: accountSID, token: authToken, from: program, to: jo, url: "/twilio/voice", status: 400, code: 21205},
		{name: "GET TwiML", sid: accountSID, token: authToken, from: program, to: jo, url: hook, method: "GET", status: 400, code: 21200},
		{name: "negative Timeout", sid: accountSID, token: authToken, from: program, to: jo, url: hook, timeout: -1, status: 400, code: 21200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			p := &api.CreateCallParams{}
			if tt.path != "" {
				p.SetPathAccountSid(tt.path)
			}
			for _, f := range []struct {
				set func(string) *api.CreateCallParams
				v   string
			}{{p.SetFrom, tt.from}, {p.SetTo, tt.to}, {p.SetUrl, tt.url}, {p.SetMethod, tt.method}} {
				if f.v != "" {
					f.set(f.v)
				}
			}
			if tt.timeout != 0 {
				p.SetTimeout(tt.timeout)
			}
			_, err := restClient(srv, tt.sid, tt.token).Api.CreateCall(p)
			var rest *client.TwilioRestError
			if !errors.As(err, &rest) {
				t.Fatalf("err = %v, want a *client.TwilioRestError", err)
			}
			if rest.Status != tt.status || rest.Code != tt.code {
				t.Errorf("status %d code %d, want %d %d (%s)", rest.Status, rest.Code, tt.status, tt.code, rest.Message)
			}
			if got := srv.Calls(); len(got) != 0 {
				t.Errorf("recorded %+v, want nothing", got)
			}
		})
	}
}

func TestFailSendsFailsCalls(t *testing.T) {
	srv := newServer(t)
	rc := restClient(srv, accountSID, authToken)
	srv.FailSends(jo, 1, 429, 20429)

	_, err := placeCall(rc, jo, "https://lead.test/twilio/voice", "")
	var rest *client.TwilioRestError
	if !errors.As(err, &rest) || rest.Status != 429 || rest.Code != 20429 {
		t.Fatalf("first call: err = %v, want 429/20429", err)
	}
	if _, err := placeCall(rc, jo, "https://lead.test/twilio/voice", ""); err != nil {
		t.Fatalf("second call: %v", err)
	}
	if n := srv.Attempts(jo); n != 2 {
		t.Errorf("Attempts = %d, want 2", n)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("recorded %d calls, want 1", n)
	}
}

func TestNextCallWaitsThenCloses(t *testing.T) {
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken, Clock: clocktest.New(simStart).Now})
	defer srv.Close()
	rc := restClient(srv, accountSID, authToken)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	got := make(chan twiliosim.Call, 1)
	go func() {
		c, err := srv.NextCall(ctx, jo)
		if err != nil {
			t.Errorf("NextCall: %v", err)
		}
		got <- c
	}()
	res, err := placeCall(rc, jo, "https://lead.test/twilio/voice", "")
	if err != nil {
		t.Fatalf("place call: %v", err)
	}
	if c := <-got; c.SID != *res.Sid {
		t.Errorf("NextCall = %+v, want %s", c, *res.Sid)
	}

	short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancelShort()
	if _, err := srv.NextCall(short, ana); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("NextCall with nothing placed: err = %v, want DeadlineExceeded", err)
	}
	srv.Close()
	if _, err := srv.NextCall(ctx, jo); !errors.Is(err, twiliosim.ErrClosed) {
		t.Errorf("NextCall after Close: err = %v, want ErrClosed", err)
	}
}
