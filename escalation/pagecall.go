package escalation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/lease"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
	"github.com/leadline/leadline/timers"
)

// TimerCall places, or recovers, a page call: "call:<code>:<step>:<i>",
// for the i-th person the step paged. Taking a call step sets it in the
// same script as the step, so the intent to call is stored before anyone
// waits on Twilio; the instance that took the step places the call at
// once, and the timer, due a lease later, finds it placed and does nothing,
// finds it still being placed and looks again when the lease ends, or
// places it if that instance died first.
const TimerCall timers.Kind = "call"

// callLease is the claim of the instance placing a page call: renewed
// every third of it while Twilio has not answered (callDial, with the
// phone client's own retries, may take far longer), so a call whose
// instance died is placed by another within a lease, and one whose
// instance is merely slow is not placed twice.
const (
	callLease = 2 * time.Second
	callDial  = 20 * time.Second
)

// renewCall extends the claim of attempt ARGV[1] to ARGV[2] while it is
// still that attempt's and no call is placed.
//
// KEYS: intent. ARGV: attempt, until ms.
var renewCall = redis.NewScript(`
local c = redis.call('HMGET', KEYS[1], 'attempts', 'sid')
if c[1] ~= ARGV[1] or (c[2] and c[2] ~= '') then return 0 end
redis.call('HSET', KEYS[1], 'until', ARGV[2])
return 1
`)

// callRetries are the waits between tries of a page call that failed
// transiently (429, 5xx, network); later tries wait the last.
var callRetries = []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}

func intentKey(code string, step int, person string) string {
	return prefix + "pagecall:" + code + ":" + strconv.Itoa(step) + ":" + person
}

// lineKey is a person's page call line: the one page call being placed or
// under way to them, which later pages join instead of ringing at once.
func lineKey(id string) string { return prefix + "person:" + id + ":line" }

// lineTTL bounds how long a line is held when its call's last status never
// comes: a page call rings 25 s and reads a few pages.
const lineTTL = 15 * time.Minute

// claimCall takes the right to place a page call: "placed" if it has a
// CallSid, "busy <until ms>" while another instance's claim holds,
// "joined" if another page's call to the person is being placed or under
// way (the page joins that call's line and is read in it), else
// "go <attempt> <deadline ms>", having claimed it until ARGV[2] and taken
// the person's line.
//
// KEYS: intent, line. ARGV: now ms, until ms, deadline ms if new, ttl ms,
// code, step, i, line ttl ms.
var claimCall = redis.NewScript(`
local c = redis.call('HMGET', KEYS[1], 'sid', 'until')
if c[1] and c[1] ~= '' then return 'placed' end
if c[2] and tonumber(c[2]) > tonumber(ARGV[1]) then return 'busy ' .. c[2] end
local on = redis.call('HGET', KEYS[2], 'code')
if on and on ~= ARGV[5] then
  local j = ARGV[5] .. ':' .. ARGV[6] .. ':' .. ARGV[7]
  local joined = redis.call('HGET', KEYS[2], 'joined') or ''
  if not string.find(' ' .. joined .. ' ', ' ' .. j .. ' ', 1, true) then
    if joined ~= '' then joined = joined .. ' ' end
    redis.call('HSET', KEYS[2], 'joined', joined .. j)
  end
  redis.call('HSET', KEYS[1], 'sid', 'joined', 'until', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return 'joined'
end
redis.call('HSETNX', KEYS[1], 'deadline', ARGV[3])
redis.call('HSET', KEYS[1], 'until', ARGV[2])
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('HSET', KEYS[2], 'code', ARGV[5], 'step', ARGV[6], 'sid', '')
redis.call('PEXPIRE', KEYS[2], ARGV[8])
return 'go ' .. n .. ' ' .. redis.call('HGET', KEYS[1], 'deadline')
`)

