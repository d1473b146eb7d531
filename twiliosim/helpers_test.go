package twiliosim_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/clocktest"

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

// simStart is when the simulator's clock reads in tests that do not move it.
var simStart = time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC)

func newServer(t *testing.T) *twiliosim.Server {
	t.Helper()
	srv := twiliosim.New(twiliosim.Options{AccountSID: accountSID, AuthToken: authToken, Clock: clocktest.New(simStart).Now})
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

func placeCall(rc *twilio.RestClient, to, twimlURL, statusCallback string) (*api.ApiV2010Call, error) {
	p := &api.CreateCallParams{}
	p.SetFrom(program).SetTo(to).SetUrl(twimlURL).SetMethod("POST")
	if statusCallback != "" {
		p.SetStatusCallback(statusCallback).SetStatusCallbackMethod("POST")
	}
	return rc.Api.CreateCall(p)
}

// hook stands in for the service's voice and status webhooks: it answers
// each path (and query) with the body in pages, 404 for others, after
// checking the request's signature with Signature, and records what it got.
type hook struct {
	token string
	base  string            // URL the hook serves at
	pages map[string]string // by request URI

	mu  sync.Mutex
	got []request
	// arrived gets every request too, for callbacks the simulator posts on
	// its own.
	arrived chan request
}

// request is one webhook request as the service saw it.
type request struct {
	uri  string // path and query
	form url.Values
}

// startHook serves pages and returns the hook and its base URL.
func startHook(t *testing.T, pages map[string]string) (*hook, string) {
	t.Helper()
	h := &hook{token: authToken, pages: pages, arrived: make(chan request, 64)}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	h.base = hs.URL
	return h, hs.URL
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	full := "http://" + r.Host + r.URL.RequestURI()
	if r.Method != http.MethodPost || r.Header.Get("X-Twilio-Signature") != twiliosim.Signature(h.token, full, r.PostForm) {
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	req := request{uri: r.URL.RequestURI(), form: r.PostForm}
	h.mu.Lock()
	h.got = append(h.got, req)
	h.mu.Unlock()
	select {
	case h.arrived <- req:
	default: // nobody is waiting for this many
	}
	page, ok := h.pages[req.uri]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, page)
}

// requests returns what the hook got, oldest first.
func (h *hook) requests() []request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]request(nil), h.got...)
}

// to returns the requests to uri.
func (h *hook) to(uri string) []request {
	var out []request
	for _, r := range h.requests() {
		if r.uri == uri {
			out = append(out, r)
		}
	}
	return out
}

// checkForm fails for each field of want that form does not have.
func checkForm(t *testing.T, form url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got, ok := form[k]; !ok || form.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}
