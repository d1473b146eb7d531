// Package datakey holds the program's data key: what keeps the details
// Leadline stores unreadable to anyone who copies Redis (an RDB file, a
// replica, MONITOR). It is one document of two Tink keysets:
//
//   - an AEAD keyset (AES-256-GCM) that seals the fields that say who and
//     where: a referral's notes, location, place, coordinates, officer,
//     referrer and participant's number, the appointment's place, the
//     participant's number and waiting messages, every text body and
//     recipient the outbox keeps. Each sealed value is bound to where it is
//     kept (the key and field), so a value copied elsewhere does not open.
//     Rotation adds a key and makes it primary; older keys still open what
//     they sealed until `leadline keys reseal` has sealed it anew.
//   - a PRF keyset (HMAC-SHA-256) that names phone numbers in Redis keys
//     (participants, kept opt-outs, stranger counters, the outbox's
//     recipients): 128 bits, keyed, so a copy of Redis cannot be searched
//     by trying every number of an area code. It is not rotated: a new one
//     would rename every participant.
//
// The document is written as one line of base64 (LEADLINE_DATA_KEY), or a
// file holding that line (LEADLINE_DATA_KEY_FILE). It holds secret key
// material in the clear: keep it where the program keeps its Twilio token.
package datakey

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/insecurecleartextkeyset"
	"github.com/tink-crypto/tink-go/v2/keyset"
	"github.com/tink-crypto/tink-go/v2/prf"
	gcmpb "github.com/tink-crypto/tink-go/v2/proto/aes_gcm_go_proto"
	hmacprfpb "github.com/tink-crypto/tink-go/v2/proto/hmac_prf_go_proto"
	tinkpb "github.com/tink-crypto/tink-go/v2/proto/tink_go_proto"
	"github.com/tink-crypto/tink-go/v2/tink"
	"google.golang.org/protobuf/proto"
)

// The environment variables that carry the key.
const (
	EnvKey  = "LEADLINE_DATA_KEY"
	EnvFile = "LEADLINE_DATA_KEY_FILE"
)

// sealedPrefix starts every sealed value; a value without it was stored
// before the program had a key (read as it is until `keys reseal`).
const sealedPrefix = "sealed:v1:"

// nameBytes is how much of the HMAC names a number: 128 bits, far past
// any chance of two numbers sharing a name.
const nameBytes = 16

const (
	aesGCMType  = "type.googleapis.com/google.crypto.tink.AesGcmKey"
	hmacPRFType = "type.googleapis.com/google.crypto.tink.HmacPrfKey"
)

// ErrNoKey means neither LEADLINE_DATA_KEY nor LEADLINE_DATA_KEY_FILE is set.
var ErrNoKey = errors.New("no data key: set " + EnvKey + " or " + EnvFile + " (make one with `leadline keys new`)")

// Keys is a parsed data key.
type Keys struct {
	aeadKS, prfKS *keyset.Handle
	aead          tink.AEAD
	prf           *prf.Set
}

// document is the serialized form: two Tink keysets in their JSON form.
type document struct {
	AEAD json.RawMessage `json:"aead"`
	PRF  json.RawMessage `json:"prf"`
}

// New makes a fresh data key.
func New() (*Keys, error) {
	a, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("new data key: %w", err)
	}
	p, err := keyset.NewHandle(prf.HMACSHA256PRFKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("new data key: %w", err)
	}
	return fromHandles(a, p)
}

func fromHandles(a, p *keyset.Handle) (*Keys, error) {
	if err := strong(a, p); err != nil {
		return nil, err
	}
	prim, err := aead.New(a)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	set, err := prf.NewPRFSet(p)
	if err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	return &Keys{aeadKS: a, prfKS: p, aead: prim, prf: set}, nil
}

// strong refuses keysets that are not what `keys new` makes: AES-GCM with
// 256-bit keys for sealing, HMAC-SHA-256 with a 256-bit key for names.
func strong(a, p *keyset.Handle) error {
	for _, k := range insecurecleartextkeyset.KeysetMaterial(a).GetKey() {
		if k.GetKeyData().GetTypeUrl() != aesGCMType {
			return fmt.Errorf("data key: sealing key %d is %s, not AES-GCM", k.GetKeyId(), k.GetKeyData().GetTypeUrl())
		}
		var g gcmpb.AesGcmKey
		if err := proto.Unmarshal(k.GetKeyData().GetValue(), &g); err != nil {
			return fmt.Errorf("data key: sealing key %d: %w", k.GetKeyId(), err)
		}
		if len(g.GetKeyValue()) < 32 {
			return fmt.Errorf("data key: sealing key %d has %d bits; 256 are needed", k.GetKeyId(), 8*len(g.GetKeyValue()))
		}
	}
	ks := insecurecleartextkeyset.KeysetMaterial(p).GetKey()
	if len(ks) != 1 || ks[0].GetKeyData().GetTypeUrl() != hmacPRFType {
		return errors.New("data key: the naming keyset must hold one HMAC PRF key")
	}
	var h hmacprfpb.HmacPrfKey
	if err := proto.Unmarshal(ks[0].GetKeyData().GetValue(), &h); err != nil {
		return fmt.Errorf("data key: naming key: %w", err)
	}
	if len(h.GetKeyValue()) < 32 || h.GetParams().GetHash().String() != "SHA256" {
		return errors.New("data key: the naming key must be HMAC-SHA-256 with 256 bits")
	}
	return nil
}

