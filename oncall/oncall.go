// Package oncall knows who is on call for each cohort, when, and until
// when: rotations that hand over at set times, and overrides (a shift swap,
// sick cover) that win over them. Schedules are data in Redis, seeded from
// the config and changed by `leadline oncall` and the admin API.
//
// Redis keys (all share the hash tag {oncall}):
//
//	leadline:{oncall}:cohort:<id>:schedule   hash: rotation, every (minutes), first (wall clock), seeded (the config it came from)
//	leadline:{oncall}:cohort:<id>:overrides  zset: "<id> <person> <from ms> <to ms>" scored by from (ms); never overlapping
//	leadline:{oncall}:timers:due|leased      zsets: the handoff timers (package timers), "handoff:<cohort>"
//	leadline:{oncall}:handoff:<cohort>:<ms>  string: that handoff's texts were sent; 7 days
package oncall

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/timers"
)

// ErrNobody means a cohort has nobody to page.
var ErrNobody = errors.New("nobody on call")

// ErrOverlap means an override would overlap another in its cohort.
var ErrOverlap = errors.New("overlaps another override")

// ErrNoOverride means there is no override with that ID.
var ErrNoOverride = errors.New("no such override")

// Shift is one person's time on call for a cohort. A zero To means until
// further notice (a rotation without shifts).
type Shift struct {
	Cohort   string    `json:"cohort"`
	Person   string    `json:"person"`
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Override string    `json:"override,omitempty"` // the override's ID, if it is one
}

// Store reads and changes on-call schedules.
type Store struct {
	rdb    redis.UniversalClient
	prog   *program.Program
	now    func() time.Time
	timers *timers.Queue
	log    *slog.Logger
}

