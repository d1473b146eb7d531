package outbox

import (
	"context"
	"strings"

	"github.com/redis/go-redis/v9"
)

// rateClient hands redis_rate a client that drops the "rate:" it puts
// before every key, so the cap's key lives under leadline:{outbox}: like
// every other key of ours (DESIGN.md: every key starts with leadline:).
type rateClient struct{ redis.UniversalClient }

func unrate(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = strings.TrimPrefix(k, "rate:")
	}
	return out
}

func (c rateClient) Eval(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.Eval(ctx, script, unrate(keys), args...)
}

func (c rateClient) EvalSha(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalSha(ctx, sha, unrate(keys), args...)
}

func (c rateClient) EvalRO(ctx context.Context, script string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalRO(ctx, script, unrate(keys), args...)
}

func (c rateClient) EvalShaRO(ctx context.Context, sha string, keys []string, args ...any) *redis.Cmd {
	return c.UniversalClient.EvalShaRO(ctx, sha, unrate(keys), args...)
}

func (c rateClient) Del(ctx context.Context, keys ...string) *redis.IntCmd {
	return c.UniversalClient.Del(ctx, unrate(keys)...)
}
