package redistest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// SentinelMaster is the master name StartSentinel monitors.
const SentinelMaster = "mymaster"

// sentinelTimeout bounds each wait of a Sentinel set-up: the replica's
// first sync, the sentinel learning the replica, a failover.
const sentinelTimeout = 30 * time.Second

// Sentinel is a running Sentinel set-up: a master, one replica and a
// sentinel watching them, each a real process on a free loopback port.
type Sentinel struct {
	// Addr is the sentinel's address; a redis-sentinel:// URL names it.
	Addr string
	// Client follows the master through the sentinel, as
	// redis.NewFailoverClient does.
	Client   *redis.Client
	sentinel *redis.Client
	nodes    []*server // master and replica, in the order started
}

// StartSentinel starts a master, a replica of it and a sentinel monitoring
// them as SentinelMaster (quorum 1, down after 1 s), each in a folder of
// tb.TempDir(). It waits until the replica has synced and the sentinel knows
// it, so that Failover can promote it. The sentinel runs as redis-sentinel
// when that is on PATH (Debian's redis-sentinel package), else as
// redis-server --sentinel. Everything is stopped when the test ends.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatal(notFound)
	}
	root := tb.TempDir()
	dir := func(name string) string {
		d := filepath.Join(root, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			tb.Fatal(err)
		}
		return d
	}
	// No diskless-sync delay: the replica's first sync (and the old
	// master's after a failover) start at once rather than after 5 s.
	fast := []string{"--repl-diskless-sync-delay", "0"}
	master, err := startServer(bin, dir("master"), fast, nil)
	if err != nil {
		tb.Fatalf("redistest: master: %v", err)
	}
	tb.Cleanup(master.stop)
	host, mport, _ := net.SplitHostPort(master.addr)
	replica, err := startServer(bin, dir("replica"), append(fast, "--replicaof", host, mport), nil)
	if err != nil {
		tb.Fatalf("redistest: replica: %v", err)
	}
	tb.Cleanup(replica.stop)

	sdir := dir("sentinel")
	var sen *server
	for range bindAttempts {
		port, err := freePort()
		if err != nil {
			tb.Fatal(err)
		}
		conf := filepath.Join(sdir, "sentinel.conf")
		text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\n"+
			"sentinel monitor %s %s %s 1\n"+
			"sentinel down-after-milliseconds %[3]s 1000\n"+
			"sentinel failover-timeout %[3]s 10000\n"+
			"sentinel parallel-syncs %[3]s 1\n", port, sdir, SentinelMaster, host, mport)
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			tb.Fatal(err)
		}
		sbin, args := bin, []string{conf, "--sentinel"}
		if p, err := exec.LookPath("redis-sentinel"); err == nil {
			sbin, args = p, []string{conf}
		}
		if sen, err = launch(sbin, port, args); err == nil {
			break
		} else if !errors.Is(err, errPortTaken) {
			tb.Fatalf("redistest: sentinel: %v", err)
		}
	}
	if sen == nil {
		tb.Fatal("redistest: sentinel: no free port")
	}
	tb.Cleanup(sen.stop)

	s := &Sentinel{Addr: sen.addr, sentinel: sen.client, nodes: []*server{master, replica}}
	ctx, cancel := context.WithTimeout(context.Background(), sentinelTimeout)
	defer cancel()
	if err := s.waitReplica(ctx, replica.addr); err != nil {
		tb.Fatalf("redistest: %v", err)
	}
	s.Client = redis.NewFailoverClient(&redis.FailoverOptions{MasterName: SentinelMaster, SentinelAddrs: []string{sen.addr}})
	tb.Cleanup(func() { _ = s.Client.Close() })
	return s
}

// URL is the redis-sentinel:// URL of the set-up.
func (s *Sentinel) URL() string { return "redis-sentinel://" + s.Addr + "/" + SentinelMaster }

