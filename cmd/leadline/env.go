package main

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/internal/redisurl"
	"github.com/leadline/leadline/phone"
)

// checkEnv is every problem with the environment serve reads: what is
// missing, malformed or weak. serve refuses to start on any of them, and
// `check --env` lists them.
func checkEnv(getenv func(string) string) []error {
	var errs []error
	for _, name := range []string{"TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "LEADLINE_PUBLIC_URL"} {
		if getenv(name) == "" {
			errs = append(errs, fmt.Errorf("%s is required", name))
		}
	}
	if getenv("TWILIO_ACCOUNT_SID") != "" && getenv("TWILIO_AUTH_TOKEN") != "" {
		twilio := phone.ClientConfig{AccountSID: getenv("TWILIO_ACCOUNT_SID"), AuthToken: getenv("TWILIO_AUTH_TOKEN"),
			APIURL: getenv("LEADLINE_TWILIO_API_URL")}
		if err := twilio.Validate(); err != nil {
			errs = append(errs, err)
		} else if len(twilio.AuthToken) < 32 {
			errs = append(errs, fmt.Errorf("TWILIO_AUTH_TOKEN has %d characters; Twilio's have 32", len(twilio.AuthToken)))
		}
	}
	if u := getenv("LEADLINE_PUBLIC_URL"); u != "" {
		if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "https" && !loopbackHost(p.Hostname())) {
			errs = append(errs, errors.New("LEADLINE_PUBLIC_URL must be an https URL (Twilio signs the URL it calls; http only on this machine)"))
		}
	}
	if _, err := datakey.FromEnv(getenv); err != nil {
		errs = append(errs, err)
	}
	if tok := getenv("LEADLINE_ADMIN_TOKEN"); tok != "" {
		if err := strongToken(tok); err != nil {
			errs = append(errs, fmt.Errorf("LEADLINE_ADMIN_TOKEN %w: use openssl rand -hex 32, or unset it to turn the admin API off", err))
		}
	}
	if s := getenv("LEADLINE_REDIS_SETTINGS"); s != "" && s != "warn" && s != "refuse" {
		errs = append(errs, fmt.Errorf("LEADLINE_REDIS_SETTINGS %q: want warn or refuse", s))
	}
	if d := getenv("LEADLINE_DRAIN"); d != "" {
		if v, err := time.ParseDuration(d); err != nil || v < 0 {
			errs = append(errs, fmt.Errorf("LEADLINE_DRAIN %q: want a duration such as 5s or 0s", d))
		}
	}
	if u := getenv("REDIS_URL"); u != "" {
		if _, err := redisurl.Parse(u); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// strongToken refuses a token a person might guess: short, or a few
// characters repeated.
func strongToken(tok string) error {
	if len(tok) < minAdminToken {
		return fmt.Errorf("has %d characters: use at least %d", len(tok), minAdminToken)
	}
	distinct := map[rune]bool{}
	for _, r := range tok {
		distinct[r] = true
	}
	if len(distinct) < 10 {
		return fmt.Errorf("uses only %d different characters", len(distinct))
	}
	return nil
}

func loopbackHost(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}
