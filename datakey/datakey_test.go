package datakey_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"

	"github.com/leadline/leadline/datakey"
)

func mustNew(t *testing.T) *datakey.Keys {
	t.Helper()
	k, err := datakey.New()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpensOnlyWhereItWasSealed(t *testing.T) {
	k := mustNew(t)
	sealed, err := k.Seal("behind the library, 5th and Pine", "referral:R7K2", "location")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "library") || !datakey.Sealed(sealed) {
		t.Fatalf("sealed value %q", sealed)
	}
	if got, err := k.Open(sealed, "referral:R7K2", "location"); err != nil || got != "behind the library, 5th and Pine" {
		t.Fatalf("open = %q, %v", got, err)
	}
	// Copied to another referral or another field, it does not open.
	for _, aad := range [][]string{{"referral:ABCD", "location"}, {"referral:R7K2", "notes"}, nil} {
		if _, err := k.Open(sealed, aad...); err == nil {
			t.Errorf("opened under %q", aad)
		}
	}
	// Another program's key does not open it.
	if _, err := mustNew(t).Open(sealed, "referral:R7K2", "location"); err == nil {
		t.Error("another key opened it")
	}
	// Empty stays empty; a value stored before the key reads as it is.
	if s, _ := k.Seal(""); s != "" {
		t.Errorf("empty sealed as %q", s)
	}
	if got, err := k.Open("plain old note", "referral:R7K2", "notes"); err != nil || got != "plain old note" {
		t.Errorf("legacy value = %q, %v", got, err)
	}
}

func TestRotateKeepsOldValuesReadable(t *testing.T) {
	k := mustNew(t)
	old, _ := k.Seal("+14125550177", "participant:x", "phone")
	exported, err := k.Export()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := datakey.Parse(exported)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := parsed.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(old, "participant:x", "phone"); err != nil || got != "+14125550177" {
		t.Fatalf("rotated key opens old value: %q, %v", got, err)
	}
	if rotated.Current(old) || !k.Current(old) {
		t.Error("Current should say the old value needs resealing under the rotated key only")
	}
	fresh, _ := rotated.Seal("+14125550177", "participant:x", "phone")
	if !rotated.Current(fresh) {
		t.Error("a value sealed now is not current")
	}
	if _, err := k.Open(fresh, "participant:x", "phone"); err == nil {
		t.Error("the key before rotation opened a value sealed after it")
	}
	// Names do not change with rotation: participants keep their keys.
	if k.Name("+14125550177") != rotated.Name("+14125550177") {
		t.Error("rotation renamed a number")
	}
	if !strings.Contains(rotated.Info(), "(primary)") || strings.Count(rotated.Info(), ",") != 1 {
		t.Errorf("info = %q", rotated.Info())
	}
}

func TestNameIsKeyed(t *testing.T) {
	a, b := mustNew(t), mustNew(t)
	n := a.Name("+14125550177")
	if len(n) != 32 || n != a.Name("+14125550177") {
		t.Fatalf("name %q not stable 128-bit hex", n)
	}
	if n == b.Name("+14125550177") || n == a.Name("+14125550178") {
		t.Error("names collide across keys or numbers")
	}
}

// export writes keysets the way an operator might have made them by hand.
func export(t *testing.T, a, p *keyset.Handle) string {
	t.Helper()
	s, err := datakey.Compose(a, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func handle(t *testing.T, kt *tinkpb.KeyTemplate) *keyset.Handle {
	t.Helper()
	h, err := keyset.NewHandle(kt)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestParseRefusesWeakOrWrongKeys(t *testing.T) {
	gcm256, hmac256 := handle(t, aead.AES256GCMKeyTemplate()), handle(t, prf.HMACSHA256PRFKeyTemplate())
	for _, tc := range []struct {
		name, key, want string
	}{
		{"empty", "", "not a Leadline data key"},
		{"not base64", "hunter2!!", "not base64"},
		{"a password", base64.StdEncoding.EncodeToString([]byte("correct horse battery staple")), "not a Leadline data key"},
		{"AES-128", export(t, handle(t, aead.AES128GCMKeyTemplate()), hmac256), "128 bits"},
		{"ChaCha", export(t, handle(t, aead.ChaCha20Poly1305KeyTemplate()), hmac256), "not AES-GCM"},
		{"HMAC-SHA-512 names", export(t, gcm256, handle(t, prf.HMACSHA512PRFKeyTemplate())), "HMAC-SHA-256"},
		{"AES-CMAC names", export(t, gcm256, handle(t, prf.AESCMACPRFKeyTemplate())), "one HMAC PRF key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datakey.Parse(tc.key)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := datakey.Parse(export(t, gcm256, hmac256)); err != nil {
		t.Fatalf("a strong hand-made key: %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	k := mustNew(t)
	s, _ := k.Export()
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte(s+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, env := range []map[string]string{{datakey.EnvKey: s}, {datakey.EnvFile: file}} {
		got, err := datakey.FromEnv(func(k string) string { return env[k] })
		if err != nil || got.Name("x") != k.Name("x") {
			t.Errorf("%v: %v", env, err)
		}
	}
	if _, err := datakey.FromEnv(func(string) string { return "" }); err != datakey.ErrNoKey {
		t.Errorf("no key: %v", err)
	}
}
