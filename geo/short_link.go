package geo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// LinkFollower finds where a short map link leads, by asking the service
// that shortened it.
type LinkFollower interface {
	Follow(ctx context.Context, link string) (string, error)
}

// ShortLinks follows short map links with one request each: no cookies,
// no further redirects, a short timeout. The link it leads to is read as
// any map link is; it is never logged (it holds where the officer is).
type ShortLinks struct {
	// Client sends the request; nil for a client with Timeout. Its
	// redirects and cookie jar are not used.
	Client *http.Client
	// Timeout bounds the request (default 3 s): the officer is waiting.
	Timeout time.Duration
}

// errNotFollowed means a short link did not lead to a map link.
var errNotFollowed = errors.New("the short link did not lead to a map link")

// Follow makes one GET of link and returns the Location it redirects to.
// The body is never read.
func (s ShortLinks) Follow(ctx context.Context, link string) (string, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !strings.Contains(link, "://") {
		link = "https://" + link
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "https" {
		return "", fmt.Errorf("%w: not an https link", ErrNoLocation)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("follow short link: %w", err)
	}
	c := http.Client{Timeout: timeout}
	if s.Client != nil {
		c = *s.Client
	}
	c.Jar = nil
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		// The error names the URL, which says where the officer is: keep it out.
		return "", fmt.Errorf("follow short link: %w", errNotFollowed)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode < 300 || resp.StatusCode > 399 || loc == "" {
		return "", fmt.Errorf("follow short link: status %d: %w", resp.StatusCode, errNotFollowed)
	}
	target, err := u.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("follow short link: %w", errNotFollowed)
	}
	return target.String(), nil
}

// followShortLink reads the short link in text by where it leads: the
// first word of text that is a link. A link that leads to another short
// link, or nowhere readable, is ErrShortLink still, so the officer is
// told how to share a pin that works.
func (r *Resolver) followShortLink(ctx context.Context, text string) (Location, error) {
	loc := Location{Given: strings.TrimSpace(text), Coords: true}
	for _, w := range strings.Fields(text) {
		if !isLink(strings.ToLower(w)) {
			continue
		}
		target, err := r.Links.Follow(ctx, w)
		if err != nil {
			return loc, fmt.Errorf("%w (%w)", ErrShortLink, err)
		}
		pt, err := parseLink(strings.ToLower(target))
		if err != nil {
			return loc, fmt.Errorf("%w (%w)", ErrShortLink, err)
		}
		loc.Point = pt
		return loc, nil
	}
	return loc, ErrShortLink
}
