package referral

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/timers"
)

const (
	prefix       = "leadline:{dispatch}:"
	referralsKey = prefix + "referrals"
	// ChangesKey is a stream of every change to any referral, written by
	// the same scripts that make the change: "code" and "line" (the
	// history line). Browsers follow it live, across instances, and catch
	// up after a reconnect from the last entry ID they saw.
	ChangesKey = prefix + "changes"
	// openKey indexes the referrals still open, by received time (ms), for
	// the gauges and the console's board; the scripts keep it.
	openKey = prefix + "open"
	// TimersBase is the referral timer queue's base key: inside the
	// referral's hash tag, so a change and the timers it sets are one step.
	TimersBase = prefix + "timers"
)

func hashKey(code string) string      { return prefix + "referral:" + code }
func eventsKey(code string) string    { return prefix + "referral:" + code + ":events" }
func officerLastKey(id string) string { return prefix + "officer:" + id + ":last" }

// ErrNotFound means no referral has that code.
var ErrNotFound = errors.New("no such referral")

// IgnoreGone makes a timer or callback for a referral no longer stored a
// no-op.
func IgnoreGone(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Store loads and changes referrals.
type Store struct {
	rdb    redis.UniversalClient
	timers *timers.Queue
	now    func() time.Time
	// details is how long an ended referral's details are kept: every
	// change that ends a referral sets its purge timer.
	details time.Duration
	keys    Sealer
	// openUntil is when a referral received at t reaches its open-limit
	// notice (TimerOpenLimit); nil sets no such timer.
	openUntil func(t time.Time) time.Time
}

// NewStore returns the store on rdb, with the referral timer queue q
// (under TimersBase). details is the program's details retention; keys
// seal the details (SealedFields).
func NewStore(rdb redis.UniversalClient, q *timers.Queue, clock func() time.Time, details time.Duration, keys Sealer) *Store {
	return &Store{rdb: rdb, timers: q, now: clock, details: details, keys: keys}
}

// LimitOpen has every referral Insert stores from now on carry its open
// limit: a TimerOpenLimit due notice before open after it was received.
// It returns s.
func (s *Store) LimitOpen(open, notice time.Duration) *Store {
	s.openUntil = func(t time.Time) time.Time { return t.Add(open - notice) }
	return s
}

// Keys are what the store seals details with, for packages that keep
// details of their own for a while (an officer's proposal, a call's place).
func (s *Store) Keys() Sealer { return s.keys }

// Load returns a referral by code, or ErrNotFound.
func (s *Store) Load(ctx context.Context, code string) (*Referral, error) {
	h, err := s.rdb.HGetAll(ctx, hashKey(code)).Result()
	if err != nil {
		return nil, fmt.Errorf("load referral: %w", err)
	}
	if len(h) == 0 {
		return nil, ErrNotFound
	}
	return fromHash(h, s.keys)
}

// LoadMany returns the referrals of codes in one round trip, in order; a
// code with no referral is nil.
func (s *Store) LoadMany(ctx context.Context, codes []string) ([]*Referral, error) {
	cmds := make([]*redis.MapStringStringCmd, len(codes))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, c := range codes {
			cmds[i] = p.HGetAll(ctx, hashKey(c))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load referrals: %w", err)
	}
	out := make([]*Referral, len(codes))
	for i, cmd := range cmds {
		if len(cmd.Val()) == 0 {
			continue
		}
		if out[i], err = fromHash(cmd.Val(), s.keys); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// LatestOf is the code of the officer's latest referral, or "".
func (s *Store) LatestOf(ctx context.Context, officer string) (string, error) {
	c, err := s.rdb.Get(ctx, officerLastKey(officer)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("latest referral: %w", err)
	}
	return c, nil
}

// create stores a new referral under a fresh code, remembers it as the
// officer's latest (when an officer sent it), and sets its timers: the
// rescue timer that pages it should this instance die before its first
// page, or the follow-up plan of one assigned at once. It fails (0) if the
// code is taken.
//
// ARGV: received (ms), code, history lines (one a line), officer ("" for none), the
// number of timers n, n timer ID / due (Unix ms) pairs, then field/value
// pairs.
var create = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local n = tonumber(ARGV[5])
for i = 6, 5 + 2 * n, 2 do redis.call('ZADD', KEYS[5], ARGV[i+1], ARGV[i]) end
for i = 6 + 2 * n, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+1]) end
local last
for line in string.gmatch(ARGV[3], '[^\n]+') do redis.call('RPUSH', KEYS[2], line); last = line end
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[2]) end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', 10000, '*', 'code', ARGV[2], 'line', last)
redis.call('ZADD', KEYS[7], ARGV[1], ARGV[2])
return 1
`)

// Insert stores r under a new code, which it sets, with its timers: a
// rescue that takes over should the caller not carry on (the first page),
// or the follow-up plan of a referral stored already assigned; and its
// open limit (see LimitOpen).
func (s *Store) Insert(ctx context.Context, r *Referral, ts ...Timer) error {
	var limit []any
	if s.openUntil != nil {
		c := Change{}.Watch(TimerOpenLimit, 0, s.openUntil(r.Received))
		ts = append(slices.Clip(ts), c.Timers...)
		limit = []any{string(c.Set[0].Field), c.Set[0].Value}
	}
	for range 20 {
		r.Code = NewCode()
		keys := []string{hashKey(r.Code), eventsKey(r.Code), referralsKey, officerLastKey(r.Officer), s.timers.DueKey(), ChangesKey, openKey}
		args := []any{r.Received.UnixMilli(), r.Code, r.history(), r.Officer, len(ts)}
		for _, t := range ts {
			args = append(args, t.ID(r.Code), t.At.UnixMilli())
		}
		fields, err := r.fields(s.keys)
		if err != nil {
			return fmt.Errorf("store referral: %w", err)
		}
		args = append(append(args, fields...), limit...)
		ok, err := create.Run(ctx, s.rdb, keys, args...).Int()
		if err != nil {
			return fmt.Errorf("store referral: %w", err)
		}
		if ok == 1 {
			return nil
		}
	}
	return errors.New("store referral: no free code after 20 tries")
}

// transition changes a referral only if it is in one of the allowed states
// and the guard holds, in one step. Timers it sets are set in the same step,
// so a change that needs a timer never lands without one.
//
// KEYS: the referral, its events, the timer queue, the changes stream, the
// open index.
// ARGV: allowed states (space separated, "" for any), guard field, guard
// mode ("eq" or "in": the value is one of the field's space-separated
// words), guard value, event line ("" for none), the number of timers n, n
// timer ID / due (Unix ms) / how triples (how: "" set, "gt" only move
// later, "rm" remove), then field/value pairs. A field written "+name" adds the
// value to its word list unless already there; "#name" adds a number to it;
// "-name" deletes the field.
// Returns {1, old state} when applied, {0, old state} when refused, {-1, ""}
// when there is no such referral.
var transition = redis.NewScript(`
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1, ''} end
if ARGV[1] ~= '' and not string.find(' ' .. ARGV[1] .. ' ', ' ' .. state .. ' ', 1, true) then return {0, state} end
if ARGV[2] ~= '' then
  local v = redis.call('HGET', KEYS[1], ARGV[2]) or ''
  if ARGV[3] == 'eq' and v ~= ARGV[4] then return {0, state} end
  if ARGV[3] == 'in' and not string.find(' ' .. v .. ' ', ' ' .. ARGV[4] .. ' ', 1, true) then return {0, state} end
