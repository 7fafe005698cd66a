package http

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/internal/tlscert"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// site is the web server the tests check.
func site() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r) // "404 page not found\n", 19 bytes
			return
		}
		w.Header().Set("X-Version", "1.2.3")
		_, _ = io.WriteString(w, "hello vakt") // 10 bytes
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "broken") // 6 bytes
	})
	mux.HandleFunc("/teapot", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "short and stout") // 15 bytes
	})
	redirect := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", to)
			w.WriteHeader(http.StatusFound)
		}
	}
	mux.HandleFunc("/redirect", redirect("/"))
	mux.HandleFunc("/loop", redirect("/loop"))
	for i := 1; i <= 3; i++ {
		mux.HandleFunc(fmt.Sprintf("/chain/%d", i), redirect(fmt.Sprintf("/chain/%d", i-1)))
	}
	mux.HandleFunc("/chain/0", redirect("/"))
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "method=%s host=%s x-test=%s agent=%s body=%s", r.Method, r.Host, r.Header.Get("X-Test"), r.Header.Get("User-Agent"), body)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // until the client gives up
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		// 2 MiB of x, then a marker body_regexp cannot see.
		_, _ = io.WriteString(w, strings.Repeat("x", 2<<20)+"marker")
	})
	return mux
}

// quiet drops the server's log lines about clients that refuse its
// certificate, which the tests cause on purpose.
func quiet(s *httptest.Server) *httptest.Server {
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	return s
}

