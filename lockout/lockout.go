// Package lockout guards the voice line's badge-and-PIN sign-in across
// calls: after voice.lockout.after failed PINs within its window, the badge
// and the number that called are both locked, first for
// voice.lockout.first, each later lock within voice.lockout.longest of the
// last one's end twice as long as the one before, up to longest. The
// supervisors are texted once per lock, and a supervisor lifts it with
// UNLOCK <badge> by text or through the admin API.
//
// The counting and locking is one script, so any number of instances share
// it and exactly one of them sees a lock begin (and texts about it). Times
// are the injected clock's, stored in the keys; Redis expiry only tidies.
//
// Keys (in the dispatch hash tag, so the script runs unchanged on Cluster):
//
//	leadline:{dispatch}:lockout:badge:<badge>   hash: fails, since (first failure of the window, Unix ms),
//	                                            until (lock end, Unix ms), level (locks in a row), count
//	                                            (failures that locked it), pair (the number's key part),
//	                                            last4, badge; kept until a lock's end + longest
//	leadline:{dispatch}:lockout:number:<hash>   hash: the same for a calling number (its keyed name, never the number)
//	leadline:{dispatch}:lockout:locked          zset: "badge:<badge>" and "number:<hash>" scored by lock end
//	                                            (Unix ms): what is or was locked, for the admin API
package lockout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
)

const (
	prefix    = "leadline:{dispatch}:lockout:"
	lockedKey = prefix + "locked"
)

// subject is what a lock is on: a badge, or a calling number by its hash.
type subject string

const (
	badgeSubject  subject = "badge"
	numberSubject subject = "number"
)

// key is the subject's hash; part is the badge or the number's hash.
func key(s subject, part string) string { return prefix + string(s) + ":" + part }

// badgePart is a badge as it may appear in a key: keyed digits as they are,
// anything else (only a forged request could send it) by its hash, so a key
// stays short.
func (g *Guard) badgePart(badge string) string {
	if plainBadge.MatchString(badge) {
		return badge
	}
	return "h" + g.names.Name(badge)
}

var plainBadge = regexp.MustCompile(`^[0-9A-Za-z*]{1,20}$`)

// Teller texts a person by ID. notify.Notifier is one.
type Teller interface {
	Tell(ctx context.Context, personID, body string)
}

// Guard counts failed PINs and keeps locks. It is safe for concurrent use.
type Guard struct {
	prog *program.Program
	rdb  redis.UniversalClient
	note Teller
	now  func() time.Time
	log  *slog.Logger
	// names name numbers (and odd badges) in keys (datakey.Keys).
	names interface{ Name(string) string }
}

// New returns the program's guard; clock is required.
func New(prog *program.Program, rdb redis.UniversalClient, note Teller, names interface{ Name(string) string }, clock func() time.Time, log *slog.Logger) *Guard {
	if clock == nil {
		panic("lockout.New: clock is required")
	}
	return &Guard{prog: prog, rdb: rdb, note: note, names: names, now: clock, log: log}
}

// Locked reports whether the badge or the number is locked now.
func (g *Guard) Locked(ctx context.Context, badge, number string) (bool, error) {
	now := g.now().UnixMilli()
	for _, k := range []string{key(badgeSubject, g.badgePart(badge)), key(numberSubject, g.names.Name(number))} {
		until, err := g.rdb.HGet(ctx, k, "until").Int64()
		if err != nil && !errors.Is(err, redis.Nil) {
			return false, fmt.Errorf("lockout: read a lock: %w", err)
		}
		if until > now {
			return true, nil
		}
	}
	return false, nil
}

