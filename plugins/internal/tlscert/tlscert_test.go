package tlscert

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func expiringAt(notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{CommonName: "vakt test"}, NotAfter: notAfter}
}

func TestDaysLeft(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		name     string
		notAfter time.Time
		want     int
	}{
		{"ten days and a half", now.Add(10*day + 12*time.Hour), 10},
		{"exactly ten days", now.Add(10 * day), 10},
		{"a second short of a day", now.Add(day - time.Second), 0},
		{"expires now", now, 0},
		{"expired a second ago", now.Add(-time.Second), -1},
		{"expired exactly two days ago", now.Add(-2 * day), -2},
		{"expired two days and an hour ago", now.Add(-2*day - time.Hour), -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DaysLeft(expiringAt(tt.notAfter), now); got != tt.want {
				t.Fatalf("DaysLeft = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		name string
		cert *x509.Certificate
		want string
	}{
		{"common name", &x509.Certificate{Subject: pkix.Name{CommonName: "www.example.com"}, DNSNames: []string{"example.com"}}, "www.example.com"},
		{"first DNS name", &x509.Certificate{DNSNames: []string{"a.example.com", "b.example.com"}}, "a.example.com"},
		{"serial number", &x509.Certificate{SerialNumber: big.NewInt(4711)}, "serial 4711"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Name(tt.cert); got != tt.want {
				t.Fatalf("Name = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestExpiryJudge(t *testing.T) {
	thirty, seven := check.MustRange("30:"), check.MustRange("7:")
	leaf := func(days int) *x509.Certificate {
		return expiringAt(now.Add(time.Duration(days)*24*time.Hour + 12*time.Hour))
	}
	date := func(days int) string { return leaf(days).NotAfter.UTC().Format(DateFormat) }
	tests := []struct {
		name   string
		expiry Expiry
		days   int
		state  check.State
		words  string
	}{
		{"no ranges: days in perfdata only", Expiry{}, 3, check.OK, ""},
		{"far from expiry", Expiry{Warn: &thirty, Crit: &seven}, 100, check.OK,
			"certificate 'vakt test' expires in 100 days (" + date(100) + ")"},
		{"warning", Expiry{Warn: &thirty, Crit: &seven}, 10, check.Warning,
			"certificate 'vakt test' expires in 10 days (" + date(10) + ")"},
		{"critical", Expiry{Warn: &thirty, Crit: &seven}, 3, check.Critical,
			"certificate 'vakt test' expires in 3 days (" + date(3) + ")"},
		{"critical only", Expiry{Crit: &seven}, 10, check.OK,
			"certificate 'vakt test' expires in 10 days (" + date(10) + ")"},
		{"expired", Expiry{Warn: &thirty}, -3, check.Warning,
			"certificate 'vakt test' expired on " + date(-3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state, perf, words := tt.expiry.Judge(leaf(tt.days), now)
			want := check.Perf{Label: "cert_days", Value: float64(tt.days), Warn: tt.expiry.Warn, Crit: tt.expiry.Crit}
			if state != tt.state || words != tt.words || !reflect.DeepEqual(perf, want) {
				t.Fatalf("Judge = %v, %s, %q\nwant   %v, %s, %q", state, perf, words, tt.state, want, tt.words)
			}
			if got := tt.expiry.Judged(); got != (tt.expiry.Warn != nil || tt.expiry.Crit != nil) {
				t.Errorf("Judged = %t", got)
			}
		})
	}
}

func TestLoadCAFile(t *testing.T) {
	cert := plugintest.NewCert(t, "vakt test", time.Now().Add(24*time.Hour))
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")

	pool, err := LoadCAFile(cert.PEMFile)
	if err != nil {
		t.Fatalf("LoadCAFile: %v", err)
	}
	if _, err := cert.Cert.Verify(x509.VerifyOptions{Roots: pool}); err != nil {
		t.Fatalf("the loaded pool does not trust the certificate: %v", err)
	}
	for _, tt := range []struct{ path, want string }{
		{missing, fmt.Sprintf("reading the CA file: open %s: no such file or directory", missing)},
		{notPEM, notPEM + " holds no PEM certificate"},
	} {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			if _, err := LoadCAFile(tt.path); err == nil || err.Error() != tt.want {
				t.Fatalf("LoadCAFile(%s): got %v, want %q", tt.path, err, tt.want)
			}
		})
	}
}

// TestDescribeRefusal refuses real certificates the ways x509 does, and
// wrapped as a TLS handshake wraps them.
func TestDescribeRefusal(t *testing.T) {
	valid := plugintest.NewCert(t, "vakt test", time.Now().Add(100*24*time.Hour))
	expired := plugintest.NewCert(t, "vakt test", time.Now().Add(-50*time.Hour))
	roots := func(c plugintest.Cert) *x509.CertPool {
		pool := x509.NewCertPool()
		pool.AddCert(c.Cert)
		return pool
	}
	_, unknownAuthority := valid.Cert.Verify(x509.VerifyOptions{Roots: x509.NewCertPool()})
	_, expiredErr := expired.Cert.Verify(x509.VerifyOptions{Roots: roots(expired)})
	// x509 says Expired of a certificate that is not valid yet too.
	future := &x509.Certificate{Subject: pkix.Name{CommonName: "vakt test"},
		NotBefore: time.Now().Add(48 * time.Hour), NotAfter: time.Now().Add(96 * time.Hour)}
	notYetValid := x509.CertificateInvalidError{Cert: future, Reason: x509.Expired}
	wrongName := valid.Cert.VerifyHostname("www.example.com")

	tests := []struct {
		name string
		err  error
		want string
		ok   bool
	}{
		{"unknown authority", unknownAuthority, "certificate 'vakt test' is signed by an unknown authority", true},
		{"wrong name", wrongName, "certificate 'vakt test' is not valid for www.example.com", true},
		{"expired", expiredErr, "certificate 'vakt test' expired on " + expired.Cert.NotAfter.UTC().Format(DateFormat), true},
		{"not valid yet", notYetValid, "certificate 'vakt test' is not valid before " + future.NotBefore.UTC().Format(DateFormat), true},
		{"another reason it is invalid", x509.CertificateInvalidError{Cert: future, Reason: x509.NotAuthorizedToSign}, "", false},
		{"wrapped by the TLS handshake", &tls.CertificateVerificationError{Err: unknownAuthority},
			"certificate 'vakt test' is signed by an unknown authority", true},
		{"not a refusal", errors.New("connection reset by peer"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := DescribeRefusal(tt.err)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("DescribeRefusal(%v) = %q, %t; want %q, %t", tt.err, got, ok, tt.want, tt.ok)
			}
		})
	}
}