// serveTLS starts an HTTPS server on loopback with cert.
func serveTLS(t *testing.T, cert plugintest.Cert) *httptest.Server {
	t.Helper()
	s := quiet(httptest.NewUnstartedServer(site()))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert.Pair}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func TestCheck(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)

	plain := quiet(httptest.NewServer(site()))
	t.Cleanup(plain.Close)
	base := plain.URL // http://127.0.0.1:PORT
	refused := plugintest.ClosedPort(t)

	now := time.Now()
	in := func(days int) time.Time { return now.Add(time.Duration(days)*24*time.Hour + 12*time.Hour) }
	cert100, cert10, cert3 := plugintest.NewCert(t, "vakt test", in(100)), plugintest.NewCert(t, "vakt test", in(10)), plugintest.NewCert(t, "vakt test", in(3))
	expired := plugintest.NewCert(t, "vakt test", now.Add(-50*time.Hour))
	tls100, tls10, tls3, tlsExpired := serveTLS(t, cert100), serveTLS(t, cert10), serveTLS(t, cert3), serveTLS(t, expired)
	date := func(c plugintest.Cert) string { return c.Cert.NotAfter.UTC().Format(tlscert.DateFormat) }
	portOf := func(s *httptest.Server) string { return s.URL[strings.LastIndex(s.URL, ":")+1:] }

	tests := []struct {
		name   string
		values sdk.Values
		host   *sdk.Host
		state  check.State
		output string // {t} stands for the measured seconds
	}{
		{name: "ok", values: sdk.Values{"url": base + "/"},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "no url and no host", values: sdk.Values{}, host: &sdk.Host{},
			state: check.Unknown, output: "HTTP UNKNOWN - no URL to request: set url, or run the check for a host"},
		{name: "4xx is a warning", values: sdk.Values{"url": base + "/missing"},
			state: check.Warning, output: "HTTP WARNING: HTTP/1.1 404 Not Found - 19 bytes in {t} second response time"},
		{name: "418 is a warning", values: sdk.Values{"url": base + "/teapot"},
			state: check.Warning, output: "HTTP WARNING: HTTP/1.1 418 I'm a teapot - 15 bytes in {t} second response time"},
		{name: "5xx is critical", values: sdk.Values{"url": base + "/error"},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 500 Internal Server Error - 6 bytes in {t} second response time"},
		{name: "a redirect not followed is ok", values: sdk.Values{"url": base + "/redirect"},
			state: check.OK, output: "HTTP OK: HTTP/1.1 302 Found - 0 bytes in {t} second response time"},
		{name: "expected status", values: sdk.Values{"url": base + "/missing", "expect_status": []string{"404"}},
			state: check.OK, output: "HTTP OK: HTTP/1.1 404 Not Found - 19 bytes in {t} second response time"},
		{name: "expected status class", values: sdk.Values{"url": base + "/error", "expect_status": []string{"2xx", "5XX"}},
			state: check.OK, output: "HTTP OK: HTTP/1.1 500 Internal Server Error - 6 bytes in {t} second response time"},
		{name: "unexpected status", values: sdk.Values{"url": base + "/redirect", "expect_status": []string{"200", "301"}},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 302 Found - expected status 200, 301 - 0 bytes in {t} second response time"},
		{name: "follow a redirect", values: sdk.Values{"url": base + "/redirect", "follow_redirects": 1},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "follow a chain within the limit", values: sdk.Values{"url": base + "/chain/3", "follow_redirects": 4},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "a chain longer than the limit", values: sdk.Values{"url": base + "/chain/3", "follow_redirects": 2},
			state: check.Critical, output: "HTTP CRITICAL - more than 2 redirects, the last to " + base + "/chain/0"},
		{name: "a redirect loop", values: sdk.Values{"url": base + "/loop", "follow_redirects": 5},
			state: check.Critical, output: "HTTP CRITICAL - more than 5 redirects, the last to " + base + "/loop"},
		{name: "body matches", values: sdk.Values{"url": base + "/", "body_regexp": "^hello v"},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "body does not match", values: sdk.Values{"url": base + "/", "body_regexp": "^bye"},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 200 OK - pattern '^bye' not found - 10 bytes in {t} second response time"},
		{name: "body_regexp sees the first MiB only", values: sdk.Values{"url": base + "/big", "body_regexp": "marker"},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 200 OK - pattern 'marker' not found - 2097158 bytes in {t} second response time"},
		{name: "several problems, the worst state", values: sdk.Values{"url": base + "/teapot", "body_regexp": "tall", "expect_headers": map[string]string{"x-version": "."}},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 418 I'm a teapot - pattern 'tall' not found - header x-version missing - 15 bytes in {t} second response time"},
		{name: "header matches", values: sdk.Values{"url": base + "/", "expect_headers": map[string]string{"X-Version": `^1\.`, "Content-Type": "^text/plain"}},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "header does not match", values: sdk.Values{"url": base + "/", "expect_headers": map[string]string{"X-Version": "^2"}},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 200 OK - header X-Version '1.2.3' does not match '^2' - 10 bytes in {t} second response time"},
		{name: "header missing", values: sdk.Values{"url": base + "/error", "expect_headers": map[string]string{"X-Version": "."}},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 500 Internal Server Error - header X-Version missing - 6 bytes in {t} second response time"},
		{name: "method, headers, host and body are sent", values: sdk.Values{"url": base + "/echo", "method": "POST",
			"request_headers": map[string]string{"X-Test": "yes", "host": "vakt.test"}, "request_body": "ping",
			"body_regexp": `^method=POST host=vakt\.test x-test=yes agent=vakt-http/1\.0\.0 body=ping$`},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 69 bytes in {t} second response time"},
		{name: "HEAD has no body", values: sdk.Values{"url": base + "/", "method": "HEAD"},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 0 bytes in {t} second response time"},
		{name: "response time warning", values: sdk.Values{"url": base + "/", "time_warning": "@0:"},
			state: check.Warning, output: "HTTP WARNING: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "response time critical wins", values: sdk.Values{"url": base + "/", "time_warning": "@0:", "time_critical": "@0:"},
			state: check.Critical, output: "HTTP CRITICAL: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "response time within thresholds", values: sdk.Values{"url": base + "/", "time_warning": "60", "time_critical": "120"},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "timeout", values: sdk.Values{"url": base + "/slow", "timeout": "1s"},
			state: check.Critical, output: "HTTP CRITICAL - no response from " + base + "/slow within 1s"},
		{name: "refused", values: sdk.Values{"url": fmt.Sprintf("http://127.0.0.1:%d/", refused)},
			state: check.Critical, output: fmt.Sprintf("HTTP CRITICAL - connect to address 127.0.0.1 and port %d: Connection refused", refused)},
		{name: "refused with refuse = ok", values: sdk.Values{"url": fmt.Sprintf("http://127.0.0.1:%d/", refused), "refuse": "ok"},
			state: check.OK, output: fmt.Sprintf("HTTP OK - connect to address 127.0.0.1 and port %d: Connection refused", refused)},
		{name: "a timeout is not a refusal", values: sdk.Values{"url": base + "/slow", "timeout": "1s", "refuse": "ok"},
			state: check.Critical, output: "HTTP CRITICAL - no response from " + base + "/slow within 1s"},
		{name: "a password in the url is not shown", values: sdk.Values{"url": "http://admin:s3cret@" + strings.TrimPrefix(base, "http://") + "/slow", "timeout": "1s"},
			state: check.Critical, output: "HTTP CRITICAL - no response from http://admin:xxxxx@" + strings.TrimPrefix(base, "http://") + "/slow within 1s"},
		{name: "https", values: sdk.Values{"url": tls100.URL + "/", "ca_file": cert100.PEMFile},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "https certificate far from expiry", values: sdk.Values{"url": tls100.URL + "/", "ca_file": cert100.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.OK, output: fmt.Sprintf("HTTP OK: HTTP/1.1 200 OK - certificate 'vakt test' expires in 100 days (%s) - 10 bytes in {t} second response time", date(cert100))},
		{name: "https certificate expires soon", values: sdk.Values{"url": tls10.URL + "/", "ca_file": cert10.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.Warning, output: fmt.Sprintf("HTTP WARNING: HTTP/1.1 200 OK - certificate 'vakt test' expires in 10 days (%s) - 10 bytes in {t} second response time", date(cert10))},
		{name: "https certificate expires very soon", values: sdk.Values{"url": tls3.URL + "/", "ca_file": cert3.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.Critical, output: fmt.Sprintf("HTTP CRITICAL: HTTP/1.1 200 OK - certificate 'vakt test' expires in 3 days (%s) - 10 bytes in {t} second response time", date(cert3))},
		{name: "https certificate of an unknown authority", values: sdk.Values{"url": tls100.URL + "/"},
			state: check.Critical, output: fmt.Sprintf("HTTP CRITICAL - TLS handshake with 127.0.0.1 port %s failed: certificate 'vakt test' is signed by an unknown authority", portOf(tls100))},
		{name: "https insecure accepts it", values: sdk.Values{"url": tls10.URL + "/", "tls_insecure": true, "cert_warning": "30:"},
			state: check.Warning, output: fmt.Sprintf("HTTP WARNING: HTTP/1.1 200 OK - certificate 'vakt test' expires in 10 days (%s) - 10 bytes in {t} second response time", date(cert10))},
		{name: "https certificate expired", values: sdk.Values{"url": tlsExpired.URL + "/", "ca_file": expired.PEMFile},
			state: check.Critical, output: fmt.Sprintf("HTTP CRITICAL - TLS handshake with 127.0.0.1 port %s failed: certificate 'vakt test' expired on %s", portOf(tlsExpired), date(expired))},
		{name: "https certificate expired, insecure", values: sdk.Values{"url": tlsExpired.URL + "/", "tls_insecure": true, "cert_critical": "0:"},
			state: check.Critical, output: fmt.Sprintf("HTTP CRITICAL: HTTP/1.1 200 OK - certificate 'vakt test' expired on %s - 10 bytes in {t} second response time", date(expired))},
		{name: "https by the certificate's DNS name", values: sdk.Values{"url": "https://localhost:" + portOf(tls100) + "/", "ca_file": cert100.PEMFile},
			host:  &sdk.Host{Name: "localhost"},
			state: check.OK, output: "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"},
		{name: "https redirect followed to the same server", values: sdk.Values{"url": tls100.URL + "/chain/2", "ca_file": cert100.PEMFile, "follow_redirects": 3, "cert_warning": "30:"},
			state: check.OK, output: fmt.Sprintf("HTTP OK: HTTP/1.1 200 OK - certificate 'vakt test' expires in 100 days (%s) - 10 bytes in {t} second response time", date(cert100))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := plugintest.Localhost()
			if tt.host != nil {
				host = *tt.host
			}
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "http", Host: host})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			plugintest.WantOutput(t, got, tt.state, tt.output)
		})
	}
}

func TestDefaultURL(t *testing.T) {
	tests := []struct{ host, want string }{
		{"127.0.0.1", "http://127.0.0.1/"},
		{"::1", "http://[::1]/"},
		{"web1.example.com", "http://web1.example.com/"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := defaultURL(tt.host).String(); got != tt.want {
				t.Fatalf("defaultURL(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}

func TestCheckIPv6(t *testing.T) {
	s := quiet(httptest.NewUnstartedServer(site()))
	ln, err := net.Listen("tcp", "[::1]:0")
	if err != nil {
		t.Skipf("this machine has no IPv6 loopback: %v", err)
	}
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: sdk.Values{"url": s.URL + "/"}}, Check: "http6",
		Host: sdk.Host{Name: "localhost6", Address: "::1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"
	plugintest.WantOutput(t, got, check.OK, want)
}

func TestPerfdata(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	plain := quiet(httptest.NewServer(site()))
	t.Cleanup(plain.Close)
	cert := plugintest.NewCert(t, "vakt test", time.Now().Add(40*24*time.Hour+12*time.Hour))
	secure := serveTLS(t, cert)
	ptr := func(f float64) *float64 { return &f }
	rng := func(s string) *check.Range { r := check.MustRange(s); return &r }

	tests := []struct {
		name   string
		values sdk.Values
		want   []check.Perf // Value of time is not compared
	}{
		{name: "time and size", values: sdk.Values{"url": plain.URL + "/", "time_warning": "1", "time_critical": "5", "timeout": "8s"},
			want: []check.Perf{{Label: "time", UOM: "s", Warn: rng("1"), Crit: rng("5"), Min: ptr(0), Max: ptr(8)},
				{Label: "size", Value: 10, UOM: "B", Min: ptr(0)}}},
		{name: "https adds cert_days", values: sdk.Values{"url": secure.URL + "/error", "ca_file": cert.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			want: []check.Perf{{Label: "time", UOM: "s", Min: ptr(0), Max: ptr(10)}, {Label: "size", Value: 6, UOM: "B", Min: ptr(0)},
				{Label: "cert_days", Value: 40, Warn: rng("30:"), Crit: rng("7:")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "http", Host: plugintest.Localhost()})
			if err != nil {
				t.Fatal(err)
			}
			plugintest.WantTimedPerfdata(t, got.Perfdata, tt.want)
		})
	}
}

func TestCheckCancelled(t *testing.T) {
	plain := quiet(httptest.NewServer(site()))
	t.Cleanup(plain.Close)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	values, err := schema().ValidateValues(sdk.Values{"url": plain.URL + "/slow"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New().Check(ctx, sdk.Request{Config: sdk.Config{Values: values}, Host: plugintest.Localhost()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: got %v, want context.Canceled", err)
	}
}

func TestConfigure(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	const https = "https://127.0.0.1/"
	type e = sdk.AttributeError

	plugintest.WantRejections(t, checker, []plugintest.Rejection{
		{Name: "url without a scheme", Values: sdk.Values{"url": "example.com/health"},
			Want: sdk.ConfigErrors{{Attribute: "url", Message: `attribute "url": "example.com/health" has no scheme: want http:// or https://`}}},
		{Name: "refuse not a state", Values: sdk.Values{"url": "http://127.0.0.1/", "refuse": "fine"},
			Want: sdk.ConfigErrors{{Attribute: "refuse", Message: `attribute "refuse": unknown state "fine": want ok, warning, critical or unknown`}}},
		{Name: "url of another scheme", Values: sdk.Values{"url": "ftp://127.0.0.1/"},
			Want: sdk.ConfigErrors{{Attribute: "url", Message: `attribute "url": scheme "ftp" is not http or https`}}},
		{Name: "url without a host", Values: sdk.Values{"url": "http:///health"},
			Want: sdk.ConfigErrors{{Attribute: "url", Message: `attribute "url": "http:///health" has no host`}}},
		{Name: "url that does not parse", Values: sdk.Values{"url": "http://[::1/"},
			Want: sdk.ConfigErrors{{Attribute: "url", Message: `attribute "url": invalid URL: parse "http://[::1/": missing ']' in host`}}},
		{Name: "url not a string", Values: sdk.Values{"url": 80},
			Want: sdk.ConfigErrors{{Attribute: "url", Message: `attribute "url": want string, got number`}}},
		{Name: "bad method", Values: sdk.Values{"method": "GE T"},
			Want: sdk.ConfigErrors{{Attribute: "method", Message: `attribute "method": "GE T" is not an HTTP method`}}},
		{Name: "empty method", Values: sdk.Values{"method": ""},
			Want: sdk.ConfigErrors{{Attribute: "method", Message: `attribute "method": "" is not an HTTP method`}}},
		{Name: "bad request header name", Values: sdk.Values{"request_headers": map[string]string{"X Test": "1"}},
			Want: sdk.ConfigErrors{{Attribute: "request_headers", Message: `attribute "request_headers": "X Test" is not a header name`}}},
		{Name: "request header value with a line break", Values: sdk.Values{"request_headers": map[string]string{"X-Test": "1\r\nX-Evil: 2"}},
			Want: sdk.ConfigErrors{{Attribute: "request_headers", Message: `attribute "request_headers": the value of X-Test holds a line break or NUL`}}},
		{Name: "bad status codes", Values: sdk.Values{"expect_status": []string{"200", "20", "600", "2xy", "ok"}},
			Want: sdk.ConfigErrors{
				e{Attribute: "expect_status", Message: `attribute "expect_status": "20" is not a status code such as 200 or a class such as 2xx`},
				e{Attribute: "expect_status", Message: `attribute "expect_status": "600" is not a status code such as 200 or a class such as 2xx`},
				e{Attribute: "expect_status", Message: `attribute "expect_status": "2xy" is not a status code such as 200 or a class such as 2xx`},
				e{Attribute: "expect_status", Message: `attribute "expect_status": "ok" is not a status code such as 200 or a class such as 2xx`}}},
		{Name: "status codes as one string", Values: sdk.Values{"expect_status": "200"},
			Want: sdk.ConfigErrors{{Attribute: "expect_status", Message: `attribute "expect_status": want list(string), got string`}}},
		{Name: "bad body regexp", Values: sdk.Values{"body_regexp": "a(b"},
			Want: sdk.ConfigErrors{{Attribute: "body_regexp", Message: "attribute \"body_regexp\": invalid regular expression: error parsing regexp: missing closing ): `a(b`"}}},
		{Name: "bad header regexp", Values: sdk.Values{"expect_headers": map[string]string{"X-Version": "*"}},
			Want: sdk.ConfigErrors{{Attribute: "expect_headers", Message: "attribute \"expect_headers\": X-Version: invalid regular expression: error parsing regexp: missing argument to repetition operator: `*`"}}},
		{Name: "bad expected header name", Values: sdk.Values{"expect_headers": map[string]string{"X:Version": "1"}},
			Want: sdk.ConfigErrors{{Attribute: "expect_headers", Message: `attribute "expect_headers": "X:Version" is not a header name`}}},
		{Name: "negative redirects", Values: sdk.Values{"follow_redirects": -1},
			Want: sdk.ConfigErrors{{Attribute: "follow_redirects", Message: `attribute "follow_redirects": want a whole number from 0 to 100, got -1`}}},
		{Name: "fractional redirects", Values: sdk.Values{"follow_redirects": 1.5},
			Want: sdk.ConfigErrors{{Attribute: "follow_redirects", Message: `attribute "follow_redirects": want a whole number from 0 to 100, got 1.5`}}},
		{Name: "bad time range", Values: sdk.Values{"time_warning": "5:1"},
			Want: sdk.ConfigErrors{{Attribute: "time_warning", Message: `attribute "time_warning": parsing range "5:1": start 5 is greater than end 1`}}},
		{Name: "bad certificate range", Values: sdk.Values{"url": https, "cert_critical": "soon"},
			Want: sdk.ConfigErrors{{Attribute: "cert_critical", Message: `attribute "cert_critical": parsing range "soon": end: "soon" is not a number`}}},
		{Name: "certificate settings without https", Values: sdk.Values{"url": "http://127.0.0.1/", "cert_warning": "30:", "tls_insecure": true},
			Want: sdk.ConfigErrors{{Attribute: "cert_warning", Message: `attribute "cert_warning": needs an https url`},
				{Attribute: "tls_insecure", Message: `attribute "tls_insecure": needs an https url`}}},
		{Name: "certificate settings with the default url", Values: sdk.Values{"ca_file": notPEM},
			Want: sdk.ConfigErrors{{Attribute: "ca_file", Message: `attribute "ca_file": needs an https url`},
				{Attribute: "ca_file", Message: fmt.Sprintf(`attribute "ca_file": %s holds no PEM certificate`, notPEM)}}},
		{Name: "ca_file missing", Values: sdk.Values{"url": https, "ca_file": missing},
			Want: sdk.ConfigErrors{{Attribute: "ca_file", Message: fmt.Sprintf(`attribute "ca_file": reading the CA file: open %s: no such file or directory`, missing)}}},
		{Name: "zero timeout", Values: sdk.Values{"timeout": "0s"},
			Want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`}}},
	})
}

func TestInfo(t *testing.T) {
	plugintest.CheckInfo(t, New(), "http", Version)
}

// TestSampleConfig keeps sample.hcl and README.md in step with the schema.
// One commented setting names a CA file that is not on this machine.
func TestSampleConfig(t *testing.T) {
	plugintest.CheckSample(t, New(), SampleConfig(), plugintest.SampleRules{ShowsDefaults: true})
	plugintest.CheckReadme(t, New(), "README.md")
}

// TestExample runs checks.d/examples/plugin-http.hcl against a server
// named by VAKT_LOCAL_HTTP_URL, as the lead's `vakt check checks.d` test
// does.
func TestExample(t *testing.T) {
	plain := quiet(httptest.NewServer(site()))
	t.Cleanup(plain.Close)
	t.Setenv("VAKT_LOCAL_HTTP_URL", plain.URL+"/redirect")
	got := plugintest.RunExample(t, New())
	want := "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"
	plugintest.WantOutput(t, got, check.OK, want)
}

// TestParsesOncePerConfig checks that a config is parsed when it is
// configured and not again by its Checks, that each config id keeps its
// own settings, and that a Check of an id never configured (in-process
// use) parses it once and keeps it.
func TestParsesOncePerConfig(t *testing.T) {
	plain := quiet(httptest.NewServer(site()))
	t.Cleanup(plain.Close)
	p := New().(*Checker)
	checker := sdktest.ServeCheck(t, p)
	hello := sdk.Values{"url": plain.URL + "/", "body_regexp": "^hello v"}
	bye := sdk.Values{"url": plain.URL + "/", "body_regexp": "^bye"}
	const ok = "HTTP OK: HTTP/1.1 200 OK - 10 bytes in {t} second response time"
	const critical = "HTTP CRITICAL: HTTP/1.1 200 OK - pattern '^bye' not found - 10 bytes in {t} second response time"

	plugintest.Configure(t, checker, "hello", hello)
	for range 3 {
		plugintest.WantOutput(t, plugintest.CheckByID(t, checker, "hello"), check.OK, ok)
	}
	if got := p.settings.Parses(); got != 1 {
		t.Fatalf("parsed %d times after Configure and 3 Checks of one config, want 1", got)
	}
	plugintest.Configure(t, checker, "bye", bye)
	plugintest.WantOutput(t, plugintest.CheckByID(t, checker, "bye"), check.Critical, critical)
	plugintest.WantOutput(t, plugintest.CheckByID(t, checker, "hello"), check.OK, ok)
	if got := p.settings.Parses(); got != 2 {
		t.Fatalf("parsed %d times for two configs, want 2", got)
	}

	// In process. The host never sends other values under a config id, so
	// a Check that sends them shows whether it parsed again: it must use
	// the settings kept for the id, whether Configure or the first Check
	// of an id not configured kept them. A config without an id is never
	// kept.
	direct := New().(*Checker)
	ctx := plugintest.Context(t)
	valid := func(v sdk.Values) sdk.Values {
		t.Helper()
		values, err := schema().ValidateValues(v)
		if err != nil {
			t.Fatal(err)
		}
		return values
	}
	if err := direct.Configure(ctx, sdk.Config{ID: "configured", Values: valid(hello)}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		id     string
		values sdk.Values
		state  check.State
		output string
		parses uint64 // in total after the step
	}{
		{"configured", bye, check.OK, ok, 1},
		{"unseen", hello, check.OK, ok, 2},
		{"unseen", bye, check.OK, ok, 2},
		{"", bye, check.Critical, critical, 3},
		{"", hello, check.OK, ok, 4},
	} {
		got, err := direct.Check(ctx, sdk.Request{Config: sdk.Config{ID: step.id, Values: valid(step.values)}, Host: plugintest.Localhost()})
		if err != nil {
			t.Fatal(err)
		}
		plugintest.WantOutput(t, got, step.state, step.output)
		if got := direct.settings.Parses(); got != step.parses {
			t.Fatalf("after a Check of %q: parsed %d times, want %d", step.id, got, step.parses)
		}
	}
}
