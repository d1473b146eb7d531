package twiliosim_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/leadline/leadline/twiliosim"
)

const (
	accountSID = "AC00000000000000000000000000000001"
	authToken  = "secrettoken42"
	program    = "+14125550100"
	jo         = "+14125550111"
	ana        = "+14125550112"
)

func newServer(t *testing.T) *twiliosim.Server {
	t.Helper()
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken})
	t.Cleanup(srv.Close)
	return srv
}

// restClient is the real twilio-go client sending to srv, as phone.Client
// does, without phone's retries in the way.
func restClient(srv *twiliosim.Server, sid, token string) *twilio.RestClient {
	base, _ := url.Parse(srv.URL())
	c := &client.Client{
		Credentials: client.NewCredentials(sid, token),
		HTTPClient:  &http.Client{Transport: redirect{base}, Timeout: 5 * time.Second},
	}
	c.SetAccountSid(sid)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})
}

type redirect struct{ base *url.URL }

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.base.Scheme, r.base.Host, ""
	return http.DefaultTransport.RoundTrip(req)
}

func send(rc *twilio.RestClient, from, to, body string) (*api.ApiV2010Message, error) {
	p := &api.CreateMessageParams{}
	p.SetFrom(from)
	p.SetTo(to)
	p.SetBody(body)
	return rc.Api.CreateMessage(p)
}
