// Package officer owns what an officer asks of the line: a referral at a
// location (with the outside-every-area YES and the "did you mean" choice
// waiting as proposals), STATUS and CANCEL, and every text an officer gets
// in reply.
//
// Keys (in the referral's hash tag):
//
//	leadline:{dispatch}:officer:<id>:proposal   string (JSON): a referral awaiting YES or a choice; expires
//	leadline:{dispatch}:officer:<id>:sent       string (JSON): the officer's latest referral by text, to know a resend; expires after the resend window
//	leadline:{dispatch}:officer:<id>:referrals  sorted set: the officer's latest 20 codes by time received (bare CANCEL lists the open ones); 30 days
//	leadline:{dispatch}:officer:<id>:referring  string: a lock held (5 s lease) while one text of the officer's is stored and paged
package officer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/escalation"
	"github.com/leadline/leadline/geo"
	"github.com/leadline/leadline/notify"
	"github.com/leadline/leadline/phone"
	"github.com/leadline/leadline/program"
	"github.com/leadline/leadline/referral"
)

const prefix = "leadline:{dispatch}:"

func proposalKey(id string) string { return prefix + "officer:" + id + ":proposal" }

// proposalTTL is how long an officer has to answer YES to page a cohort
// whose area does not contain the point.
const proposalTTL = 15 * time.Minute

// MaxChoices is how many candidates an officer is asked to choose from.
const MaxChoices = 3

// Desk handles officers' requests.
type Desk struct {
	prog     *program.Program
	rdb      redis.UniversalClient
	refs     *referral.Store
	chain    *escalation.Chain
	note     *notify.Notifier
	resolver *geo.Resolver
	metrics  *referral.Metrics
	now      func() time.Time
	log      *slog.Logger
}

// New returns the desk.
func New(prog *program.Program, rdb redis.UniversalClient, refs *referral.Store, chain *escalation.Chain, note *notify.Notifier,
	resolver *geo.Resolver, m *referral.Metrics, clock func() time.Time, log *slog.Logger) *Desk {
	return &Desk{prog: prog, rdb: rdb, refs: refs, chain: chain, note: note, resolver: resolver, metrics: m, now: clock, log: log}
}

// Refer starts a referral of type t from an officer's text: line is its
// first line, whose longest leading part that is a location is the
// location and the rest notes; notes are its further lines. It returns the
// reply: the code and where it was placed, or a question back.
func (d *Desk) Refer(ctx context.Context, o *program.Person, t referral.Type, line, notes string) (string, error) {
	cands, sp, err := d.resolver.ResolveLeading(ctx, line)
	if err != nil {
		return d.locationHelp(err), nil
	}
	r := &referral.Referral{Type: t, Officer: o.ID, Location: sp.Location, Notes: joinNotes(sp.Notes, notes)}
	if len(cands) > 1 {
		// Different cohorts page different people: ask, never guess.
		cands = cands[:min(len(cands), MaxChoices)]
		if err := d.propose(ctx, o, proposal{Referral: *r, Choices: cands}); err != nil {
			return "", err
		}
		return d.didYouMean(cands), nil
	}
	return d.referAt(ctx, o, r, cands[0])
}

// MaxNotes keeps a page within a few SMS segments whatever an officer types.
const MaxNotes = 280

// joinNotes is the notes after the location on its line, then those on
// further lines, cut at MaxNotes.
func joinNotes(a, b string) string {
	n := strings.TrimSpace(a + " " + b)
	if r := []rune(n); len(r) > MaxNotes {
		n = string(r[:MaxNotes-1]) + "…"
	}
	return n
}

// referAt starts r at candidate c, or, for a point outside every area,
// proposes the nearest cohort and waits for the officer's YES; a point
// beyond the program's page-anyway limit is outside the program.
func (d *Desk) referAt(ctx context.Context, o *program.Person, r *referral.Referral, c geo.Candidate) (string, error) {
	place(r, c)
	where := d.where(c)
	if c.Cohort != "" {
		r.Cohort = c.Cohort
		return d.start(ctx, r, where)
	}
	// Nobody is paged for a point outside every area until the officer says
	// so: a wrong cohort pages the wrong person.
	r.Cohort, r.OutsideMetres = d.prog.Areas.Nearest(c.Point)
	if r.OutsideMetres > d.prog.PageAnywayLimit {
		return d.outsideProgram(r.Cohort, r.OutsideMetres, where), nil
	}
	if err := d.propose(ctx, o, proposal{Referral: *r, Where: where}); err != nil {
		return "", err
	}
	return d.outsideArea(r.Cohort, r.OutsideMetres, where), nil
}

// place sets r's point from c, with the place's name, or the address or
// intersection as the data writes it, or the coordinates read lon-first.
func place(r *referral.Referral, c geo.Candidate) {
	r.Lat, r.Lon, r.Place, r.NearBoundary = c.Point.Lat(), c.Point.Lon(), c.Place, c.NearBoundary
	if c.Place == "" && c.Label != r.Location && (!c.Coords || c.Swapped) {
		r.Place = c.Label
	}
}

