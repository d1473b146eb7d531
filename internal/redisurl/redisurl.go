// Package redisurl reads REDIS_URL: one Redis node, a Sentinel-managed
// master, or a Redis Cluster, each with optional TLS and passwords, into a
// go-redis UniversalClient. Errors never hold a password: every URL they
// name is redacted first.
//
//	redis://[[user]:password@]host[:6379][/db][?options]         one node
//	rediss://…                                                   the same over TLS
//	redis-sentinel://[[user]:password@]h1:26379,h2:26379/master[/db][?options]
//	rediss-sentinel://…                                          TLS to sentinels and master
//	redis-cluster://[[user]:password@]h1:7000,h2:7001[?options]   seed nodes
//	rediss-cluster://…
//
// The password in the URL is the data nodes' (master, replicas, cluster
// nodes); sentinels that need their own take sentinel_password (and
// sentinel_username). Options: db (not for Cluster), dial_timeout,
// read_timeout, write_timeout (Go durations, or seconds), pool_size,
// client_name, tls_ca_file (a PEM file of CAs to trust instead of the
// system's), tls_server_name.
package redisurl

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Kind is how the Redis deployment is reached.
type Kind string

// The kinds of deployment a URL names.
const (
	Single   Kind = "single"
	Sentinel Kind = "sentinel"
	Cluster  Kind = "cluster"
)

// Default is the URL used when REDIS_URL is unset.
const Default = "redis://localhost:6379/0"

// Config is a parsed REDIS_URL.
type Config struct {
	Kind  Kind
	Addrs []string // host:port; sentinels for Sentinel, seed nodes for Cluster
	// Master is the Sentinel master name.
	Master           string
	Username         string
	Password         string
	SentinelUsername string
	SentinelPassword string
	DB               int
	TLS              bool
	TLSCAFile        string
	TLSServerName    string
	DialTimeout      time.Duration
	ReadTimeout      time.Duration
	WriteTimeout     time.Duration
	PoolSize         int
	ClientName       string
}

// Error is a REDIS_URL that cannot be used. Its message names the URL with
// every password replaced by "xxxxx".
type Error struct {
	URL    string // redacted
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("REDIS_URL %s: %s", e.URL, e.Reason) }

// defaultPort is each kind's port when a host names none.
var defaultPort = map[Kind]string{Single: "6379", Sentinel: "26379", Cluster: "6379"}

// Parse reads a REDIS_URL.
func Parse(raw string) (*Config, error) {
	c, err := parse(raw)
	if err != nil {
		// Every reason is about the URL: name it, redacted, once here.
		return nil, &Error{URL: Redact(raw), Reason: err.Error()}
	}
	return c, nil
}

// parse reads raw part by part, in the order they are written: scheme,
// user info, hosts, path, options.
func parse(raw string) (*Config, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, fmt.Errorf("want a URL like %s", Default)
	}
	c := &Config{}
	if err := c.scheme(scheme); err != nil {
		return nil, err
	}
	rest, err := c.userInfo(rest)
	if err != nil {
		return nil, err
	}
	rest, query, _ := strings.Cut(rest, "?")
	authority, path, _ := strings.Cut(rest, "/")
	if err := c.hosts(scheme, authority); err != nil {
		return nil, err
	}
	if err := c.path(scheme, path); err != nil {
		return nil, err
	}
	if err := c.options(query); err != nil {
		return nil, err
	}
	return c, nil
}

// scheme sets the kind of deployment and whether it is reached over TLS.
func (c *Config) scheme(scheme string) error {
	switch strings.ToLower(scheme) {
	case "redis":
		c.Kind = Single
	case "rediss":
		c.Kind, c.TLS = Single, true
	case "redis-sentinel":
		c.Kind = Sentinel
	case "rediss-sentinel":
		c.Kind, c.TLS = Sentinel, true
	case "redis-cluster":
		c.Kind = Cluster
	case "rediss-cluster":
		c.Kind, c.TLS = Cluster, true
	default:
		return fmt.Errorf("unknown scheme %q: want redis, rediss, redis-sentinel, rediss-sentinel, redis-cluster or rediss-cluster", scheme)
	}
	return nil
}

// userInfo sets the user name and password from rest, the URL after its
// scheme, and returns what follows them.
func (c *Config) userInfo(rest string) (string, error) {
	// The user info ends at the last @, so that a password with a / or ?
	// that was not escaped is still read as the password, never as a path
	// that an error message would quote.
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return rest, nil
	}
	user, pass, hasPass := strings.Cut(rest[:at], ":")
	var err error
	if c.Username, err = url.PathUnescape(user); err != nil {
		return "", errors.New("user name is not URL-escaped properly")
	}
	if hasPass {
		if c.Password, err = url.PathUnescape(pass); err != nil {
			return "", errors.New("password is not URL-escaped properly")
		}
	}
	return rest[at+1:], nil
}

