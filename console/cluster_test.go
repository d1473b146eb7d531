package console_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redistest"
)

// cluster, while TestOnCluster runs, is the cluster every world's Redis is.
var cluster *redistest.SharedCluster

// testRedis is a world's Redis: its own redis-server, or within
// TestOnCluster the shared real cluster.
func testRedis(t testing.TB) redis.UniversalClient {
	t.Helper()
	if cluster != nil {
		return cluster.Client(t)
	}
	rdb, _ := redistest.Start(t)
	return rdb
}

// TestOnCluster runs the console's HTTP tests again on a real three-master
// Redis Cluster, so that its scripts (sign-in codes and their limits,
// sessions, CSRF, the audit stream) run where keys are spread by slot.
func TestOnCluster(t *testing.T) {
	cluster = redistest.NewSharedCluster(t)
	defer func() { cluster = nil }()
	for _, tc := range []struct {
		name string
		test func(*testing.T)
	}{
		{"PostWithoutCSRFTokenIsRefused", TestPostWithoutCSRFTokenIsRefused},
		{"HeadersAndCookies", TestHeadersAndCookies},
		{"SessionEndsAfterTwelveHoursHoweverUsed", TestSessionEndsAfterTwelveHoursHoweverUsed},
		{"SessionEndsWhenThePersonLeavesTheConfig", TestSessionEndsWhenThePersonLeavesTheConfig},
		{"CodeLimitsSayNothingAboutStaff", TestCodeLimitsSayNothingAboutStaff},
		{"CodeExpiresAfterTenMinutes", TestCodeExpiresAfterTenMinutes},
		{"AuditCSVAndRetention", TestAuditCSVAndRetention},
	} {
		t.Run(tc.name, tc.test)
	}
}