end
local n = tonumber(ARGV[6])
for i = 7, 6 + 3 * n, 3 do
  if ARGV[i+2] == 'rm' then redis.call('ZREM', KEYS[3], ARGV[i])
  elseif ARGV[i+2] == 'gt' then redis.call('ZADD', KEYS[3], 'GT', ARGV[i+1], ARGV[i])
  else redis.call('ZADD', KEYS[3], ARGV[i+1], ARGV[i]) end
end
for i = 7 + 3 * n, #ARGV, 2 do
  local f, kind = ARGV[i], string.sub(ARGV[i], 1, 1)
  if kind == '+' then
    f = string.sub(f, 2)
    local v = redis.call('HGET', KEYS[1], f) or ''
    if v == '' then
      redis.call('HSET', KEYS[1], f, ARGV[i+1])
    elseif not string.find(' ' .. v .. ' ', ' ' .. ARGV[i+1] .. ' ', 1, true) then
      redis.call('HSET', KEYS[1], f, v .. ' ' .. ARGV[i+1])
    end
  elseif kind == '#' then
    redis.call('HINCRBY', KEYS[1], string.sub(f, 2), ARGV[i+1])
  elseif kind == '-' then
    redis.call('HDEL', KEYS[1], string.sub(f, 2))
  else
    redis.call('HSET', KEYS[1], f, ARGV[i+1])
  end
