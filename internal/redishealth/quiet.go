package redishealth

import (
	"context"
	"log/slog"
)

// Quiet wraps h so that, while Redis is down, records that carry an "err"
// attribute are dropped: during an outage every poll of every loop fails
// the same way, and the Monitor already says so, once and then with
// backoff. It counts what it drops; the Monitor's next line reports the
// count ("suppressed"). Records without "err", and everything while Redis
// is up, pass through.
func (m *Monitor) Quiet(h slog.Handler) slog.Handler { return &quiet{h: h, m: m} }

type quiet struct {
	h slog.Handler
	m *Monitor
	// hasErr says whether attributes added with WithAttrs hold "err".
	hasErr bool
}

func (q *quiet) Enabled(ctx context.Context, l slog.Level) bool { return q.h.Enabled(ctx, l) }

func (q *quiet) Handle(ctx context.Context, r slog.Record) error {
	if q.m.Err() != nil {
		hasErr := q.hasErr
		r.Attrs(func(a slog.Attr) bool {
			hasErr = hasErr || a.Key == "err"
			return !hasErr
		})
		if hasErr {
			q.m.suppressed.Add(1)
			return nil
		}
	}
	return q.h.Handle(ctx, r)
}

func (q *quiet) WithAttrs(as []slog.Attr) slog.Handler {
	hasErr := q.hasErr
	for _, a := range as {
		hasErr = hasErr || a.Key == "err"
	}
	return &quiet{h: q.h.WithAttrs(as), m: q.m, hasErr: hasErr}
}

func (q *quiet) WithGroup(name string) slog.Handler {
	return &quiet{h: q.h.WithGroup(name), m: q.m, hasErr: q.hasErr}
}