// Start stores r, pages its cohort and returns the officer's reply, as the
// voice line does once the officer confirmed where.
func (d *Desk) Start(ctx context.Context, r *referral.Referral) (string, error) {
	if err := d.chain.Start(ctx, r); err != nil {
		return "", err
	}
	if err := d.record(ctx, r); err != nil {
		d.log.Error("remember officer's referral", "code", r.Code, "err", err)
	}
	return d.received(r, ""), nil
}

// start is Start for a text: a resend of the officer's open referral at
// the same place within the program's window answers with its code and
// pages nobody, under a lock on the officer so that two instances cannot
// both take the same resend for new.
func (d *Desk) start(ctx context.Context, r *referral.Referral, where string) (string, error) {
	if d.prog.ResendWindow > 0 {
		release, err := d.lock(ctx, r.Officer)
		if err != nil {
			return "", err
		}
		defer release()
		first, err := d.resentOf(ctx, r)
		if err != nil {
			return "", err
		}
		if first != nil {
			return d.resent(first), nil
		}
	}
	if _, err := d.Start(ctx, r); err != nil {
		return "", err
	}
	return d.received(r, where), nil
}

// proposal is a referral waiting for the officer: YES for one outside every
// area, or a number to pick one of Choices.
type proposal struct {
	Referral referral.Referral
	Choices  []geo.Candidate `json:",omitempty"`
	Where    string          `json:",omitempty"` // what the officer was told of the place
	Expires  time.Time
}

// propose keeps a referral waiting for the officer's answer.
func (d *Desk) propose(ctx context.Context, o *program.Person, p proposal) error {
	p.Expires = d.now().Add(proposalTTL)
	data, err := d.seal(p, proposalKey(o.ID))
	if err != nil {
		return fmt.Errorf("encode proposal: %w", err)
	}
	if err := d.rdb.Set(ctx, proposalKey(o.ID), data, proposalTTL).Err(); err != nil {
		return fmt.Errorf("store proposal: %w", err)
	}
	return nil
}

// seal is v as JSON sealed under the data key, bound to key: what an
// officer sent (notes, place) is kept for a while outside the referral.
func (d *Desk) seal(v any, key string) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return d.refs.Keys().Seal(string(data), key)
}

// open reads into v what seal stored under key.
func (d *Desk) open(data, key string, v any) error {
	plain, err := d.refs.Keys().Open(data, key)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(plain), v)
}

