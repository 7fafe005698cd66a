package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/server"
)

var httpClient = &http.Client{Timeout: waitTimeout}

// call makes one request to the daemon's API and returns the status code
// and body.
func (s *started) call(t *testing.T, method, path, token, contentType, body string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+s.HTTPAddr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func (s *started) apiStatus(t *testing.T, query string) []server.CheckStatus {
	t.Helper()
	code, _, body := s.call(t, http.MethodGet, "/api/v1/status"+query, "", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/v1/status%s = %d %s", query, code, body)
	}
	var resp server.StatusResponse
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return resp.Checks
}

// TestAPIPassiveHTTP: a result POSTed with a token creates a passive check
// seen on /api/v1/status; refused requests change nothing.
func TestAPIPassiveHTTP(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, nil)
	const good = `{"host": "web1", "check": "disk", "state": "warning", "output": "DISK WARNING - 91% used | used=91%;90;95;0;100\n/var is filling up", "ttl": "30m"}`

	for _, tc := range []struct {
		name, token, contentType, body string
		code                           int
		answer                         string
	}{
		{"no token", "", "application/json", good, http.StatusUnauthorized, `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`},
		{"wrong token", "wrong", "application/json", good, http.StatusUnauthorized, `{"error":"invalid token"}`},
		{"malformed JSON", testToken, "application/json", `{"host": "web1",`, http.StatusBadRequest, ""},
		{"bad state", testToken, "application/json", `{"host": "web1", "check": "disk", "state": "purple"}`, http.StatusBadRequest, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := d.call(t, http.MethodPost, "/api/v1/results", tc.token, tc.contentType, tc.body)
			if code != tc.code || (tc.answer != "" && strings.TrimSpace(body) != tc.answer) {
				t.Errorf("POST = %d %s; want %d %s", code, body, tc.code, tc.answer)
			}
			if d.has("web1/disk") {
				t.Errorf("a refused request created web1/disk")
			}
		})
	}

	code, _, body := d.call(t, http.MethodPost, "/api/v1/results", testToken, "application/json", good)
	if code != http.StatusAccepted || strings.TrimSpace(body) != `{"accepted":1}` {
		t.Fatalf("POST good result = %d %s; want 202 {\"accepted\":1}", code, body)
	}
	got := d.apiStatus(t, "?problems=1")
	if len(got) != 1 {
		t.Fatalf("problems = %+v; want web1/disk only", got)
	}
	c := got[0]
	if c.ID != "web1/disk" || c.Host != "web1" || c.Check != "disk" || c.Source != "passive" || c.State != "WARNING" ||
		c.Type != "HARD" || c.Attempt != 1 || c.MaxAttempts != 1 || c.Level != "warning" || c.Output != "DISK WARNING - 91% used" {
		t.Errorf("web1/disk = %+v", c)
	}
	if m := d.Metrics(); m.Engine.PassiveResults != 1 {
		t.Errorf("metrics: %d passive results; want 1", m.Engine.PassiveResults)
	}
	if err := d.stop(); err != nil {
		t.Fatal(err)
	}
	samples, err := openStore(t, env.statePath).Samples(context.Background(), "web1/disk", "used", time.Unix(1, 0), time.Now().Add(time.Hour))
	if err != nil || len(samples) != 1 || samples[0].Value != 91 || samples[0].UOM != "%" {
		t.Errorf("samples of web1/disk used = %+v, %v; want one of 91%%", samples, err)
	}
}

// sendBB sends one Big Brother message on a new connection and closes it.
func sendBB(t *testing.T, addr, msg string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, waitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(conn, msg); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestAPIPassiveBigBrother: a status message on the Big Brother port
// changes the state seen on /api/v1/status, for a dynamic check and for a
// configured one; a malformed message changes nothing.
func TestAPIPassiveBigBrother(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "host \"www1.example.com\" {}\n"+idleCheck("www1.example.com", "http", 0, "fine", ""))
	d := start(t, env, nil)
	sendBB(t, d.BBAddr(), "status www1,example,com.http red HTTP 500\nthe body")
	sendBB(t, d.BBAddr(), "status+2h agent7.procs yellow too many processes")
	sendBB(t, d.BBAddr(), "status agent7.mem purple stale")

	d.waitStatus(t, "agent7/procs", "WARNING", isState("WARNING", "HARD"))
	d.log.waitFor(t, "the purple status refused", func() bool { return len(d.log.messages("Big Brother message rejected")) == 1 })
	http := d.waitStatus(t, "www1.example.com/http", "CRITICAL", isState("CRITICAL", "SOFT"))
	if http.Source != "active" || http.Output != "HTTP 500" || http.Attempt != 1 || http.MaxAttempts != 3 {
		t.Errorf("www1.example.com/http = %+v; want the configured check, SOFT 1/3, output HTTP 500", http)
	}
	if d.has("agent7/mem") {
		t.Error("the refused purple status created agent7/mem")
	}
	problems := d.apiStatus(t, "?problems=1")
	var ids []string
	for _, c := range problems {
		ids = append(ids, c.ID+" "+c.State)
	}
	if want := []string{"agent7/procs WARNING", "www1.example.com/http CRITICAL"}; !slices.Equal(ids, want) {
		t.Errorf("problems = %q; want %q", ids, want)
	}
	// The listener counts a result after the daemon took it, then logs it.
	d.log.waitFor(t, "two results counted", func() bool { return len(d.log.messages("passive result accepted")) == 2 })
	bb := d.Metrics().BigBrother
	if bb == nil || bb.Accepted != 2 || bb.Rejected != 1 || bb.SinkErrors != 0 {
		t.Errorf("Big Brother stats = %+v; want 2 accepted, 1 rejected", bb)
	}
}