// New returns a Store for prog's cohorts on rdb. clock is required (time.Now
// in serve, the test's clock in tests); a nil clock panics.
func New(rdb redis.UniversalClient, prog *program.Program, clock func() time.Time, log *slog.Logger) *Store {
	if clock == nil {
		panic("oncall.New: a clock is required")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Store{rdb: rdb, prog: prog, now: clock, log: log,
		timers: timers.New(rdb, TimersBase, timers.Options{Clock: clock, Log: log})}
}

// TimersBase is the base key of the handoff timers' queue, for metrics
// that read it (timers.NewCollector).
const TimersBase = "leadline:{oncall}:timers"

const prefix = "leadline:{oncall}:"

func scheduleKey(cohort string) string  { return prefix + "cohort:" + cohort + ":schedule" }
func overridesKey(cohort string) string { return prefix + "cohort:" + cohort + ":overrides" }
func sentKey(cohort string, at time.Time) string {
	return prefix + "handoff:" + cohort + ":" + strconv.FormatInt(at.UnixMilli(), 10)
}

// wallFormat is how a wall-clock time is stored.
const wallFormat = "2006-01-02T15:04"

// seed replaces a schedule only when the config's differs from the one it
// was last seeded from, so that a restart keeps what Redis holds while an
// edited config still wins. One script, so instances starting together
// cannot interleave.
var seed = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'seeded') == ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'seeded', ARGV[1], 'rotation', ARGV[2], 'every', ARGV[3], 'first', ARGV[4])
return 1
`)

// Seed loads each cohort's rotation and shifts from the config into Redis,
// unless Redis holds a schedule seeded from the same config, and sets each
// cohort's next handoff timer.
func (s *Store) Seed(ctx context.Context) error {
	for _, c := range s.prog.Cohorts {
		every, first := "0", ""
		if c.Shift != nil {
			every, first = strconv.Itoa(int(c.Shift.Every/time.Minute)), c.Shift.First.Format(wallFormat)
		}
		rotation := strings.Join(c.Rotation, " ")
		fingerprint := rotation + "|" + every + "|" + first
		if err := seed.Run(ctx, s.rdb, []string{scheduleKey(c.ID)}, fingerprint, rotation, every, first).Err(); err != nil {
			return fmt.Errorf("seed schedule of %s: %w", c.ID, err)
		}
		if err := s.scheduleHandoff(ctx, c.ID); err != nil {
			return err
		}
	}
	return nil
}

// state is what At reads of a cohort in one round trip.
type state struct {
	sched    schedule
	covering *Shift    // an override under way at t
	ended    time.Time // when the last override before t ended, if it has
	nextOver time.Time // when the next override after t starts; zero for none
}

func (s *Store) read(ctx context.Context, cohort string, t time.Time) (state, error) {
	ms := strconv.FormatInt(t.UnixMilli(), 10)
	var h *redis.MapStringStringCmd
	var before, after *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		h = p.HGetAll(ctx, scheduleKey(cohort))
		before = p.ZRevRangeByScore(ctx, overridesKey(cohort), &redis.ZRangeBy{Max: ms, Min: "-inf", Count: 1})
		after = p.ZRangeByScore(ctx, overridesKey(cohort), &redis.ZRangeBy{Min: "(" + ms, Max: "+inf", Count: 1})
		return nil
	})
	if err != nil {
		return state{}, fmt.Errorf("on call for %s: %w", cohort, err)
	}
	sched, err := s.parseSchedule(cohort, h.Val())
	if err != nil {
		return state{}, err
	}
	overrides, err := parseOverrides(cohort, append(before.Val(), after.Val()...))
	if err != nil {
		return state{}, err
	}
	return stateAt(sched, overrides, t), nil
}

func (s *Store) parseSchedule(cohort string, h map[string]string) (schedule, error) {
	sched := schedule{rotation: strings.Fields(h["rotation"]), loc: s.prog.TimeZone}
	if m, _ := strconv.Atoi(h["every"]); m > 0 {
		var err error
		sched.every = time.Duration(m) * time.Minute
		sched.first, err = time.Parse(wallFormat, h["first"])
		if err != nil {
			return schedule{}, fmt.Errorf("schedule of %s is corrupt: %w", cohort, err)
		}
	}
	return sched, nil
}

// stateAt is the state at t given overrides sorted by start; they hold at
// least the last override starting by t and the first starting after it.
func stateAt(sched schedule, overrides []Shift, t time.Time) state {
	st := state{sched: sched}
	for i := range overrides {
		o := overrides[i]
		switch {
		case o.From.After(t):
			if st.nextOver.IsZero() {
				st.nextOver = o.From
			}
		case o.To.After(t):
			st.covering = &o
		default:
			st.ended = o.To // overrides never overlap: the last one ended latest
		}
	}
	return st
}

// shift is the shift under way at t.
func (st state) shift(cohort string, t time.Time) (Shift, error) {
	if st.covering != nil {
		return *st.covering, nil
	}
	sh := Shift{Cohort: cohort}
	if st.sched.every == 0 {
		sh.Person = st.sched.person(0)
	} else {
		k := st.sched.shiftAt(t)
		sh.Person, sh.From, sh.To = st.sched.person(k), st.sched.handoff(k), st.sched.handoff(k+1)
		if !st.nextOver.IsZero() && st.nextOver.Before(sh.To) {
			sh.To = st.nextOver
		}
	}
	if !st.nextOver.IsZero() && sh.To.IsZero() {
		sh.To = st.nextOver
	}
	// An override that ended mid-shift gives the rest of the shift back.
	if st.ended.After(sh.From) {
		sh.From = st.ended
	}
	if sh.Person == "" {
		return sh, fmt.Errorf("%s: %w", cohort, ErrNobody)
	}
	return sh, nil
}

// At is the shift under way in cohort at t. ErrNobody when nobody is on
// call (an empty rotation).
func (s *Store) At(ctx context.Context, cohort string, t time.Time) (Shift, error) {
	st, err := s.read(ctx, cohort, t)
	if err != nil {
		return Shift{}, err
	}
	return st.shift(cohort, t)
}

// Current is the person on call for cohort now.
func (s *Store) Current(ctx context.Context, cohort string) (string, error) {
	sh, err := s.At(ctx, cohort, s.now())
	return sh.Person, err
}

// Rotation is the order in which a cohort's people are paged: whoever is
// on call now first, then the rotation from the next shift's person on.
func (s *Store) Rotation(ctx context.Context, cohort string) ([]string, error) {
	now := s.now()
	st, err := s.read(ctx, cohort, now)
	if err != nil {
		return nil, err
	}
	rot := st.sched.rotation
	if len(rot) == 0 {
		return nil, nil
	}
	k := 0
	if st.sched.every > 0 {
		k = st.sched.shiftAt(now)
	}
	var out []string
	if st.covering != nil {
		out = append(out, st.covering.Person)
	}
	for i := range rot {
		if id := st.sched.person(k + i); !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// Next is the first person in cohort's paging order (Rotation) after
// `after` who is not in skip, wrapping round. A person not in the order is
// followed by the one on call. ErrNobody when everyone is skipped.
func (s *Store) Next(ctx context.Context, cohort, after string, skip []string) (string, error) {
	ids, err := s.Rotation(ctx, cohort)
	if err != nil {
		return "", err
	}
	start := slices.Index(ids, after) + 1 // 0 when absent: start at the on-call person
	for i := range ids {
		id := ids[(start+i)%len(ids)]
		if id != after && !slices.Contains(skip, id) {
			return id, nil
		}
	}
	return "", fmt.Errorf("%s after %s: %w", cohort, after, ErrNobody)
}

// Upcoming is n shifts of cohort from the one under way at `from`, from
// one read of the schedule and its overrides.
func (s *Store) Upcoming(ctx context.Context, cohort string, from time.Time, n int) ([]Shift, error) {
	var h *redis.MapStringStringCmd
	var members *redis.StringSliceCmd
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		h = p.HGetAll(ctx, scheduleKey(cohort))
		members = p.ZRange(ctx, overridesKey(cohort), 0, -1)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("shifts of %s: %w", cohort, err)
	}
	sched, err := s.parseSchedule(cohort, h.Val())
	if err != nil {
		return nil, err
	}
	overrides, err := parseOverrides(cohort, members.Val())
	if err != nil {
		return nil, err
	}
	var out []Shift
	t := from
	for range n {
		sh, err := stateAt(sched, overrides, t).shift(cohort, t)
		if err != nil && !errors.Is(err, ErrNobody) {
			return nil, err
		}
		out = append(out, sh)
		if sh.To.IsZero() {
			break
		}
		t = sh.To
	}
	return out, nil
}

// NextShiftOf is person's next shift in cohort starting after t, looking a
// few weeks ahead; ok is false when there is none.
func (s *Store) NextShiftOf(ctx context.Context, cohort, person string, t time.Time) (sh Shift, ok bool, err error) {
	shifts, err := s.Upcoming(ctx, cohort, t, 60)
	if err != nil {
		return Shift{}, false, err
	}
	for _, x := range shifts {
		if x.Person == person && x.From.After(t) {
			return x, true, nil
		}
	}
	return Shift{}, false, nil
}

// addOverride adds ARGV[1] scored ARGV[2] unless an override of the
// cohort overlaps [ARGV[2], ARGV[3]); then it returns the one it overlaps.
var addOverride = redis.NewScript(`
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local from, to = string.match(m, '^%S+ %S+ (%d+) (%d+)$')
  if tonumber(from) < tonumber(ARGV[3]) and tonumber(ARGV[2]) < tonumber(to) then return m end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return ''
