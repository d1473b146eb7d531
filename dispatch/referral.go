package dispatch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Type is the kind of referral.
type Type string

// Referral types (DESIGN.md). Community referrals are entered by staff and
// never come through this loop.
const (
	Arrest Type = "arrest"
	Social Type = "social"
)

// Label is how a type is written in texts.
func (t Type) Label() string {
	if t == Arrest {
		return "arrest diversion"
	}
	return "social contact"
}

// State is where a referral is in its life.
type State string

// The states of DESIGN.md: new → paging → accepted → on_scene → closed, or
// cancelled, or unanswered.
const (
	New        State = "new"
	Paging     State = "paging"
	Accepted   State = "accepted"
	OnScene    State = "on_scene"
	Closed     State = "closed"
	Cancelled  State = "cancelled"
	Unanswered State = "unanswered"
)

// Outcomes a case manager may close a referral with.
var outcomes = []string{"engaged", "refused", "gone"}

// Referral is one officer's request for a case manager, with every time it
// changed state. Times are zero until that state is reached.
type Referral struct {
	Code     string
	Type     Type
	Cohort   string
	State    State
	Officer  string // person ID
	Location string // as the officer gave it
	Lat, Lon float64
	Place    string
	Notes    string
	// OutsideMetres is how far outside its cohort the point was when the
	// officer asked to page it anyway; 0 when inside.
	OutsideMetres float64
	// NearBoundary: the point is just outside Cohort's area, within the
	// program's tolerance, and in no other.
	NearBoundary bool

	Step        int      // index of the escalation step now running; -1 before the first
	Escalations int      // steps taken after the first page
	Paged       []string // the people the current step paged
	PagedList   []string // everyone paged, in order
	Declined    []string
	Missed      []string // paged by the current step but not reached (undelivered, no answer)
	Failed      []string // "<id>/<channel>": Twilio said that channel can never reach them
	AcceptedBy  string
	ETAMinutes  int
	Outcome     string

	Received, PagingAt, AcceptedAt, OnSceneAt, ClosedAt, CancelledAt, UnansweredAt time.Time

	// After the hand-off: when the intake or first follow-up was recorded,
	// and when it was reported overdue.
	FollowedAt, OverdueAt time.Time

	// The participant's appointment, set by the case manager. Participant
	// is their number (E.164), kept only while needed (see forget).
	Participant string
	Lang        string // participant texts' language: "en" or "es"
	TZ          string // the participant's zone, if not the program's
	Appt        time.Time
	ApptPlace   string
	ApptVer     int    // bumped by every change, so stale reminders know they are
	ApptState   string // apptSet, apptConfirmed, apptReschedule, apptCancelled
	ApptBy      string // the case manager told of the participant's answers
	ApptTold    int    // the ApptVer the participant was last told of; 0 for none
}

// timeFields maps each state to the hash field holding when it was reached.
var timeFields = map[State]string{
	New: "received_at", Paging: "paging_at", Accepted: "accepted_at", OnScene: "on_scene_at",
	Closed: "closed_at", Cancelled: "cancelled_at", Unanswered: "unanswered_at",
}

func (r *Referral) timePtr(s State) *time.Time {
	switch s {
	case New:
		return &r.Received
	case Paging:
		return &r.PagingAt
	case Accepted:
		return &r.AcceptedAt
	case OnScene:
		return &r.OnSceneAt
	case Closed:
		return &r.ClosedAt
	case Cancelled:
		return &r.CancelledAt
	case Unanswered:
		return &r.UnansweredAt
	}
	return nil
}

