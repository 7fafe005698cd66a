package http

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/tlscert"
)

// bodyKept is how much of the body body_regexp sees; the rest is counted
// for the size and dropped.
const bodyKept = 1 << 20

// tooManyRedirects stops a client that was redirected more often than
// follow_redirects allows.
type tooManyRedirects struct {
	limit int
	next  *url.URL
}

func (e *tooManyRedirects) Error() string {
	return fmt.Sprintf("more than %d redirects, the last to %s", e.limit, e.next.Redacted())
}

// fetch runs one request and turns the response into a result.
func fetch(parent context.Context, s settings, target *url.URL) check.Result {
	ctx, cancel := context.WithTimeout(parent, s.timeout)
	defer cancel()
	fail := func(st check.State, format string, args ...any) check.Result {
		return check.Result{State: st, Output: fmt.Sprintf("HTTP %s - ", st) + fmt.Sprintf(format, args...)}
	}

	client, err := newClient(s)
	if err != nil {
		return fail(check.Unknown, "%v", err)
	}
	defer client.CloseIdleConnections()
	req, err := newRequest(ctx, s, target)
	if err != nil {
		return fail(check.Unknown, "building the request: %v", err)
	}

	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		st := check.Critical
		if errors.Is(err, syscall.ECONNREFUSED) {
			st = s.refuse // as check_tcp -r: nothing listening may be fine
		}
		return fail(st, "%s", describeRequestError(ctx, err, s, target))
	}
	defer resp.Body.Close()
	var body bodySink
	if _, err := io.Copy(&body, resp.Body); err != nil {
		if ctx.Err() != nil {
			return fail(check.Critical, "reading the body of %s: timed out after %s", resp.Request.URL.Redacted(), s.timeout)
		}
		return fail(check.Critical, "reading the body of %s: %v", resp.Request.URL.Redacted(), err)
	}
	elapsed := time.Since(start)

	st := check.Evaluate(elapsed.Seconds(), s.timeWarn, s.timeCrit)
	var problems []string
	statusState, problem := judgeStatus(resp.StatusCode, s.expectStatus)
	st = check.Worse(st, statusState)
	if problem != "" {
		problems = append(problems, problem)
	}
	if s.bodyRegexp != nil && !s.bodyRegexp.Match(body.kept) {
		st = check.Critical
		problems = append(problems, fmt.Sprintf("pattern '%s' not found", s.bodyRegexp))
	}
	for _, h := range s.expectHeaders {
		values, found := resp.Header[http.CanonicalHeaderKey(h.name)]
		switch {
		case !found:
			st = check.Critical
			problems = append(problems, fmt.Sprintf("header %s missing", h.name))
		case !anyMatches(h.pattern.MatchString, values):
			st = check.Critical
			problems = append(problems, fmt.Sprintf("header %s '%s' does not match '%s'", h.name, strings.Join(values, ", "), h.pattern))
		}
	}

	zero, limit := 0.0, s.timeout.Seconds()
	perf := []check.Perf{
		{Label: "time", Value: elapsed.Seconds(), UOM: "s", Warn: s.timeWarn, Crit: s.timeCrit, Min: &zero, Max: &limit},
		{Label: "size", Value: float64(body.size), UOM: "B", Min: &zero},
	}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		certState, certPerf, expiry := s.cert.Judge(resp.TLS.PeerCertificates[0], time.Now())
		st = check.Worse(st, certState)
		perf = append(perf, certPerf)
		if expiry != "" {
			problems = append(problems, expiry)
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "HTTP %s: %s %s - ", st, resp.Proto, resp.Status)
	for _, p := range problems {
		out.WriteString(p + " - ")
	}
	fmt.Fprintf(&out, "%d bytes in %.3f second response time", body.size, elapsed.Seconds())
	return check.Result{State: st, Output: out.String(), Perfdata: perf}
}

