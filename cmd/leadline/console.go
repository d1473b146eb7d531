package main

import (
	"net/http"
	"time"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/outbox"
)

// console builds the browser console that serve and demo answer on every
// path the webhooks server does not. Its sign-in codes are queued in the
// shared outbox, which the service's outbox workers send.
func (sv service) console() (http.Handler, error) {
	box, err := outbox.New(sv.rdb, sv.twilio, outbox.Options{Log: sv.log})
	if err != nil {
		return nil, err
	}
	clock := sv.clock
	if clock == nil {
		clock = time.Now
	}
	c, err := console.New(console.Config{Program: sv.prog, Redis: sv.rdb, Clock: clock, PublicURL: sv.publicURL,
		Texter: console.OutboxTexter{Box: box, From: sv.prog.Phone}, Log: sv.log, OIDC: sv.oidc})
	if err != nil {
		return nil, err
	}
	return c.Handler(), nil
}

// consoleOIDC reads the console's single sign-on settings; nil (off) unless
// LEADLINE_OIDC_ISSUER is set.
func consoleOIDC(getenv func(string) string) *console.OIDCConfig {
	if getenv("LEADLINE_OIDC_ISSUER") == "" {
		return nil
	}
	name := getenv("LEADLINE_OIDC_NAME")
	if name == "" {
		name = "single sign-on"
	}
	return &console.OIDCConfig{Name: name, Issuer: getenv("LEADLINE_OIDC_ISSUER"),
		ClientID: getenv("LEADLINE_OIDC_CLIENT_ID"), ClientSecret: getenv("LEADLINE_OIDC_CLIENT_SECRET")}
}
