package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"
)

// OIDCConfig turns on single sign-on with an OpenID Connect provider. The
// person signed in is the one whose email in the config is the ID token's
// email, which the provider must say it has verified; only staff may sign
// in this way too.
type OIDCConfig struct {
	Name         string // shown on the button: "Sign in with <Name>"
	Issuer       string // the provider's issuer URL (discovery at /.well-known/openid-configuration)
	ClientID     string
	ClientSecret string
}

// oidcFlowTTL is how long a sign-on may take between leaving for the
// provider and coming back.
const oidcFlowTTL = 10 * time.Minute

const oidcCookie = "leadline_oidc"

// oidcLogin is the single sign-on flow; nil when it is off. The provider's
// discovery document is read on first use (and again after a failure), so
// the console starts while the provider is down.
type oidcLogin struct {
	cfg      OIDCConfig
	redirect string
	mu       sync.Mutex
	provider *oidc.Provider
}

func newOIDCLogin(cfg OIDCConfig, public *url.URL) (*oidcLogin, error) {
	if cfg.Name == "" || cfg.Issuer == "" || cfg.ClientID == "" {
		return nil, errors.New("console: OIDC needs Name, Issuer and ClientID")
	}
	if public.Host == "" {
		return nil, errors.New("console: OIDC needs Config.PublicURL for its redirect URL")
	}
	return &oidcLogin{cfg: cfg, redirect: public.String() + "/signin/oidc/callback"}, nil
}

func (o *oidcLogin) oauth(ctx context.Context) (*oidc.Provider, *oauth2.Config, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider == nil {
		p, err := oidc.NewProvider(ctx, o.cfg.Issuer)
		if err != nil {
			return nil, nil, fmt.Errorf("console: OIDC discovery: %w", err)
		}
		o.provider = p
	}
	return o.provider, &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret,
		Endpoint: o.provider.Endpoint(), RedirectURL: o.redirect, Scopes: []string{oidc.ScopeOpenID, "email"}}, nil
}

func (s *Server) oidcName() string {
	if s.oidc == nil {
		return ""
	}
	return s.oidc.cfg.Name
}

// oidcStart sends the browser to the provider with a fresh state (also in
// a cookie, so the answer must come back to this browser), nonce and PKCE
// verifier, kept in Redis for oidcFlowTTL.
func (s *Server) oidcStart(c echo.Context) error {
	ctx := c.Request().Context()
	_, oc, err := s.oidc.oauth(ctx)
	if err != nil {
		s.log.Error("console: single sign-on", "err", err)
		return echo.NewHTTPError(http.StatusServiceUnavailable, "Single sign-on is not answering. Sign in with a texted code instead.")
	}
	state, nonce, verifier := newToken(), newToken(), oauth2.GenerateVerifier()
	k := oidcKey(state)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, k, "nonce", nonce, "verifier", verifier, "expires", s.now().Add(oidcFlowTTL).UnixMilli())
		p.Expire(ctx, k, oidcFlowTTL+time.Minute)
		return nil
	})
	if err != nil {
		return fmt.Errorf("console: store sign-on: %w", err)
	}
	s.setCookie(c.Response(), oidcCookie, state, int(oidcFlowTTL.Seconds()))
	return c.Redirect(http.StatusSeeOther, oc.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)))
}

var errSignOn = echo.NewHTTPError(http.StatusForbidden, "Single sign-on did not sign you in. Try again, or sign in with a texted code.")

// oidcCallback takes the provider's answer: the state must be this
// browser's and unused, the ID token valid for us (by the injected clock)
// with our nonce, its email verified and a staff member's.
func (s *Server) oidcCallback(c echo.Context) error {
	ctx := c.Request().Context()
	state := c.QueryParam("state")
	cookie := s.cookie(c.Request(), oidcCookie)
	s.setCookie(c.Response(), oidcCookie, "", -1)
	if state == "" || subtle.ConstantTimeCompare([]byte(state), []byte(cookie)) != 1 {
		return errSignOn
	}
	k := oidcKey(state)
	var flow *redis.MapStringStringCmd
	if _, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		flow = p.HGetAll(ctx, k)
		p.Del(ctx, k)
		return nil
	}); err != nil {
		return fmt.Errorf("console: read sign-on: %w", err)
	}
	f := flow.Val()
	expires, _ := strconv.ParseInt(f["expires"], 10, 64)
	if len(f) == 0 || s.now().UnixMilli() >= expires {
		return errSignOn
	}
	if c.QueryParam("error") != "" {
		return errSignOn
	}
	provider, oc, err := s.oidc.oauth(ctx)
	if err != nil {
		return err
	}
	tok, err := oc.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(f["verifier"]))
	if err != nil {
		s.log.Warn("console: single sign-on: code exchange", "err", err)
		return errSignOn
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: s.oidc.cfg.ClientID, Now: s.now}).Verify(ctx, raw)
	if err != nil || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f["nonce"])) != 1 {
		s.log.Warn("console: single sign-on: ID token refused", "err", err)
		return errSignOn
	}
	var claims struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email == "" || !claims.Verified {
		return errSignOn
	}
	p, ok := s.prog.PersonByEmail(claims.Email)
	if !ok || !p.Role.Staff() {
		return echo.NewHTTPError(http.StatusForbidden, "That account is not one of the program's staff. Sign in with a texted code, or ask your program manager.")
	}
	return s.startSession(c, p.ID, "oidc")
}
