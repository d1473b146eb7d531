package twiliosim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// A redaction is an update with an empty Body: refused while the text is
// in flight (20009), refused when it is not a redaction (30400) or for a
// message that does not exist (20404); taken once the text is complete,
// and again after. The log's body is then empty; the phone keeps its text.
func TestRedactMessage(t *testing.T) {
	srv := newServer(t)
	_, base := startHook(t, map[string]string{"/twilio/status": ""})
	rc := restClient(srv, accountSID, authToken)
	sid := sendWithCallback(t, rc, jo, base+"/twilio/status")
	redact := func(sid string, body *string) (*api.ApiV2010Message, int) {
		t.Helper()
		p := &api.UpdateMessageParams{Body: body}
		res, err := rc.Api.UpdateMessage(sid, p)
		var rest *client.TwilioRestError
		if errors.As(err, &rest) {
			return nil, rest.Code
		}
		if err != nil {
			t.Fatalf("UpdateMessage: %v", err)
		}
		return res, 0
	}
	empty, words := "", "something else"
	if _, code := redact(sid, &empty); code != 20009 {
		t.Errorf("redacting a queued text: code %d, want 20009", code)
	}
	if err := srv.MessageStatus(context.Background(), sid, "delivered", 0); err != nil {
		t.Fatal(err)
	}
	for _, body := range []*string{nil, &words} {
		if _, code := redact(sid, body); code != 30400 {
			t.Errorf("update with Body %v: code %d, want 30400", body, code)
		}
	}
	if _, code := redact("SM00000000000000000000000000000000", &empty); code != 20404 {
		t.Errorf("redacting an unknown message: code %d, want 20404", code)
	}
	for range 2 {
		res, code := redact(sid, &empty)
		if code != 0 || res.Body == nil || *res.Body != "" || res.Status == nil || *res.Status != "delivered" {
			t.Fatalf("redaction answered %d %+v", code, res)
		}
	}
	if r, ok := srv.Record(sid); !ok || r.Body != "" || !r.Redacted || r.Status != "delivered" {
		t.Errorf("record after redaction: %+v", r)
	}
	if m := srv.Messages(); len(m) != 1 || m[0].Body != "KX7P paging" {
		t.Errorf("the phone's text changed: %+v", m)
	}
	if n := srv.Redactions(); n != 2 {
		t.Errorf("%d redactions, want 2", n)
	}
}
