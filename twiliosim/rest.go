package twiliosim

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"unicode/utf8"
)

const apiVersion = "2010-04-01"

// maxFormBytes bounds a REST request body; a real send is well under 2 KB.
const maxFormBytes = 64 << 10

// maxBodyChars is the longest body Twilio takes (error 21617 beyond).
const maxBodyChars = 1600

// e164 is how strict Twilio is about To and From: a plus and 8 to 15 digits.
var e164 = regexp.MustCompile(`^\+[0-9]{8,15}$`)

// messageResource is the JSON Twilio returns for a created message; the
// field set matches what twilio-go's ApiV2010Message decodes.
type messageResource struct {
	SID                 string            `json:"sid"`
	AccountSID          string            `json:"account_sid"`
	To                  string            `json:"to"`
	From                string            `json:"from"`
	Body                string            `json:"body"`
	Status              string            `json:"status"`
	NumSegments         string            `json:"num_segments"`
	NumMedia            string            `json:"num_media"`
	Direction           string            `json:"direction"`
	APIVersion          string            `json:"api_version"`
	DateCreated         string            `json:"date_created"`
	DateUpdated         string            `json:"date_updated"`
	DateSent            *string           `json:"date_sent"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	URI                 string            `json:"uri"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
}

// createMessage serves POST /2010-04-01/Accounts/{AccountSid}/Messages.json.
// Checks run in Twilio's order: credentials, account, then the message.
// Every attempt that gets past the account check counts for Attempts, and
// FailSends faults are served before validation, as an outage would be.
func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	if !s.authorize(w, r) {
		return
	}
	to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	service := r.PostForm.Get("MessagingServiceSid")
	if service != "" && from == "" {
		number, ok := s.services[service]
		if !ok {
			writeError(w, http.StatusBadRequest, 21701, "The Messaging Service Sid "+service+" is invalid.")
			return
		}
		from = number
	}

	if f, failing := s.faults.attempt(to); failing {
		writeError(w, f.status, f.code, faultMessage(f.code, to))
		return
	}
	if status, code, msg := validate(to, from, body); code != 0 {
		writeError(w, status, code, msg)
		return
	}

	if s.optOuts.blocked(from, to) {
		writeError(w, http.StatusBadRequest, 21610, "Attempt to send to unsubscribed recipient")
		return
	}

	now := s.now().UTC()
	m := Message{
		SID:            newSID("SM"),
		From:           from,
		To:             to,
		Body:           body,
		Via:            "rest",
		StatusCallback: r.PostForm.Get("StatusCallback"),
		Service:        service,
		Segments:       segments(body),
		At:             now,
	}
	s.records.add(m)
	s.inbox.record(m)
	writeJSON(w, http.StatusCreated, s.resource(m))
	if code, undelivered := s.faults.delivery(to); undelivered && m.StatusCallback != "" {
		s.tasks.run(func(ctx context.Context) {
			// Nobody waits for this callback but the service's webhook,
			// which is where a test looks for it; a failure has no one
			// else to go to.
			_ = s.MessageStatus(ctx, m.SID, "undelivered", code)
		})
	}
}

// authorize makes Twilio's first checks on a REST request, credentials and
// then the account in the path, and parses the form. On failure it writes
// Twilio's error and returns false.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || !equal(user, s.accountSID) || !equal(pass, s.authToken) {
		writeError(w, http.StatusUnauthorized, codeAuthenticate, "Authenticate")
		return false
	}
	if r.PathValue("AccountSid") != s.accountSID {
		writeError(w, http.StatusNotFound, codeNotFound,
			fmt.Sprintf("The requested resource %s was not found", r.URL.Path))
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, codeInvalidParameter, "Unable to parse the request body")
		return false
	}
	return true
}

// validate returns Twilio's status, error code and message for a message
// Twilio would refuse, or a zero code.
func validate(to, from, body string) (status, code int, msg string) {
	switch {
	case to == "":
		return http.StatusBadRequest, 21604, "A 'To' phone number is required."
	case !e164.MatchString(to):
		return http.StatusBadRequest, 21211, fmt.Sprintf("Invalid 'To' Phone Number: %s", to)
	case from == "":
		return http.StatusBadRequest, 21603, "A 'From' phone number is required."
	case !e164.MatchString(from):
		return http.StatusBadRequest, 21212, fmt.Sprintf("Invalid From Number (caller ID): %s", from)
	case body == "":
		return http.StatusBadRequest, 21602, "Message body is required."
	case utf8.RuneCountInString(body) > maxBodyChars:
		return http.StatusBadRequest, 21617, "The concatenated message body exceeds the 1600 character limit."
	}
	return 0, 0, ""
}

func (s *Server) resource(m Message) messageResource {
	uri := fmt.Sprintf("/%s/Accounts/%s/Messages/%s", apiVersion, s.accountSID, m.SID)
	date := m.At.Format(timeFormat)
	return messageResource{
		SID:             m.SID,
		AccountSID:      s.accountSID,
		To:              m.To,
		From:            m.From,
		Body:            m.Body,
		Status:          "queued",
		NumSegments:     strconv.Itoa(m.Segments),
		NumMedia:        "0",
		Direction:       "outbound-api",
		APIVersion:      apiVersion,
		DateCreated:     date,
		DateUpdated:     date,
		PriceUnit:       "USD",
		URI:             uri + ".json",
		SubresourceURIs: map[string]string{"media": uri + "/Media.json"},
	}
}

// timeFormat is RFC 1123 with a numeric zone, as Twilio writes dates.
const timeFormat = "Mon, 02 Jan 2006 15:04:05 -0700"

// equal compares credentials in constant time, as a real server must.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The client may have gone away; there is no one left to tell.
	_ = json.NewEncoder(w).Encode(v)
}
