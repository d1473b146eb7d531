package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clusterMasters is how many masters StartCluster makes: the fewest
// redis-cli --cluster create accepts, and enough that keys of different
// hash tags land on different nodes.
const clusterMasters = 3

// clusterTimeout bounds how long a new cluster may take to agree on its
// slots.
const clusterTimeout = 20 * time.Second

// StartCluster starts a real three-master Redis Cluster: three
// redis-server --cluster-enabled yes on free loopback ports, each in its own
// folder under tb.TempDir(), joined with redis-cli --cluster create. It
// waits until every node reports cluster_state:ok and returns a cluster
// client and the nodes' addresses. Everything is stopped when the test
// ends. It fails the test if redis-server or redis-cli is not on PATH.
func StartCluster(tb testing.TB) (*redis.ClusterClient, []string) {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(notFound)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatal("redis-cli not found on PATH: install it (Debian/Ubuntu: apt-get install redis-tools)")
	}
	root := tb.TempDir()
	addrs := make([]string, 0, clusterMasters)
	for i := range clusterMasters {
		dir := filepath.Join(root, "node"+strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o700); err != nil {
			tb.Fatal(err)
		}
		srv, err := startServer(bin, dir, []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "2000",
		}, busPortFree)
		if err != nil {
			tb.Fatalf("redistest: cluster node %d: %v", i, err)
		}
		tb.Cleanup(srv.stop)
		addrs = append(addrs, srv.addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clusterTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := waitClusterOK(ctx, addrs); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	tb.Cleanup(func() { _ = client.Close() })
	// The client learns the slots on its first command; make it now, so a
	// test's first command does not race a node still settling.
	if err := client.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		return c.Ping(ctx).Err()
	}); err != nil {
		tb.Fatalf("redistest: cluster ping: %v", err)
	}
	return client, addrs
}

// busPortFree says whether a node on port can have its cluster bus, which
// listens on port+10000.
func busPortFree(port int) bool {
	if port+10000 > 65535 {
		return false
	}
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
	if err != nil {
		return false
	}
	return l.Close() == nil
}

// waitClusterOK waits until every node says cluster_state:ok and knows all
// the others, so that every slot is served and redirects agree.
func waitClusterOK(ctx context.Context, addrs []string) error {
	for _, addr := range addrs {
		c := redis.NewClient(&redis.Options{Addr: addr})
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && infoField(info, "cluster_state") == "ok" &&
				infoField(info, "cluster_known_nodes") == strconv.Itoa(len(addrs)) {
				break
			}
			select {
			case <-ctx.Done():
				_ = c.Close()
				return fmt.Errorf("cluster node %s not ready: %s %v", addr, strings.TrimSpace(info), err)
			case <-time.After(50 * time.Millisecond):
			}
		}
		_ = c.Close()
	}
	return nil
}

// SharedCluster is one StartCluster shared by the subtests of a test, so
// that a package can run its whole suite on a real cluster without paying
// for a cluster per test. Each subtest starts on empty data.
type SharedCluster struct {
	client  *redis.ClusterClient
	mu      sync.Mutex
	flushed map[string]bool
}

// NewSharedCluster starts a cluster for the life of tb.
func NewSharedCluster(tb testing.TB) *SharedCluster {
	tb.Helper()
	c, _ := StartCluster(tb)
	return &SharedCluster{client: c, flushed: map[string]bool{}}
}

// Client is the cluster's client. The first time a test asks, every master
// is flushed, so that what an earlier subtest left does not leak into it;
// later calls of the same test (two "servers" in one test) share its data.
func (s *SharedCluster) Client(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.flushed[tb.Name()] {
		s.flushed[tb.Name()] = true
		err := s.client.ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
			return c.FlushAll(ctx).Err()
		})
		if err != nil {
			tb.Fatalf("redistest: flush cluster: %v", err)
		}
	}
	return s.client
}
