package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"

	"github.com/leadline/leadline/datakey"
	"github.com/leadline/leadline/internal/e2e"
	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/referral"
)

// keyOf runs `leadline keys new` and parses what it printed.
func keyOf(t *testing.T) (string, *datakey.Keys) {
	t.Helper()
	code, out, errOut := runCmd(t, "", nil, "keys", "new")
	if code != 0 {
		t.Fatalf("keys new: exit %d: %s", code, errOut)
	}
	k, err := datakey.Parse(out)
	if err != nil {
		t.Fatalf("keys new printed what does not parse: %v", err)
	}
	return strings.TrimSpace(out), k
}

func TestKeysNewRotateShow(t *testing.T) {
	key, k := keyOf(t)
	sealed, _ := k.Seal("by the bus shelter", "referral:R7K2", "notes")
	env := map[string]string{datakey.EnvKey: key}
	code, out, _ := runCmd(t, "", env, "keys", "show")
	if code != 0 || !strings.Contains(out, "(primary)") || strings.Contains(out, key[:20]) {
		t.Errorf("keys show: exit %d: %s", code, out)
	}
	code, rotated, info := runCmd(t, "", env, "keys", "rotate")
	if code != 0 || strings.Count(info, ",") != 1 {
		t.Fatalf("keys rotate: exit %d: %s", code, info)
	}
	r, err := datakey.Parse(rotated)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := r.Open(sealed, "referral:R7K2", "notes"); err != nil || got != "by the bus shelter" {
		t.Errorf("the rotated key does not open the old: %q %v", got, err)
	}
	if code, _, errOut := runCmd(t, "", nil, "keys", "rotate"); code != 1 || !strings.Contains(errOut, "no data key") {
		t.Errorf("rotate without a key: exit %d: %s", code, errOut)
	}
	if code, _, _ := runCmd(t, "", nil, "keys", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: exit %d", code)
	}
}

// weakKey is a data key an operator made by hand with a 128-bit AES key.
func weakKey(t *testing.T) string {
	t.Helper()
	a, _ := keyset.NewHandle(aead.AES128GCMKeyTemplate())
	p, _ := keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate())
	s, err := datakey.Compose(a, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckEnvRefusesMissingOrWeakSecrets(t *testing.T) {
	key, _ := keyOf(t)
	good := func() map[string]string {
		return map[string]string{"TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef",
			"TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef", "LEADLINE_PUBLIC_URL": "https://lead.example.org",
			datakey.EnvKey: key, "LEADLINE_ADMIN_TOKEN": "9f1c2e7a4b8d0635e1f2a9c7b3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a"}
	}
	config := writeSample(t, nil)
	if code, out, _ := runCmd(t, "", good(), "check", "--config", config, "--env"); code != 0 || !strings.HasSuffix(out, "OK\n") {
		t.Fatalf("a good environment: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want string
	}{
		{"no data key", func(e map[string]string) { delete(e, datakey.EnvKey) }, "no data key: set LEADLINE_DATA_KEY"},
		{"a 128-bit key", func(e map[string]string) { e[datakey.EnvKey] = weakKey(t) }, "has 128 bits; 256 are needed"},
		{"a password for a key", func(e map[string]string) { e[datakey.EnvKey] = "correct horse battery staple" }, "not base64"},
		{"a missing key file", func(e map[string]string) {
			delete(e, datakey.EnvKey)
			e[datakey.EnvFile] = "/nonexistent/key"
		}, "no such file"},
		{"a short admin token", func(e map[string]string) { e["LEADLINE_ADMIN_TOKEN"] = "letmein" }, "has 7 characters: use at least 32"},
		{"a repeated admin token", func(e map[string]string) { e["LEADLINE_ADMIN_TOKEN"] = strings.Repeat("ab", 20) }, "only 2 different characters"},
		{"no auth token", func(e map[string]string) { delete(e, "TWILIO_AUTH_TOKEN") }, "TWILIO_AUTH_TOKEN is required"},
		{"a short auth token", func(e map[string]string) { e["TWILIO_AUTH_TOKEN"] = "abc123" }, "Twilio's have 32"},
		{"an http public URL", func(e map[string]string) { e["LEADLINE_PUBLIC_URL"] = "http://lead.example.org" }, "must be an https URL"},
		{"a bad Redis URL", func(e map[string]string) { e["REDIS_URL"] = "redis://:s3cr3t@host:port/0" }, "REDIS_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := good()
			tc.edit(env)
			code, out, _ := runCmd(t, "", env, "check", "--config", config, "--env")
			if code != 1 || !strings.Contains(out, "error: environment: ") || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, want 1 with %q:\n%s", code, tc.want, out)
			}
			if strings.Contains(out, "s3cr3t") {
				t.Errorf("the Redis password is printed:\n%s", out)
			}
			// serve refuses the same environment before it listens.
			if code, _, errOut := runCmd(t, "", env, "serve", "--config", config); code != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("serve: exit %d, want 1 with %q:\n%s", code, tc.want, errOut)
			}
		})
	}
}

