package outbox_test

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
// Redis Cluster, so that every outbox script (enqueue, claim, renew, sent, ended, retry, settle, status, idle) and the rate cap run where keys are spread by slot.
func TestOnCluster(t *testing.T) {
	cluster = redistest.NewSharedCluster(t)
	defer func() { cluster = nil }()
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"TwoInstancesSendEachTextOnce", TestTwoInstancesSendEachTextOnce},
		{"RateCapsEachSender", TestRateCapsEachSender},
		{"FlushSkipsSendersAtTheirCap", TestFlushSkipsSendersAtTheirCap},
		{"Metrics", TestMetrics},
		{"DepthMetrics", TestDepthMetrics},
		{"PageGoesBeforeQueuedReminders", TestPageGoesBeforeQueuedReminders},
		{"OneRecipientGetsTextsInPriorityThenEnqueueOrder", TestOneRecipientGetsTextsInPriorityThenEnqueueOrder},
		{"EnqueueOfAKnownIDDoesNothing", TestEnqueueOfAKnownIDDoesNothing},
		{"EnqueueRefuses", TestEnqueueRefuses},
		{"Check", TestCheck},
		{"Idle", TestIdle},
		{"DoneRunsBeforeTheRecipientIsFree", TestDoneRunsBeforeTheRecipientIsFree},
		{"FailedSends", TestFailedSends},
		{"RetryWaitsItsTurn", TestRetryWaitsItsTurn},
		{"StatusCallbacks", TestStatusCallbacks},
		{"StatusOfUnknownSID", TestStatusOfUnknownSID},
		{"StatusBeforeTheSentRecord", TestStatusBeforeTheSentRecord},
	} {
		t.Run(tc.name, tc.test)
	}
}
