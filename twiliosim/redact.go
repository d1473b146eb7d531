package twiliosim

import (
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Twilio's codes for a refused update of a message.
const (
	// codeNotComplete: the message is still in flight (queued, sending):
	// Twilio changes a message's record only once it is complete.
	codeNotComplete = 20009
	// codeBadUpdate: the update is not a redaction (a Body that is not
	// empty, or none at all).
	codeBadUpdate = 30400
)

// inFlight are the statuses of a message Twilio has not finished with.
var inFlight = []string{"accepted", "scheduled", "queued", "sending"}

// Record is a message as Twilio's log keeps it: its latest status, and its
// body, "" once redacted. What the phone received is Messages' and
// NextMessage's, which redaction does not change.
type Record struct {
	SID, To, Status, Body string
	Redacted              bool
}

// records is Twilio's message log, by SID.
type records struct {
	mu         sync.Mutex
	by         map[string]*Record
	redactions int
}

func newRecords() *records { return &records{by: map[string]*Record{}} }

func (r *records) add(m Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.by[m.SID] = &Record{SID: m.SID, To: m.To, Status: "queued", Body: m.Body}
}

// status records a status the service was told.
func (r *records) status(sid, status string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if x, ok := r.by[sid]; ok {
		x.Status = status
	}
}

// Record returns the log's record of the message sid.
func (s *Server) Record(sid string) (Record, bool) {
	s.records.mu.Lock()
	defer s.records.mu.Unlock()
	x, ok := s.records.by[sid]
	if !ok {
		return Record{}, false
	}
	return *x, true
}

// Redactions is how many redactions the log has taken (repeats included).
func (s *Server) Redactions() int {
	s.records.mu.Lock()
	defer s.records.mu.Unlock()
	return s.records.redactions
}

// updateMessage serves POST /2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json
// as Twilio does for a redaction: Body present and empty, on a message no
// longer in flight. The answer is the message with its body empty.
func (s *Server) updateMessage(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	// A wildcard is a whole path segment: the SID comes with ".json".
	sid, isJSON := strings.CutSuffix(r.PathValue("SidJSON"), ".json")
	m, ok := s.inbox.message(sid)
	if !isJSON || !ok {
		writeError(w, http.StatusNotFound, codeNotFound, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if _, has := r.PostForm["Body"]; !has || r.PostForm.Get("Body") != "" || r.PostForm.Has("Status") {
		writeError(w, http.StatusBadRequest, codeBadUpdate, "Message body redaction request does not have empty Body parameter")
		return
	}
	rs := s.records
	rs.mu.Lock()
	x := rs.by[sid]
	if x == nil || slices.Contains(inFlight, x.Status) {
		rs.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeNotComplete, "Cannot modify this resource before it is complete")
		return
	}
	x.Body, x.Redacted = "", true
	rs.redactions++
	status := x.Status
	rs.mu.Unlock()
	m.Body = ""
	res := s.resource(m)
	res.Status = status
	writeJSON(w, http.StatusOK, res)
}
