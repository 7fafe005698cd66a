package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/passive"
)

// These tests send malformed requests to every endpoint over a real
// loopback socket and check the exact answer, and that a refused request
// reaches neither the backend nor the sink. The backend and the sink only
// record what they are given: the daemon behind them is tested with the
// same API in core/daemon.

const apiToken = "s3cret"

// recordingBackend answers with fixed statuses and counts reloads.
type recordingBackend struct {
	mu        sync.Mutex
	statuses  []CheckStatus
	reloads   int
	forced    bool
	report    ReloadReport
	unhealthy string
}

func (b *recordingBackend) Statuses() []CheckStatus { return b.statuses }

func (b *recordingBackend) Reload(_ context.Context, force bool) ReloadReport {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reloads++
	b.forced = force
	return b.report
}

func (b *recordingBackend) Health() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.unhealthy
}

func (b *recordingBackend) Metrics() Metrics { return Metrics{Runs: 5} }

func (b *recordingBackend) reloadCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.reloads
}

// recordingSink keeps the passive results handed to it.
type recordingSink struct {
	mu      sync.Mutex
	results []passive.Result
}

func (s *recordingSink) Submit(_ context.Context, r passive.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results = append(s.results, r)
	return nil
}

func (s *recordingSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.results)
}

type apiTest struct {
	url     string
	backend *recordingBackend
	sink    *recordingSink
}

