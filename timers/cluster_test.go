package timers_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redistest"
)

// cluster, while TestOnCluster runs, is the cluster every test's Redis is.
var cluster *redistest.SharedCluster

// testRedis is a test's Redis: its own redis-server, or within
// TestOnCluster the shared real cluster.
func testRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	if cluster != nil {
		return cluster.Client(t)
	}
	rdb, _ := redistest.Start(t)
	return rdb
}

// TestOnCluster runs the package's tests again on a real three-master
// Redis Cluster, so its claim script runs where keys are spread by slot.
func TestOnCluster(t *testing.T) {
	cluster = redistest.NewSharedCluster(t)
	defer func() { cluster = nil }()
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"FiresWhenDueAndOnlyOnce", TestFiresWhenDueAndOnlyOnce},
		{"RescheduleAndCancel", TestRescheduleAndCancel},
		{"LapsedLeaseIsRetried", TestLapsedLeaseIsRetried},
		{"InstancesShareTimers", TestInstancesShareTimers},
		{"RunStopsWithContext", TestRunStopsWithContext},
		{"CollectorReportsDepthAndLag", TestCollectorReportsDepthAndLag},
	} {
		t.Run(tc.name, tc.test)
	}
}
