package redisurl_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leadline/leadline/internal/redistest"
	"github.com/leadline/leadline/internal/redisurl"
)

// writeCerts makes a CA and a server certificate for 127.0.0.1 signed by
// it, and writes them as PEM files to dir.
func writeCerts(t *testing.T, dir string) (ca, cert, key string) {
	t.Helper()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now, NotAfter: now.AddDate(10, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "redis"},
		NotBefore: now, NotAfter: now.AddDate(10, 0, 0), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"redis.test"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", srvDER), write("key.pem", "EC PRIVATE KEY", keyDER)
}

// A rediss:// URL speaks TLS to a real redis-server, trusting the CA of
// tls_ca_file; without it the server's certificate is refused.
func TestTLSToARealServer(t *testing.T) {
	ctx := context.Background()
	ca, cert, key := writeCerts(t, t.TempDir())
	tlsAddr := redistest.FreeAddr(t)
	_, port, _ := net.SplitHostPort(tlsAddr)
	plain, _ := redistest.StartWith(t, "--tls-port", port, "--tls-cert-file", cert, "--tls-key-file", key,
		"--tls-auth-clients", "no")
	if err := plain.ConfigSet(ctx, "requirepass", "s3cr3t").Err(); err != nil {
		t.Fatal(err)
	}

	rdb, _, err := redisurl.Connect("rediss://:s3cr3t@" + tlsAddr + "?tls_ca_file=" + ca)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if err := rdb.Set(ctx, "leadline:tls", "1", 0).Err(); err != nil {
		t.Fatalf("over TLS: %v", err)
	}
	byName, _, err := redisurl.Connect("rediss://:s3cr3t@" + tlsAddr + "?tls_ca_file=" + ca + "&tls_server_name=redis.test")
	if err != nil {
		t.Fatal(err)
	}
	defer byName.Close()
	if err := byName.Ping(ctx).Err(); err != nil {
		t.Errorf("with tls_server_name: %v", err)
	}
	untrusted, _, err := redisurl.Connect("rediss://:s3cr3t@" + tlsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer untrusted.Close()
	if err := untrusted.Ping(ctx).Err(); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v, want a certificate error", err)
	}
}