// MasterAddr is where the sentinel says the master is now.
func (s *Sentinel) MasterAddr(ctx context.Context) (string, error) {
	hp, err := s.sentinel.Do(ctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SentinelMaster).StringSlice()
	if err != nil {
		return "", fmt.Errorf("sentinel get-master-addr-by-name: %w", err)
	}
	if len(hp) != 2 {
		return "", fmt.Errorf("sentinel get-master-addr-by-name answered %q", hp)
	}
	return net.JoinHostPort(hp[0], hp[1]), nil
}

// Failover forces a failover with SENTINEL FAILOVER and waits until the
// sentinel names the replica as master and it says it is one. Then it
// makes the old master a replica of the new one, as the sentinel itself
// does when it next reads the old master (up to 10 s later): so a client
// that has not followed the switch meets a read-only replica rather than
// a stale master that still takes writes. It returns the new master's
// address.
func (s *Sentinel) Failover(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), sentinelTimeout)
	defer cancel()
	old, err := s.MasterAddr(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.sentinel.Do(ctx, "SENTINEL", "FAILOVER", SentinelMaster).Err(); err != nil {
		tb.Fatalf("redistest: sentinel failover: %v", err)
	}
	for {
		now, err := s.MasterAddr(ctx)
		if err == nil && now != old && s.role(ctx, now) == "master" {
			s.demote(ctx, tb, old, now)
			s.writable(ctx, tb)
			return now
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("redistest: failover from %s did not finish (master now %s, %v)", old, now, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// writable waits until the client writes to the new master: until it has
// heard of the switch it may still send a write down a pooled connection to
// the old one (READONLY), the moment a real instance's loops retry over.
func (s *Sentinel) writable(ctx context.Context, tb testing.TB) {
	for {
		err := s.Client.Set(ctx, "redistest:failover", "1", time.Minute).Err()
		if err == nil {
			return
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("redistest: the client still cannot write after the failover: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// demote makes the node at old a replica of the one at now.
func (s *Sentinel) demote(ctx context.Context, tb testing.TB, old, now string) {
	host, port, _ := net.SplitHostPort(now)
	for _, n := range s.nodes {
		if n.addr == old {
			if err := n.client.SlaveOf(ctx, host, port).Err(); err != nil {
				tb.Fatalf("redistest: make %s a replica of %s: %v", old, now, err)
			}
		}
	}
}

// role is a node's INFO replication role, or "" if it does not answer.
func (s *Sentinel) role(ctx context.Context, addr string) string {
	for _, n := range s.nodes {
		if n.addr == addr {
			info, err := n.client.Info(ctx, "replication").Result()
			if err != nil {
				return ""
			}
			return infoField(info, "role")
		}
	}
	return ""
}

// waitReplica waits until the replica has synced with the master and the
// sentinel lists it as a healthy replica.
func (s *Sentinel) waitReplica(ctx context.Context, addr string) error {
	for {
		if s.role(ctx, addr) == "slave" && s.replicaKnown(ctx, addr) && s.linkUp(ctx, addr) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("sentinel did not learn replica %s: %w", addr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Sentinel) linkUp(ctx context.Context, addr string) bool {
	for _, n := range s.nodes {
		if n.addr == addr {
			info, err := n.client.Info(ctx, "replication").Result()
			return err == nil && infoField(info, "master_link_status") == "up"
		}
	}
	return false
}

// replicaKnown says whether the sentinel lists addr as a replica that is
// neither down nor disconnected.
func (s *Sentinel) replicaKnown(ctx context.Context, addr string) bool {
	list, err := s.sentinel.Do(ctx, "SENTINEL", "REPLICAS", SentinelMaster).Slice()
	if err != nil {
		return false
	}
	for _, r := range list {
		fields := map[string]string{}
		switch r := r.(type) {
		case []any:
			for i := 0; i+1 < len(r); i += 2 {
				fields[fmt.Sprint(r[i])] = fmt.Sprint(r[i+1])
			}
		case map[any]any:
			for k, v := range r {
				fields[fmt.Sprint(k)] = fmt.Sprint(v)
			}
		}
		if net.JoinHostPort(fields["ip"], fields["port"]) == addr && fields["flags"] == "slave" {
			return true
		}
	}
	return false
}
