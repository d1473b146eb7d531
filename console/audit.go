package console

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/program"
)

// Action is what an audit entry records someone doing. Each is a constant,
// so an entry can never carry free text (and so never a note).
type Action string

// The actions the console records. Pages added later add theirs here.
const (
	ActionSignIn      Action = "sign_in"        // signed in (Entry.Via says how)
	ActionSignOut     Action = "sign_out"       // signed out
	ActionCodeLocked  Action = "sign_in_locked" // a sign-in code was entered wrong MaxTries times
	ActionAuditView   Action = "audit_view"     // read the audit page
	ActionAuditExport Action = "audit_export"   // downloaded the audit CSV
	// For the board and referral pages.
	ActionReferralView   Action = "referral_view"
	ActionReferralUpdate Action = "referral_update"
	ActionReferralCreate Action = "referral_create"
	// For the dashboard: a view, and a report file downloaded.
	ActionDashboardView Action = "dashboard_view"
	ActionReportExport  Action = "report_export"
	ActionCalendarView  Action = "calendar_view" // the on-call calendar
	// On the calendar: an override added or removed (Entry.Override).
	ActionOverrideAdd    Action = "override_add"
	ActionOverrideRemove Action = "override_remove"
	// Calendar feed links made and revoked (Entry.Feed says whose).
	ActionFeedMake   Action = "feed_make"
	ActionFeedRevoke Action = "feed_revoke"
	// Caseloads: the list, or one case manager's (Entry.Caseload says
	// whose), and the map of open referrals (one entry per referral it
	// located, Entry.Referral; one without a referral when it located none).
	ActionCaseloadView Action = "caseload_view"
	ActionMapView      Action = "map_view"
)

// Entry is one line of the audit log: who, when, which referral, which
// action, from where. Nothing else is stored.
type Entry struct {
	ID       string    // the stream ID; set by Record
	At       time.Time // default: the clock's now
	Person   string    // person ID ("" for someone not signed in)
	Role     program.Role
	Action   Action
	Referral string // referral code, "" for none
	Override string // on-call override ID, "" for none
	Feed     string // calendar feed, "person:<id>" or "cohort:<id>", "" for none
	Caseload string // the person whose caseload was viewed, "" for none
	From     string // client IP address
	Via      string // how the person signed in, for ActionSignIn ("sms", "oidc", "demo")
}

var (
	actionPattern   = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)
	idPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	referralPattern = regexp.MustCompile(`^[A-Z0-9]{1,16}$`)
	feedPattern     = regexp.MustCompile(`^(person|cohort):[a-z0-9][a-z0-9_-]{0,63}$`)
)

// Audit is the append-only audit log: a Redis stream, kept as long as the
// program keeps de-identified records (program.Retention.Records).
type Audit struct {
	rdb  redis.UniversalClient
	now  func() time.Time
	keep time.Duration
}

// NewAudit returns the audit log on rdb; entries older than keep are
// trimmed as new ones come. clock is required.
func NewAudit(rdb redis.UniversalClient, clock func() time.Time, keep time.Duration) *Audit {
	return &Audit{rdb: rdb, now: clock, keep: keep}
}

// appendAudit adds an entry with an ID from the injected clock (never
// before the stream's last: a clock set back takes Redis's own next ID)
// and trims entries older than the retention.
//
// KEYS: audit. ARGV: at (ms), oldest kept (ms), field/value pairs.
var appendAudit = redis.NewScript(`
local r = redis.pcall('XADD', KEYS[1], 'MINID', ARGV[2], ARGV[1] .. '-*', unpack(ARGV, 3))
if type(r) == 'table' and r.err then
  r = redis.call('XADD', KEYS[1], 'MINID', ARGV[2], '*', unpack(ARGV, 3))
end
return r
`)

