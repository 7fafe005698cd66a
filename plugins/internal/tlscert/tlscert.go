// Package tlscert holds what the built-in tcp and http plugins do with a
// server's TLS certificate: trust the authorities of a PEM file, count the
// days left until the certificate expires and judge them against Nagios
// ranges (cert_warning, cert_critical), and say in words why a certificate
// was refused.
package tlscert

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/vakt/vakt/core/check"
)

// LoadCAFile reads a PEM file of certificate authorities into a pool.
func LoadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return pool, nil
}

// DaysLeft returns the whole days from now until the certificate expires,
// rounded down: negative once it has expired.
func DaysLeft(cert *x509.Certificate, now time.Time) int {
	d := cert.NotAfter.Sub(now)
	days := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days--
	}
	return days
}

// Name names a certificate for output: its common name, else its first
// DNS name, else its serial number.
func Name(cert *x509.Certificate) string {
	switch {
	case cert.Subject.CommonName != "":
		return cert.Subject.CommonName
	case len(cert.DNSNames) > 0:
		return cert.DNSNames[0]
	}
	return "serial " + cert.SerialNumber.String()
}

// DateFormat is how the dates of a certificate appear in output.
const DateFormat = "2006-01-02 15:04 MST"

// DescribeExpiry says when a certificate with days left expires, or
// expired.
func DescribeExpiry(cert *x509.Certificate, days int) string {
	when := cert.NotAfter.UTC().Format(DateFormat)
	if days < 0 {
		return fmt.Sprintf("certificate '%s' expired on %s", Name(cert), when)
	}
	return fmt.Sprintf("certificate '%s' expires in %d days (%s)", Name(cert), days, when)
}

// DescribeRefusal says why a certificate was refused, in words for the
// problems an operator meets (an unknown authority, a name it is not valid
// for, expired or not yet valid), when err, or an error it wraps, is such
// a refusal.
func DescribeRefusal(err error) (string, bool) {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown) && unknown.Cert != nil:
		return fmt.Sprintf("certificate '%s' is signed by an unknown authority", Name(unknown.Cert)), true
	case errors.As(err, &hostname) && hostname.Certificate != nil:
		return fmt.Sprintf("certificate '%s' is not valid for %s", Name(hostname.Certificate), hostname.Host), true
	case errors.As(err, &invalid) && invalid.Cert != nil && invalid.Reason == x509.Expired:
		if time.Now().Before(invalid.Cert.NotBefore) {
			return fmt.Sprintf("certificate '%s' is not valid before %s", Name(invalid.Cert), invalid.Cert.NotBefore.UTC().Format(DateFormat)), true
		}
		return fmt.Sprintf("certificate '%s' expired on %s", Name(invalid.Cert), invalid.Cert.NotAfter.UTC().Format(DateFormat)), true
	}
	return "", false
}

// Expiry is how a check judges the days left on a server's certificate:
// a WARNING and a CRITICAL range of days; nil ranges judge nothing.
type Expiry struct {
	Warn, Crit *check.Range
}

// Judged reports whether a range is set, so that the days left count.
func (e Expiry) Judged() bool { return e.Warn != nil || e.Crit != nil }

// Judge looks at the certificate leaf at now. It returns its days left as
// the perfdata cert_days (with the ranges), and, when a range is set, the
// state the days left give and the words for the output (see
// DescribeExpiry); with no range set, OK and "".
func (e Expiry) Judge(leaf *x509.Certificate, now time.Time) (check.State, check.Perf, string) {
	days := DaysLeft(leaf, now)
	perf := check.Perf{Label: "cert_days", Value: float64(days), Warn: e.Warn, Crit: e.Crit}
	if !e.Judged() {
		return check.OK, perf, ""
	}
	return check.Evaluate(float64(days), e.Warn, e.Crit), perf, DescribeExpiry(leaf, days)
}
