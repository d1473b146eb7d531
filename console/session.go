package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Session lifetimes, by the injected clock.
const (
	IdleTimeout     = 30 * time.Minute // a session unused this long has ended
	AbsoluteTimeout = 12 * time.Hour   // and any session this old
)

// Session is one signed-in browser.
type Session struct {
	id      string // the cookie's secret; only its hash is stored
	Person  string
	Via     string // "sms" or "oidc"
	Created time.Time
	Seen    time.Time // this request
}

// IdleEnd is when the session ends if not used again.
func (s *Session) IdleEnd() time.Time {
	return minTime(s.Seen.Add(IdleTimeout), s.Created.Add(AbsoluteTimeout))
}

// End is when the session ends however much it is used.
func (s *Session) End() time.Time { return s.Created.Add(AbsoluteTimeout) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// sessionTTL is the Redis backstop: the clock-based check decides, the TTL
// only clears sessions nobody comes back to.
var sessionTTL = int((IdleTimeout + time.Minute).Seconds())

// touchSession reads a session and, if it has not run out by the idle or
// absolute limit, marks it seen now; one that has is deleted.
//
// KEYS: session. ARGV: now, idle, absolute (ms), TTL (s).
var touchSession = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'person', 'via', 'created', 'seen')
if not f[1] then return false end
local now = tonumber(ARGV[1])
if now - tonumber(f[4]) > tonumber(ARGV[2]) or now - tonumber(f[3]) > tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return false
end
redis.call('HSET', KEYS[1], 'seen', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return f
`)

var errNoSession = errors.New("no session")

// newSession stores a session for person and returns it.
func (s *Server) newSession(ctx context.Context, person, via string) (*Session, error) {
	now := s.now()
	ss := &Session{id: newToken(), Person: person, Via: via, Created: now, Seen: now}
	k := sessionKey(ss.id)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k, "person", person, "via", via, "created", now.UnixMilli(), "seen", now.UnixMilli())
		p.Expire(ctx, k, time.Duration(sessionTTL)*time.Second)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("console: store session: %w", err)
	}
	return ss, nil
}

// session finds the session a cookie names, renewing it; errNoSession if
// there is none or it has run out.
func (s *Server) session(ctx context.Context, id string) (*Session, error) {
	if id == "" {
		return nil, errNoSession
	}
	now := s.now()
	res, err := touchSession.Run(ctx, s.rdb, []string{sessionKey(id)}, now.UnixMilli(),
		IdleTimeout.Milliseconds(), AbsoluteTimeout.Milliseconds(), sessionTTL).StringSlice()
	if errors.Is(err, redis.Nil) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("console: read session: %w", err)
	}
	created, _ := strconv.ParseInt(res[2], 10, 64)
	return &Session{id: id, Person: res[0], Via: res[1], Created: time.UnixMilli(created), Seen: now}, nil
}

// endSession deletes a session (sign-out, or its person left the config).
func (s *Server) endSession(ctx context.Context, id string) error {
	if err := s.rdb.Del(ctx, sessionKey(id)).Err(); err != nil {
		return fmt.Errorf("console: end session: %w", err)
	}
	return nil
}

// Cookie names. On https the session cookie takes the __Host- prefix, which
// browsers accept only Secure, on Path=/ and without Domain.
const (
	sessionCookie = "leadline_session"
	attemptCookie = "leadline_signin"
	anonCookie    = "leadline_csrf"
)

func (s *Server) cookieName(name string) string {
	if s.secure {
		return "__Host-" + name
	}
	return name
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site,
// Secure on https; maxAge 0 is a browser-session cookie, below 0 deletes.
// Lax, not Strict, so that a link to the console from a text or an e-mail
// opens it signed in; every form is guarded by its CSRF token anyway.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}
