package twiliosim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxReplyBytes bounds how much of a webhook response is read.
const maxReplyBytes = 64 << 10

// post sends params to target as Twilio sends every webhook and callback:
// a form POST signed for exactly target. It returns the response body, and
// an error naming the status for a non-2xx answer.
func (s *Server) post(ctx context.Context, target string, params url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(params.Encode()))
	if err != nil {
		return nil, fmt.Errorf("twiliosim: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Signature(s.authToken, target, params))
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	resp, err := s.webhooks.Do(req)
	if err != nil {
		return nil, fmt.Errorf("twiliosim: post webhook: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil {
		return nil, fmt.Errorf("twiliosim: read webhook response: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("twiliosim: webhook %s answered %d: %.200s", target, resp.StatusCode, bytes.TrimSpace(body))
	}
	return body, nil
}
