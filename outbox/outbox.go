// Package outbox is the one durable queue every outbound SMS of the service
// goes through. Pages go before replies and replies before reminders, so a
// burst of reminders never delays a page; each sender number may be held to
// a throughput cap; transient failures are retried with backoff; and a "was
// sent" record makes sure a retry never texts twice. Any number of
// instances share one Redis: each message is claimed by one of them, and
// the texts to one person go out one at a time, in priority-then-enqueue
// order, so a person's texts keep their order.
//
// Keys, all under one hash tag so every script runs unchanged on Redis
// Cluster (the scripts build msg: and sid: keys from the prefix, which is
// safe only because they share the tag):
//
//	leadline:{outbox}:msg:<id>      hash: the message (meta as JSON; body and to sealed under the data key,
//	                                 rcpt the keyed name of to), state, attempts, sid, status,
//	                                 error, queued/sent times (Unix ms), ready score, claim token;
//	                                 expires TTL after the message ends
//	leadline:{outbox}:ready         zset: ids that may go now, scored priority*1e13 + enqueue Unix ms,
//	                                 or the priority's last score + 1 if that is higher
//	leadline:{outbox}:last          hash: priority → the last ready score given, so that texts
//	                                 enqueued in one millisecond keep their order
//	leadline:{outbox}:later         zset: ids waiting for a retry, scored by when they may go (Unix ms)
//	leadline:{outbox}:inflight      zset: claimed ids scored by when the claim lapses (Unix ms)
//	leadline:{outbox}:busy          hash: recipient's keyed name (rcpt) → the id in flight to them
//	leadline:{outbox}:sid:<sid>     hash: id, status, rank, code of a Twilio MessageSid; TTL
//	leadline:{outbox}:from:<n>      string: the GCRA state of sender n's throughput cap (redis_rate's;
//	                                 rateClient takes off the "rate:" it would put first)
//
// A message's life: queued (in ready) → sending (in inflight, its recipient
// in busy) → sent, failed or skipped; or → retry (in later) → queued again
// with its old score, so a retried text still goes before the recipient's
// newer ones. A claim whose instance dies lapses after Lease and the message
// is queued again, unless its record already says it ended: that record,
// written before anything else once Twilio has taken the text, is what
// keeps a lapsed claim from sending it twice.
//
// Under a throughput cap a worker first looks whose text is next, asks
// that sender's cap, and only with its yes claims whatever is first from
// that sender then; with a no it holds nothing while it waits, so a page
// queued meanwhile is what goes when the cap next allows.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/phone"
)

const (
	prefix      = "leadline:{outbox}:"
	readyKey    = prefix + "ready"
	lastKey     = prefix + "last"
	laterKey    = prefix + "later"
	inflightKey = prefix + "inflight"
	busyKey     = prefix + "busy"
)

func msgKey(id string) string    { return prefix + "msg:" + id }
func sidKey(sid string) string   { return prefix + "sid:" + sid }
func rateKey(from string) string { return prefix + "from:" + from }

// DefaultLease is a claim's lease when Options.Lease is zero.
const DefaultLease = 3 * time.Second

// priorityStep separates the priorities' ready scores: enqueue times in
// Unix ms stay below it until the year 2286.
const priorityStep = 1e13

// Priority orders messages: a lower one always goes first.
type Priority int

// The priorities, most urgent first.
const (
	Page     Priority = iota // case-manager pages: always first
	Reply                    // replies and notices to officers, case managers, participants
	Reminder                 // scheduled reminders, digests, consent requests
)

// String names the priority as metrics label it.
func (p Priority) String() string {
	switch p {
	case Page:
		return "page"
	case Reply:
		return "reply"
	case Reminder:
		return "reminder"
	}
	return "priority(" + strconv.Itoa(int(p)) + ")"
}

