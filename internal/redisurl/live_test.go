package redisurl_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/internal/redisurl"
)

// Each kind of URL reaches a real deployment of that kind: a password-
// protected node, a cluster from one seed node, a Sentinel master across a
// failover.
func TestURLsReachRealDeployments(t *testing.T) {
	ctx := context.Background()

	node, addr := redistest.Start(t)
	if err := node.ConfigSet(ctx, "requirepass", "s3cr3t").Err(); err != nil {
		t.Fatal(err)
	}
	rdb, _, err := redisurl.Connect("redis://:s3cr3t@" + addr + "/2")
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, "leadline:x", "1", 0).Err(); err != nil {
		t.Fatalf("with the password: %v", err)
	}
	wrong, _, _ := redisurl.Connect("redis://:nope@" + addr)
	defer wrong.Close()
	if err := wrong.Ping(ctx).Err(); err == nil || strings.Contains(err.Error(), "nope") {
		t.Errorf("a wrong password: %v", err)
	}

	_, nodes := redistest.StartCluster(t)
	cl, c, err := redisurl.Connect("redis-cluster://" + nodes[0])
	if err != nil || c.Kind != redisurl.Cluster {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, tag := range []string{"a", "b", "c", "d"} {
		if err := cl.Set(ctx, "leadline:{"+tag+"}:x", tag, 0).Err(); err != nil {
			t.Fatalf("cluster from one seed, tag %s: %v", tag, err)
		}
	}

	s := redistest.StartSentinel(t)
	sen, c, err := redisurl.Connect(s.URL() + "?db=0")
	if err != nil || c.Kind != redisurl.Sentinel {
		t.Fatal(err)
	}
	defer sen.Close()
	if err := sen.Set(ctx, "leadline:x", "before", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := sen.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n != 1 {
		t.Fatalf("WAIT = %d, %v", n, err)
	}
	s.Failover(t)
	if got, err := sen.Get(ctx, "leadline:x").Result(); err != nil || got != "before" {
		t.Errorf("after the failover: %q, %v", got, err)
	}
}
