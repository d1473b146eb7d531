package twiliosim

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one call the service placed through the REST API.
type Call struct {
	SID, From, To string
	// URL is where the call's TwiML is fetched, with POST, when it is
	// answered.
	URL string
	// StatusCallback is where the call's final status is posted; empty for
	// none.
	StatusCallback string
	// Ring is the Timeout the call was placed with; 0 for Twilio's default.
	Ring time.Duration
	At   time.Time
}

// calls records placed calls and where each is in its life: queued,
// answered, ended.
type calls struct {
	ledger *ledger[Call]

	mu    sync.Mutex
	state map[string]*callState // by SID
}

type callState struct {
	call     Call
	answered time.Time // zero until answered
	ended    bool
	duration time.Duration // from answer to end
}

func newCalls() *calls {
	return &calls{ledger: newLedger[Call]("call"), state: make(map[string]*callState)}
}

func (cs *calls) record(c Call) {
	cs.mu.Lock()
	cs.state[c.SID] = &callState{call: c}
	cs.mu.Unlock()
	cs.ledger.add(c.To, c)
}

func (cs *calls) close() { cs.ledger.close() }

// get returns the call with the given SID.
func (cs *calls) get(sid string) (Call, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	st, ok := cs.state[sid]
	if !ok {
		return Call{}, fmt.Errorf("twiliosim: no call %s", sid)
	}
	return st.call, nil
}

// answer marks a queued call answered at now.
func (cs *calls) answer(sid string, now time.Time) (Call, error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	st, ok := cs.state[sid]
	switch {
	case !ok:
		return Call{}, fmt.Errorf("twiliosim: no call %s to answer", sid)
	case st.ended:
		return Call{}, fmt.Errorf("twiliosim: call %s has ended", sid)
	case !st.answered.IsZero():
		return Call{}, fmt.Errorf("twiliosim: call %s was already answered", sid)
	}
	st.answered = now
	return st.call, nil
}

// end marks the call ended at now, if it has not already, and returns how
// long it was answered for and whether this ended it.
func (cs *calls) end(sid string, now time.Time) (time.Duration, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	st, ok := cs.state[sid]
	if !ok {
		return 0, false
	}
	if st.ended {
		return st.duration, false
	}
	st.ended = true
	if !st.answered.IsZero() {
		st.duration = max(now.Sub(st.answered), 0)
	}
	return st.duration, true
}

func (cs *calls) ended(sid string) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	st, ok := cs.state[sid]
	return ok && st.ended
}

// Calls returns every call placed so far, oldest first.
func (s *Server) Calls() []Call { return s.calls.ledger.list() }

// NextCall waits until ctx is done for the oldest call to `to` that
// NextCall has not yet returned, and returns it. Each number has its own
// read position, separate from NextMessage's. After Close it still returns
// what was recorded, then ErrClosed.
func (s *Server) NextCall(ctx context.Context, to string) (Call, error) {
	return s.calls.ledger.next(ctx, to)
}

// UnreadCalls returns the calls to `to` that NextCall has not yet returned,
// oldest first, without consuming them.
func (s *Server) UnreadCalls(to string) []Call { return s.calls.ledger.unread(to) }

// callResource is the JSON Twilio returns for a created call; the field set
// matches what twilio-go's ApiV2010Call decodes.
type callResource struct {
	SID             string            `json:"sid"`
	DateCreated     string            `json:"date_created"`
	DateUpdated     string            `json:"date_updated"`
	ParentCallSID   *string           `json:"parent_call_sid"`
	AccountSID      string            `json:"account_sid"`
	To              string            `json:"to"`
	ToFormatted     string            `json:"to_formatted"`
	From            string            `json:"from"`
	FromFormatted   string            `json:"from_formatted"`
	PhoneNumberSID  *string           `json:"phone_number_sid"`
	Status          string            `json:"status"`
	StartTime       *string           `json:"start_time"`
	EndTime         *string           `json:"end_time"`
	Duration        *string           `json:"duration"`
	Price           *string           `json:"price"`
	PriceUnit       string            `json:"price_unit"`
	Direction       string            `json:"direction"`
	AnsweredBy      *string           `json:"answered_by"`
	APIVersion      string            `json:"api_version"`
	ForwardedFrom   *string           `json:"forwarded_from"`
	GroupSID        *string           `json:"group_sid"`
	CallerName      *string           `json:"caller_name"`
	QueueTime       string            `json:"queue_time"`
	TrunkSID        *string           `json:"trunk_sid"`
	URI             string            `json:"uri"`
	SubresourceURIs map[string]string `json:"subresource_uris"`
}