// Message is one text to send.
type Message struct {
	// ID is an idempotency key chosen by the caller: enqueuing an ID
	// already known (queued, or ended less than TTL ago) does nothing.
	// Empty: a random ID is made.
	ID       string
	From, To string // E.164
	Body     string
	Priority Priority
	Kind     Kind              // the owner's label ("page", "reply", "reminder", …): picks its Hooks
	Meta     map[string]string // the owner's data (e.g. referral code, person, step), handed back untouched
	// StatusCallback is the URL Twilio reports delivery to; "" none.
	StatusCallback string
	// MaxAttempts bounds the outbox-level attempts for transient failures;
	// 0 means len(Options.Retries)+1, 1 means no outbox-level retry. The
	// Sender's own quick retries happen within each attempt.
	MaxAttempts int
	// RetryWithin, if set, replaces MaxAttempts and Options.Retries: a
	// transient failure is tried again after 1 s, 2 s, 4 s, then every 5 s,
	// for as long as the next try starts within RetryWithin of the enqueue;
	// after that the message fails. A page uses its step's wait, so the
	// person it is for is tried again before the chain moves on.
	RetryWithin time.Duration
}

// Result is what became of a message: handed to Options.Done once, when it
// ends.
type Result struct {
	Message
	SID string // Twilio's MessageSid when sent
	// Err is the send error when it failed: the Sender's own error, so
	// phone.IsFinal and errors.Is(err, phone.ErrOptedOut) work. nil when
	// sent or skipped.
	Err     error
	Skipped bool // Options.Check said not to send it
	// Status is a delivery status already reported for SID by the time
	// the message was recorded as sent ("" if none): callbacks can beat
	// the REST answer.
	Status     string
	StatusCode string // Twilio's error code with Status, if any
	Attempts   int
	Queued     time.Time // when it was enqueued
}

// Record is the stored state of one message, for tests and admin.
type Record struct {
	Message
	State  string // queued|sending|retry|sent|failed|skipped
	SID    string
	Status string // the highest-ranked delivery status reported
	// Error is the last send error's text, or for a sent message whose
	// delivery failed, Twilio's delivery error code ("twilio error 30003").
	Error        string
	Attempts     int
	Queued, Sent time.Time
}

// ErrNotFound is returned by Get for an ID the outbox does not hold.
var ErrNotFound = errors.New("outbox: no such message")

// Sender sends one SMS (phone.Client is one).
type Sender interface {
	SendSMS(ctx context.Context, m phone.SMS) (string, error)
}

// Keys seal what the outbox keeps of a text (its body and recipient) and
// name its recipient in the busy hash (datakey.Keys).
type Keys interface {
	Seal(plain string, aad ...string) (string, error)
	Open(v string, aad ...string) (string, error)
	Name(number string) string
}

// Options tunes a Box. Zero values take the defaults.
type Options struct {
	Clock   func() time.Time // required; used for queue order, retry times, leases
	Keys    Keys             // required: bodies and recipients are kept sealed
	Log     *slog.Logger     // default slog.Default()
	Workers int              // concurrent sends per instance in Run; default 8
	// Rate caps messages per second per From number across all instances;
	// 0 = no cap. The cap is kept by Redis's own clock, not Clock.
	Rate float64
	// Lease is how long a claimed message is its instance's before another
	// may take it; default 3s. The instance renews it every third of a lease
	// while it works on the message, so only an instance that stopped loses
	// it, and the recipient it kept busy is free again within a lease.
	Lease time.Duration
	// Poll is how often idle workers look for work enqueued by other
	// instances; default 250ms.
	Poll time.Duration
	// Retries are the waits before outbox-level retries of a transient
	// failure; default 10s, 1m, 5m, 30m. Later retries wait the last.
	Retries []time.Duration
	// TTL is how long a message's record is kept after it ends, for status
	// callbacks and idempotency; default 24h.
	TTL time.Duration
	// SendTimeout bounds one Sender.SendSMS call; default 2m.
	SendTimeout time.Duration
	// Check, if set, is asked just before a message is sent; false means
	// drop it (Result.Skipped). An error counts as a transient failure.
	Check func(ctx context.Context, m Message) (bool, error)
	// Done, if set, is told the end of each message, on the goroutine that
	// sent it, before the message is released: texts Done enqueues to the
	// same recipient go after it, and Idle is false while Done runs.
	Done func(ctx context.Context, r Result)
	// Metrics is where leadline_outbox_sent_total and
	// leadline_outbox_wait_seconds are registered; nil for nowhere.
	Metrics prometheus.Registerer
}

