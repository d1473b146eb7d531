package twiliosim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/leadline/leadline/internal/clocktest"
	"github.com/leadline/leadline/twiliosim"
)

// bodies reads the texts waiting for a phone, oldest first.
func bodies(t *testing.T, srv *twiliosim.Server, to string) []string {
	t.Helper()
	var out []string
	for range srv.Unread(to) {
		m, err := srv.NextMessage(context.Background(), to)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m.Body)
	}
	return out
}

// With AnswerKeywords, STOP, HELP and START are answered as Twilio answers
// them on a real number, STOP blocks every later text (REST with 21610,
// TwiML replies dropped) until START, and each still reaches the webhook.
func TestAnswerKeywordsAsTwilio(t *testing.T) {
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken,
		Clock: clocktest.New(simStart).Now, AnswerKeywords: true})
	t.Cleanup(srv.Close)
	h := &webhook{token: authToken, reply: echo}
	startWebhook(t, srv, h)
	rc := restClient(srv, accountSID, authToken)
	ctx := context.Background()

	steps := []struct {
		body string
		want []string // what jo gets back, in order
	}{
		{"HELP", []string{twiliosim.HelpReply, "you said HELP"}},
		{"stop texting me", []string{"you said stop texting me"}}, // not a keyword: a sentence
		{" Stop ", []string{twiliosim.StopReply}},                 // the webhook's reply is dropped
		{"hello?", nil},
		{"yes", []string{twiliosim.StartReply, "you said yes"}}, // YES after STOP opts back in
		{"cancel", []string{twiliosim.StopReply}},
		{"UNSTOP", []string{twiliosim.StartReply, "you said UNSTOP"}},
		{"yes", []string{"you said yes"}}, // YES when not opted out is a plain text
	}
	for i, st := range steps {
		if _, err := srv.Text(ctx, jo, program, st.body); err != nil {
			t.Fatalf("Text(%q): %v", st.body, err)
		}
		got := bodies(t, srv, jo)
		if len(got) != len(st.want) {
			t.Fatalf("after %q jo got %q, want %q", st.body, got, st.want)
		}
		for k := range got {
			if got[k] != st.want[k] {
				t.Errorf("after %q jo got %q, want %q", st.body, got, st.want)
			}
		}
		if n := len(h.got()); n != i+1 {
			t.Errorf("after %q the webhook got %d texts, want %d", st.body, n, i+1)
		}
	}

	if _, err := srv.Text(ctx, jo, program, "STOP"); err != nil {
		t.Fatal(err)
	}
	_ = bodies(t, srv, jo)
	_, err := send(rc, program, jo, "reminder")
	var rest *client.TwilioRestError
	if !errors.As(err, &rest) || rest.Code != 21610 {
		t.Fatalf("send after STOP: %v, want error 21610", err)
	}
	// Another number of ours, or another phone, is not blocked.
	if _, err := send(rc, "+14125550199", jo, "from another number"); err != nil {
		t.Errorf("send from another number after STOP: %v", err)
	}
	if _, err := send(rc, program, ana, "to another phone"); err != nil {
		t.Errorf("send to another phone after STOP: %v", err)
	}
	if _, err := srv.Text(ctx, jo, program, "START"); err != nil {
		t.Fatal(err)
	}
	if _, err := send(rc, program, jo, "reminder"); err != nil {
		t.Errorf("send after START: %v", err)
	}
}

// Off by default: keywords are plain texts, answered only by the webhook.
func TestKeywordsPlainByDefault(t *testing.T) {
	srv := newServer(t)
	startWebhook(t, srv, &webhook{token: authToken, reply: echo})
	rc := restClient(srv, accountSID, authToken)
	if _, err := srv.Text(context.Background(), jo, program, "STOP"); err != nil {
		t.Fatal(err)
	}
	if got := bodies(t, srv, jo); len(got) != 1 || got[0] != "you said STOP" {
		t.Errorf("after STOP jo got %q", got)
	}
	if _, err := send(rc, program, jo, "still sent"); err != nil {
		t.Errorf("send after STOP with keywords off: %v", err)
	}
}
