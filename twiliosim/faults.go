package twiliosim

import "sync"

// fault is an injected failure for sends to one number.
type fault struct {
	left         int // sends still to fail; negative means forever
	status, code int
}

// faults holds injected failures and counts send attempts per number.
type faults struct {
	mu          sync.Mutex
	byTo        map[string]fault
	attempts    map[string]int
	undelivered map[string]fault // status unused
}

func newFaults() *faults {
	return &faults{
		byTo:        make(map[string]fault),
		attempts:    make(map[string]int),
		undelivered: make(map[string]fault),
	}
}

// take uses up one of the failures for `to` in m, if there is one.
func take(m map[string]fault, to string) (fault, bool) {
	x, ok := m[to]
	if !ok {
		return fault{}, false
	}
	if x.left > 0 {
		x.left--
		if x.left == 0 {
			delete(m, to)
		} else {
			m[to] = x
		}
	}
	return x, true
}

// set arms n failures for `to` in m, or clears them for n == 0.
func set(m map[string]fault, to string, x fault) {
	if x.left == 0 {
		delete(m, to)
		return
	}
	m[to] = x
}

// attempt counts one send to `to` and reports the failure to serve, if any.
func (f *faults) attempt(to string) (fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[to]++
	return take(f.byTo, to)
}

// delivery reports whether a message just created for `to` is to be
// undelivered, and with which Twilio error code.
func (f *faults) delivery(to string) (code int, undelivered bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	x, ok := take(f.undelivered, to)
	return x.code, ok
}

// FailSends makes the next n REST sends and calls to `to` fail with the
// HTTP status and Twilio error code given (429/20429, 500/20500,
// 400/21610, 400/21211, 400/21614, …); n < 0 fails them all from now on and
// n == 0 clears the fault. Failed sends and calls are counted by Attempts
// but not recorded.
func (s *Server) FailSends(to string, n int, status, code int) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	set(f.byTo, to, fault{left: n, status: status, code: code})
}

// FailDelivery makes the next n messages created through the REST API for
// `to` go undelivered: each is accepted and recorded as usual, then the
// simulator posts its StatusCallback, if it has one, with MessageStatus
// "undelivered" and ErrorCode code (30003 unreachable, 30005 unknown
// number, 30006 landline, …). The callback is posted in the background once
// the 201 is written, so it may reach the service before the REST client
// has read the SID, as Twilio's can; Close waits for it. n < 0 fails them
// all from now on and n == 0 clears the fault. Calls are not affected.
func (s *Server) FailDelivery(to string, n int, code int) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	set(f.undelivered, to, fault{left: n, code: code})
}

// Attempts returns how many REST sends and calls to `to` were attempted,
// successful or not.
func (s *Server) Attempts(to string) int {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[to]
}