// Box is one instance's handle on the shared outbox. It is safe for
// concurrent use.
type Box struct {
	rdb     redis.UniversalClient
	sender  Sender
	now     func() time.Time
	log     *slog.Logger
	workers int
	limit   redis_rate.Limit
	limiter *redis_rate.Limiter // nil: no cap
	lease   time.Duration
	poll    time.Duration
	retries []time.Duration
	ttl     time.Duration
	timeout time.Duration
	check   func(ctx context.Context, m Message) (bool, error)
	done    func(ctx context.Context, r Result)
	kinds   registry
	metrics *metrics
	keys    Keys

	// wake tells idle workers that this instance enqueued something.
	wake chan struct{}
	// instance and claims make claim tokens unique across instances, so a
	// claim that lapsed and was taken by another cannot be settled by us.
	instance string
	claims   atomic.Uint64

	mu   sync.Mutex
	held map[string]int // ids this instance is working on; see holding
}

// New returns a Box on rdb that sends through s. It fails if opt has no
// Clock or the metrics cannot be registered.
func New(rdb redis.UniversalClient, s Sender, opt Options) (*Box, error) {
	m, err := newMetrics(opt.Metrics)
	if err != nil {
		return nil, err
	}
	if opt.Metrics != nil {
		if err := opt.Metrics.Register(newDepth(rdb)); err != nil {
			return nil, fmt.Errorf("register outbox depth: %w", err)
		}
	}
	b := &Box{
		rdb: rdb, sender: s, now: opt.Clock, log: opt.Log, workers: opt.Workers,
		lease: opt.Lease, poll: opt.Poll, ttl: opt.TTL, timeout: opt.SendTimeout,
		check: opt.Check, done: opt.Done, metrics: m, instance: rand.Text()[:10],
		held: make(map[string]int), keys: opt.Keys,
	}
	if b.now == nil {
		return nil, errors.New("outbox: Options.Clock is required")
	}
	if b.keys == nil {
		return nil, errors.New("outbox: Options.Keys is required")
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.workers <= 0 {
		b.workers = 8
	}
	if b.lease <= 0 {
		b.lease = DefaultLease
	}
	if b.poll <= 0 {
		b.poll = 250 * time.Millisecond
	}
	if b.ttl <= 0 {
		b.ttl = 24 * time.Hour
	}
	if b.timeout <= 0 {
		b.timeout = 2 * time.Minute
	}
	b.retries = opt.Retries
	if len(b.retries) == 0 {
		b.retries = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute}
	}
	if opt.Rate > 0 {
		// One text per 1/Rate with a burst of one: no window of a second
		// ever sees more than Rate texts (plus the one at its edge), which
		// is what a carrier's per-number cap means. A larger burst would let
		// 2×Rate through in a second after a quiet spell.
		b.limit = redis_rate.Limit{Rate: 1, Burst: 1, Period: time.Duration(float64(time.Second) / opt.Rate)}
		b.limiter = redis_rate.NewLimiter(rateClient{rdb})
	}
	b.wake = make(chan struct{}, b.workers)
	return b, nil
}