// placeCall places the page call of step's i-th person, once across
// instances and retries: the intent's claim makes sure only one instance
// tries at a time, and its CallSid that a placed call is not placed again.
// A transient failure is tried again within the step's wait (sched moves
// the call's timer); a final one, or the wait running out, moves on.
func (ch *Chain) placeCall(ctx context.Context, code string, step, i int) error {
	r, err := ch.Referrals.Load(ctx, code)
	if err != nil || r.State != referral.Paging || r.Step != step || i >= len(r.Paged) {
		return referral.IgnoreGone(err)
	}
	p, ok := ch.Program.Person(r.Paged[i])
	if !ok {
		return nil
	}
	st, ok := ch.stepOf(r, step)
	if !ok {
		return nil
	}
	now := ch.Clock()
	res, err := claimCall.Run(ctx, ch.Redis, []string{intentKey(code, step, p.ID), lineKey(p.ID)},
		now.UnixMilli(), now.Add(callLease).UnixMilli(), now.Add(st.Wait).UnixMilli(), pageRecordTTL.Milliseconds(),
		code, step, i, lineTTL.Milliseconds()).Text()
	if err != nil {
		return fmt.Errorf("claim page call: %w", err)
	}
	f := strings.Fields(res)
	timer := referral.Timer{Kind: TimerCall, Args: []int{step, i}}.ID(code)
	switch {
	case f[0] == "placed":
		return nil
	case f[0] == "joined":
		ch.Log.Info("page joins the call under way", "code", code, "person", p.ID)
		return nil
	case f[0] == "busy" && len(f) == 2:
		ms, _ := strconv.ParseInt(f[1], 10, 64)
		return ch.Timers.Schedule(ctx, timer, time.UnixMilli(ms))
	case len(f) != 3:
		return fmt.Errorf("claim page call: odd answer %q", res)
	}
	attempt, _ := strconv.Atoi(f[1])
	deadline, _ := strconv.ParseInt(f[2], 10, 64)
	// Renewed until Twilio answers, even while this instance shuts down
	// (its timer loop's ctx ended): only a dead instance lets it lapse.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callDial)
	intent := intentKey(code, step, p.ID)
	stop := lease.Renew(cctx, callLease, func(ctx context.Context) bool {
		n, err := renewCall.Run(ctx, ch.Redis, []string{intent}, attempt, ch.Clock().Add(callLease).UnixMilli()).Int()
		return err == nil && n == 1
	})
	sid, err := ch.dial(cctx, p)
	stop()
	cancel()
	if err == nil {
		ch.paged(ctx, code, r.Cohort, step, p, program.Call, outcome{sid: sid})
		return nil
	}
	wait := callRetries[min(attempt, len(callRetries))-1]
	if phone.IsFinal(err) || ch.Clock().Add(wait).After(time.UnixMilli(deadline)) {
		ch.paged(ctx, code, r.Cohort, step, p, program.Call, outcome{err: err})
		// The pages that joined this call are not read either.
		ch.lineEnded(ctx, p.ID, "", code, "failed", nil)
		return nil
	}
	ch.Log.Warn("page call not placed; trying again", "code", code, "to", phone.Mask(p.Phone), "in", wait, "err", err)
	if err := ch.Redis.HSet(ctx, intentKey(code, step, p.ID), "until", 0).Err(); err != nil {
		return fmt.Errorf("release page call: %w", err)
	}
	return ch.Timers.Schedule(ctx, timer, ch.Clock().Add(wait))
}

// dial places the call itself.
func (ch *Chain) dial(ctx context.Context, p *program.Person) (string, error) {
	if ch.Caller == nil {
		return "", &phone.SendError{Final: true, Err: errors.New("no voice caller configured")}
	}
	return ch.Caller.Call(ctx, phone.Call{From: ch.Program.Phone, To: p.Phone, Ring: ringTime,
		URL: ch.PublicURL + "/twilio/voice/page", StatusCallback: ch.PublicURL + "/twilio/status"})
}

