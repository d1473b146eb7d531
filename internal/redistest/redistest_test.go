package redistest_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/leadline/leadline/internal/redistest"
)

func TestStartServersAreIsolated(t *testing.T) {
	ctx := context.Background()
	a, addrA := redistest.Start(t)
	b, addrB := redistest.Start(t)
	if addrA == addrB {
		t.Fatalf("both servers on %s", addrA)
	}

	if err := a.Set(ctx, "leadline:test", "a", 0).Err(); err != nil {
		t.Fatalf("set on a: %v", err)
	}
	if got, err := a.Get(ctx, "leadline:test").Result(); err != nil || got != "a" {
		t.Fatalf("get on a = %q, %v; want \"a\"", got, err)
	}
	if err := b.Get(ctx, "leadline:test").Err(); !errors.Is(err, redis.Nil) {
		t.Fatalf("get on b: err = %v; want redis.Nil (servers share data)", err)
	}
}

func TestStartHasNoPersistence(t *testing.T) {
	ctx := context.Background()
	rdb, _ := redistest.Start(t)
	tests := []struct{ param, want string }{
		{"save", ""},
		{"appendonly", "no"},
		{"bind", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.param, func(t *testing.T) {
			got, err := rdb.ConfigGet(ctx, tt.param).Result()
			if err != nil {
				t.Fatalf("config get %s: %v", tt.param, err)
			}
			if got[tt.param] != tt.want {
				t.Errorf("%s = %q, want %q", tt.param, got[tt.param], tt.want)
			}
		})
	}
}

func TestStartServerGoneAfterCleanup(t *testing.T) {
	var addr string
	t.Run("inner", func(t *testing.T) {
		_, addr = redistest.Start(t)
	})
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		t.Fatalf("server at %s still accepts connections after its test ended", addr)
	}
}
