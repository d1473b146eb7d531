package main

import (
	"strings"
	"testing"
)

// A malformed REDIS_URL is refused by every command that reaches Redis,
// and the refusal never shows the password.
func TestMalformedRedisURLIsRedacted(t *testing.T) {
	env := map[string]string{"REDIS_URL": "redis-sentinel://:s3cr3t@s1:26379,s2:port/mymaster"}
	for _, args := range [][]string{
		{"report", "--config", writeSample(t, nil), "--from", "2026-11-01", "--to", "2026-11-30"},
		{"oncall", "show", "--config", writeSample(t, nil)},
	} {
		code, out, errOut := runCmd(t, "", env, args...)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1\n%s%s", args[0], code, out, errOut)
		}
		if !strings.Contains(errOut, "redis-sentinel://:xxxxx@s1:26379,s2:port/mymaster") || !strings.Contains(errOut, "not a port number") {
			t.Errorf("%s: stderr = %q", args[0], errOut)
		}
		if strings.Contains(out+errOut, "s3cr3t") {
			t.Errorf("%s shows the password: %s%s", args[0], out, errOut)
		}
	}
}