// legacyName is how a version before the data key named a number.
func legacyName(number string) string {
	sum := sha256.Sum256([]byte(number))
	return hex.EncodeToString(sum[:8])
}

// A Redis written by a version before the data key: a referral with its
// details in the clear, a participant under the unkeyed name with their
// consent. `keys reseal` seals the details and renames the participant,
// consent kept; the store reads it all back.
func TestKeysUpgradeFromClearText(t *testing.T) {
	rdb, addr := redistest.Start(t)
	ctx := context.Background()
	key, k := keyOf(t)
	const p = "leadline:{dispatch}:"
	old := legacyName("+14125550177")
	rdb.HSet(ctx, p+"referral:R7K2", "code", "R7K2", "type", "arrest", "cohort", "north", "state", "closed",
		"officer", "osmith", "location", "5th and Pine", "lat", "40.4473", "lon", "-80.0076", "notes", "green parka",
		"participant", "+14125550177", "appt_place", "123 Center Ave", "received_at", "2026-11-23T14:00:00Z")
	rdb.HSet(ctx, p+"participant:"+old, "phone", "+14125550177", "consent", "yes", "code", "R7K2")
	rdb.SAdd(ctx, p+"participant:"+old+":codes", "R7K2")

	env := map[string]string{"REDIS_URL": "redis://" + addr + "/0", datakey.EnvKey: key}
	code, out, errOut := runCmd(t, "", env, "keys", "reseal")
	if code != 0 || !strings.Contains(out, "sealed 7 referral fields and 1 participant fields; renamed 1 participants") {
		t.Fatalf("keys reseal: exit %d: %s%s", code, out, errOut)
	}
	for _, s := range []string{"green parka", "Pine", "40.4473", "4125550177", "Center Ave"} {
		for _, key := range rdb.Keys(ctx, "*").Val() {
			if v := rdb.HGetAll(ctx, key).Val(); strings.Contains(strings.Join(mapValues(v), " "), s) {
				t.Errorf("%s still holds %q in the clear", key, s)
			}
		}
	}
	if rdb.Exists(ctx, p+"participant:"+old).Val() != 0 {
		t.Error("the participant is still under the unkeyed name")
	}
	renamed := p + "participant:" + k.Name("+14125550177")
	if c := rdb.HGet(ctx, renamed, "consent").Val(); c != "yes" || rdb.SIsMember(ctx, renamed+":codes", "R7K2").Val() != true {
		t.Errorf("the renamed participant lost their consent or codes: %q", c)
	}
	r, err := referral.NewStore(rdb, nil, func() time.Time { return cmdNow }, time.Hour, k).Load(ctx, "R7K2")
	if err != nil || r.Notes != "green parka" || r.Participant != "+14125550177" || r.Lat != 40.4473 || r.ApptPlace != "123 Center Ave" {
		t.Fatalf("read back: %+v, %v", r, err)
	}
	// A second run has nothing left to do.
	if _, out, _ := runCmd(t, "", env, "keys", "reseal"); !strings.Contains(out, "sealed 0 referral fields and 0 participant fields; renamed 0") {
		t.Errorf("second reseal: %s", out)
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// serve does at its first start what `keys reseal` does, once: a Redis an
// older version wrote is sealed and its participants renamed before serve
// is ready.
func TestServeSealsWhatAnOlderVersionStoredAtStart(t *testing.T) {
	rdb, _ := redistest.Start(t)
	ctx := context.Background()
	const p = "leadline:{dispatch}:"
	old := legacyName("+14125550177")
	rdb.HSet(ctx, p+"referral:R7K2", "code", "R7K2", "type", "arrest", "cohort", "north", "state", "closed",
		"notes", "green parka", "received_at", "2026-11-23T14:00:00Z")
	rdb.HSet(ctx, p+"participant:"+old, "phone", "+14125550177", "consent", "yes")
	waitReady(t, startServe(t, rdb, nil).base)
	if v := rdb.HGet(ctx, p+"referral:R7K2", "notes").Val(); !datakey.Sealed(v) {
		t.Errorf("notes after serve started: %q", v)
	}
	if rdb.HGet(ctx, p+"participant:"+e2e.Keys().Name("+14125550177"), "consent").Val() != "yes" {
		t.Error("the participant was not renamed with their consent")
	}
	if rdb.Exists(ctx, p+"upgraded:datakey").Val() != 1 {
		t.Error("the upgrade is not marked done")
	}
}