// Open reports whether someone may still act on the referral.
func (r *Referral) Open() bool {
	return r.State == New || r.State == Paging || r.State == Accepted || r.State == OnScene
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (r *Referral) fields() []any {
	f := []any{
		"code", r.Code, "type", string(r.Type), "cohort", r.Cohort, "state", string(r.State),
		"officer", r.Officer, "location", r.Location,
		"lat", strconv.FormatFloat(r.Lat, 'f', -1, 64), "lon", strconv.FormatFloat(r.Lon, 'f', -1, 64),
		"place", r.Place, "notes", r.Notes,
		"outside_m", strconv.FormatFloat(r.OutsideMetres, 'f', 0, 64),
		"step", strconv.Itoa(r.Step),
	}
	if r.NearBoundary {
		f = append(f, "near_boundary", "1")
	}
	for s, name := range timeFields {
		if t := *r.timePtr(s); !t.IsZero() {
			f = append(f, name, formatTime(t))
		}
	}
	return f
}

func referralFrom(h map[string]string) (*Referral, error) {
	r := &Referral{
		Code: h["code"], Type: Type(h["type"]), Cohort: h["cohort"], State: State(h["state"]),
		Officer: h["officer"], Location: h["location"], Place: h["place"], Notes: h["notes"],
		Paged: strings.Fields(h["paged"]), PagedList: strings.Fields(h["paged_list"]), Declined: strings.Fields(h["declined"]),
		Missed: strings.Fields(h["missed"]), Failed: strings.Fields(h["failed"]), AcceptedBy: h["accepted_by"], Outcome: h["outcome"],
		NearBoundary: h["near_boundary"] == "1",
		Participant:  h["participant"], Lang: h["p_lang"], TZ: h["p_tz"], ApptPlace: h["appt_place"],
		ApptState: h["appt_state"], ApptBy: h["appt_by"],
	}
	var err error
	parse := func(name string, dst *float64) {
		if v := h[name]; v != "" && err == nil {
			*dst, err = strconv.ParseFloat(v, 64)
		}
	}
	parse("lat", &r.Lat)
	parse("lon", &r.Lon)
	parse("outside_m", &r.OutsideMetres)
	atoi := func(name string, dst *int) {
		if v := h[name]; v != "" && err == nil {
			*dst, err = strconv.Atoi(v)
		}
	}
	atoi("eta", &r.ETAMinutes)
	atoi("step", &r.Step)
	atoi("escalations", &r.Escalations)
	atoi("appt_ver", &r.ApptVer)
	atoi("appt_told", &r.ApptTold)
	for name, dst := range map[string]*time.Time{"followed_at": &r.FollowedAt, "overdue_at": &r.OverdueAt, "appt_at": &r.Appt} {
		if v := h[name]; v != "" && err == nil {
			*dst, err = time.Parse(time.RFC3339Nano, v)
		}
	}
	for s, name := range timeFields {
		if v := h[name]; v != "" && err == nil {
			*r.timePtr(s), err = time.Parse(time.RFC3339Nano, v)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("referral %s is corrupt: %w", r.Code, err)
	}
	return r, nil
}

// errNotFound means no referral has that code.
var errNotFound = errors.New("no such referral")

func (s *Service) load(ctx context.Context, code string) (*Referral, error) {
	h, err := s.rdb.HGetAll(ctx, referralKey(code)).Result()
	if err != nil {
		return nil, fmt.Errorf("load referral: %w", err)
	}
	if len(h) == 0 {
		return nil, errNotFound
	}
	return referralFrom(h)
}

// create stores a new referral under a fresh code, remembers it as the
// officer's latest, and sets the rescue timer that pages it should this
// instance die before its first page. It fails (0) if the code is taken.
var create = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i+1]) end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
redis.call('SET', KEYS[4], ARGV[2])
redis.call('ZADD', KEYS[5], ARGV[5], ARGV[4])
return 1
`)

// rescueAfter is when a referral's first page is retried by whichever
// instance is polling timers, should the one that stored it not page it.
const rescueAfter = 10 * time.Second

// insert stores r under a new code and returns it.
func (s *Service) insert(ctx context.Context, r *Referral) error {
	for range 20 {
		r.Code = newCode()
		keys := []string{referralKey(r.Code), eventsKey(r.Code), referralsKey, officerLastKey(r.Officer), s.timers.DueKey()}
		args := []any{r.Received.UnixMilli(), r.Code, event(r.Received, "created", r.Officer, r.Cohort),
			stepTimer(r.Code, -1), r.Received.Add(rescueAfter).UnixMilli()}
		args = append(args, r.fields()...)
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
// and the guard holds, in one step, so that concurrent texts (two accepts,
// a decline racing a failure, two instances firing one timer) cannot both
// win. Timers it sets are set in the same step, so a change that needs a
// timer never lands without one.
//
// KEYS: the referral, its events, the timer queue.
// ARGV: allowed states (space separated, "" for any), guard field, guard
// mode ("eq" or "in": the value is one of the field's space-separated
// words), guard value, event line, the number of timers n, n timer ID / due
// (Unix ms) pairs, then field/value pairs. A field written "+name" adds the
// value to its word list unless already there; "#name" adds a number to it.
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
for i = 7, 6 + 2 * n, 2 do redis.call('ZADD', KEYS[3], ARGV[i+1], ARGV[i]) end
for i = 7 + 2 * n, #ARGV, 2 do
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
  else
    redis.call('HSET', KEYS[1], f, ARGV[i+1])
  end
end
redis.call('RPUSH', KEYS[2], ARGV[5])
return {1, state}
`)

// change is one guarded transition.
type change struct {
	from       []State
	guardField string
	guardMode  string // "eq" or "in"
	guardValue string
	event      string
	set        []any // field/value pairs; "+field" adds a word, "#field" a number
	timers     []timer
	ends       bool // the referral reaches an end state: its details' retention starts
}

// timer is one timer a change sets.
type timer struct {
	id string
	at time.Time
}

// to moves the referral to state s at time t, recording when.
func (c change) to(s State, t time.Time) change {
	c.set = append(c.set, "state", string(s), timeFields[s], formatTime(t))
	c.ends = s == Closed || s == Cancelled || s == Unanswered
	return c
}

// apply runs c on the referral. applied is false when the state or the
// guard did not allow it.
func (s *Service) apply(ctx context.Context, code string, c change) (applied bool, err error) {
	from := make([]string, len(c.from))
	for i, st := range c.from {
		from[i] = string(st)
	}
	if c.ends {
		c.timers = append(c.timers, timer{purgeTimer(code), s.now().Add(s.prog.Retention.Details)})
	}
	args := []any{strings.Join(from, " "), c.guardField, c.guardMode, c.guardValue, c.event, len(c.timers)}
	for _, t := range c.timers {
		args = append(args, t.id, t.at.UnixMilli())
	}
	args = append(args, c.set...)
	keys := []string{referralKey(code), eventsKey(code), s.timers.DueKey()}
	res, err := transition.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return false, fmt.Errorf("update referral %s: %w", code, err)
	}
	n, _ := res[0].(int64)
	if n < 0 {
		return false, errNotFound
	}
	return n == 1, nil
}

// applyFresh runs c and returns the referral as it now stands, and
// whether c was applied.
func (s *Service) applyFresh(ctx context.Context, code string, c change) (*Referral, bool, error) {
	applied, err := s.apply(ctx, code, c)
	if err != nil {
		return nil, false, err
	}
	fresh, err := s.load(ctx, code)
	return fresh, applied, err
}

// event is one line of a referral's history: time, what, who, detail.
func event(t time.Time, what, who, detail string) string {
	return formatTime(t) + " " + what + " " + who + " " + detail
}
