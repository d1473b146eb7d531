package outbox

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/phone"
)

// statusScript records a delivery status for a SID if it ranks higher
// than the one recorded, on the SID's record and on its message's. The
// SID's record is made if the SID is not known yet, with a TTL, so the
// "was sent" record picks the status up when it comes. It returns
// {moved (0/1)} for an unknown SID, else {moved, message fields…}.
//
// KEYS: sid. ARGV: prefix, status, rank, error code, ttl ms.
var statusScript = redis.NewScript(`
local r = redis.call('HMGET', KEYS[1], 'id', 'rank')
local moved = 0
if tonumber(ARGV[3]) > tonumber(r[2] or '0') then
  redis.call('HSET', KEYS[1], 'status', ARGV[2], 'rank', ARGV[3])
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'code', ARGV[4]) end
  if not r[1] then redis.call('PEXPIRE', KEYS[1], ARGV[5]) end
  moved = 1
end
if not r[1] then return {'0'} end
local k = ARGV[1] .. 'msg:' .. r[1]
if redis.call('EXISTS', k) == 0 then return {tostring(moved), 'id', r[1]} end
if moved == 1 then
  redis.call('HSET', k, 'status', ARGV[2])
  if ARGV[4] ~= '' then redis.call('HSET', k, 'code', ARGV[4]) end
end
local f = redis.call('HGETALL', k)
table.insert(f, 1, tostring(moved))
return f
`)

// Status records one of Twilio's MessageStatus callbacks. The status is
// kept only if it ranks higher (phone.StatusRank) than the one recorded,
// since callbacks come late, twice and out of order. m is the message the
// SID belongs to, zero if the SID is not (yet) known: its status is kept
// anyway, so the message's "was sent" record picks it up and reports it in
// Result.Status. moved reports whether the status advanced on a known
// message.
func (b *Box) Status(ctx context.Context, sid, status, errorCode string) (m Message, moved bool, err error) {
	if sid == "" {
		return Message{}, false, nil
	}
	res, err := statusScript.Run(ctx, b.rdb, []string{sidKey(sid)},
		prefix, status, phone.StatusRank(status), errorCode, b.ttl.Milliseconds()).StringSlice()
	if err != nil {
		return Message{}, false, fmt.Errorf("outbox: status of %s: %w", sid, err)
	}
	if len(res) < 3 {
		return Message{}, false, nil
	}
	f := make(map[string]string, len(res)/2)
	for i := 1; i+1 < len(res); i += 2 {
		f[res[i]] = res[i+1]
	}
	rec, err := b.decode(f)
	return rec.Message, res[0] == "1", err
}
