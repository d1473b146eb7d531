// Package twiliosim is a Twilio-compatible server and phone simulator. It
// serves the part of Twilio's REST API that Leadline calls (creating
// messages and calls), so the real twilio-go client can be pointed at it,
// and it plays the phones: it texts and calls the service's webhooks,
// records every text and call the service sends, answers calls, and plays
// calls by fetching and following their TwiML (Say, Gather, Redirect, Dial,
// Hangup) while the test presses keys or speaks, with dialled numbers
// answering or not as the test says, and posts message and call status
// callbacks. It keeps Twilio's message log too, whose bodies are redacted
// as Twilio's are (an update with an empty Body). Every request it makes is signed the way Twilio signs. Tests
// and `leadline demo` both run on it.
package twiliosim

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ErrClosed is returned by NextMessage and NextCall once the server is
// closed.
var ErrClosed = errors.New("twiliosim: server closed")

// Options configures a Server.
type Options struct {
	// AccountSID and AuthToken are the credentials the REST API accepts
	// (HTTP basic auth) and the token that signs webhook requests.
	AccountSID, AuthToken string
	// Clock stamps recorded messages and calls and times call durations;
	// required (New panics without one), so tests share one moved clock.
	Clock func() time.Time
	// Listener, if set, is where the REST API listens (leadline sim gives
	// it a known address); default a free loopback port.
	Listener net.Listener
	// MessagingServices are the account's Messaging Services, by SID (MG…),
	// each with the number it sends from: a message created with a
	// MessagingServiceSid and no From goes from that number.
	MessagingServices map[string]string
	// AnswerKeywords plays Twilio's own keyword handling, as on a real
	// number (off by default, so tests of the service's own answers read
	// only those): a text that is only STOP (or STOPALL, UNSUBSCRIBE,
	// CANCEL, END, QUIT, OPTOUT, REVOKE) is answered with StopReply, and
	// from then on every send from that number to the phone fails with
	// 21610 and the webhook's TwiML replies to it are dropped, as Twilio's
	// are; START or UNSTOP (and YES after a STOP) is answered with
	// StartReply and lifts it; HELP or INFO is answered with HelpReply.
	// The text still reaches the webhook, as with Twilio.
	AnswerKeywords bool
}

// Server is a running simulator. It is safe for concurrent use.
type Server struct {
	accountSID string
	authToken  string
	now        func() time.Time

	http   *http.Server
	url    string
	served chan struct{} // closed when the HTTP server has stopped

	webhooks *http.Client
	inbox    *inbox
	records  *records
	faults   *faults
	inbound  *inbound
	calls    *calls
	outcomes *outcomes
	tasks    *tasks
	optOuts  *optOuts
	services map[string]string
}

// New starts a Server on opt.Listener or a free loopback port. Like
// httptest.NewServer it panics if it cannot listen, which only happens when
// the machine has no loopback interface or no free ports.
func New(opt Options) *Server {
	if opt.Clock == nil {
		panic("twiliosim.New: Options.Clock is required")
	}
	l := opt.Listener
	if l == nil {
		var err error
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			panic(fmt.Sprintf("twiliosim: listen on loopback: %v", err))
		}
	}
	s := &Server{
		accountSID: opt.AccountSID,
		authToken:  opt.AuthToken,
		now:        opt.Clock,
		url:        "http://" + l.Addr().String(),
		served:     make(chan struct{}),
		// Twilio gives up on a webhook after 15 seconds.
		webhooks: &http.Client{Timeout: 15 * time.Second},
		inbox:    newInbox(),
		records:  newRecords(),
		faults:   newFaults(),
		inbound:  newInbound(),
		calls:    newCalls(),
		outcomes: newOutcomes(),
		tasks:    newTasks(),
		optOuts:  newOptOuts(opt.AnswerKeywords),
		services: opt.MessagingServices,
	}
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		// Serve returns ErrServerClosed after Close; nothing else can be
		// done with an error from a server nobody is waiting on.
		_ = s.http.Serve(l)
	}()
	return s
}

// URL is the base URL of the REST API, e.g. "http://127.0.0.1:43117"; give
// it to the REST client as its API URL.
func (s *Server) URL() string { return s.url }

// Close stops the server, cancels and waits for the callbacks it posts on
// its own (FailDelivery), ends every Subscribe channel and makes waiting
// NextMessage and NextCall calls return ErrClosed. It is safe to call more
// than once.
func (s *Server) Close() {
	// Close only fails with the listener's close error, and the listener is
	// gone either way.
	_ = s.http.Close()
	<-s.served
	s.tasks.close()
	s.webhooks.CloseIdleConnections()
	s.inbox.close()
	s.calls.close()
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Messages.json", s.createMessage)
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Messages/{SidJSON}", s.updateMessage)
	mux.HandleFunc("POST /2010-04-01/Accounts/{AccountSid}/Calls.json", s.createCall)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, codeNotFound,
			fmt.Sprintf("The requested resource %s was not found", r.URL.Path))
	})
	return mux
}