// Parse reads a data key as `keys new` writes it.
func Parse(s string) (*Keys, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("data key: not base64 (make one with `leadline keys new`)")
	}
	var d document
	if err := json.Unmarshal(raw, &d); err != nil || len(d.AEAD) == 0 || len(d.PRF) == 0 {
		return nil, errors.New("data key: not a Leadline data key (make one with `leadline keys new`)")
	}
	a, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(d.AEAD)))
	if err != nil {
		return nil, fmt.Errorf("data key: sealing keyset: %w", err)
	}
	p, err := insecurecleartextkeyset.Read(keyset.NewJSONReader(bytes.NewReader(d.PRF)))
	if err != nil {
		return nil, fmt.Errorf("data key: naming keyset: %w", err)
	}
	return fromHandles(a, p)
}

// FromEnv reads the data key from LEADLINE_DATA_KEY, or the file named by
// LEADLINE_DATA_KEY_FILE; ErrNoKey when neither is set.
func FromEnv(getenv func(string) string) (*Keys, error) {
	if v := getenv(EnvKey); v != "" {
		return Parse(v)
	}
	if f := getenv(EnvFile); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("data key: %w", err)
		}
		return Parse(string(b))
	}
	return nil, ErrNoKey
}

// Export is the key as `keys new` writes it: secret.
func (k *Keys) Export() (string, error) { return Compose(k.aeadKS, k.prfKS) }

// Compose writes a data key from two Tink keysets made elsewhere (with
// tinkey, say): one of AEAD keys to seal, one of a PRF key to name. Parse
// judges whether they are strong enough.
func Compose(seal, name *keyset.Handle) (string, error) {
	var a, p bytes.Buffer
	if err := insecurecleartextkeyset.Write(seal, keyset.NewJSONWriter(&a)); err != nil {
		return "", fmt.Errorf("export data key: %w", err)
	}
	if err := insecurecleartextkeyset.Write(name, keyset.NewJSONWriter(&p)); err != nil {
		return "", fmt.Errorf("export data key: %w", err)
	}
	raw, err := json.Marshal(document{AEAD: a.Bytes(), PRF: p.Bytes()})
	if err != nil {
		return "", fmt.Errorf("export data key: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// Rotate returns the key with a new sealing key as primary; the older ones
// still open what they sealed.
func (k *Keys) Rotate() (*Keys, error) {
	m := keyset.NewManagerFromHandle(k.aeadKS)
	id, err := m.Add(aead.AES256GCMKeyTemplate())
	if err != nil {
		return nil, fmt.Errorf("rotate data key: %w", err)
	}
	if err := m.SetPrimary(id); err != nil {
		return nil, fmt.Errorf("rotate data key: %w", err)
	}
	h, err := m.Handle()
	if err != nil {
		return nil, fmt.Errorf("rotate data key: %w", err)
	}
	return fromHandles(h, k.prfKS)
}

// Info describes the key without its secrets, for `keys show` and logs.
func (k *Keys) Info() string {
	info := k.aeadKS.KeysetInfo()
	ids := make([]string, 0, len(info.GetKeyInfo()))
	for _, ki := range info.GetKeyInfo() {
		mark := ""
		if ki.GetKeyId() == info.GetPrimaryKeyId() {
			mark = " (primary)"
		}
		if ki.GetStatus() != tinkpb.KeyStatusType_ENABLED {
			mark += " " + ki.GetStatus().String()
		}
		ids = append(ids, fmt.Sprintf("%d%s", ki.GetKeyId(), mark))
	}
	return fmt.Sprintf("sealing keys (AES-256-GCM): %s; naming key: HMAC-SHA-256", strings.Join(ids, ", "))
}

// Seal seals plain, bound to where it is kept (aad: e.g. the Redis key
// and field). The empty string stays empty: an absent value says nothing.
func (k *Keys) Seal(plain string, aad ...string) (string, error) {
	if plain == "" {
		return "", nil
	}
	ct, err := k.aead.Encrypt([]byte(plain), bound(aad))
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Open opens what Seal sealed with the same aad. A value that was never
// sealed (stored before the program had a key) is returned as it is.
func (k *Keys) Open(v string, aad ...string) (string, error) {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v, nil
	}
	ct, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil {
		return "", errors.New("open: damaged sealed value")
	}
	pt, err := k.aead.Decrypt(ct, bound(aad))
	if err != nil {
		return "", fmt.Errorf("open: not sealed with this program's key, or not for this place: %w", err)
	}
	return string(pt), nil
}

// Current reports whether v is sealed under the primary key, so `keys
// reseal` can skip it; a plain value is not.
func (k *Keys) Current(v string) bool {
	rest, ok := strings.CutPrefix(v, sealedPrefix)
	if !ok {
		return v == ""
	}
	ct, err := base64.RawStdEncoding.DecodeString(rest)
	if err != nil || len(ct) < 5 {
		return false
	}
	id := uint32(ct[1])<<24 | uint32(ct[2])<<16 | uint32(ct[3])<<8 | uint32(ct[4])
	return id == k.aeadKS.KeysetInfo().GetPrimaryKeyId()
}

// Sealed reports whether v is a sealed value.
func Sealed(v string) bool { return strings.HasPrefix(v, sealedPrefix) }

// Name names a phone number (or any short identifier) in Redis keys: hex
// of a keyed HMAC-SHA-256, so the name cannot be found by hashing guesses.
func (k *Keys) Name(number string) string {
	out, err := k.prf.ComputePrimaryPRF([]byte(number), nameBytes)
	if err != nil {
		// Only an output length past the hash's could fail, and ours is fixed.
		panic(fmt.Sprintf("datakey: name: %v", err))
	}
	return hex.EncodeToString(out)
}

// bound is the associated data that ties a sealed value to its place.
func bound(aad []string) []byte { return []byte(strings.Join(aad, "\x00")) }
