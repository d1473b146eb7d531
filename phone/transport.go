package phone

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// rewrite sends every request to base instead of the host twilio-go chose
// (api.twilio.com, or an edge or region host), keeping Twilio's path under
// base's own path. twilio-go has no base URL setting, and this is the one
// place all its requests pass through.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (t rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the caller's request.
	out := req.Clone(req.Context())
	out.URL.Scheme = t.base.Scheme
	out.URL.Host = t.base.Host
	out.URL.Path = strings.TrimSuffix(t.base.Path, "/") + req.URL.Path
	out.URL.RawPath = ""
	out.Host = ""
	return t.next.RoundTrip(out)
}

// parseAPIURL checks a base URL for a Twilio-compatible API.
func parseAPIURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("twilio API URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("twilio API URL %q: want http:// or https:// and a host", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("twilio API URL %q: want no query or fragment", s)
	}
	return u, nil
}