// newClient builds a client for one check: no proxy from the environment,
// no connection kept, no transparent decompression (so that size is what
// came over the wire), and the redirect policy of follow_redirects.
func newClient(s settings) (*http.Client, error) {
	tlsCfg := &tls.Config{InsecureSkipVerify: s.insecure, MinVersion: tls.VersionTLS12}
	if s.caFile != "" {
		pool, err := tlscert.LoadCAFile(s.caFile)
		if err != nil {
			return nil, err
		}
		tlsCfg.RootCAs = pool
	}
	transport := &http.Transport{
		Proxy:              nil,
		DialContext:        (&net.Dialer{}).DialContext,
		TLSClientConfig:    tlsCfg,
		DisableKeepAlives:  true,
		DisableCompression: true,
		ForceAttemptHTTP2:  true,
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if s.followRedirects == 0 {
				return http.ErrUseLastResponse
			}
			if len(via) > s.followRedirects {
				return &tooManyRedirects{limit: s.followRedirects, next: req.URL}
			}
			return nil
		},
	}, nil
}

// newRequest builds the request of a check.
func newRequest(ctx context.Context, s settings, target *url.URL) (*http.Request, error) {
	var body io.Reader
	if s.requestBody != "" {
		body = strings.NewReader(s.requestBody)
	}
	req, err := http.NewRequestWithContext(ctx, s.method, target.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "vakt-http/"+Version)
	for name, value := range s.requestHeaders {
		if http.CanonicalHeaderKey(name) == "Host" {
			req.Host = value
			continue
		}
		req.Header.Set(name, value)
	}
	return req, nil
}

// judgeStatus returns the state of a status code and, when it is not OK
// by expect_status, why. Without expect_status it follows check_http:
// 5xx is CRITICAL, 4xx WARNING, anything else OK.
func judgeStatus(code int, expect []string) (check.State, string) {
	if len(expect) > 0 {
		text := fmt.Sprint(code)
		class := text[:1] + "xx"
		for _, p := range expect {
			if p == text || p == class {
				return check.OK, ""
			}
		}
		return check.Critical, "expected status " + strings.Join(expect, ", ")
	}
	switch {
	case code >= 500:
		return check.Critical, ""
	case code >= 400:
		return check.Warning, ""
	}
	return check.OK, ""
}

func anyMatches(match func(string) bool, values []string) bool {
	for _, v := range values {
		if match(v) {
			return true
		}
	}
	return false
}

// bodySink counts a body and keeps its first bodyKept bytes.
type bodySink struct {
	kept []byte
	size int64
}

func (b *bodySink) Write(p []byte) (int, error) {
	if room := bodyKept - len(b.kept); room > 0 {
		b.kept = append(b.kept, p[:min(room, len(p))]...)
	}
	b.size += int64(len(p))
	return len(p), nil
}

// describeRequestError says why a request got no response, worded as
// check_http and vakt's tcp plugin word it.
func describeRequestError(ctx context.Context, err error, s settings, target *url.URL) string {
	failed := target
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil {
			failed = u
		}
	}
	host, port := failed.Hostname(), failed.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[failed.Scheme]
	}
	var redirects *tooManyRedirects
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &redirects):
		return redirects.Error()
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connect to address %s and port %s: Connection refused", host, port)
	case ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("no response from %s within %s", failed.Redacted(), s.timeout)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve %s: %s", host, dnsErr.Err)
	}
	if why, ok := describeCertError(err); ok {
		return fmt.Sprintf("TLS handshake with %s port %s failed: %s", host, port, why)
	}
	if errors.As(err, &opErr) && opErr.Err != nil {
		return fmt.Sprintf("%s %s: %v", opErr.Op, failed.Redacted(), opErr.Err)
	}
	if urlErr != nil {
		return fmt.Sprintf("%s %s: %v", urlErr.Op, failed.Redacted(), urlErr.Err)
	}
	return err.Error()
}

// describeCertError says why a certificate was refused, in words for the
// problems an operator meets, when err is such a refusal.
func describeCertError(err error) (string, bool) {
	if why, ok := tlscert.DescribeRefusal(err); ok {
		return why, true
	}
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) {
		return verify.Err.Error(), true
	}
	return "", false
}
