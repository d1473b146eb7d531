// Package timers keeps durable timers in Redis: a sorted set scored by due
// time, claimed atomically, so a restart loses none and any number of
// instances can share one queue with each timer handled by one of them.
//
// A queue lives under a base key its owner chooses, inside the owner's hash
// tag, so the owner's own scripts may schedule a timer in the same atomic
// step as the change that needs it (see DueKey):
//
//	<base>:due     zset: timer ID scored by due time (Unix ms)
//	<base>:leased  zset: claimed timer IDs scored by when the claim lapses (Unix ms)
//
// Delivery is at least once: a timer whose handler fails, or whose instance
// dies mid-handling, is handed out again when its lease lapses. Handlers make
// that harmless by checking state before acting. An instance claims only
// the timer it is about to handle, and renews its short lease while the
// handler runs, so one that dies holds one timer for at most a lease
// (1.5 s) and no other timer at all: the others' survivors take them on
// time.
package timers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/lease"
)

// Options tunes a Queue. Zero values take the defaults.
type Options struct {
	Clock func() time.Time // required: New panics without one
	// Lease is how long a claimed timer is left to its instance before
	// another may take it; default 1.5s. The instance renews it every third
	// of a lease while the handler runs, so only an instance that stopped
	// (or cannot reach Redis) loses it.
	Lease time.Duration
	// Batch is how many timers one claim takes; default 1: what is claimed
	// is what is handled now, so a death strands nothing that waited behind.
	Batch int
	// Workers is how many timers Run handles at once; default 4.
	Workers int
	Log     *slog.Logger
}

// Queue is one durable timer queue. It is safe for concurrent use.
type Queue struct {
	rdb         redis.UniversalClient
	due, leased string
	now         func() time.Time
	lease       time.Duration
	batch       int
	workers     int
	log         *slog.Logger
}

// DefaultLease is a claimed timer's lease when Options.Lease is zero: a
// survivor takes a dead instance's timer within it and a poll.
const DefaultLease = 1500 * time.Millisecond

// New returns the queue under base, e.g. "leadline:{dispatch}:timers".
func New(rdb redis.UniversalClient, base string, opt Options) *Queue {
	q := &Queue{rdb: rdb, due: base + ":due", leased: base + ":leased",
		now: opt.Clock, lease: opt.Lease, batch: opt.Batch, workers: opt.Workers, log: opt.Log}
	if q.now == nil {
		panic("timers.New: Options.Clock is required")
	}
	if q.lease <= 0 {
		q.lease = DefaultLease
	}
	if q.batch <= 0 {
		q.batch = 1
	}
	if q.workers <= 0 {
		q.workers = 4
	}
	if q.log == nil {
		q.log = slog.Default()
	}
	return q
}

// DueKey is the sorted set of pending timers. A script that schedules a
// timer atomically with other writes does ZADD DueKey <unix ms> <id>.
func (q *Queue) DueKey() string { return q.due }

// Schedule sets timer id to fire at t, replacing any earlier schedule of
// the same id.
func (q *Queue) Schedule(ctx context.Context, id string, t time.Time) error {
	if err := q.rdb.ZAdd(ctx, q.due, redis.Z{Score: float64(t.UnixMilli()), Member: id}).Err(); err != nil {
		return fmt.Errorf("schedule timer %s: %w", id, err)
	}
	return nil
}

// Cancel removes timer id if it has not fired.
func (q *Queue) Cancel(ctx context.Context, id string) error {
	if err := q.rdb.ZRem(ctx, q.due, id).Err(); err != nil {
		return fmt.Errorf("cancel timer %s: %w", id, err)
	}
	return nil
}

// Pending is how many timers wait to fire.
func (q *Queue) Pending(ctx context.Context) (int64, error) {
	n, err := q.rdb.ZCard(ctx, q.due).Result()
	if err != nil {
		return 0, fmt.Errorf("count timers: %w", err)
	}
	return n, nil
}

// Timer is one claimed timer.
type Timer struct {
	ID  string
	Due time.Time
}

// claim first returns lapsed leases to the queue (keeping a newer schedule
// of the same ID if there is one), then moves up to ARGV[3] due timers to
// the leased set until ARGV[2]. It returns id, due pairs.
var claim = redis.NewScript(`
local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(lapsed) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('ZADD', KEYS[1], 'NX', ARGV[1], id)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
  redis.call('ZADD', KEYS[2], ARGV[2], due[i])
end
return due
`)

