package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// waitTimeout bounds waits in these tests; no test depends on it being
// short.
const waitTimeout = 30 * time.Second

// rawRequest sends one request to the test server and returns its status
// and trimmed body.
func (at *apiTest) rawRequest(t *testing.T, method, path string, header map[string]string, host, body string) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, at.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b))
}

// A browser page elsewhere must not be able to make the browser of
// someone on the vakt machine write to the API.
func TestSameOriginRule(t *testing.T) {
	at := startAPI(t) // no tokens: writes from loopback
	self := strings.TrimPrefix(at.url, "http://")
	const reloaded = `{"ok":true,"checks":3,"added":0,"removed":0,"kept":3}`
	tests := []struct {
		name   string
		method string
		header map[string]string
		host   string
		code   int
		body   string
		reload bool // whether the backend reloads
	}{
		{"plain loopback POST", "POST", nil, "", 200, reloaded, true},
		{"same-origin POST from vakt's own page", "POST", map[string]string{"Origin": "http://" + self, "Sec-Fetch-Site": "same-origin"}, "", 200, reloaded, true},
		{"cross-origin POST", "POST", map[string]string{"Origin": "http://evil.example"}, "", 403,
			`{"error":"cross-origin request refused: Origin \"http://evil.example\" is not this server (` + self + `)"}`, false},
		{"another port of the same host", "POST", map[string]string{"Origin": "http://127.0.0.1:1"}, "", 403,
			`{"error":"cross-origin request refused: Origin \"http://127.0.0.1:1\" is not this server (` + self + `)"}`, false},
		{"https origin", "POST", map[string]string{"Origin": "https://" + self}, "", 403,
			`{"error":"cross-origin request refused: Origin \"https://` + self + `\" is not this server (` + self + `)"}`, false},
		{"null origin (sandboxed page, file:)", "POST", map[string]string{"Origin": "null"}, "", 403,
			`{"error":"cross-origin request refused: Origin \"null\" is not this server (` + self + `)"}`, false},
		{"Sec-Fetch-Site cross-site without Origin", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, "", 403,
			`{"error":"cross-site request refused (Sec-Fetch-Site: cross-site): the API takes writes from its own pages and from API clients only"}`, false},
		{"form POST", "POST", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "", 415,
			`{"error":"content type \"application/x-www-form-urlencoded\" is refused on the API: it is what an HTML form sends; send application/json"}`, false},
		{"multipart form POST", "POST", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, "", 415,
			`{"error":"content type \"multipart/form-data\" is refused on the API: it is what an HTML form sends; send application/json"}`, false},
		{"text/plain POST", "POST", map[string]string{"Content-Type": "TEXT/PLAIN; charset=utf-8"}, "", 415,
			`{"error":"content type \"text/plain\" is refused on the API: it is what an HTML form sends; send application/json"}`, false},
		{"DNS rebinding: a name for 127.0.0.1", "POST", nil, "rebound.example:8484", 403,
			`{"error":"no API token is configured (api_tokens), so this endpoint takes requests to an IP address or localhost only, not to \"rebound.example:8484\""}`, false},
		{"localhost is fine", "POST", nil, "localhost:8484", 200, reloaded, true},
		{"cross-origin GET is a read", "GET", map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, "", 405,
			`{"error":"method GET not allowed: use POST"}`, false},
	}
	reloads := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := at.rawRequest(t, tt.method, "/api/v1/reload", tt.header, tt.host, "")
			if code != tt.code || body != tt.body {
				t.Errorf("%s /api/v1/reload = %d %s\nwant %d %s", tt.method, code, body, tt.code, tt.body)
			}
			if tt.reload {
				reloads++
			}
			if got := at.backend.reloadCount(); got != reloads {
				t.Errorf("backend reloaded %d times, want %d", got, reloads)
			}
		})
	}
}

// With a token, an API client's POST is taken; a browser's cross-origin
// one is refused all the same.
func TestSameOriginRuleWithToken(t *testing.T) {
	at := startAPI(t, apiToken)
	const result = `{"host":"web1","check":"disk","state":"ok","output":"fine"}`
	json := map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "application/json"}
	if code, body := at.rawRequest(t, "POST", "/api/v1/results", json, "", result); code != 202 || body != `{"accepted":1}` {
		t.Errorf("token POST = %d %s, want 202 {\"accepted\":1}", code, body)
	}
	cross := map[string]string{"Authorization": "Bearer " + apiToken, "Content-Type": "application/json", "Origin": "http://evil.example"}
	if code, _ := at.rawRequest(t, "POST", "/api/v1/results", cross, "", result); code != 403 {
		t.Errorf("cross-origin token POST = %d, want 403", code)
	}
	// With a token the Host may be any name: the token is the credential.
	reload := map[string]string{"Authorization": "Bearer " + apiToken}
	if code, _ := at.rawRequest(t, "POST", "/api/v1/reload", reload, "vakt.example:8484", ""); code != 200 {
		t.Errorf("token reload to a DNS name = %d, want 200", code)
	}
	if n := at.sink.count(); n != 1 {
		t.Errorf("sink got %d results, want 1", n)
	}
}

func TestNewHTTPServerDefaults(t *testing.T) {
	h := http.NotFoundHandler()
	s := NewHTTPServer(h, Timeouts{})
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout ||
		s.WriteTimeout != DefaultWriteTimeout || s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != DefaultMaxHeaderBytes {
		t.Errorf("NewHTTPServer(zero Timeouts) = %+v, want the defaults", s)
	}
	s = NewHTTPServer(h, Timeouts{ReadHeader: 1, Read: 2, Write: 3, Idle: 4, MaxHeaderBytes: 5})
	if s.ReadHeaderTimeout != 1 || s.ReadTimeout != 2 || s.WriteTimeout != 3 || s.IdleTimeout != 4 || s.MaxHeaderBytes != 5 {
		t.Errorf("NewHTTPServer(set Timeouts) = %+v, want them", s)
	}
}

// A keep-alive connection that sends no further request is closed after
// the idle timeout; the read timeout is an hour, so it is the idle one.
func TestHTTPIdleConnectionsClosed(t *testing.T) {
	api, err := New(Options{Backend: &recordingBackend{}, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer(api, Timeouts{Idle: 200 * time.Millisecond, Read: time.Hour, ReadHeader: time.Hour, Write: time.Hour})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})

	const idle = 20
	conns := make([]net.Conn, idle)
	for i := range conns {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns[i] = c
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range conns {
		if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("conn %d: reading the response: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok\n" || resp.Close {
			t.Fatalf("conn %d: response %d %q close=%v, want 200 ok on a kept-alive connection", i, resp.StatusCode, b, resp.Close)
		}
		// Now idle: the server closes it.
		if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("conn %d: read after the response = %d, %v; want EOF: closed by the idle timeout", i, n, err)
		}
	}
}
