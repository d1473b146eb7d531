package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/redis/go-redis/v9"
)

// csrfField is the form field (and csrfHeader the header, for scripts)
// that must carry the CSRF token on every POST.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// csrfKeys holds the key every instance signs CSRF tokens with: made once,
// kept in Redis, read on first use.
type csrfKeys struct {
	rdb redis.UniversalClient
	mu  sync.Mutex
	key []byte
}

func (k *csrfKeys) get(ctx context.Context) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	if err := k.rdb.SetNX(ctx, csrfKey, rand.Text()+rand.Text(), 0).Err(); err != nil {
		return nil, fmt.Errorf("console: csrf key: %w", err)
	}
	v, err := k.rdb.Get(ctx, csrfKey).Bytes()
	if err != nil {
		return nil, fmt.Errorf("console: csrf key: %w", err)
	}
	k.key = v
	return v, nil
}

// token is the CSRF token for a binding: "session:<id>" when signed in,
// else "anon:<the anonymous cookie>". A token is an HMAC of the binding, so
// it cannot be made without the key, and it is good only with the cookie
// it was made for.
func (k *csrfKeys) token(ctx context.Context, binding string) (string, error) {
	key, err := k.get(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(binding))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// check reports whether got is the token for binding, in constant time.
func (k *csrfKeys) check(ctx context.Context, binding, got string) (bool, error) {
	want, err := k.token(ctx, binding)
	if err != nil {
		return false, err
	}
	return got != "" && hmac.Equal([]byte(want), []byte(got)), nil
}