// Record appends e to the log. It refuses an entry whose fields are not
// what they name (an unknown-looking action, a person ID, a referral code,
// an IP address), so nothing else can be smuggled into the log.
func (a *Audit) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = a.now()
	}
	switch {
	case !actionPattern.MatchString(string(e.Action)):
		return fmt.Errorf("console: audit: action %q is not an action name", e.Action)
	case e.Person != "" && !idPattern.MatchString(e.Person):
		return fmt.Errorf("console: audit: %q is not a person ID", e.Person)
	case e.Referral != "" && !referralPattern.MatchString(e.Referral):
		return fmt.Errorf("console: audit: %q is not a referral code", e.Referral)
	case e.Override != "" && !idPattern.MatchString(e.Override):
		return fmt.Errorf("console: audit: %q is not an override ID", e.Override)
	case e.Feed != "" && !feedPattern.MatchString(e.Feed):
		return fmt.Errorf("console: audit: %q is not a calendar feed", e.Feed)
	case e.Caseload != "" && !idPattern.MatchString(e.Caseload):
		return fmt.Errorf("console: audit: %q is not a person ID", e.Caseload)
	case e.Role != "" && !actionPattern.MatchString(string(e.Role)):
		return fmt.Errorf("console: audit: %q is not a role", e.Role)
	case e.Via != "" && e.Via != "sms" && e.Via != "oidc" && e.Via != "demo":
		return fmt.Errorf("console: audit: sign-in via %q", e.Via)
	}
	if ip, err := netip.ParseAddr(e.From); err == nil {
		e.From = ip.Unmap().String()
	} else {
		e.From = ""
	}
	at := e.At.UnixMilli()
	_, err := appendAudit.Run(ctx, a.rdb, []string{auditKey}, at, at-a.keep.Milliseconds(),
		"at", at, "person", e.Person, "role", string(e.Role), "action", string(e.Action),
		"referral", e.Referral, "from", e.From, "via", e.Via, "override", e.Override, "feed", e.Feed, "caseload", e.Caseload).Result()
	if err != nil {
		return fmt.Errorf("console: audit: %w", err)
	}
	return nil
}

// Latest returns up to n entries, newest first, older than the entry with
// ID before ("" for from the newest), and the ID to pass for the next page
// ("" when there are no more).
func (a *Audit) Latest(ctx context.Context, before string, n int) ([]Entry, string, error) {
	hi := "+"
	if before != "" {
		if !validStreamID(before) {
			return nil, "", errors.New("console: audit: bad page")
		}
		hi = "(" + before
	}
	msgs, err := a.rdb.XRevRangeN(ctx, auditKey, hi, "-", int64(n+1)).Result()
	if err != nil {
		return nil, "", fmt.Errorf("console: audit: %w", err)
	}
	next := ""
	if len(msgs) > n {
		msgs = msgs[:n]
		next = msgs[n-1].ID
	}
	out := make([]Entry, len(msgs))
	for i, m := range msgs {
		out[i] = decodeEntry(m)
	}
	return out, next, nil
}

// Each calls fn with every entry from oldest to newest, reading the stream
// in pages; it stops at fn's first error.
func (a *Audit) Each(ctx context.Context, fn func(Entry) error) error {
	lo := "-"
	for {
		msgs, err := a.rdb.XRangeN(ctx, auditKey, lo, "+", 500).Result()
		if err != nil {
			return fmt.Errorf("console: audit: %w", err)
		}
		for _, m := range msgs {
			if err := fn(decodeEntry(m)); err != nil {
				return err
			}
		}
		if len(msgs) < 500 {
			return nil
		}
		lo = "(" + msgs[len(msgs)-1].ID
	}
}

func validStreamID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	_, err1 := strconv.ParseUint(ms, 10, 64)
	_, err2 := strconv.ParseUint(seq, 10, 64)
	return ok && err1 == nil && err2 == nil
}

func decodeEntry(m redis.XMessage) Entry {
	str := func(k string) string { s, _ := m.Values[k].(string); return s }
	ms, _ := strconv.ParseInt(str("at"), 10, 64)
	return Entry{ID: m.ID, At: time.UnixMilli(ms), Person: str("person"), Role: program.Role(str("role")),
		Action: Action(str("action")), Referral: str("referral"), From: str("from"), Via: str("via"),
		Override: str("override"), Feed: str("feed"), Caseload: str("caseload")}
}
