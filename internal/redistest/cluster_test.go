package redistest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redistest"
)

func TestStartClusterIsARealCluster(t *testing.T) {
	ctx := context.Background()
	rdb, addrs := redistest.StartCluster(t)
	if len(addrs) != 3 {
		t.Fatalf("%d nodes, want 3", len(addrs))
	}
	masters := map[string]bool{}
	for _, key := range []string{"leadline:{a}:x", "leadline:{b}:x", "leadline:{c}:x", "leadline:{d}:x", "leadline:{e}:x"} {
		if err := rdb.Set(ctx, key, "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		node, err := rdb.MasterForKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		masters[node.Options().Addr] = true
	}
	if len(masters) < 2 {
		t.Errorf("five hash tags all on one master %v: slots not spread", masters)
	}
	// A script across hash tags is refused, as on any cluster; within one
	// it runs.
	script := redis.NewScript(`redis.call('SET', KEYS[1], 1) return redis.call('SET', KEYS[2], 2)`)
	if err := script.Run(ctx, rdb, []string{"leadline:{a}:1", "leadline:{b}:2"}).Err(); err == nil || !strings.Contains(err.Error(), "CROSSSLOT") {
		t.Errorf("cross-slot script: err = %v, want CROSSSLOT", err)
	}
	if err := script.Run(ctx, rdb, []string{"leadline:{a}:1", "leadline:{a}:2"}).Err(); err != nil {
		t.Errorf("same-slot script: %v", err)
	}
}

func TestSentinelFailover(t *testing.T) {
	ctx := context.Background()
	s := redistest.StartSentinel(t)
	if err := s.Client.Set(ctx, "leadline:test", "before", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// WAIT makes sure the replica has the write before it is promoted.
	if n, err := s.Client.Wait(ctx, 1, 0).Result(); err != nil || n != 1 {
		t.Fatalf("WAIT = %d, %v", n, err)
	}
	old, err := s.MasterAddr(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if now := s.Failover(t); now == old {
		t.Fatalf("master still %s", old)
	}
	if got, err := s.Client.Get(ctx, "leadline:test").Result(); err != nil || got != "before" {
		t.Errorf("after failover GET = %q, %v", got, err)
	}
	if err := s.Client.Set(ctx, "leadline:test", "after", 0).Err(); err != nil {
		t.Errorf("write after failover: %v", err)
	}
}