// TestAPIEndpoints: status with and without ?problems, methods, health,
// metrics and unknown paths.
func TestAPIEndpoints(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "crit", 2, "down", "max_attempts = 1")+
		idleCheck("localhost", "warn", 1, "meh", "max_attempts = 1")+idleCheck("localhost", "ok", 0, "fine", ""))
	d := start(t, env, nil)
	for _, id := range []string{"localhost/crit", "localhost/warn", "localhost/ok"} {
		if err := d.sched.RunNow(id); err != nil {
			t.Fatal(err)
		}
		d.log.waitFor(t, id+" ran", func() bool { return d.log.runs(id) == 1 })
	}
	var all []string
	for _, c := range d.apiStatus(t, "") {
		all = append(all, c.ID+" "+c.State+" "+c.Type+" "+c.Level+" "+c.Output)
	}
	want := []string{"localhost/crit CRITICAL HARD error CRITICAL: down", "localhost/ok OK HARD ok OK: fine", "localhost/warn WARNING HARD warning WARNING: meh"}
	if !slices.Equal(all, want) {
		t.Errorf("status = %q; want %q", all, want)
	}
	for _, q := range []string{"?problems=1", "?problems=true"} {
		var ids []string
		for _, c := range d.apiStatus(t, q) {
			ids = append(ids, c.ID)
		}
		if !slices.Equal(ids, []string{"localhost/crit", "localhost/warn"}) {
			t.Errorf("status%s = %q; want crit and warn", q, ids)
		}
	}
	if got := d.apiStatus(t, "?problems=0"); len(got) != 3 {
		t.Errorf("status?problems=0 has %d checks; want 3", len(got))
	}

	for _, tc := range []struct {
		method, path string
		code         int
		body         string
		allow        string
	}{
		{http.MethodGet, "/api/v1/status?problems=maybe", http.StatusBadRequest, `{"error":"query parameter problems=\"maybe\": want 1 or 0 (true or false)"}`, ""},
		{http.MethodGet, "/api/v1/status?problems=1&problems=0", http.StatusBadRequest, `{"error":"query parameter problems is given 2 times: give it once"}`, ""},
		{http.MethodPost, "/api/v1/status", http.StatusMethodNotAllowed, `{"error":"method POST not allowed: use GET"}`, "GET"},
		{http.MethodGet, "/api/v1/reload", http.StatusMethodNotAllowed, `{"error":"method GET not allowed: use POST"}`, "POST"},
		{http.MethodGet, "/api/v1/results", http.StatusMethodNotAllowed, `{"error":"method GET not allowed: use POST"}`, "POST"},
		{http.MethodDelete, "/metrics", http.StatusMethodNotAllowed, `{"error":"method DELETE not allowed: use GET"}`, "GET"},
		{http.MethodGet, "/healthz", http.StatusOK, "ok", ""},
		{http.MethodGet, "/api/v2/status", http.StatusNotFound, `{"error":"no such endpoint: /api/v2/status"}`, ""},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			code, header, body := d.call(t, tc.method, tc.path, "", "", "")
			if code != tc.code || strings.TrimSpace(body) != tc.body || header.Get("Allow") != tc.allow {
				t.Errorf("= %d %q (Allow %q); want %d %q (Allow %q)", code, body, header.Get("Allow"), tc.code, tc.body, tc.allow)
			}
		})
	}

	// Transitions count once committed: wait for the commit.
	if err := d.engine.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, header, metrics := d.call(t, http.MethodGet, "/metrics", "", "", "")
	if code != http.StatusOK || header.Get("Content-Type") != "text/plain; version=0.0.4; charset=utf-8" {
		t.Fatalf("GET /metrics = %d %s", code, header.Get("Content-Type"))
	}
	for _, line := range []string{
		`vakt_checks{state="pending"} 0`, `vakt_checks{state="OK"} 1`, `vakt_checks{state="WARNING"} 1`,
		`vakt_checks{state="CRITICAL"} 1`, `vakt_checks{state="UNKNOWN"} 0`, "vakt_scheduler_checks 3",
		"vakt_check_runs_total 3", "vakt_transitions_total 2", "vakt_store_errors_total 0",
		`vakt_reloads_total{result="ok"} 0`, "vakt_bigbrother_results_total 0",
	} {
		if !slices.Contains(strings.Split(metrics, "\n"), line) {
			t.Errorf("/metrics has no line %q:\n%s", line, metrics)
		}
	}
	checkExposition(t, metrics)
}