// Claim takes up to Batch due timers for this caller. Each must be passed
// to Done once handled; until then no other caller gets it, unless the
// lease lapses.
func (q *Queue) Claim(ctx context.Context) ([]Timer, error) {
	now := q.now()
	res, err := claim.Run(ctx, q.rdb, []string{q.due, q.leased},
		now.UnixMilli(), now.Add(q.lease).UnixMilli(), q.batch).StringSlice()
	if err != nil {
		return nil, fmt.Errorf("claim timers: %w", err)
	}
	out := make([]Timer, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		ms, err := strconv.ParseFloat(res[i+1], 64)
		if err != nil {
			return nil, fmt.Errorf("claim timers: bad due time %q: %w", res[i+1], err)
		}
		out = append(out, Timer{ID: res[i], Due: time.UnixMilli(int64(ms))})
	}
	return out, nil
}

// Done releases a handled timer for good.
func (q *Queue) Done(ctx context.Context, id string) error {
	if err := q.rdb.ZRem(ctx, q.leased, id).Err(); err != nil {
		return fmt.Errorf("release timer %s: %w", id, err)
	}
	return nil
}

// Handler acts on a fired timer. An error leaves the timer claimed until
// its lease lapses, when it is handed out again.
type Handler func(ctx context.Context, t Timer) error

// Fire claims and handles every timer due now, one claim at a time, and
// returns how many were handled. While a handler runs, the leases of the
// timers this claim took and has not handled yet are renewed; once ctx
// ends nothing more is renewed or released, as if the instance had died.
func (q *Queue) Fire(ctx context.Context, h Handler) (int, error) {
	n := 0
	for {
		batch, err := q.Claim(ctx)
		if err != nil {
			return n, err
		}
		held := newHolding(batch)
		stop := q.renew(ctx, held)
		for _, t := range batch {
			if err := h(ctx, t); err != nil {
				q.log.Error("timer failed; retried when its lease lapses", "timer", t.ID, "err", err)
				held.drop(t.ID)
				continue
			}
			if err := q.Done(ctx, t.ID); err != nil {
				stop()
				return n, err
			}
			held.drop(t.ID)
			n++
		}
		stop()
		if len(batch) < q.batch {
			return n, nil
		}
	}
}

// holding is the IDs of one claim not handled yet.
type holding struct {
	mu  sync.Mutex
	ids map[string]bool
}

func newHolding(batch []Timer) *holding {
	h := &holding{ids: make(map[string]bool, len(batch))}
	for _, t := range batch {
		h.ids[t.ID] = true
	}
	return h
}

func (h *holding) drop(id string) { h.mu.Lock(); delete(h.ids, id); h.mu.Unlock() }

func (h *holding) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.ids))
	for id := range h.ids {
		out = append(out, id)
	}
	return out
}

// renew pushes on the leases of what held still holds, every third of a
// lease, until the returned func is called or ctx ends. ZADD XX renews
// only a claim still in the leased set: one that lapsed and went back to
// the queue is not taken back.
func (q *Queue) renew(ctx context.Context, held *holding) (stop func()) {
	return lease.Renew(ctx, q.lease, func(ctx context.Context) bool {
		ids := held.list()
		if len(ids) == 0 {
			return true
		}
		until := float64(q.now().Add(q.lease).UnixMilli())
		zs := make([]redis.Z, len(ids))
		for i, id := range ids {
			zs[i] = redis.Z{Score: until, Member: id}
		}
		if err := q.rdb.ZAddXX(ctx, q.leased, zs...).Err(); err != nil && ctx.Err() == nil {
			q.log.Error("renew timer leases", "err", err)
		}
		return true
	})
}

// Run fires due timers every poll until ctx ends, with Workers timers
// handled at once. A poll well under a second keeps the promise that
// timers fire within 1 s of their due time.
func (q *Queue) Run(ctx context.Context, poll time.Duration, h Handler) {
	var wg sync.WaitGroup
	for range q.workers {
		wg.Go(func() { q.run(ctx, poll, h) })
	}
	wg.Wait()
}

func (q *Queue) run(ctx context.Context, poll time.Duration, h Handler) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		if _, err := q.Fire(ctx, h); err != nil && !errors.Is(err, context.Canceled) {
			q.log.Error("fire timers", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