// hosts sets the addresses from the comma-separated authority, defaulting
// each port to the kind's. One node names one host.
func (c *Config) hosts(scheme, authority string) error {
	for _, h := range strings.Split(authority, ",") {
		addr, err := hostPort(h, defaultPort[c.Kind])
		if err != nil {
			return err
		}
		c.Addrs = append(c.Addrs, addr)
	}
	if c.Kind == Single && len(c.Addrs) > 1 {
		return fmt.Errorf("a %s:// URL names one host; use redis-sentinel:// or redis-cluster:// for several", scheme)
	}
	return nil
}

// path sets the Sentinel master name, which Sentinel needs first, and the
// database number, which Cluster does not have.
func (c *Config) path(scheme, path string) error {
	segments := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	if c.Kind == Sentinel {
		if len(segments) == 0 {
			return fmt.Errorf("no master name: want %s://host:26379,host2:26379/mymaster", scheme)
		}
		c.Master, segments = segments[0], segments[1:]
	}
	switch {
	case len(segments) > 1:
		return fmt.Errorf("path /%s has more than a database number", path)
	case len(segments) == 1 && c.Kind == Cluster:
		return fmt.Errorf("Redis Cluster has only database 0; drop /%s", segments[0])
	case len(segments) == 1:
		db, err := strconv.Atoi(segments[0])
		if err != nil || db < 0 {
			return fmt.Errorf("database %q is not a number", segments[0])
		}
		c.DB = db
	}
	return nil
}

// options sets the query's options; of one given twice, the last counts.
func (c *Config) options(query string) error {
	values, err := url.ParseQuery(query)
	if err != nil {
		return errors.New("options are not URL-escaped properly")
	}
	for name, vs := range values {
		if err := c.option(name, vs[len(vs)-1]); err != nil {
			return err
		}
	}
	return nil
}

// hostPort checks one host[:port], defaulting the port.
func hostPort(h, port string) (string, error) {
	if h == "" {
		return "", errors.New("a host is missing")
	}
	if strings.HasPrefix(h, "[") || strings.Count(h, ":") == 1 {
		host, p, err := net.SplitHostPort(h)
		if err != nil {
			if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
				return net.JoinHostPort(strings.Trim(h, "[]"), port), nil
			}
			return "", fmt.Errorf("host %q: %w", h, err)
		}
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("host %q: port %q is not a port number", h, p)
		}
		if host == "" {
			return "", fmt.Errorf("host %q has no name", h)
		}
		return net.JoinHostPort(host, p), nil
	}
	if strings.Contains(h, ":") {
		return "", fmt.Errorf("host %q: put an IPv6 address in brackets ([::1]:6379)", h)
	}
	return net.JoinHostPort(h, port), nil
}

// option sets one query option.
func (c *Config) option(name, v string) error {
	duration := func(d *time.Duration) error {
		if n, err := strconv.Atoi(v); err == nil {
			*d = time.Duration(n) * time.Second
			return nil
		}
		x, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%s %q is not a duration (5s, 500ms)", name, v)
		}
		*d = x
		return nil
	}
	switch name {
	case "db":
		if c.Kind == Cluster {
			return errors.New("Redis Cluster has only database 0; drop db")
		}
		db, err := strconv.Atoi(v)
		if err != nil || db < 0 {
			return fmt.Errorf("db %q is not a number", v)
		}
		c.DB = db
	case "sentinel_password", "sentinel_username":
		if c.Kind != Sentinel {
			return fmt.Errorf("%s is only for redis-sentinel:// URLs", name)
		}
		if name == "sentinel_password" {
			c.SentinelPassword = v
		} else {
			c.SentinelUsername = v
		}
	case "tls_ca_file", "tls_server_name":
		if !c.TLS {
			return fmt.Errorf("%s needs TLS: use a rediss scheme", name)
		}
		if name == "tls_ca_file" {
			c.TLSCAFile = v
		} else {
			c.TLSServerName = v
		}
	case "dial_timeout":
		return duration(&c.DialTimeout)
	case "read_timeout":
		return duration(&c.ReadTimeout)
	case "write_timeout":
		return duration(&c.WriteTimeout)
	case "pool_size":
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("pool_size %q is not a positive number", v)
		}
		c.PoolSize = n
	case "client_name":
		c.ClientName = v
	default:
		return fmt.Errorf("unknown option %q (known: db, sentinel_password, sentinel_username, tls_ca_file, "+
			"tls_server_name, dial_timeout, read_timeout, write_timeout, pool_size, client_name)", name)
	}
	return nil
}