// checkExposition checks that every sample of a Prometheus text page
// belongs to a family declared with HELP and TYPE before it, and that
// every value is a number.
func checkExposition(t *testing.T, page string) {
	t.Helper()
	sample := regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[^"]*"\})? (-?[0-9.e+-]+)$`)
	typed := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(page, "\n"), "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "#" && f[1] == "TYPE" {
			typed[f[2]] = f[3]
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("malformed metrics line %q", line)
			continue
		}
		name := m[1]
		if _, ok := typed[name]; !ok {
			base := strings.TrimSuffix(strings.TrimSuffix(name, "_sum"), "_count")
			if typed[base] != "summary" {
				t.Errorf("sample %q has no TYPE line before it", line)
			}
		}
	}
}

// TestAPIReload: reload needs the token; it answers the report, 422 with
// the diagnostics for a broken file; the Client says the same.
func TestAPIReload(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, env.flipCheck(t, "localhost", "a", 1, ""))
	d := start(t, env, nil)
	for _, tc := range []struct{ name, token, answer string }{
		{"no token", "", `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`},
		{"wrong token", "nope", `{"error":"invalid token"}`},
	} {
		code, header, body := d.call(t, http.MethodPost, "/api/v1/reload", tc.token, "", "")
		if code != http.StatusUnauthorized || strings.TrimSpace(body) != tc.answer || header.Get("WWW-Authenticate") != `Bearer realm="vakt"` {
			t.Errorf("%s: = %d %s; want 401 %s", tc.name, code, body, tc.answer)
		}
	}
	code, _, body := d.call(t, http.MethodPost, "/api/v1/reload", testToken, "", "")
	if code != http.StatusOK || strings.TrimSpace(body) != `{"ok":true,"checks":1,"added":0,"removed":0,"kept":1}` {
		t.Errorf("reload = %d %s", code, body)
	}

	client := &server.Client{BaseURL: "http://" + d.HTTPAddr(), Token: testToken}
	writeFile(t, filepath.Join(env.checks, "bad.hcl"), "check {\n")
	report, err := client.Reload(context.Background())
	if !errors.Is(err, server.ErrReloadRefused) || report.OK || !strings.Contains(report.Diagnostics, filepath.Join(env.checks, "bad.hcl")+":1:") {
		t.Errorf("Client.Reload of a broken file = %+v, %v; want ErrReloadRefused with the diagnostics", report, err)
	}
	if got, err := client.Status(context.Background(), false); err != nil || len(got) != 1 || got[0].ID != "localhost/a" {
		t.Errorf("Client.Status after a refused reload = %+v, %v; want localhost/a", got, err)
	}
	bad := &server.Client{BaseURL: "http://" + d.HTTPAddr(), Token: "nope"}
	if _, err := bad.Reload(context.Background()); err == nil || !strings.Contains(err.Error(), "401 Unauthorized: invalid token") {
		t.Errorf("Client.Reload with a wrong token = %v; want 401 invalid token", err)
	}
}

// TestAPIWithoutTokens: with no token configured, passive results over
// HTTP are off and reload is taken from loopback.
func TestAPIWithoutTokens(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, func(o *Options) { o.Tokens = nil })
	code, _, body := d.call(t, http.MethodPost, "/api/v1/results", "anything", "application/json", `{"host":"h","check":"c","state":0}`)
	if code != http.StatusForbidden || strings.TrimSpace(body) != `{"error":"passive results over HTTP are off: no API token is configured (api_tokens)"}` {
		t.Errorf("POST results without tokens = %d %s; want 403", code, body)
	}
	if code, _, body := d.call(t, http.MethodPost, "/api/v1/reload", "", "", ""); code != http.StatusOK {
		t.Errorf("reload from loopback without tokens = %d %s; want 200", code, body)
	}
}

// An anonymous Big Brother sender cannot use up the dynamic passive checks:
// past its limit per address its new checks are refused, while results
// through the API (another sender) still create theirs.
func TestPassiveLimitPerSender(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, "")
	d := start(t, env, func(o *Options) { o.Engine.MaxPassivePerSource = 5 })
	var combo strings.Builder
	combo.WriteString("combo\n")
	for i := range 10 {
		fmt.Fprintf(&combo, "status flood%d.disk green fine\n\n", i)
	}
	sendBB(t, d.BBAddr(), combo.String())
	deadline := time.Now().Add(waitTimeout)
	for d.engine.Stats().Refused < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("engine stats %+v: want 5 results refused", d.engine.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(d.engine.PassiveChecks()); n != 5 {
		t.Fatalf("%d passive checks from one sender; want its limit, 5", n)
	}
	code, _, body := d.call(t, http.MethodPost, "/api/v1/results", testToken, "application/json",
		`{"host": "api", "check": "cpu", "state": "ok", "output": "fine"}`)
	if code != http.StatusAccepted {
		t.Fatalf("an API result for a new check after the flood = %d %s; want 202", code, body)
	}
	if n := len(d.engine.PassiveChecks()); n != 6 {
		t.Fatalf("%d passive checks; want 6", n)
	}
}
