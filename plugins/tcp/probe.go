package tcp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/vakt/vakt/core/check"
)

// probe runs one connection to host and turns it into a result.
func probe(parent context.Context, s settings, host string) check.Result {
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	defer cancel()
	where := fmt.Sprintf("%s port %d", host, s.port)
	fail := func(st check.State, format string, args ...any) check.Result {
		return check.Result{State: st, Output: fmt.Sprintf("TCP %s - ", st) + fmt.Sprintf(format, args...)}
	}

	start := time.Now()
	var dialer net.Dialer
	raw, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(s.port)))
	if err != nil {
		st, msg := describeDialError(ctx, err, s, host)
		return fail(st, "%s", msg)
	}
	defer raw.Close()
	// The context ends every read and write: its deadline, and vakt
	// cancelling the call.
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var conn net.Conn = raw
	var leaf *x509.Certificate
	if s.tls {
		cfg, err := tlsConfig(s, host)
		if err != nil {
			return fail(check.Unknown, "%v", err)
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			if ctx.Err() != nil {
				return fail(check.Critical, "TLS handshake with %s: timed out after %s", where, s.timeout)
			}
			return fail(check.Critical, "TLS handshake with %s failed: %s", where, describeTLSError(err))
		}
		leaf = tc.ConnectionState().PeerCertificates[0]
		conn = tc
	}

	if s.send != "" {
		if _, err := io.WriteString(conn, s.send); err != nil {
			if ctx.Err() != nil {
				return fail(check.Critical, "sending to %s: timed out after %s", where, s.timeout)
			}
			return fail(check.Critical, "sending to %s: %v", where, err)
		}
	}

	var response []byte
	matched := true
	if s.expecting() {
		var closed bool
		response, matched, closed, err = readResponse(conn, s)
		switch {
		case len(response) == 0 && ctx.Err() != nil:
			return fail(check.Critical, "no data received from %s within %s", where, s.timeout)
		case len(response) == 0 && closed:
			return fail(check.Critical, "no data received from %s: the connection was closed", where)
		case len(response) == 0:
			return fail(check.Critical, "no data received from %s: %v", where, err)
		}
	}
	elapsed := time.Since(start)
	if s.quit != "" {
		// Best effort: the check is decided already.
		_, _ = io.WriteString(conn, s.quit)
	}

	st := check.Evaluate(elapsed.Seconds(), s.timeWarn, s.timeCrit)
	var text string
	if matched {
		text = fmt.Sprintf("%.3f second response time on %s", elapsed.Seconds(), where)
		if s.expecting() {
			text += " [" + summarize(response) + "]"
		}
	} else {
		st = check.Worse(st, s.mismatch)
		text = "Unexpected response from host/socket: " + summarize(response)
	}
	zero, limit := 0.0, s.timeout.Seconds()
	perf := []check.Perf{{Label: "time", Value: elapsed.Seconds(), UOM: "s", Warn: s.timeWarn, Crit: s.timeCrit, Min: &zero, Max: &limit}}
	if leaf != nil {
		days := daysLeft(leaf, time.Now())
		perf = append(perf, check.Perf{Label: "cert_days", Value: float64(days), Warn: s.certWarn, Crit: s.certCrit})
		if s.checksCert() {
			st = check.Worse(st, check.Evaluate(float64(days), s.certWarn, s.certCrit))
			text += ", " + describeExpiry(leaf, days)
		}
	}
	return check.Result{State: st, Output: fmt.Sprintf("TCP %s - %s", st, text), Perfdata: perf}
}

// readResponse reads until the response matches, the server closes the
// connection, max_bytes have arrived, or the deadline ends the read. It
// reports whether the response matched and whether the server closed.
func readResponse(conn net.Conn, s settings) (data []byte, matched, closed bool, err error) {
	buf := make([]byte, 4096)
	for len(data) < s.maxBytes {
		n, err := conn.Read(buf[:min(len(buf), s.maxBytes-len(data))])
		data = append(data, buf[:n]...)
		if n > 0 && matches(data, s) {
			return data, true, false, nil
		}
		if errors.Is(err, io.EOF) {
			return data, false, true, nil
		}
		if err != nil {
			return data, false, false, err
		}
	}
	return data, false, false, nil
}

