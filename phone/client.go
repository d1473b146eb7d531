package phone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// Defaults for ClientConfig's zero values.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxAttempts = 5
	DefaultRetryBase   = 250 * time.Millisecond
)

// ClientConfig configures a Client.
type ClientConfig struct {
	AccountSID, AuthToken string
	// APIURL is the base URL of a Twilio-compatible API, e.g.
	// "http://127.0.0.1:4567"; requests keep Twilio's paths below it.
	// Empty means Twilio itself.
	APIURL string
	// Timeout bounds each HTTP request; default 10s.
	Timeout time.Duration
	// MaxAttempts bounds the tries of one send or call; default 5.
	MaxAttempts int
	// RetryBase is the first wait between tries, default 250ms; it doubles
	// each time up to 5s, with jitter.
	RetryBase time.Duration
}

// Validate reports a config NewClient cannot use, so a service can refuse
// to start instead of failing its first text.
func (c ClientConfig) Validate() error {
	if c.AccountSID == "" || c.AuthToken == "" {
		return errors.New("twilio account SID and auth token are required")
	}
	// twilio-go refuses, before sending anything, credentials with other
	// characters; Twilio's own are always letters and digits.
	if !alphanumeric.MatchString(c.AccountSID) || !alphanumeric.MatchString(c.AuthToken) {
		return errors.New("twilio account SID and auth token may hold only letters and digits")
	}
	if c.APIURL != "" {
		if _, err := parseAPIURL(c.APIURL); err != nil {
			return err
		}
	}
	return nil
}

var alphanumeric = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// Client sends texts and places calls through Twilio's REST API with
// twilio-go. It is safe for concurrent use.
type Client struct {
	rest        *twilio.RestClient
	maxAttempts int
	retryBase   time.Duration
	// invalid is why the config cannot work; every send returns it.
	invalid error
	metrics *metrics
}

// NewClient returns a Client for cfg. A config that Validate rejects gives a
// Client whose every send and call fails with that reason, as a final error.
func NewClient(cfg ClientConfig) *Client {
	c := &Client{
		maxAttempts: cfg.MaxAttempts,
		retryBase:   cfg.RetryBase,
		invalid:     cfg.Validate(),
		metrics:     newMetrics(),
	}
	if c.maxAttempts <= 0 {
		c.maxAttempts = DefaultMaxAttempts
	}
	if c.retryBase <= 0 {
		c.retryBase = DefaultRetryBase
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	var transport http.RoundTripper = http.DefaultTransport.(*http.Transport).Clone()
	if base, err := parseAPIURL(cfg.APIURL); cfg.APIURL != "" && err == nil {
		transport = rewrite{base: base, next: transport}
	}
	tc := &client.Client{
		Credentials: client.NewCredentials(cfg.AccountSID, cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport: transport,
			Timeout:   timeout,
			// As twilio-go's own default: a redirect is an answer, not a
			// request to send the form somewhere else.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		UserAgentExtensions: []string{"leadline"},
	}
	// With its own Client, twilio-go ignores ClientParams' credentials and
	// takes the account from the Client, so set it there.
	tc.SetAccountSid(cfg.AccountSID)
	c.rest = twilio.NewRestClientWithParams(twilio.ClientParams{
		Username: cfg.AccountSID,
		Password: cfg.AuthToken,
		Client:   tc,
	})
	return c
}

// SMS is one text to send.
type SMS struct {
	From, To, Body string
	// Service is a Twilio Messaging Service SID (MG…) to send through
	// instead of From; From is then left out.
	Service string
	// StatusCallback is where Twilio reports delivery; empty for none.
	StatusCallback string
}

// SendSMS sends m and returns Twilio's message SID. It retries 429s, 5xx and
// transport errors with backoff, up to MaxAttempts or until ctx is done, and
// stops at once on a final error (see IsFinal). ctx is checked between
// attempts: twilio-go cannot abandon a request, so one in flight runs to its
// answer or Timeout. Errors wrap a *SendError for the last attempt, and the
// context's error if that ended the retries.
func (c *Client) SendSMS(ctx context.Context, m SMS) (string, error) {
	params := &api.CreateMessageParams{}
	params.SetTo(m.To).SetBody(m.Body)
	if m.Service != "" {
		params.SetMessagingServiceSid(m.Service)
	} else {
		params.SetFrom(m.From)
	}
	if m.StatusCallback != "" {
		params.SetStatusCallback(m.StatusCallback)
	}
	return c.retry(ctx, kindSMS, "send SMS", func() (string, *SendError) {
		msg, err := c.rest.Api.CreateMessage(params)
		if err != nil {
			return "", classify(err)
		}
		return created(msg.Sid, "message")
	})
}

// retry runs attempt until it succeeds, fails finally, has been tried
// MaxAttempts times or ctx is done, backing off between tries. kind labels
// its metrics; op names the request in errors.
func (c *Client) retry(ctx context.Context, kind, op string, attempt func() (string, *SendError)) (string, error) {
	sid, err := c.attempts(ctx, op, func() (string, *SendError) {
		sid, err := attempt()
		if err != nil {
			c.metrics.errors.WithLabelValues(kind, errorCode(err)).Inc()
		}
		return sid, err
	})
	result := "sent"
	if err != nil {
		result = "failed"
	}
	c.metrics.sends.WithLabelValues(kind, result).Inc()
	return sid, err
}

func (c *Client) attempts(ctx context.Context, op string, attempt func() (string, *SendError)) (string, error) {
	if c.invalid != nil {
		return "", fmt.Errorf("phone: %s: %w", op, &SendError{Final: true, Err: c.invalid})
	}
	var last *SendError
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return "", stopped(op, err, n-1, last)
		}
		sid, err := attempt()
		if err == nil {
			return sid, nil
		}
		last = err
		if last.Final {
			return "", fmt.Errorf("phone: %s: %w", op, last)
		}
		if n >= c.maxAttempts {
			return "", fmt.Errorf("phone: %s: gave up after %d attempts: %w", op, n, last)
		}
		if err := sleep(ctx, backoff(c.retryBase, n)); err != nil {
			return "", stopped(op, err, n, last)
		}
	}
}

// stopped is the error for retries ended by the context.
func stopped(op string, ctxErr error, attempts int, last *SendError) error {
	if last == nil {
		return fmt.Errorf("phone: %s: %w", op, ctxErr)
	}
	return fmt.Errorf("phone: %s: %w after %d attempts, last: %w", op, ctxErr, attempts, last)
}

// created returns the SID of a resource Twilio created. A missing SID is a
// final error: Twilio took the request, so sending it again could text or
// ring twice.
func created(sid *string, resource string) (string, *SendError) {
	if sid == nil || *sid == "" {
		return "", &SendError{Status: http.StatusCreated, Final: true, Err: fmt.Errorf("response has no %s SID", resource)}
	}
	return *sid, nil
}