// createCall serves POST /2010-04-01/Accounts/{AccountSid}/Calls.json with
// the same checks, in the same order, as createMessage. Only POST is
// simulated for fetching TwiML and posting status, so another Method or
// StatusCallbackMethod is refused rather than silently posted.
func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	form := r.PostForm
	to := form.Get("To")
	if f, failing := s.faults.attempt(to); failing {
		writeError(w, f.status, f.code, faultMessage(f.code, to))
		return
	}
	ring, status, code, msg := validateCall(form)
	if code != 0 {
		writeError(w, status, code, msg)
		return
	}

	c := Call{
		SID:            newSID("CA"),
		From:           form.Get("From"),
		To:             to,
		URL:            form.Get("Url"),
		StatusCallback: form.Get("StatusCallback"),
		Ring:           ring,
		At:             s.now().UTC(),
	}
	s.calls.record(c)
	writeJSON(w, http.StatusCreated, s.callResource(c))
}

// validateCall returns the ring time a call asks for, or Twilio's status,
// error code and message for a call Twilio would refuse.
func validateCall(form url.Values) (ring time.Duration, status, code int, msg string) {
	to, from, target := form.Get("To"), form.Get("From"), form.Get("Url")
	bad := func(code int, format string, args ...any) (time.Duration, int, int, string) {
		return 0, http.StatusBadRequest, code, fmt.Sprintf(format, args...)
	}
	switch {
	case to == "":
		return bad(21201, "No 'To' number is specified")
	case !e164.MatchString(to):
		return bad(21211, "Invalid 'To' Phone Number: %s", to)
	case from == "":
		return bad(21213, "No 'From' number is specified")
	case !e164.MatchString(from):
		return bad(21212, "Invalid 'From' Phone Number: %s", from)
	case target == "":
		return bad(21205, "Url parameter is required.")
	case !absolute(target):
		return bad(21205, "Url is not a valid URL: %s", target)
	}
	for _, name := range []string{"Method", "StatusCallbackMethod"} {
		if m := form.Get(name); m != "" && !strings.EqualFold(m, http.MethodPost) {
			return bad(codeInvalidParameter, "twiliosim simulates only %s=POST, not %s", name, m)
		}
	}
	if t := form.Get("Timeout"); t != "" {
		secs, err := strconv.Atoi(t)
		if err != nil || secs < 0 {
			return bad(codeInvalidParameter, "Timeout must be a whole number of seconds: %s", t)
		}
		ring = time.Duration(secs) * time.Second
	}
	return ring, 0, 0, ""
}

// absolute reports whether s is an http or https URL with a host.
func absolute(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (s *Server) callResource(c Call) callResource {
	uri := fmt.Sprintf("/%s/Accounts/%s/Calls/%s", apiVersion, s.accountSID, c.SID)
	date := c.At.Format(timeFormat)
	return callResource{
		SID:           c.SID,
		DateCreated:   date,
		DateUpdated:   date,
		AccountSID:    s.accountSID,
		To:            c.To,
		ToFormatted:   c.To,
		From:          c.From,
		FromFormatted: c.From,
		Status:        "queued",
		PriceUnit:     "USD",
		Direction:     "outbound-api",
		APIVersion:    apiVersion,
		QueueTime:     "0",
		URI:           uri + ".json",
		SubresourceURIs: map[string]string{
			"events":        uri + "/Events.json",
			"notifications": uri + "/Notifications.json",
			"recordings":    uri + "/Recordings.json",
		},
	}
}