// matches reports whether data holds every expectation set.
func matches(data []byte, s settings) bool {
	if s.expect != "" && !bytes.Contains(data, []byte(s.expect)) {
		return false
	}
	return s.expectRegexp == nil || s.expectRegexp.Match(data)
}

// summaryLimit is how many characters of a response the output shows.
const summaryLimit = 100

// summarize returns the first line of a response, trimmed, as valid UTF-8
// without control characters, cut to summaryLimit characters.
func summarize(data []byte) string {
	text := strings.ToValidUTF8(string(data), "\uFFFD")
	text = strings.TrimSpace(text)
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	text = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, text)
	if runes := []rune(text); len(runes) > summaryLimit {
		text = string(runes[:summaryLimit]) + "..."
	}
	return text
}

// describeDialError returns the state and the words for a failed connect,
// as check_tcp words them.
func describeDialError(ctx context.Context, err error, s settings, host string) (check.State, string) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var why string
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return s.refuse, fmt.Sprintf("connect to address %s and port %d: Connection refused", host, s.port)
	case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		why = fmt.Sprintf("timed out after %s", s.timeout)
	case errors.As(err, &dnsErr):
		return check.Critical, fmt.Sprintf("cannot resolve %s: %s", host, dnsErr.Err)
	case errors.As(err, &opErr) && opErr.Err != nil:
		why = opErr.Err.Error()
	default:
		why = err.Error()
	}
	return check.Critical, fmt.Sprintf("connect to address %s and port %d: %s", host, s.port, why)
}

// tlsConfig builds the client's TLS settings.
func tlsConfig(s settings, host string) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: host, InsecureSkipVerify: s.insecure, MinVersion: tls.VersionTLS12}
	if s.serverName != "" {
		cfg.ServerName = s.serverName
	}
	if s.caFile != "" {
		pool, err := loadCAFile(s.caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// loadCAFile reads a PEM file of certificates into a pool.
func loadCAFile(path string) (*x509.CertPool, error) {
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

// daysLeft returns the whole days from now until the certificate expires,
// rounded down: negative once it has expired.
func daysLeft(cert *x509.Certificate, now time.Time) int {
	d := cert.NotAfter.Sub(now)
	days := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days--
	}
	return days
}

// certName names a certificate for output: its common name, else its
// first DNS name, else its serial number.
func certName(cert *x509.Certificate) string {
	switch {
	case cert.Subject.CommonName != "":
		return cert.Subject.CommonName
	case len(cert.DNSNames) > 0:
		return cert.DNSNames[0]
	}
	return "serial " + cert.SerialNumber.String()
}

// expiryFormat is how expiry dates appear in output.
const expiryFormat = "2006-01-02 15:04 MST"

// describeExpiry says when a certificate expires or expired.
func describeExpiry(cert *x509.Certificate, days int) string {
	when := cert.NotAfter.UTC().Format(expiryFormat)
	if days < 0 {
		return fmt.Sprintf("certificate '%s' expired on %s", certName(cert), when)
	}
	return fmt.Sprintf("certificate '%s' expires in %d days (%s)", certName(cert), days, when)
}

// describeTLSError says why a TLS handshake failed, in words for the
// certificate problems an operator meets.
func describeTLSError(err error) string {
	var unknown x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown) && unknown.Cert != nil:
		return fmt.Sprintf("certificate '%s' is signed by an unknown authority", certName(unknown.Cert))
	case errors.As(err, &hostname) && hostname.Certificate != nil:
		return fmt.Sprintf("certificate '%s' is not valid for %s", certName(hostname.Certificate), hostname.Host)
	case errors.As(err, &invalid) && invalid.Cert != nil && invalid.Reason == x509.Expired:
		if time.Now().Before(invalid.Cert.NotBefore) {
			return fmt.Sprintf("certificate '%s' is not valid before %s", certName(invalid.Cert), invalid.Cert.NotBefore.UTC().Format(expiryFormat))
		}
		return fmt.Sprintf("certificate '%s' expired on %s", certName(invalid.Cert), invalid.Cert.NotAfter.UTC().Format(expiryFormat))
	}
	return err.Error()
}
