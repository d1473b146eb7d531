package outbox

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/lease"
)

// scanWindow is how many of the first ready messages a claim looks at for
// one whose recipient is free. Beyond it a claim finds nothing even if a
// free recipient waits further back: that takes more than 64 queued texts
// to people who already have one in flight, which a burst to one person
// could do, but only until their texts drain.
const scanWindow = 64

// lapsedBatch bounds how many lapsed claims and due retries one claim
// moves, so one script never runs long; the next claim moves the rest.
const lapsedBatch = 100

// claimScript first tidies up: lapsed claims go back to ready, except
// those whose record says the message ended (it was sent, and must not be
// again), which are dropped, and those the caller says it still works on
// (their lease lapsed only because the clock jumped), which are renewed;
// due retries go back to ready. Then it finds the first ready message, in
// score order, whose recipient has nothing in flight, whose sender is not
// in the skip list and, if one is given, is the only sender wanted. In
// "claim" mode it takes that message and returns its fields; in "peek"
// mode it returns just its sender. Nothing found: an empty reply.
//
// KEYS: ready, later, inflight, busy.
// ARGV: prefix, now ms, lease expiry ms, claim token, ttl ms, mode, only
// sender or "", number of held ids, held ids…, skip senders…
var claimScript = redis.NewScript(`
local P, now = ARGV[1], tonumber(ARGV[2])
local held, nheld = {}, tonumber(ARGV[8])
for i = 9, 8 + nheld do held[ARGV[i]] = true end
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, ` + strconv.Itoa(lapsedBatch) + `)
for _, id in ipairs(lapsed) do
  local k = P .. 'msg:' .. id
  if held[id] then
    redis.call('ZADD', KEYS[3], ARGV[3], id)
  else
    redis.call('ZREM', KEYS[3], id)
    local m = redis.call('HMGET', k, 'rcpt', 'state', 'order')
    m[1] = m[1] or redis.call('HGET', k, 'to') -- a message queued before recipients were named
    if m[1] and redis.call('HGET', KEYS[4], m[1]) == id then redis.call('HDEL', KEYS[4], m[1]) end
    if m[2] == 'sending' then
      redis.call('HSET', k, 'state', 'queued', 'claim', '')
      redis.call('ZADD', KEYS[1], m[3], id)
    elseif m[2] then
      redis.call('HSET', k, 'claim', '')
      redis.call('PEXPIRE', k, ARGV[5])
    end
  end
end
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, ` + strconv.Itoa(lapsedBatch) + `)
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[2], id)
  local k = P .. 'msg:' .. id
  local order = redis.call('HGET', k, 'order')
  if order then
    redis.call('HSET', k, 'state', 'queued')
    redis.call('ZADD', KEYS[1], order, id)
  end
end
local only, skip = ARGV[7], {}
for i = 9 + nheld, #ARGV do skip[ARGV[i]] = true end
local ids = redis.call('ZRANGE', KEYS[1], 0, ` + strconv.Itoa(scanWindow-1) + `)
for _, id in ipairs(ids) do
  local k = P .. 'msg:' .. id
  local m = redis.call('HMGET', k, 'rcpt', 'from')
  m[1] = m[1] or redis.call('HGET', k, 'to')
  if not m[1] then
    redis.call('ZREM', KEYS[1], id)
  elseif not skip[m[2]] and (only == '' or only == m[2]) and redis.call('HEXISTS', KEYS[4], m[1]) == 0 then
    if ARGV[6] == 'peek' then return {m[2]} end
    redis.call('ZREM', KEYS[1], id)
    redis.call('ZADD', KEYS[3], ARGV[3], id)
    redis.call('HSET', KEYS[4], m[1], id)
    redis.call('HINCRBY', k, 'attempts', 1)
    redis.call('HSET', k, 'state', 'sending', 'claim', ARGV[4])
    return redis.call('HGETALL', k)
  end
end
return {}
`)

// claimed is a message this instance holds.
type claimed struct {
	Record
	token  string
	unhold func() // called once the instance is done with it
}

// holding notes that this instance works on message id until the
// returned func is called. Claims skip what it holds when they look for
// lapsed leases, so a clock that jumps past a lease (an injected one in
// tests, or a stalled renewal) never has this instance take and send
// again a message it is still sending.
func (b *Box) holding(id string) (done func()) {
	b.mu.Lock()
	b.held[id]++
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.held[id]--; b.held[id] <= 0 {
			delete(b.held, id)
		}
	}
}

// claim takes the next message that may go now, from sender only if that
// is not "", skipping those from the senders in skip. ok is false when
// there is none.
func (b *Box) claim(ctx context.Context, only string, skip []string) (c claimed, ok bool, err error) {
	token := b.instance + ":" + strconv.FormatUint(b.claims.Add(1), 36)
	res, err := b.runClaim(ctx, "claim", token, only, skip)
	if err != nil || len(res) == 0 {
		return claimed{}, false, err
	}
	f := make(map[string]string, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		f[res[i]] = res[i+1]
	}
	rec, err := b.decode(f)
	if err != nil {
		// Its lease lapses and it is tried again: a message we cannot open
		// is a key the instance lacks, which the next instance may have.
		return claimed{}, false, err
	}
	c = claimed{Record: rec, token: token}
	c.unhold = b.holding(c.ID)
	return c, true, nil
}

// peek returns the sender of the message claim would take now, if any.
func (b *Box) peek(ctx context.Context, skip []string) (from string, ok bool, err error) {
	res, err := b.runClaim(ctx, "peek", "", "", skip)
	if err != nil || len(res) == 0 {
		return "", false, err
	}
	return res[0], true, nil
}

func (b *Box) runClaim(ctx context.Context, mode, token, only string, skip []string) ([]string, error) {
	now := b.now()
	b.mu.Lock()
	args := make([]any, 0, 8+len(b.held)+len(skip))
	args = append(args, prefix, now.UnixMilli(), now.Add(b.lease).UnixMilli(), token, b.ttl.Milliseconds(), mode, only, len(b.held))
	for id := range b.held {
		args = append(args, id)
	}
	b.mu.Unlock()
	for _, s := range skip {
		args = append(args, s)
	}
	res, err := claimScript.Run(ctx, b.rdb, []string{readyKey, laterKey, inflightKey, busyKey}, args...).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("outbox: %s: %w", mode, err)
	}
	return res, nil
}

// renew pushes a claim's lapse time on, if the claim is still ours.
//
// KEYS: msg, inflight. ARGV: id, token, lease expiry ms.
var renewScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'claim') ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1])
return 1
`)

// hold renews c's lease every third of a lease until the returned func is
// called, so a slow send or Done (SendTimeout is longer than Lease) does
// not let another instance take the message while this one still works on
// it. The lease only lapses for an instance that has stopped.
func (b *Box) hold(ctx context.Context, c claimed) (stop func()) {
	return lease.Renew(ctx, b.lease, func(ctx context.Context) bool {
		ok, err := renewScript.Run(ctx, b.rdb, []string{msgKey(c.ID), inflightKey},
			c.ID, c.token, b.now().Add(b.lease).UnixMilli()).Int()
		switch {
		case err != nil && ctx.Err() == nil:
			b.log.Error("outbox: renew claim", "id", c.ID, "err", err)
		case err == nil && ok == 0:
			b.log.Warn("outbox: claim lapsed while in use; another instance may send it too", "id", c.ID, "kind", c.Kind)
			return false
		}
		return true
	})
}