// tlsConfig is the TLS set-up, or nil without TLS.
func (c *Config) tlsConfig() (*tls.Config, error) {
	if !c.TLS {
		return nil, nil
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.TLSServerName}
	if t.ServerName == "" && c.Kind == Single {
		t.ServerName, _, _ = net.SplitHostPort(c.Addrs[0])
	}
	if c.TLSCAFile != "" {
		pem, err := os.ReadFile(c.TLSCAFile)
		if err != nil {
			return nil, fmt.Errorf("tls_ca_file: %w", err)
		}
		t.RootCAs = x509.NewCertPool()
		if !t.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls_ca_file %s holds no PEM certificate", c.TLSCAFile)
		}
	}
	return t, nil
}

// Client connects as the config says. It does not dial: the first command
// does, so a client may be made while Redis is down.
func (c *Config) Client() (redis.UniversalClient, error) {
	t, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	switch c.Kind {
	case Sentinel:
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName: c.Master, SentinelAddrs: c.Addrs,
			SentinelUsername: c.SentinelUsername, SentinelPassword: c.SentinelPassword,
			Username: c.Username, Password: c.Password, DB: c.DB, TLSConfig: t,
			DialTimeout: c.DialTimeout, ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout,
			PoolSize: c.PoolSize, ClientName: c.ClientName,
		}), nil
	case Cluster:
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: c.Addrs, Username: c.Username, Password: c.Password, TLSConfig: t,
			DialTimeout: c.DialTimeout, ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout,
			PoolSize: c.PoolSize, ClientName: c.ClientName,
		}), nil
	}
	return redis.NewClient(&redis.Options{
		Addr: c.Addrs[0], Username: c.Username, Password: c.Password, DB: c.DB, TLSConfig: t,
		DialTimeout: c.DialTimeout, ReadTimeout: c.ReadTimeout, WriteTimeout: c.WriteTimeout,
		PoolSize: c.PoolSize, ClientName: c.ClientName,
	}), nil
}

// Connect parses raw (Default when empty) and makes its client.
func Connect(raw string) (redis.UniversalClient, *Config, error) {
	if raw == "" {
		raw = Default
	}
	c, err := Parse(raw)
	if err != nil {
		return nil, nil, err
	}
	rdb, err := c.Client()
	if err != nil {
		return nil, nil, &Error{URL: Redact(raw), Reason: err.Error()}
	}
	return rdb, c, nil
}

// String is the config as a URL with its passwords redacted, for logs.
func (c *Config) String() string {
	scheme := map[Kind]string{Single: "redis", Sentinel: "redis-sentinel", Cluster: "redis-cluster"}[c.Kind]
	if c.TLS {
		scheme = strings.Replace(scheme, "redis", "rediss", 1)
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if c.Username != "" || c.Password != "" {
		b.WriteString(url.PathEscape(c.Username))
		if c.Password != "" {
			b.WriteString(":" + redacted)
		}
		b.WriteString("@")
	}
	b.WriteString(strings.Join(c.Addrs, ","))
	if c.Master != "" {
		b.WriteString("/" + c.Master)
	}
	if c.Kind != Cluster {
		b.WriteString("/" + strconv.Itoa(c.DB))
	}
	return b.String()
}

const redacted = "xxxxx"

// Redact returns raw with the password of its user info and any
// sentinel_password option replaced by "xxxxx". It works on strings that
// do not parse, so it is safe for error messages about malformed URLs.
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		scheme, rest = "", raw
	} else {
		scheme += "://"
	}
	// As in Parse, the user info ends at the last @.
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		if user, _, hasPass := strings.Cut(rest[:at], ":"); hasPass || !ok {
			if !ok {
				user = ""
			}
			rest = user + ":" + redacted + rest[at:]
		}
	}
	head, query, hasQuery := strings.Cut(rest, "?")
	if !hasQuery {
		return scheme + head
	}
	parts := strings.Split(query, "&")
	for i, p := range parts {
		name, _, _ := strings.Cut(p, "=")
		if strings.Contains(strings.ToLower(name), "password") {
			parts[i] = name + "=" + redacted
		}
	}
	return scheme + head + "?" + strings.Join(parts, "&")
}
