package console

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/redis/go-redis/v9"
)

// The sign-in code's rules.
const (
	CodeDigits = 6                // digits in a code
	CodeTTL    = 10 * time.Minute // how long a code may be entered
	MaxTries   = 5                // wrong entries that end a code
	// RateWindow is the window of the per-number and per-address limits.
	RateWindow = 15 * time.Minute
	// CodesPerNumber is how many codes one number may be sent in a window.
	CodesPerNumber = 3
	// CodesPerAddress is how many codes one client address may ask for in
	// a window, whoever's numbers it types.
	CodesPerAddress = 10
)

// Why a code request or entry was refused.
var (
	errTooManyForNumber  = errors.New("too many codes asked for this number")
	errTooManyForAddress = errors.New("too many codes asked from this address")
	errCodeWrong         = errors.New("wrong code")
	errCodeLocked        = errors.New("too many wrong codes")
	errCodeExpired       = errors.New("code expired")
)

// askCode counts a request against both limits and, within them, stores
// the attempt. Both counters move in the same script, whether or not the
// number is staff's, so the limits say nothing about who is staff.
//
// KEYS: attempt, rate:number, rate:addr. ARGV: person, code hash, expires
// (Unix ms), per-number limit, per-address limit, rate TTL (s), attempt
// TTL (s).
var askCode = redis.NewScript(`
local a = redis.call('INCR', KEYS[3])
if a == 1 then redis.call('EXPIRE', KEYS[3], ARGV[6]) end
if a > tonumber(ARGV[5]) then return 'addr' end
local n = redis.call('INCR', KEYS[2])
if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[6]) end
if n > tonumber(ARGV[4]) then return 'number' end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'person', ARGV[1], 'code', ARGV[2], 'tries', 0, 'expires', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 'ok'
`)

// checkCode compares one entry with the attempt's code. A right code ends
// the attempt and gives its person; a wrong one counts, and the MaxTries-th
// locks the attempt until it expires. An attempt for a number that is not
// staff's has person "" and never matches.
//
// KEYS: attempt. ARGV: code hash, now (Unix ms), max tries.
var checkCode = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'person', 'code', 'tries', 'expires')
if not f[4] then return {'expired'} end
if tonumber(f[4]) <= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return {'expired'}
end
local max = tonumber(ARGV[3])
if tonumber(f[3]) >= max then return {'locked', f[1]} end
if f[1] ~= '' and f[2] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return {'ok', f[1]}
end
local t = redis.call('HINCRBY', KEYS[1], 'tries', 1)
if t >= max then return {'locked', f[1], 'now'} end
return {'wrong', f[1], tostring(max - t)}
`)

// newCode is CodeDigits random digits, uniformly drawn.
func newCode() (string, error) {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(CodeDigits), nil)
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%0*d", CodeDigits, n.Int64()), nil
}

// codeHash is how a code is stored: bound to its attempt's token, so one
// hash says nothing about another attempt's code.
func codeHash(token, code string) string { return hash(token + ":" + code) }

// newToken is a random secret for cookies: 256 bits, URL-safe.
func newToken() string { return rand.Text() + rand.Text() }

// startAttempt stores a sign-in attempt for person ("" for a number that
// is not staff's) and returns its token and code. number and addr are
// counted against the limits.
func (s *Server) startAttempt(ctx context.Context, person, number, addr string) (token, code string, err error) {
	code, err = newCode()
	if err != nil {
		return "", "", err
	}
	token = newToken()
	now := s.now()
	res, err := askCode.Run(ctx, s.rdb,
		[]string{attemptKey(token), rateKey("number", number, now), rateKey("addr", addr, now)},
		person, codeHash(token, code), now.Add(CodeTTL).UnixMilli(), CodesPerNumber, CodesPerAddress,
		int((2 * RateWindow).Seconds()), int((CodeTTL + time.Minute).Seconds())).Text()
	if err != nil {
		return "", "", fmt.Errorf("console: store sign-in attempt: %w", err)
	}
	switch res {
	case "addr":
		return "", "", errTooManyForAddress
	case "number":
		return "", "", errTooManyForNumber
	}
	return token, code, nil
}

// codeResult is what became of one code entry.
type codeResult struct {
	person   string // the attempt's person ("" for a stranger's number)
	left     int    // tries left after a wrong one
	lockedBy bool   // this entry was the one that locked the attempt
}

// enterCode checks code against the attempt with token.
func (s *Server) enterCode(ctx context.Context, token, code string) (codeResult, error) {
	res, err := checkCode.Run(ctx, s.rdb, []string{attemptKey(token)},
		codeHash(token, code), s.now().UnixMilli(), MaxTries).StringSlice()
	if err != nil {
		return codeResult{}, fmt.Errorf("console: check code: %w", err)
	}
	r := codeResult{}
	if len(res) > 1 {
		r.person = res[1]
	}
	switch res[0] {
	case "ok":
		return r, nil
	case "expired":
		return r, errCodeExpired
	case "locked":
		r.lockedBy = len(res) > 2
		return r, errCodeLocked
	}
	fmt.Sscan(res[2], &r.left)
	return r, errCodeWrong
}
