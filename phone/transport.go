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
	// Errors never quote the URL as given: it may hold a password.
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("twilio API URL %q is not a URL", redactURL(s))
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("twilio API URL %q: want http:// or https:// and a host", redactURL(s))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("twilio API URL %q: want no query or fragment", redactURL(s))
	}
	return u, nil
}

// redactURL hides whatever stands between "://" and the last "@" before
// the path: user and password, even where they make the URL unreadable.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		scheme, rest = "", s
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host = rest[:i]
	}
	at := strings.LastIndex(host, "@")
	if at < 0 {
		return s
	}
	if scheme != "" {
		scheme += "://"
	}
	return scheme + "xxxxx" + rest[at:]
}
