package redishealth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
)

// Settings are the durability settings of one Redis node.
type Settings struct {
	Node            string // address, for the log
	AppendOnly      string // "yes" keeps every write in the AOF
	AppendFsync     string // "always" or "everysec"; "no" leaves it to the OS
	MaxmemoryPolicy string // "noeviction" never drops a key to make room
}

// Problems are what in s would lose Leadline's data: a restart that forgets
// writes, or keys evicted under memory pressure.
func (s Settings) Problems() []string {
	var out []string
	if s.AppendOnly != "yes" {
		out = append(out, "appendonly is "+quote(s.AppendOnly)+
			": writes since the last snapshot (referrals, timers, queued texts) are lost on a restart; set appendonly yes")
	} else if s.AppendFsync == "no" {
		out = append(out, `appendfsync is "no": the OS decides when writes reach the disk, so a crash can lose many seconds; set appendfsync everysec`)
	}
	if s.MaxmemoryPolicy != "noeviction" {
		out = append(out, "maxmemory-policy is "+quote(s.MaxmemoryPolicy)+
			": Redis may evict referrals, timers or queued texts when memory runs short; set maxmemory-policy noeviction")
	}
	return out
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

// ErrUnsafeSettings is returned by CheckSettings in strict mode when a
// node's settings would lose data.
var ErrUnsafeSettings = errors.New("redis settings would lose data")

// ReadSettings reads appendonly, appendfsync and maxmemory-policy with
// CONFIG GET from every node that takes writes: the one node, the
// Sentinel master, or every cluster master. It fails if CONFIG is refused
// (managed services often refuse it).
func ReadSettings(ctx context.Context, rdb redis.UniversalClient) ([]Settings, error) {
	read := func(ctx context.Context, c *redis.Client) (Settings, error) {
		s := Settings{Node: c.Options().Addr}
		for name, v := range map[string]*string{"appendonly": &s.AppendOnly, "appendfsync": &s.AppendFsync,
			"maxmemory-policy": &s.MaxmemoryPolicy} {
			m, err := c.ConfigGet(ctx, name).Result()
			if err != nil {
				return s, fmt.Errorf("CONFIG GET %s on %s: %w", name, s.Node, err)
			}
			*v = m[name]
		}
		return s, nil
	}
	switch c := rdb.(type) {
	case *redis.ClusterClient:
		var (
			out []Settings
			mu  sync.Mutex
		)
		err := c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			s, err := read(ctx, n)
			if err != nil {
				return err
			}
			mu.Lock()
			out = append(out, s)
			mu.Unlock()
			return nil
		})
		return out, err
	case *redis.Client:
		s, err := read(ctx, c)
		return []Settings{s}, err
	}
	return nil, fmt.Errorf("CONFIG GET: client %T not supported", rdb)
}

// CheckSettings reads the settings and logs a warning for each problem. In
// strict mode a problem is an error instead (serve then refuses to start).
// A refused CONFIG GET is logged and tolerated in either mode: the settings
// cannot be known, so the operator is told to check them.
func CheckSettings(ctx context.Context, rdb redis.UniversalClient, strict bool, log *slog.Logger) error {
	nodes, err := ReadSettings(ctx, rdb)
	if err != nil {
		log.Warn("cannot read Redis durability settings; make sure appendonly is yes, appendfsync everysec or always, "+
			"and maxmemory-policy noeviction", "err", err)
		return nil
	}
	var bad []string
	for _, n := range nodes {
		for _, p := range n.Problems() {
			if strict {
				bad = append(bad, n.Node+": "+p)
				continue
			}
			log.Warn("redis setting would lose data", "node", n.Node, "problem", p)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w (LEADLINE_REDIS_SETTINGS=warn only warns): %s", ErrUnsafeSettings, strings.Join(bad, "; "))
	}
	return nil
}
