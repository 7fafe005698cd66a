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
	"github.com/vakt/vakt/plugins/internal/tlscert"
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
		certState, certPerf, expiry := s.cert.Judge(leaf, time.Now())
		st = check.Worse(st, certState)
		perf = append(perf, certPerf)
		if expiry != "" {
			text += ", " + expiry
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
		pool, err := tlscert.LoadCAFile(s.caFile)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// describeTLSError says why a TLS handshake failed, in words for the
// certificate problems an operator meets.
func describeTLSError(err error) string {
	if why, ok := tlscert.DescribeRefusal(err); ok {
		return why
	}
	return err.Error()
}