end
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[5]) end
local code = redis.call('HGET', KEYS[1], 'code')
redis.call('HDEL', KEYS[6], code)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', 10000, '*', 'code', code, 'line', ARGV[5])
local now = redis.call('HGET', KEYS[1], 'state')
if now == 'closed' or now == 'cancelled' or now == 'unanswered' then
  redis.call('ZREM', KEYS[5], code)
else
  redis.call('ZADD', KEYS[5], 'NX', tonumber(redis.call('HGET', KEYS[1], 'received_ms') or '0'), code)
end
return {1, state}
`)

// Apply runs c on the referral. applied is false when the state or the
// guard did not allow it; ErrNotFound when there is no such referral.
func (s *Store) Apply(ctx context.Context, code string, c Change) (applied bool, err error) {
	from := make([]string, len(c.From))
	for i, st := range c.From {
		from[i] = string(st)
	}
	if c.ends {
		if !c.has(TimerPurge) { // a change may purge sooner (the open limit)
			c.Timers = append(c.Timers, Timer{Kind: TimerPurge, At: s.now().Add(s.details)})
		}
		// An ended referral needs no one watched over.
		for _, k := range safetyTimers {
			c.Timers = append(c.Timers, Timer{Kind: k, How: TimerRemove})
		}
	}
	line := ""
	if c.Event.What != "" {
		line = c.Event.String()
	}
	args := []any{strings.Join(from, " "), string(c.Guard.Field), c.Guard.mode(), c.Guard.Value, line, len(c.Timers)}
	for _, t := range c.Timers {
		args = append(args, t.ID(code), t.At.UnixMilli(), t.How)
	}
	for _, w := range c.Set {
		v := w.Value
		if sealed[w.Field] && w.op == "" {
			if v, err = s.keys.Seal(fmt.Sprint(v), SealAAD(code, w.Field)...); err != nil {
				return false, fmt.Errorf("update referral %s: %w", code, err)
			}
		}
		args = append(args, w.op+string(w.Field), v)
	}
	keys := []string{hashKey(code), eventsKey(code), s.timers.DueKey(), ChangesKey, openKey, recordsKey}
	res, err := transition.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return false, fmt.Errorf("update referral %s: %w", code, err)
	}
	n, _ := res[0].(int64)
	if n < 0 {
		return false, ErrNotFound
	}
	return n == 1, nil
}

// ApplyFresh runs c and returns the referral as it now stands, and whether
// c was applied.
func (s *Store) ApplyFresh(ctx context.Context, code string, c Change) (*Referral, bool, error) {
	applied, err := s.Apply(ctx, code, c)
	if err != nil {
		return nil, false, err
	}
	fresh, err := s.Load(ctx, code)
	return fresh, applied, err
}

// History is the referral's history, oldest first.
func (s *Store) History(ctx context.Context, code string) ([]Line, error) {
	raw, err := s.rdb.LRange(ctx, eventsKey(code), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", code, err)
	}
	out := make([]Line, 0, len(raw))
	for _, l := range raw {
		out = append(out, ParseLine(l))
	}
	return out, nil
}

// PurgeDetails removes an ended referral's details and history, and sets
// its de-identified record to expire at expire; it also drops codes
// received before cutoff from the period index. A non-empty agency is
// kept in the record (for referrals stored before FAgency was).
func (s *Store) PurgeDetails(ctx context.Context, code, agency string, now, expire, cutoff time.Time) error {
	fields := make([]string, len(DetailFields))
	for i, f := range DetailFields {
		fields[i] = string(f)
	}
	// The packed records of the codes leaving the index go with them.
	gone, err := s.rdb.ZRangeByScore(ctx, referralsKey, &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(cutoff.UnixMilli(), 10)}).Result()
	if err != nil {
		return fmt.Errorf("purge details of %s: %w", code, err)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HDel(ctx, recordsKey, append(gone, code)...)
		p.HDel(ctx, hashKey(code), fields...)
		p.HSet(ctx, hashKey(code), string(FPurgedAt), FormatTime(now))
		if agency != "" {
			p.HSet(ctx, hashKey(code), string(FAgency), agency)
		}
		p.Del(ctx, eventsKey(code))
		p.ExpireAt(ctx, hashKey(code), expire)
		p.ZRemRangeByScore(ctx, referralsKey, "-inf", "("+strconv.FormatInt(cutoff.UnixMilli(), 10))
		return nil
	})
	if err != nil {
		return fmt.Errorf("purge details of %s: %w", code, err)
	}
	return nil
}

// Records are the referrals received in [from, to), oldest first, for
// reports. Those past their details retention hold only the de-identified
// record.
func Records(ctx context.Context, rdb redis.UniversalClient, keys Sealer, from, to time.Time) ([]*Referral, error) {
	return records(ctx, rdb, keys, from, to, nil)
}

// ReportRecords are Records holding only what a report reads (RecordFields),
// which is what a year's dashboard needs read quickly.
func ReportRecords(ctx context.Context, rdb redis.UniversalClient, keys Sealer, from, to time.Time) ([]*Referral, error) {
	return reportRecords(ctx, rdb, keys, from, to)
}

// recordFields are the de-identified record's fields, and the officer (for
// the agency of a referral stored before FAgency was).
var recordFields = func() []string {
	f := []string{string(FCode), string(FType), string(FCohort), string(FState), string(FOfficer), string(FAgency),
		string(FEscalations), string(FAcceptedBy), string(FAssignedBy), string(FOutcome), string(FFollowedAt),
		string(FETA), string(FArriveBy), string(FNudges), string(FCheckIns), string(FSOSes)}
	for _, name := range timeFields {
		f = append(f, string(name))
	}
	return f
}()

// records loads the referrals received in [from, to), every field or only
// fields.
func records(ctx context.Context, rdb redis.UniversalClient, keys Sealer, from, to time.Time, fields []string) ([]*Referral, error) {
	codes, err := rdb.ZRangeByScore(ctx, referralsKey, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.UnixMilli(), 10), Max: "(" + strconv.FormatInt(to.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	out := make([]*Referral, 0, len(codes))
	for lo := 0; lo < len(codes); lo += 500 {
		batch := codes[lo:min(lo+500, len(codes))]
		cmds := make([]redis.Cmder, len(batch))
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, c := range batch {
				if fields == nil {
					cmds[i] = p.HGetAll(ctx, hashKey(c))
				} else {
					cmds[i] = p.HMGet(ctx, hashKey(c), fields...)
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("load referrals: %w", err)
		}
		for _, cmd := range cmds {
			h := hashOf(cmd, fields)
			if len(h) == 0 {
				continue // its record expired
			}
			r, err := fromHash(h, keys)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// hashOf is the fields an HGETALL or HMGET read, as a map.
func hashOf(cmd redis.Cmder, fields []string) map[string]string {
	if all, ok := cmd.(*redis.MapStringStringCmd); ok {
		return all.Val()
	}
	h := make(map[string]string, len(fields))
	for i, v := range cmd.(*redis.SliceCmd).Val() {
		if s, ok := v.(string); ok {
			h[fields[i]] = s
		}
	}
	return h
}

// Records is the package's Records on the store's Redis.
func (s *Store) Records(ctx context.Context, from, to time.Time) ([]*Referral, error) {
	return Records(ctx, s.rdb, s.keys, from, to)
}

// Open is every referral still open, oldest first.
func (s *Store) Open(ctx context.Context) ([]*Referral, error) {
	codes, err := s.rdb.ZRange(ctx, openKey, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list open referrals: %w", err)
	}
	rs, err := s.LoadMany(ctx, codes)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if r != nil && r.Open() {
			out = append(out, r)
		}
	}
	return out, nil
}
