package console

import (
	"context"
	"net/url"

	"github.com/labstack/echo/v4"
)

// OIDCConfig turns on single sign-on with an OpenID Connect provider; the
// person is the one whose email in the config is the ID token's (verified)
// email.
type OIDCConfig struct {
	Name         string // shown on the button: "Sign in with <Name>"
	Issuer       string // the provider's issuer URL (discovery at /.well-known/openid-configuration)
	ClientID     string
	ClientSecret string
}

// oidcLogin is the single sign-on flow; nil when it is off.
type oidcLogin struct{ name string }

func newOIDCLogin(ctx context.Context, cfg OIDCConfig, public *url.URL) (*oidcLogin, error) {
	return &oidcLogin{name: cfg.Name}, nil
}

func (s *Server) oidcName() string {
	if s.oidc == nil {
		return ""
	}
	return s.oidc.name
}

func (s *Server) oidcStart(c echo.Context) error    { return echo.ErrNotFound }
func (s *Server) oidcCallback(c echo.Context) error { return echo.ErrNotFound }