`)

// AddOverride puts person on call for cohort from `from` to `to`, over the
// rotation. It refuses an override that overlaps another in the cohort
// (ErrOverlap, naming it), an unknown cohort or person, and an empty or
// past period (ErrInvalid, saying what to change).
func (s *Store) AddOverride(ctx context.Context, cohort, person string, from, to time.Time) (Shift, error) {
	if _, ok := s.prog.Cohort(cohort); !ok {
		return Shift{}, invalidf("unknown cohort %q", cohort)
	}
	p, ok := s.prog.Person(person)
	if !ok {
		return Shift{}, invalidf("unknown person %q", person)
	}
	if p.Role == program.Officer {
		return Shift{}, invalidf("%s is an officer, not a case manager", person)
	}
	from, to = from.Truncate(time.Minute), to.Truncate(time.Minute)
	if !to.After(from) {
		return Shift{}, invalid("an override must end after it starts")
	}
	if !to.After(s.now()) {
		return Shift{}, invalid("that override would already be over")
	}
	if horizon := s.now().AddDate(1, 0, 0); to.After(horizon) || from.Before(s.now().AddDate(0, 0, -1)) {
		return Shift{}, invalidf("an override must start no more than a day ago and end within a year (by %s)",
			s.prog.Times.DayInYear(horizon))
	}
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return Shift{}, fmt.Errorf("override id: %w", err)
	}
	o := Shift{Cohort: cohort, Person: person, From: from, To: to, Override: cohort + "-" + hex.EncodeToString(b)}
	clash, err := addOverride.Run(ctx, s.rdb, []string{overridesKey(cohort)}, o.member(), from.UnixMilli(), to.UnixMilli()).Text()
	if err != nil {
		return Shift{}, fmt.Errorf("add override: %w", err)
	}
	if clash != "" {
		other, err := parseOverride(cohort, clash)
		if err != nil {
			return Shift{}, err
		}
		return Shift{}, fmt.Errorf("%w %s (%s, %s to %s)", ErrOverlap, other.Override, other.Person,
			s.prog.Times.DateTime(other.From), s.prog.Times.DateTime(other.To))
	}
	s.log.Info("on-call override added", "override", o.Override, "cohort", cohort, "person", person)
	if !from.After(s.now()) {
		// It starts now (from is cut to the minute, so up to a minute ago):
		// who is on call has already changed, and no timer at a shift's end
		// would tell it. A handoff timer due at its start fires at once and
		// tells the incoming and outgoing people, as at a future start.
		if err := s.timers.Schedule(ctx, "handoff:"+cohort, from); err != nil {
			return o, err
		}
		return o, nil
	}
	return o, s.scheduleHandoff(ctx, cohort)
}

// DeleteOverride removes an override by ID.
func (s *Store) DeleteOverride(ctx context.Context, id string) error {
	cohort, _, ok := strings.Cut(id, "-")
	if !ok {
		return ErrNoOverride
	}
	if _, known := s.prog.Cohort(cohort); !known {
		return ErrNoOverride
	}
	all, err := s.Overrides(ctx, cohort)
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.Override == id {
			if err := s.rdb.ZRem(ctx, overridesKey(cohort), o.member()).Err(); err != nil {
				return fmt.Errorf("delete override: %w", err)
			}
			s.log.Info("on-call override deleted", "override", id)
			return s.scheduleHandoff(ctx, cohort)
		}
	}
	return ErrNoOverride
}

// Overrides are a cohort's overrides, earliest first.
func (s *Store) Overrides(ctx context.Context, cohort string) ([]Shift, error) {
	ms, err := s.rdb.ZRange(ctx, overridesKey(cohort), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("overrides of %s: %w", cohort, err)
	}
	return parseOverrides(cohort, ms)
}

// parseOverrides reads zset members, kept in their order.
func parseOverrides(cohort string, members []string) ([]Shift, error) {
	out := make([]Shift, 0, len(members))
	for _, m := range members {
		o, err := parseOverride(cohort, m)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (o Shift) member() string {
	return fmt.Sprintf("%s %s %d %d", o.Override, o.Person, o.From.UnixMilli(), o.To.UnixMilli())
}

func parseOverride(cohort, m string) (Shift, error) {
	f := strings.Fields(m)
	if len(f) != 4 {
		return Shift{}, fmt.Errorf("override %q of %s is corrupt", m, cohort)
	}
	from, err1 := strconv.ParseInt(f[2], 10, 64)
	to, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return Shift{}, fmt.Errorf("override %q of %s is corrupt", m, cohort)
	}
	return Shift{Cohort: cohort, Person: f[1], From: time.UnixMilli(from), To: time.UnixMilli(to), Override: f[0]}, nil
}