// enqueue stores a message unless its ID is known, and queues it after
// every earlier message of its priority. HSET and ZADD run in one script,
// so a message is never stored without being queued.
//
// KEYS: msg, ready, last. ARGV: id, priority, score, field/value pairs.
var enqueue = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local score = tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if score <= last then score = last + 1 end
score = string.format('%.0f', score)
redis.call('HSET', KEYS[3], ARGV[2], score)
redis.call('HSET', KEYS[1], 'order', score, unpack(ARGV, 4))
redis.call('ZADD', KEYS[2], score, ARGV[1])
return 1
`)

// Enqueue stores m durably and queues it, and wakes this instance's
// workers. It reports false, doing nothing, if m.ID is already known.
func (b *Box) Enqueue(ctx context.Context, m Message) (bool, error) {
	if m.To == "" || m.From == "" {
		return false, errors.New("outbox: enqueue: a message needs From and To")
	}
	if m.Priority < Page || m.Priority > Reminder {
		return false, fmt.Errorf("outbox: enqueue: unknown priority %d", m.Priority)
	}
	if m.ID == "" {
		m.ID = rand.Text()
	}
	meta, err := json.Marshal(m.Meta)
	if err != nil {
		return false, fmt.Errorf("outbox: enqueue %s: meta: %w", m.ID, err)
	}
	to, err := b.keys.Seal(m.To, msgKey(m.ID), "to")
	if err != nil {
		return false, fmt.Errorf("outbox: enqueue %s: %w", m.ID, err)
	}
	body, err := b.keys.Seal(m.Body, msgKey(m.ID), "body")
	if err != nil {
		return false, fmt.Errorf("outbox: enqueue %s: %w", m.ID, err)
	}
	now := b.now().UnixMilli()
	score := float64(m.Priority)*priorityStep + float64(now)
	args := []any{m.ID, int(m.Priority), score,
		"id", m.ID, "from", m.From, "to", to, "rcpt", b.keys.Name(m.To), "body", body, "priority", int(m.Priority),
		"kind", string(m.Kind), "meta", meta, "cb", m.StatusCallback, "max", m.MaxAttempts,
		"within", m.RetryWithin.Milliseconds(),
		"state", "queued", "attempts", 0, "queued", now}
	added, err := enqueue.Run(ctx, b.rdb, []string{msgKey(m.ID), readyKey, lastKey}, args...).Int()
	if err != nil {
		return false, fmt.Errorf("outbox: enqueue %s: %w", m.ID, err)
	}
	if added == 0 {
		return false, nil
	}
	b.poke()
	return true, nil
}

// poke wakes one idle worker, if any is waiting and none has been told.
func (b *Box) poke() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Get returns the stored record of message id, or ErrNotFound.
func (b *Box) Get(ctx context.Context, id string) (Record, error) {
	f, err := b.rdb.HGetAll(ctx, msgKey(id)).Result()
	if err != nil {
		return Record{}, fmt.Errorf("outbox: get %s: %w", id, err)
	}
	if len(f) == 0 {
		return Record{}, fmt.Errorf("outbox: get %s: %w", id, ErrNotFound)
	}
	return b.decode(f)
}

// idle is 1 when nothing is ready, in flight, or due for a retry.
//
// KEYS: ready, inflight, later. ARGV: now ms.
var idle = redis.NewScript(`
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
if redis.call('ZCOUNT', KEYS[3], '-inf', ARGV[1]) > 0 then return 0 end
return 1
`)

// Idle reports whether nothing is ready and nothing is in flight in any
// instance. Retries waiting for a later time do not count; ones due now do.
func (b *Box) Idle(ctx context.Context) (bool, error) {
	n, err := idle.Run(ctx, b.rdb, []string{readyKey, inflightKey, laterKey}, b.now().UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("outbox: idle: %w", err)
	}
	return n == 1, nil
}

// decode reads a message hash, opening its body and recipient. Fields
// that do not parse read as zero: the scripts write them all, so only a
// hand-edited record could hold them.
func (b *Box) decode(f map[string]string) (Record, error) {
	for _, name := range []string{"to", "body"} {
		v, err := b.keys.Open(f[name], msgKey(f["id"]), name)
		if err != nil {
			return Record{}, fmt.Errorf("outbox: message %s: %w", f["id"], err)
		}
		f[name] = v
	}
	r := Record{
		Message: Message{
			ID: f["id"], From: f["from"], To: f["to"], Body: f["body"],
			Priority: Priority(atoi(f["priority"])), Kind: Kind(f["kind"]),
			StatusCallback: f["cb"], MaxAttempts: atoi(f["max"]),
			RetryWithin: time.Duration(atoi(f["within"])) * time.Millisecond,
		},
		State: f["state"], SID: f["sid"], Status: f["status"], Error: f["error"],
		Attempts: atoi(f["attempts"]), Queued: unixMilli(f["queued"]), Sent: unixMilli(f["sent"]),
	}
	if meta := f["meta"]; meta != "" {
		// A bad meta would be our own bug; losing it beats losing the message.
		_ = json.Unmarshal([]byte(meta), &r.Meta)
	}
	if r.Error == "" && f["code"] != "" {
		r.Error = "twilio error " + f["code"]
	}
	return r, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func unixMilli(s string) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