// takeProposal takes the officer's waiting proposal, if any and in time.
func (d *Desk) takeProposal(ctx context.Context, o *program.Person) (*proposal, error) {
	data, err := d.rdb.GetDel(ctx, proposalKey(o.ID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("take proposal: %w", err)
	}
	var p proposal
	if err := d.open(data, proposalKey(o.ID), &p); err != nil {
		return nil, fmt.Errorf("decode proposal: %w", err)
	}
	if d.now().After(p.Expires) {
		return nil, nil
	}
	return &p, nil
}

// Choose answers "Did you mean 1) … 2) …?" with choice n.
func (d *Desk) Choose(ctx context.Context, o *program.Person, n int) (string, error) {
	p, err := d.takeProposal(ctx, o)
	if err != nil {
		return "", err
	}
	if p == nil || len(p.Choices) == 0 {
		if p != nil {
			// A YES-proposal: a number does not answer it; keep it.
			if err := d.propose(ctx, o, *p); err != nil {
				return "", err
			}
		}
		return nothingToChoose, nil
	}
	if n > len(p.Choices) {
		if err := d.propose(ctx, o, *p); err != nil {
			return "", err
		}
		return d.didYouMean(p.Choices), nil
	}
	return d.referAt(ctx, o, &p.Referral, p.Choices[n-1])
}

// Yes pages the cohort proposed for a point outside every area.
func (d *Desk) Yes(ctx context.Context, o *program.Person) (string, error) {
	p, err := d.takeProposal(ctx, o)
	if err != nil {
		return "", err
	}
	if p == nil || len(p.Choices) > 0 {
		if p != nil {
			if err := d.propose(ctx, o, *p); err != nil {
				return "", err
			}
			return d.didYouMean(p.Choices), nil
		}
		return nothingToConfirm, nil
	}
	return d.start(ctx, &p.Referral, p.Where)
}

// own loads the officer's referral by code, or their latest. An unknown
// code and another officer's answer the same.
func (d *Desk) own(ctx context.Context, o *program.Person, code string) (*referral.Referral, string, error) {
	if code == "" {
		c, err := d.refs.LatestOf(ctx, o.ID)
		if err != nil {
			return nil, "", err
		}
		if c == "" {
			return nil, noReferralYet, nil
		}
		code = c
	}
	r, err := d.refs.Load(ctx, code)
	if errors.Is(err, referral.ErrNotFound) || (err == nil && r.Officer != o.ID) {
		return nil, NotYours(code), nil
	}
	return r, "", err
}

// Status is the officer's view of their referral (code, or their latest).
func (d *Desk) Status(ctx context.Context, o *program.Person, code string) (string, error) {
	r, reply, err := d.own(ctx, o, code)
	if r == nil {
		return reply, err
	}
	return d.status(r), nil
}

// Cancel withdraws the officer's referral; everyone paged is told. Without
// a code it names the officer's open codes: cancelling the wrong one pages
// nobody back.
func (d *Desk) Cancel(ctx context.Context, o *program.Person, code string) (string, error) {
	if code == "" {
		open, err := d.openCodes(ctx, o.ID)
		if err != nil {
			return "", err
		}
		return cancelNeedsCode(open), nil
	}
	r, reply, err := d.own(ctx, o, code)
	if r == nil {
		return reply, err
	}
	now := d.now()
	c := referral.Change{From: []referral.State{referral.New, referral.Paging, referral.Accepted, referral.OnScene, referral.Unanswered},
		Event: referral.At(now, referral.EvCancelled, o.ID, "")}.To(referral.Cancelled, now)
	fresh, applied, err := d.refs.ApplyFresh(ctx, r.Code, c)
	if err != nil {
		return "", err
	}
	if !applied {
		return d.status(fresh), nil
	}
	if r.State == referral.New || r.State == referral.Paging {
		d.metrics.Referrals.WithLabelValues(r.Cohort, string(r.Type), "cancelled").Inc()
	}
	for _, id := range escalation.StillPaged(r, "") {
		d.note.Tell(ctx, id, r.Code+" was cancelled by the officer. No need to respond.")
	}
	return r.Code + " cancelled.", nil
}

// Why a community referral is refused; nothing is stored.
var (
	ErrCohort   = errors.New("choose the cohort")
	ErrAssignee = errors.New("choose a case manager of the referral's cohort to follow it up")
	ErrReferrer = errors.New("the referrer's mobile number is not a phone number Leadline can text")
)

// Community is a referral staff enter for someone the community brought to
// the program: no officer is waiting.
type Community struct {
	By       string // the staff member entering it
	Cohort   string // the cohort chosen on the form
	Location string // where the person can be found, as typed
	Notes    string // who referred them and how to call back, and what they said
	// Referrer is the referrer's mobile number (E.164) when they asked for
	// texts about it; "" for none.
	Referrer string
	// Assign is the case manager of Cohort who follows it up; "" pages the
	// on-call case manager now, like an officer's referral.
	Assign string
}

// Community stores a referral staff entered and returns its code. The
// place is read by the same resolver as an officer's text and must not be
// in another cohort's area than the one chosen (a wrong cohort pages the
// wrong people); a place in no area, or not found, is taken as the chosen
// cohort's. It is paged at once like an officer's referral, or with Assign
// stored as that case manager's to follow up, paging nobody. A referrer who
// asked for texts is told its code.
func (d *Desk) Community(ctx context.Context, c Community) (string, error) {
	if _, ok := d.prog.Cohort(c.Cohort); !ok {
		return "", ErrCohort
	}
	if c.Assign != "" && !slices.Contains(d.prog.CaseManagers(c.Cohort), c.Assign) {
		return "", ErrAssignee
	}
	if c.Referrer != "" && !phone.IsE164(c.Referrer) {
		return "", ErrReferrer
	}
	r := &referral.Referral{Type: referral.Community, Location: c.Location, Notes: c.Notes, Cohort: c.Cohort,
		EnteredBy: c.By, Referrer: c.Referrer}
	if err := d.placeCommunity(ctx, r); err != nil {
		return "", err
	}
	var err error
	if c.Assign != "" {
		err = d.chain.FollowUps.Assign(ctx, r, c.Assign)
	} else {
		err = d.chain.Start(ctx, r)
	}
	if err != nil {
		return "", err
	}
	d.log.Info("community referral entered", "code", r.Code, "cohort", r.Cohort, "by", c.By, "assigned", c.Assign != "")
	d.chain.TellReferrer(ctx, r, escalation.ToReferrerReceived, d.chain.ReferrerReceived(r.Code, c.Assign != ""))
	return r.Code, nil
}

// placeCommunity puts r at the point its place names in its cohort, if
// any; a place only in other cohorts' areas is refused, naming them.
func (d *Desk) placeCommunity(ctx context.Context, r *referral.Referral) error {
	cands, err := d.resolver.Resolve(ctx, r.Location)
	if err != nil {
		return nil // not found: the chosen cohort, without a point
	}
	var elsewhere []string
	for _, c := range cands {
		switch c.Cohort {
		case r.Cohort:
			r.Lat, r.Lon, r.Place, r.NearBoundary = c.Point.Lat(), c.Point.Lon(), c.Place, c.NearBoundary
			if c.Place == "" && c.Label != r.Location {
				r.Place = c.Label
			}
			return nil
		case "":
		default:
			if name := d.prog.CohortName(c.Cohort); !slices.Contains(elsewhere, name) {
				elsewhere = append(elsewhere, name)
			}
		}
	}
	if len(elsewhere) > 0 {
		return fmt.Errorf("that place is in %s's area, not %s's: choose that cohort, or check the place",
			strings.Join(elsewhere, " or "), d.prog.CohortName(r.Cohort))
	}
	return nil
}
