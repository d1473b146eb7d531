package main

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/leadline/leadline/console"
	"github.com/leadline/leadline/dispatch"
	"github.com/leadline/leadline/officer"
	"github.com/leadline/leadline/outbox"
)

// console builds the browser console that serve and demo answer on every
// path the webhooks server does not. Its sign-in codes are queued in the
// shared outbox, which the service's outbox workers send.
func (sv service) console(actions console.Actions) (*console.Server, error) {
	boxClock := sv.outboxClock
	if boxClock == nil {
		boxClock = sv.clock
	}
	box, err := outbox.New(sv.rdb, sv.twilio, outbox.Options{Clock: boxClock, Keys: sv.keys, Log: sv.log})
	if err != nil {
		return nil, err
	}
	ip, err := clientAddress(sv.trustedProxies)
	if err != nil {
		return nil, err
	}
	return console.New(console.Config{Program: sv.prog, Redis: sv.rdb, Clock: sv.clock, Keys: sv.keys, PublicURL: sv.publicURL,
		Texter: console.OutboxTexter{Box: box, From: sv.prog.Phone}, Log: sv.log, OIDC: sv.oidc, IPExtractor: ip,
		MapTiles: sv.mapTiles, MapAttribution: sv.mapAttribution, DemoSignIn: sv.demoSignIn, Actions: actions})
}

// consoleActions are the console's action forms on the service.
type consoleActions struct{ *dispatch.Service }

// Community keeps who referred and how the person is known in the notes,
// which the details retention removes with the rest of the encounter.
func (a consoleActions) Community(ctx context.Context, c console.CommunityReferral) (string, error) {
	return a.Service.Community(ctx, communityOf(c))
}

// communityOf is the form's referral as the service takes it.
func communityOf(c console.CommunityReferral) officer.Community {
	oc := officer.Community{By: c.By, Cohort: c.Cohort, Location: c.Location, Notes: c.AllNotes(), Assign: c.CaseManager}
	if c.TextReferrer {
		oc.Referrer = c.Callback
	}
	return oc
}

// clientAddress is how the console finds a client's address: the
// connection's peer, or with trusted proxies (comma-separated CIDRs, from
// LEADLINE_TRUSTED_PROXIES) the last X-Forwarded-For hop they did not add.
func clientAddress(cidrs string) (echo.IPExtractor, error) {
	if strings.TrimSpace(cidrs) == "" {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, c := range strings.Split(cidrs, ",") {
		_, n, err := net.ParseCIDR(strings.TrimSpace(c))
		if err != nil {
			return nil, fmt.Errorf("LEADLINE_TRUSTED_PROXIES: %q is not a CIDR like 10.0.0.0/8", strings.TrimSpace(c))
		}
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
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