// stepOf is step n of r's cohort's chain.
func (ch *Chain) stepOf(r *referral.Referral, n int) (program.Step, bool) {
	c, ok := ch.Program.Cohort(r.Cohort)
	if !ok || n < 0 || n >= len(c.Escalation.Steps) {
		return program.Step{}, false
	}
	return c.Escalation.Steps[n], true
}

// calledAs binds a page call Leadline has no record of (its instance died
// before storing the CallSid Twilio gave it) to the page call under way to
// the number it rang, and returns the record's code and person then.
func (ch *Chain) calledAs(ctx context.Context, callSID, to string) (code, person string, err error) {
	p, ok := ch.Program.PersonByPhone(to)
	if !ok {
		return "", "", nil
	}
	under, err := ch.Redis.HMGet(ctx, lineKey(p.ID), "code", "step").Result()
	if err != nil {
		return "", "", fmt.Errorf("page call under way: %w", err)
	}
	c, _ := under[0].(string)
	s, _ := under[1].(string)
	step, err := strconv.Atoi(s)
	if c == "" || err != nil {
		return "", "", nil
	}
	if _, err := recordPage.Run(ctx, ch.Redis, []string{callKey(callSID), intentKey(c, step, p.ID), lineKey(p.ID)},
		c, p.ID, step, pageRecordTTL.Milliseconds(), callSID, lineTTL.Milliseconds()).Text(); err != nil {
		return "", "", fmt.Errorf("record page call: %w", err)
	}
	ch.Log.Warn("page call found by the number it rang", "code", c, "person", p.ID)
	return c, p.ID, nil
}

// endLine frees a person's line if the call ending holds it (by its
// CallSid, or by its code while no call was placed), and returns the pages
// that joined it: "<code>:<step>:<i>" each, or nil.
//
// KEYS: line. ARGV: CallSid, code.
var endLine = redis.NewScript(`
local l = redis.call('HMGET', KEYS[1], 'code', 'sid', 'joined')
if not l[1] then return false end
local sid = l[2] or ''
if (ARGV[1] ~= '' and sid == ARGV[1]) or (sid == '' and l[1] == ARGV[2]) then
  redis.call('DEL', KEYS[1])
  return l[3] or ''
end
return false
`)

// joinedPage is a page that joined another page's call.
type joinedPage struct {
	code    string
	step, i int
}

func parseJoined(s string) []joinedPage {
	var out []joinedPage
	for _, f := range strings.Fields(s) {
		p := strings.Split(f, ":")
		if len(p) != 3 {
			continue
		}
		step, err1 := strconv.Atoi(p[1])
		i, err2 := strconv.Atoi(p[2])
		if err1 == nil && err2 == nil {
			out = append(out, joinedPage{code: p[0], step: step, i: i})
		}
	}
	return out
}

// lineEnded frees person's line when the call holding it ended with
// status (or was never placed), and settles the pages that joined it: a
// page the person never heard on a call they answered is called again on
// its own; any other is missed as the call was. read lists the codes the
// call read out.
func (ch *Chain) lineEnded(ctx context.Context, person, sid, code, status string, read []string) {
	res, err := endLine.Run(ctx, ch.Redis, []string{lineKey(person)}, sid, code).Text()
	if errors.Is(err, redis.Nil) || res == "" {
		return
	}
	if err != nil {
		ch.Log.Error("end page call line", "person", person, "err", err)
		return
	}
	for _, j := range parseJoined(res) {
		if status == "completed" && !slices.Contains(read, j.code) {
			if err := ch.Redis.HDel(ctx, intentKey(j.code, j.step, person), "sid").Err(); err != nil {
				ch.Log.Error("release joined page call", "code", j.code, "err", err)
				continue
			}
			ch.pageByCall(ctx, j.code, j.step, j.i)
			continue
		}
		if err := ch.pageStatus(ctx, j.code, j.step, person, program.Call, status); err != nil {
			ch.Log.Error("act on joined page's status", "code", j.code, "err", err)
		}
	}
}