// failScript counts one failed PIN against a badge and a number, unless
// either is locked already (a locked badge's tries prove nothing more).
// When either count reaches ARGV[3] within the window, both are locked,
// one level past the higher of their levels still remembered.
//
// KEYS: badge, number, locked. ARGV: now, window, after, first, longest,
// badge member, number member, last4, badge.
// Returns {state, failures, level, lock ms}: state 0 counted, 1 already
// locked, 2 locked now.
var failScript = redis.NewScript(`
local now, window, after = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local first, longest = tonumber(ARGV[4]), tonumber(ARGV[5])
for i = 1, 2 do
  if tonumber(redis.call('HGET', KEYS[i], 'until') or '0') > now then return {1, 0, 0, 0} end
end
local most = 0
for i = 1, 2 do
  if now - tonumber(redis.call('HGET', KEYS[i], 'since') or '0') > window then
    redis.call('HSET', KEYS[i], 'since', now, 'fails', 0)
  end
  local n = redis.call('HINCRBY', KEYS[i], 'fails', 1)
  if n > most then most = n end
  if redis.call('PTTL', KEYS[i]) < window then redis.call('PEXPIRE', KEYS[i], window) end
end
if most < after then return {0, most, 0, 0} end
local level = 0
for i = 1, 2 do
  local h = redis.call('HMGET', KEYS[i], 'level', 'until')
  local lv, ended = tonumber(h[1] or '0'), tonumber(h[2] or '0')
  if now - ended <= longest and lv > level then level = lv end
end
level = level + 1
local ms = first
for _ = 2, level do
  if ms >= longest then break end
  ms = ms * 2
end
if ms > longest then ms = longest end
local mates = {ARGV[7], ARGV[6]}
for i = 1, 2 do
  redis.call('HSET', KEYS[i], 'until', now + ms, 'level', level, 'count', most, 'fails', 0, 'since', 0,
    'pair', mates[i], 'last4', ARGV[8], 'badge', ARGV[9])
  redis.call('PEXPIRE', KEYS[i], ms + longest)
end
redis.call('ZADD', KEYS[3], now + ms, ARGV[6], now + ms, ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - longest)
return {2, most, level, ms}
`)

// Failed counts a failed PIN for badge keyed from number. The failure that
// locks them texts the supervisors, once across instances.
func (g *Guard) Failed(ctx context.Context, badge, number string) error {
	lo := g.prog.Voice.Lockout
	bp, nh := g.badgePart(badge), g.names.Name(number)
	res, err := failScript.Run(ctx, g.rdb, []string{key(badgeSubject, bp), key(numberSubject, nh), lockedKey},
		g.now().UnixMilli(), lo.Window.Milliseconds(), lo.After, lo.First.Milliseconds(), lo.Longest.Milliseconds(),
		string(badgeSubject)+":"+bp, string(numberSubject)+":"+nh, last4(number), badge).Int64Slice()
	if err != nil {
		return fmt.Errorf("lockout: count a failed PIN: %w", err)
	}
	switch res[0] {
	case 1:
		g.log.Warn("voice line: sign-in while locked", "badge", badge, "from", phone.Mask(number))
	case 0:
		g.log.Warn("voice line: failed PIN", "badge", badge, "from", phone.Mask(number), "failures", res[1])
	case 2:
		d := time.Duration(res[3]) * time.Millisecond
		g.log.Warn("voice line: badge and number locked", "badge", badge, "from", phone.Mask(number),
			"failures", res[1], "lock", res[2], "for", d.String())
		pins := "PINs"
		if res[1] == 1 {
			pins = "PIN"
		}
		body := fmt.Sprintf("Leadline: voice line locked for %s (lock %d) after %d failed %s: badge %s%s, calls from the number ending %s. Reply UNLOCK %s to lift it.",
			span(d), res[2], res[1], pins, badge, g.officerName(badge), last4(number), badge)
		for _, id := range g.supervisors(badge) {
			g.note.Tell(ctx, id, body)
		}
	}
	return nil
}

// Succeeded clears the failures counted against badge and number: they
// belonged to someone who knew the PIN.
func (g *Guard) Succeeded(ctx context.Context, badge, number string) error {
	_, err := g.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range []string{key(badgeSubject, g.badgePart(badge)), key(numberSubject, g.names.Name(number))} {
			p.HDel(ctx, k, "fails") // never HSET: that would make a record with no expiry
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("lockout: clear failures: %w", err)
	}
	return nil
}

// Lock is one lock in force.
type Lock struct {
	Badge        string    `json:"badge,omitempty"`
	NumberEnding string    `json:"number_ending,omitempty"`
	Until        time.Time `json:"until"`
	Level        int       `json:"lock"`     // how many locks in a row
	Failures     int       `json:"failures"` // the failed PINs that locked it
}

// Locks lists the locks in force, soonest to end first: one per badge
// with the number locked with it.
func (g *Guard) Locks(ctx context.Context) ([]Lock, error) {
	now := g.now().UnixMilli()
	members, err := g.rdb.ZRangeByScore(ctx, lockedKey, &redis.ZRangeBy{Min: "(" + strconv.FormatInt(now, 10), Max: "+inf"}).Result()
	if err != nil {
		return nil, fmt.Errorf("lockout: list locks: %w", err)
	}
	out := []Lock{}
	for _, m := range members {
		s, part, _ := strings.Cut(m, ":")
		if subject(s) != badgeSubject {
			continue
		}
		h, err := g.rdb.HGetAll(ctx, key(badgeSubject, part)).Result()
		if err != nil {
			return nil, fmt.Errorf("lockout: read lock: %w", err)
		}
		until, _ := strconv.ParseInt(h["until"], 10, 64)
		if until <= now {
			continue
		}
		level, _ := strconv.Atoi(h["level"])
		count, _ := strconv.Atoi(h["count"])
		out = append(out, Lock{Badge: h["badge"], NumberEnding: h["last4"], Until: time.UnixMilli(until).UTC(), Level: level, Failures: count})
	}
	return out, nil
}

