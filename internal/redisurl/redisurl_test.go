package redisurl

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Config
	}{
		{"redis://localhost:6379/0", Config{Kind: Single, Addrs: []string{"localhost:6379"}}},
		{"redis://cache", Config{Kind: Single, Addrs: []string{"cache:6379"}}},
		{"redis://:pw@cache:6380/2", Config{Kind: Single, Addrs: []string{"cache:6380"}, Password: "pw", DB: 2}},
		{"redis://app:p%40ss@cache/1?db=3", Config{Kind: Single, Addrs: []string{"cache:6379"}, Username: "app", Password: "p@ss", DB: 3}},
		{"redis://:pa/ss?@cache", Config{Kind: Single, Addrs: []string{"cache:6379"}, Password: "pa/ss?"}},
		{"redis://[::1]:7000", Config{Kind: Single, Addrs: []string{"[::1]:7000"}}},
		{"redis://[::1]", Config{Kind: Single, Addrs: []string{"[::1]:6379"}}},
		{"rediss://:pw@redis.example.org:6380?tls_ca_file=/etc/ca.pem&tls_server_name=r.example.org",
			Config{Kind: Single, Addrs: []string{"redis.example.org:6380"}, Password: "pw", TLS: true,
				TLSCAFile: "/etc/ca.pem", TLSServerName: "r.example.org"}},
		{"redis://h?dial_timeout=3&read_timeout=500ms&write_timeout=2s&pool_size=20&client_name=leadline",
			Config{Kind: Single, Addrs: []string{"h:6379"}, DialTimeout: 3 * time.Second, ReadTimeout: 500 * time.Millisecond,
				WriteTimeout: 2 * time.Second, PoolSize: 20, ClientName: "leadline"}},
		{"redis-sentinel://:pw@s1:26379,s2:26380,s3/mymaster?db=1",
			Config{Kind: Sentinel, Addrs: []string{"s1:26379", "s2:26380", "s3:26379"}, Master: "mymaster", Password: "pw", DB: 1}},
		{"redis-sentinel://s1/mymaster/4?sentinel_password=spw&sentinel_username=sentinel",
			Config{Kind: Sentinel, Addrs: []string{"s1:26379"}, Master: "mymaster", DB: 4, SentinelPassword: "spw", SentinelUsername: "sentinel"}},
		{"rediss-sentinel://s1:26379/m", Config{Kind: Sentinel, Addrs: []string{"s1:26379"}, Master: "m", TLS: true}},
		{"redis-cluster://n1:7000,n2:7001", Config{Kind: Cluster, Addrs: []string{"n1:7000", "n2:7001"}}},
		{"rediss-cluster://:pw@n1:7000/", Config{Kind: Cluster, Addrs: []string{"n1:7000"}, Password: "pw", TLS: true}},
		{"REDIS://Cache", Config{Kind: Single, Addrs: []string{"Cache:6379"}}},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	const secret = "s3cr3t"
	for _, tc := range []struct{ url, reason string }{
		{"localhost:6379", "want a URL"},
		{"http://:" + secret + "@h", `unknown scheme "http"`},
		{"redis://:" + secret + "@h1,h2", "names one host"},
		{"redis://:" + secret + "@h/x", `database "x" is not a number`},
		{"redis://:" + secret + "@h/1/2", "more than a database number"},
		{"redis://:" + secret + "@h:port", "not a port number"},
		{"redis://:" + secret + "@h:0", "not a port number"},
		{"redis://:" + secret + "@", "a host is missing"},
		{"redis://:" + secret + "@h1,,h2", "a host is missing"},
		{"redis://:" + secret + "@::1", "brackets"},
		{"redis://:" + secret + "@h?db=x", `db "x" is not a number`},
		{"redis://:" + secret + "@h?colour=red", `unknown option "colour"`},
		{"redis://:" + secret + "@h?password=" + secret, `unknown option "password"`},
		{"redis://:" + secret + "@h?dial_timeout=soon", "not a duration"},
		{"redis://:" + secret + "@h?pool_size=0", "not a positive number"},
		{"redis://:" + secret + "@h?tls_ca_file=/ca.pem", "needs TLS"},
		{"redis://:" + secret + "@h?sentinel_password=" + secret, "only for redis-sentinel"},
		{"redis://:%zz" + secret + "@h", "password is not URL-escaped"},
		{"redis-sentinel://:" + secret + "@s1:26379,s2:26379", "no master name"},
		{"redis-sentinel://s1:26379/m?sentinel_password=" + secret + "&db=-1", "not a number"},
		{"redis-cluster://:" + secret + "@n1:7000/1", "only database 0"},
		{"redis-cluster://:" + secret + "@n1:7000?db=1", "only database 0"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := Parse(tc.url)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %q, want it to say %q", err, tc.reason)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("err = %q shows the password", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"redis://localhost:6379/0", "redis://localhost:6379/0"},
		{"redis://:pw@h/0", "redis://:xxxxx@h/0"},
		{"redis://user:pw@h", "redis://user:xxxxx@h"},
		{"redis://user@h", "redis://user@h"},
		{"redis://:p@w/d?@h:6379/0", "redis://:xxxxx@h:6379/0"},
		{"redis-sentinel://:pw@s1,s2/m?db=0&sentinel_password=spw", "redis-sentinel://:xxxxx@s1,s2/m?db=0&sentinel_password=xxxxx"},
		{"not a url :pw@h", ":xxxxx@h"},
		{"", ""},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"redis://:pw@h", "redis://:xxxxx@h:6379/0"},
		{"rediss-sentinel://app:pw@s1,s2/m/3", "rediss-sentinel://app:xxxxx@s1:26379,s2:26379/m/3"},
		{"redis-cluster://n1:7000", "redis-cluster://n1:7000"},
	} {
		c, err := Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.String(); got != tc.want {
			t.Errorf("%q.String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClientKinds(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"redis://h", "*redis.Client"},
		{"redis-sentinel://s/m", "*redis.Client"},
		{"redis-cluster://n1,n2", "*redis.ClusterClient"},
	} {
		rdb, _, err := Connect(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := reflect.TypeOf(rdb).String(); got != tc.want {
			t.Errorf("%s: client %s, want %s", tc.url, got, tc.want)
		}
		rdb.Close()
	}
	if _, _, err := Connect("rediss://:s3cr3t@h?tls_ca_file=/nonexistent/ca.pem"); err == nil ||
		!strings.Contains(err.Error(), "tls_ca_file") || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("a missing CA file: err = %v", err)
	}
}