// startAPI serves a Server on loopback; with tokens it takes passive
// results through core/passive's real handler.
func startAPI(t *testing.T, tokens ...string) *apiTest {
	t.Helper()
	at := &apiTest{
		backend: &recordingBackend{
			statuses: []CheckStatus{
				{ID: "a/ok", Host: "a", Check: "ok", Checked: true, State: "OK"},
				{ID: "a/crit", Host: "a", Check: "crit", Checked: true, State: "CRITICAL"},
				{ID: "a/pending", Host: "a", Check: "pending", State: "OK"},
			},
			report: ReloadReport{OK: true, Checks: 3, Kept: 3},
		},
		sink: &recordingSink{},
	}
	opts := Options{Backend: at.backend, Tokens: tokens, Logger: zerolog.Nop()}
	if len(tokens) > 0 {
		h, err := passive.NewResultsHandler(tokens, at.sink, zerolog.Nop())
		if err != nil {
			t.Fatal(err)
		}
		opts.Results = h
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	at.url = srv.URL
	return at
}

type apiRequest struct {
	method, path       string
	token, contentType string
	body               string
}

type apiAnswer struct {
	code  int
	body  string // trimmed
	allow string // the Allow header
	auth  string // the WWW-Authenticate header
}

var apiClient = &http.Client{Timeout: time.Minute}

func (at *apiTest) send(t *testing.T, r apiRequest) apiAnswer {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req, err := http.NewRequest(r.method, at.url+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	resp, err := apiClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK && ct != "application/json" {
		t.Errorf("%s %s answered %d with Content-Type %q; want application/json", r.method, r.path, resp.StatusCode, ct)
	}
	return apiAnswer{code: resp.StatusCode, body: strings.TrimSpace(string(b)),
		allow: resp.Header.Get("Allow"), auth: resp.Header.Get("WWW-Authenticate")}
}

// TestAPIRefusesMalformedRequests: each malformed request gets its exact
// status and JSON error, and changes nothing.
func TestAPIRefusesMalformedRequests(t *testing.T) {
	at := startAPI(t, apiToken)
	const json = "application/json"
	good := `{"host":"web1","check":"disk","state":"ok"}`
	bearer := `Bearer realm="vakt"`
	for _, tc := range []struct {
		name string
		req  apiRequest
		want apiAnswer
	}{
		// /api/v1/results: core/passive's handler, reached through the server.
		{"results GET", apiRequest{method: "GET", path: "/api/v1/results"},
			apiAnswer{code: 405, body: `{"error":"method GET not allowed: use POST"}`, allow: "POST"}},
		{"results without token", apiRequest{method: "POST", path: "/api/v1/results", contentType: json, body: good},
			apiAnswer{code: 401, body: `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`, auth: bearer}},
		{"results with a wrong token", apiRequest{method: "POST", path: "/api/v1/results", token: "nope", contentType: json, body: good},
			apiAnswer{code: 401, body: `{"error":"invalid token"}`, auth: bearer}},
		{"results as form data", apiRequest{method: "POST", path: "/api/v1/results", token: apiToken, contentType: "application/x-www-form-urlencoded", body: "host=web1"},
			apiAnswer{code: 415, body: `{"error":"content type \"application/x-www-form-urlencoded\" is refused on the API: it is what an HTML form sends; send application/json"}`}},
		{"results oversized", apiRequest{method: "POST", path: "/api/v1/results", token: apiToken, contentType: json,
			body: `{"host":"` + strings.Repeat("h", passive.MaxBodyBytes) + `"}`},
			apiAnswer{code: 413, body: `{"error":"request body exceeds 1048576 bytes"}`}},
		{"results malformed JSON", apiRequest{method: "POST", path: "/api/v1/results", token: apiToken, contentType: json, body: `{"host":`},
			apiAnswer{code: 400, body: `{"error":"malformed JSON: unexpected end of JSON input (at byte 8)"}`}},
		{"results unknown field", apiRequest{method: "POST", path: "/api/v1/results", token: apiToken, contentType: json,
			body: `{"host":"web1","check":"disk","state":"ok","status":"green"}`},
			apiAnswer{code: 400, body: `{"error":"status: unknown field: want host, check, state, output or ttl","field":"status"}`}},

		// /api/v1/status
		{"status POST", apiRequest{method: "POST", path: "/api/v1/status", token: apiToken},
			apiAnswer{code: 405, body: `{"error":"method POST not allowed: use GET"}`, allow: "GET"}},
		{"status problems=maybe", apiRequest{method: "GET", path: "/api/v1/status?problems=maybe"},
			apiAnswer{code: 400, body: `{"error":"query parameter problems=\"maybe\": want 1 or 0 (true or false)"}`}},
		{"status problems twice", apiRequest{method: "GET", path: "/api/v1/status?problems=1&problems=1"},
			apiAnswer{code: 400, body: `{"error":"query parameter problems is given 2 times: give it once"}`}},
		{"status misspelt parameter", apiRequest{method: "GET", path: "/api/v1/status?problem=1"},
			apiAnswer{code: 400, body: `{"error":"unknown query parameter \"problem\": want problems"}`}},
		{"status malformed query", apiRequest{method: "GET", path: "/api/v1/status?problems=%zz"},
			apiAnswer{code: 400, body: `{"error":"malformed query string \"problems=%zz\": invalid URL escape \"%zz\""}`}},
		{"status semicolon in query", apiRequest{method: "GET", path: "/api/v1/status?problems=1;x=2"},
			apiAnswer{code: 400, body: `{"error":"malformed query string \"problems=1;x=2\": invalid semicolon separator in query"}`}},

		// /api/v1/reload
		{"reload GET", apiRequest{method: "GET", path: "/api/v1/reload", token: apiToken},
			apiAnswer{code: 405, body: `{"error":"method GET not allowed: use POST"}`, allow: "POST"}},
		{"reload without token", apiRequest{method: "POST", path: "/api/v1/reload"},
			apiAnswer{code: 401, body: `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`, auth: bearer}},
		{"reload with a wrong token", apiRequest{method: "POST", path: "/api/v1/reload", token: apiToken + "x"},
			apiAnswer{code: 401, body: `{"error":"invalid token"}`, auth: bearer}},
		{"reload with a body", apiRequest{method: "POST", path: "/api/v1/reload", token: apiToken, contentType: json, body: `{"dry_run":true}`},
			apiAnswer{code: 400, body: `{"error":"POST /api/v1/reload takes no request body"}`}},
		{"reload with a query", apiRequest{method: "POST", path: "/api/v1/reload?dry_run=1", token: apiToken},
			apiAnswer{code: 400, body: `{"error":"unknown query parameter \"dry_run\": want force"}`}},

		// /healthz, /metrics and paths that are not endpoints
		{"healthz POST", apiRequest{method: "POST", path: "/healthz"},
			apiAnswer{code: 405, body: `{"error":"method POST not allowed: use GET"}`, allow: "GET"}},
		{"metrics PUT", apiRequest{method: "PUT", path: "/metrics", body: "x"},
			apiAnswer{code: 405, body: `{"error":"method PUT not allowed: use GET"}`, allow: "GET"}},
		{"unknown path", apiRequest{method: "GET", path: "/api/v1/checks"},
			apiAnswer{code: 404, body: `{"error":"no such endpoint: /api/v1/checks"}`}},
		{"endpoint with a trailing slash", apiRequest{method: "GET", path: "/api/v1/status/"},
			apiAnswer{code: 404, body: `{"error":"no such endpoint: /api/v1/status/"}`}},
		{"root", apiRequest{method: "POST", path: "/"},
			apiAnswer{code: 404, body: `{"error":"no such endpoint: /"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := at.send(t, tc.req); got != tc.want {
				t.Errorf("%s %s =\n%+v\nwant\n%+v", tc.req.method, tc.req.path, got, tc.want)
			}
		})
	}
	if n := at.backend.reloadCount(); n != 0 {
		t.Errorf("refused requests reloaded %d times; want 0", n)
	}
	if n := at.sink.count(); n != 0 {
		t.Errorf("refused requests delivered %d results; want 0", n)
	}

	// The server still serves, and the good requests are taken.
	if got := at.send(t, apiRequest{method: "POST", path: "/api/v1/results", token: apiToken, contentType: json, body: good}); got.code != 202 || got.body != `{"accepted":1}` {
		t.Errorf("good result = %+v; want 202 {\"accepted\":1}", got)
	}
	if got := at.send(t, apiRequest{method: "POST", path: "/api/v1/reload", token: apiToken}); got.code != 200 ||
		got.body != `{"ok":true,"checks":3,"added":0,"removed":0,"kept":3}` {
		t.Errorf("good reload = %+v", got)
	}
	if at.sink.count() != 1 || at.backend.reloadCount() != 1 {
		t.Errorf("after the good requests: %d results, %d reloads; want 1 and 1", at.sink.count(), at.backend.reloadCount())
	}
}

// TestAPIStatusQuery: the accepted spellings of ?problems.
func TestAPIStatusQuery(t *testing.T) {
	at := startAPI(t)
	for _, tc := range []struct {
		query string
		ids   string
	}{
		{"", "a/ok a/crit a/pending"},
		{"?problems=", "a/ok a/crit a/pending"},
		{"?problems=0", "a/ok a/crit a/pending"},
		{"?problems=no", "a/ok a/crit a/pending"},
		{"?problems=FALSE", "a/ok a/crit a/pending"},
		{"?problems=1", "a/crit"},
		{"?problems=yes", "a/crit"},
		{"?problems=True", "a/crit"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got := at.send(t, apiRequest{method: "GET", path: "/api/v1/status" + tc.query})
			var resp StatusResponse
			if err := json.Unmarshal([]byte(got.body), &resp); got.code != 200 || err != nil {
				t.Fatalf("= %d %s (%v); want 200 and a status", got.code, got.body, err)
			}
			var ids []string
			for _, c := range resp.Checks {
				ids = append(ids, c.ID)
			}
			if strings.Join(ids, " ") != tc.ids {
				t.Errorf("checks = %q; want %q", ids, tc.ids)
			}
		})
	}
	if got := at.send(t, apiRequest{method: "HEAD", path: "/healthz"}); got.code != 200 || got.body != "" {
		t.Errorf("HEAD /healthz = %+v; want 200 and no body", got)
	}
	if got := at.send(t, apiRequest{method: "GET", path: "/metrics"}); got.code != 200 || !strings.Contains(got.body, "\nvakt_check_runs_total 5\n") {
		t.Errorf("GET /metrics = %d %q; want 200 with vakt_check_runs_total 5", got.code, got.body)
	}
}

// TestAPIWithoutTokensRefuses: with no token, passive results are off for
// every request, and reload is refused from a peer that is not loopback.
// Only loopback addresses exist here, so the remote peer is set on the
// request rather than connecting from one.
func TestAPIWithoutTokensRefuses(t *testing.T) {
	at := startAPI(t)
	for _, method := range []string{"POST", "GET"} {
		got := at.send(t, apiRequest{method: method, path: "/api/v1/results", token: "any", contentType: "application/json", body: `{}`})
		want := apiAnswer{code: 403, body: `{"error":"passive results over HTTP are off: no API token is configured (api_tokens)"}`}
		if got != want {
			t.Errorf("%s /api/v1/results without tokens = %+v; want %+v", method, got, want)
		}
	}

	backend := &recordingBackend{report: ReloadReport{OK: true}}
	s, err := New(Options{Backend: backend, Logger: zerolog.Nop()})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/reload", nil)
	req.RemoteAddr = "192.0.2.7:40000"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if want := `{"error":"no API token is configured (api_tokens), so this endpoint only takes requests from loopback"}`; rec.Code != 403 || strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("reload from 192.0.2.7 without tokens = %d %s; want 403 %s", rec.Code, rec.Body, want)
	}
	if backend.reloadCount() != 0 {
		t.Error("the refused reload reached the backend")
	}
	if got := at.send(t, apiRequest{method: "POST", path: "/api/v1/reload"}); got.code != 200 {
		t.Errorf("reload from loopback without tokens = %+v; want 200", got)
	}
}

func TestNewRefusesEmptyToken(t *testing.T) {
	_, err := New(Options{Backend: &recordingBackend{}, Tokens: []string{"good", "  "}})
	if err == nil || err.Error() != "creating the HTTP API: API token 1 is empty" {
		t.Errorf("New with an empty token = %v", err)
	}
}

// TestClientGarbage: answers that are not the API's give a clear error,
// never an empty success; a 422 is a refused reload only when its body is
// a reload report.
func TestClientGarbage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		statusErr string
		reloadErr string
		refused   bool
	}{
		{"422 with HTML", 422, "<html>nope</html>",
			"reading status: GET /api/v1/status: 422 Unprocessable Entity",
			"reloading: decoding the response of POST /api/v1/reload: invalid character '<' looking for beginning of value", false},
		{"422 report without reason", 422, `{"ok":false}`,
			"reading status: GET /api/v1/status: 422 Unprocessable Entity",
			"reloading: reload refused: the daemon gave no reason", true},
		{"200 truncated JSON", 200, `{"checks":[{"id":"a`,
			"reading status: decoding the response of GET /api/v1/status: unexpected end of JSON input",
			"reloading: decoding the response of POST /api/v1/reload: unexpected end of JSON input", false},
		{"200 empty", 200, "",
			"reading status: decoding the response of GET /api/v1/status: unexpected end of JSON input",
			"reloading: decoding the response of POST /api/v1/reload: unexpected end of JSON input", false},
		{"500 JSON error", 500, `{"error":"database is locked"}`,
			"reading status: GET /api/v1/status: 500 Internal Server Error: database is locked",
			"reloading: POST /api/v1/reload: 500 Internal Server Error: database is locked", false},
		{"oversized", 200, `{"checks":[` + strings.Repeat(" ", maxResponseBytes) + `]}`,
			"reading status: reading the response of GET /api/v1/status: 200 OK: it exceeds 67108864 bytes",
			"reloading: reading the response of POST /api/v1/reload: 200 OK: it exceeds 67108864 bytes", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c := &Client{BaseURL: srv.URL + "/"}
			checks, err := c.Status(context.Background(), false)
			if err == nil || err.Error() != tc.statusErr || checks != nil {
				t.Errorf("Status = %v, %v; want %q", checks, err, tc.statusErr)
			}
			_, err = c.Reload(context.Background())
			if err == nil || err.Error() != tc.reloadErr || errors.Is(err, ErrReloadRefused) != tc.refused {
				t.Errorf("Reload = %v; want %q (refused %v)", err, tc.reloadErr, tc.refused)
			}
		})
	}
}

func TestClientNoDaemon(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	_, err := (&Client{BaseURL: url}).Status(context.Background(), true)
	want := `reading status: cannot reach the daemon (is vakt run running?): Get "` + url + `/api/v1/status?problems=1": dial tcp ` +
		strings.TrimPrefix(url, "http://") + ": connect: connection refused"
	if err == nil || err.Error() != want {
		t.Errorf("Status with no daemon = %v; want %q", err, want)
	}
}
