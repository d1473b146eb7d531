package twiliosim

import "sync"

// fault is an injected failure for sends to one number.
type fault struct {
	left         int // sends still to fail; negative means forever
	status, code int
}

// faults holds injected failures and counts send attempts per number.
type faults struct {
	mu       sync.Mutex
	byTo     map[string]fault
	attempts map[string]int
}

func newFaults() *faults {
	return &faults{byTo: make(map[string]fault), attempts: make(map[string]int)}
}

// attempt counts one send to `to` and reports the failure to serve, if any.
func (f *faults) attempt(to string) (fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[to]++
	x, ok := f.byTo[to]
	if !ok {
		return fault{}, false
	}
	if x.left > 0 {
		x.left--
		if x.left == 0 {
			delete(f.byTo, to)
		} else {
			f.byTo[to] = x
		}
	}
	return x, true
}

// FailSends makes the next n REST sends to `to` fail with the HTTP status
// and Twilio error code given (429/20429, 500/20500, 400/21610, 400/21211,
// 400/21614, …); n < 0 fails them all from now on and n == 0 clears the
// fault. Failed sends are counted by Attempts but not recorded as messages.
func (s *Server) FailSends(to string, n int, status, code int) {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	if n == 0 {
		delete(f.byTo, to)
		return
	}
	f.byTo[to] = fault{left: n, status: status, code: code}
}

// Attempts returns how many REST sends to `to` were attempted, successful or
// not.
func (s *Server) Attempts(to string) int {
	f := s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[to]
}