// UnlockBadge lifts the lock on badge and on the number locked with it,
// and forgets their failures and levels: a supervisor vouched for them.
// by names who did it, for the log. It reports whether anything was locked.
func (g *Guard) UnlockBadge(ctx context.Context, badge, by string) (bool, error) {
	return g.unlock(ctx, badgeSubject, g.badgePart(badge), by)
}

// UnlockNumber is UnlockBadge for a calling number (E.164).
func (g *Guard) UnlockNumber(ctx context.Context, number, by string) (bool, error) {
	return g.unlock(ctx, numberSubject, g.names.Name(number), by)
}

// unlockScript deletes a subject's record and its pair's, if the subject
// is locked now. KEYS: locked. ARGV: prefix, subject, part, now. Returns
// the record's badge and last4, or nothing when it was not locked.
var unlockScript = redis.NewScript(`
local k = ARGV[1] .. ARGV[2] .. ':' .. ARGV[3]
local h = redis.call('HMGET', k, 'until', 'pair', 'badge', 'last4')
if tonumber(h[1] or '0') <= tonumber(ARGV[4]) then return {} end
redis.call('DEL', k)
redis.call('ZREM', KEYS[1], ARGV[2] .. ':' .. ARGV[3])
if h[2] then
  redis.call('DEL', ARGV[1] .. h[2])
  redis.call('ZREM', KEYS[1], h[2])
end
return {h[3] or '', h[4] or ''}
`)

func (g *Guard) unlock(ctx context.Context, s subject, part, by string) (bool, error) {
	res, err := unlockScript.Run(ctx, g.rdb, []string{lockedKey}, prefix, string(s), part, g.now().UnixMilli()).StringSlice()
	if err != nil {
		return false, fmt.Errorf("lockout: unlock: %w", err)
	}
	if len(res) < 2 {
		return false, nil
	}
	g.log.Warn("voice line: unlocked", "badge", res[0], "number_ending", res[1], "by", by)
	return true, nil
}

// Text answers a staff member's UNLOCK <badge>: supervisors and program
// managers may lift a lock; anyone else is told they may not.
func (g *Guard) Text(ctx context.Context, p *program.Person, badge string) (string, error) {
	if p.Role != program.Supervisor && p.Role != program.ProgramManager {
		return "Only a supervisor can unlock the voice line.", nil
	}
	unlocked, err := g.UnlockBadge(ctx, badge, p.ID)
	if err != nil {
		return "", err
	}
	if !unlocked {
		return "Badge " + badge + " is not locked.", nil
	}
	return "Badge " + badge + " unlocked, with the number it was locked with.", nil
}

// supervisors are whom a lock of badge is told to: the supervisors of the
// officer's cohorts, or, for an officer without cohorts or a badge nobody
// has, every supervisor; the program managers if there are none.
func (g *Guard) supervisors(badge string) []string {
	var ids []string
	if o, ok := g.prog.OfficerByBadge(badge); ok {
		for _, c := range o.Cohort {
			for _, id := range g.prog.Supervisors(c) {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
	}
	for _, role := range []program.Role{program.Supervisor, program.ProgramManager} {
		if len(ids) > 0 {
			break
		}
		for _, x := range g.prog.People {
			if x.Role == role {
				ids = append(ids, x.ID)
			}
		}
	}
	return ids
}

// officerName is " (Name)" for a badge an officer has, for the
// supervisors; the caller never hears it.
func (g *Guard) officerName(badge string) string {
	if o, ok := g.prog.OfficerByBadge(badge); ok {
		return " (" + o.Name + ")"
	}
	return " (no officer has it)"
}

// last4 is all a text or a log line says of a calling number.
func last4(number string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, number)
	if len(d) < 4 {
		return "????"
	}
	return d[len(d)-4:]
}

// span is a lock's length as a supervisor reads it: "15 min", "2 h".
func span(d time.Duration) string {
	if d < time.Hour || d%time.Hour != 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return strconv.Itoa(int(d/time.Hour)) + " h"
}
