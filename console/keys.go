package console

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

const prefix = "leadline:{console}:"

// The console's Redis keys; doc.go lists them.
const (
	csrfKey  = prefix + "csrf"
	auditKey = prefix + "audit"
)

func attemptKey(token string) string { return prefix + "attempt:" + hash(token) }
func sessionKey(id string) string    { return prefix + "session:" + hash(id) }
func oidcKey(state string) string    { return prefix + "oidc:" + hash(state) }

// icalKeyOfHash is a calendar feed link's key, by its token's hash;
// icalsKey indexes a person's links by feed.
func icalKeyOfHash(h string) string { return prefix + "ical:" + h }
func icalsKey(person string) string { return prefix + "icals:" + person }

// rateKey counts codes asked for one number or from one client address
// (what: "number" or "addr") in the rate window holding now.
func rateKey(what, value string, now time.Time) string {
	return prefix + "rate:" + what + ":" + hash(value) + ":" + strconv.FormatInt(now.UnixMilli()/RateWindow.Milliseconds(), 10)
}

// hash is how secrets and numbers appear in keys.
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
