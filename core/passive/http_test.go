package passive

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
)

const (
	testToken  = "s3cret-token-one"
	otherToken = "another-token-two"
)

// httpTest is a ResultsHandler behind a real HTTP server on 127.0.0.1.
type httpTest struct {
	srv  *httptest.Server
	sink *recordingSink
	log  logRecorder
}

func startHTTP(t *testing.T) *httpTest {
	t.Helper()
	ht := &httpTest{sink: newRecordingSink(), log: newLogRecorder()}
	h, err := NewResultsHandler([]string{testToken, otherToken}, ht.sink, zerolog.New(ht.log).Level(zerolog.DebugLevel))
	if err != nil {
		t.Fatal(err)
	}
	ht.srv = httptest.NewServer(h)
	t.Cleanup(ht.srv.Close)
	return ht
}

// request is one call of POST /api/v1/results (or another method).
type request struct {
	method      string // POST when empty
	auth        string // the Authorization header; "Bearer " + testToken when empty, none when "-"
	contentType string // application/json when empty, none when "-"
	body        io.Reader
	chunked     bool // hide the length, so the body is sent chunked
}

// do sends req and returns the status, the response body and headers.
func (ht *httpTest) do(t *testing.T, req request) (int, string, http.Header) {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodPost
	}
	body := req.body
	if req.chunked {
		body = io.MultiReader(body)
	}
	r, err := http.NewRequest(method, ht.srv.URL+"/api/v1/results", body)
	if err != nil {
		t.Fatal(err)
	}
	switch req.auth {
	case "":
		r.Header.Set("Authorization", "Bearer "+testToken)
	case "-":
	default:
		r.Header.Set("Authorization", req.auth)
	}
	switch req.contentType {
	case "":
		r.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		r.Header.Set("Content-Type", req.contentType)
	}
	resp, err := ht.srv.Client().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func TestResultsHandlerAccepts(t *testing.T) {
	tests := []struct {
		name string
		req  request
		body string
		want []Result
	}{
		{name: "one result with perfdata, long output and ttl",
			req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":"warning",` +
				`"output":"DISK WARNING - 91% used | used=91%;90;95;0;100\n/var is filling up","ttl":"30m"}`)},
			body: `{"accepted":1}` + "\n",
			want: []Result{{Host: "web1", Check: "disk", State: check.Warning, Output: "DISK WARNING - 91% used",
				Long: "/var is filling up", Perfdata: perf(t, "used=91%;90;95;0;100"), RawPerfdata: "used=91%;90;95;0;100", TTL: 30 * time.Minute}}},
		{name: "a batch with numeric and named states",
			req: request{body: strings.NewReader(`{"results":[` +
				`{"host":"a","check":"ping","state":0,"output":"PING OK"},` +
				`{"host":"b","check":"ping","state":2},` +
				`{"host":"c","check":"ping","state":"UNKNOWN","output":"no route | rta=U;;;0; bad=="}]}`)},
			body: `{"accepted":3}` + "\n",
			want: []Result{
				{Host: "a", Check: "ping", State: check.OK, Output: "PING OK"},
				{Host: "b", Check: "ping", State: check.Critical},
				{Host: "c", Check: "ping", State: check.Unknown, Output: "no route", Perfdata: perf(t, "rta=U;;;0;"), RawPerfdata: "rta=U;;;0; bad==",
					Notes: []string{`perfdata "bad==" skipped: value "=" is not a number`}},
			}},
		{name: "charset utf-8 and the second token",
			req: request{auth: "Bearer " + otherToken, contentType: "application/json; charset=UTF-8",
				body: strings.NewReader(`{"host":"db1","check":"replication","state":1,"output":"lag 40 s"}`)},
			body: `{"accepted":1}` + "\n",
			want: []Result{{Host: "db1", Check: "replication", State: check.Warning, Output: "lag 40 s"}}},
		{name: "scheme in lower case",
			req:  request{auth: "bearer " + testToken, body: strings.NewReader(`{"host":"h","check":"c","state":"ok"}`)},
			body: `{"accepted":1}` + "\n",
			want: []Result{{Host: "h", Check: "c", State: check.OK}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ht := startHTTP(t)
			before := time.Now()
			status, body, _ := ht.do(t, tt.req)
			after := time.Now()
			if status != http.StatusAccepted || body != tt.body {
				t.Fatalf("response = %d %q, want 202 %q", status, body, tt.body)
			}
			got := ht.sink.results.all()
			for i := range got {
				if got[i].Received.Before(before) || got[i].Received.After(after) {
					t.Errorf("result %d received at %v, not during the request", i, got[i].Received)
				}
				if !strings.HasPrefix(got[i].Source, "http:127.0.0.1:") {
					t.Errorf("result %d source = %q, want http:127.0.0.1:PORT", i, got[i].Source)
				}
				got[i].Received, got[i].Source = time.Time{}, ""
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("results:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func perf(t *testing.T, text string) []check.Perf {
	t.Helper()
	items, notes := check.ParsePerfdata(text)
	if len(notes) != 0 {
		t.Fatalf("test perfdata %q: %v", text, notes)
	}
	return items
}

func TestResultsHandlerRefuses(t *testing.T) {
	good := `{"host":"web1","check":"disk","state":"ok"}`
	tests := []struct {
		name   string
		req    request
		status int
		body   string
		header [2]string // a response header that must be set
	}{
		{name: "GET", req: request{method: http.MethodGet}, status: 405,
			body: `{"error":"method GET not allowed: use POST"}`, header: [2]string{"Allow", "POST"}},
		{name: "PUT", req: request{method: http.MethodPut, body: strings.NewReader(good)}, status: 405,
			body: `{"error":"method PUT not allowed: use POST"}`, header: [2]string{"Allow", "POST"}},
		{name: "no Authorization", req: request{auth: "-", body: strings.NewReader(good)}, status: 401,
			body:   `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`,
			header: [2]string{"WWW-Authenticate", `Bearer realm="vakt"`}},
		{name: "basic auth", req: request{auth: "Basic dXNlcjpwYXNz", body: strings.NewReader(good)}, status: 401,
			body: `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`},
		{name: "empty bearer token", req: request{auth: "Bearer ", body: strings.NewReader(good)}, status: 401,
			body: `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`},
		{name: "wrong token", req: request{auth: "Bearer s3cret-token-onf", body: strings.NewReader(good)}, status: 401,
			body: `{"error":"invalid token"}`, header: [2]string{"WWW-Authenticate", `Bearer realm="vakt"`}},
		{name: "token prefix", req: request{auth: "Bearer s3cret", body: strings.NewReader(good)}, status: 401,
			body: `{"error":"invalid token"}`},
		{name: "text/plain", req: request{contentType: "text/plain", body: strings.NewReader(good)}, status: 415,
			body: `{"error":"content type must be application/json, got \"text/plain\""}`},
		{name: "no content type", req: request{contentType: "-", body: strings.NewReader(good)}, status: 415,
			body: `{"error":"content type must be application/json, got \"\""}`},
		{name: "latin1 charset", req: request{contentType: "application/json; charset=latin1", body: strings.NewReader(good)},
			status: 415, body: `{"error":"content type charset must be utf-8, got \"latin1\""}`},
		{name: "body over 1 MiB", req: request{body: strings.NewReader(`{"host":"` + strings.Repeat("h", MaxBodyBytes) + `"}`)},
			status: 413, body: `{"error":"request body exceeds 1048576 bytes"}`},
		{name: "chunked body over 1 MiB", req: request{chunked: true,
			body: strings.NewReader(`{"host":"` + strings.Repeat("h", MaxBodyBytes) + `"}`)},
			status: 413, body: `{"error":"request body exceeds 1048576 bytes"}`},
		{name: "empty body", req: request{body: strings.NewReader("")}, status: 400,
			body: `{"error":"empty body: want one result or {\"results\": [...]}"}`},
		{name: "array body", req: request{body: strings.NewReader(`[` + good + `]`)}, status: 400,
			body: `{"error":"body must be a JSON object: one result or {\"results\": [...]}"}`},
		{name: "malformed JSON", req: request{body: strings.NewReader(`{"host":"web1",}`)}, status: 400,
			body: `{"error":"malformed JSON: invalid character '}' looking for beginning of object key string (at byte 16)"}`},
		{name: "trailing data", req: request{body: strings.NewReader(good + `{}`)}, status: 400,
			body: `{"error":"malformed JSON: invalid character '{' after top-level value (at byte 44)"}`},
		{name: "unknown field", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":"ok","colour":"green"}`)},
			status: 400, body: `{"error":"colour: unknown field: want host, check, state, output or ttl","field":"colour"}`},
		{name: "field in capitals", req: request{body: strings.NewReader(`{"Host":"web1","check":"disk","state":"ok"}`)},
			status: 400, body: `{"error":"Host: unknown field: want host, check, state, output or ttl","field":"Host"}`},
		{name: "missing host", req: request{body: strings.NewReader(`{"check":"disk","state":"ok"}`)}, status: 400,
			body: `{"error":"host: missing","field":"host"}`},
		{name: "host not a string", req: request{body: strings.NewReader(`{"host":7,"check":"disk","state":"ok"}`)}, status: 400,
			body: `{"error":"host: must be a string like \"web1\", got number","field":"host"}`},
		{name: "empty check", req: request{body: strings.NewReader(`{"host":"web1","check":"","state":"ok"}`)}, status: 400,
			body: `{"error":"check: empty","field":"check"}`},
		{name: "slash in check", req: request{body: strings.NewReader(`{"host":"web1","check":"disk/var","state":"ok"}`)}, status: 400,
			body: `{"error":"check: \"disk/var\" holds a \"/\", which separates host and check in vakt","field":"check"}`},
		{name: "space around host", req: request{body: strings.NewReader(`{"host":" web1","check":"disk","state":"ok"}`)}, status: 400,
			body: `{"error":"host: \" web1\" has leading or trailing space","field":"host"}`},
		{name: "control character in host", req: request{body: strings.NewReader(`{"host":"web\u00071","check":"disk","state":"ok"}`)},
			status: 400, body: `{"error":"host: \"web\\a1\" holds a control character","field":"host"}`},
		{name: "host too long", req: request{body: strings.NewReader(`{"host":"` + strings.Repeat("h", 256) + `","check":"c","state":"ok"}`)},
			status: 400, body: `{"error":"host: longer than 255 bytes","field":"host"}`},
		{name: "missing state", req: request{body: strings.NewReader(`{"host":"web1","check":"disk"}`)}, status: 400,
			body: `{"error":"state: missing","field":"state"}`},
		{name: "bad state name", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":"fine"}`)}, status: 400,
			body: `{"error":"state: \"fine\" is not a state: want \"ok\", \"warning\", \"critical\", \"unknown\" or 0 to 3","field":"state"}`},
		{name: "state 4", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":4}`)}, status: 400,
			body: `{"error":"state: 4 is not a state: want \"ok\", \"warning\", \"critical\", \"unknown\" or 0 to 3","field":"state"}`},
		{name: "state 256 (wraps to 0 in a byte)", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":256}`)}, status: 400,
			body: `{"error":"state: 256 is not a state: want \"ok\", \"warning\", \"critical\", \"unknown\" or 0 to 3","field":"state"}`},
		{name: "state 1.5", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":1.5}`)}, status: 400,
			body: `{"error":"state: 1.5 is not a state: want \"ok\", \"warning\", \"critical\", \"unknown\" or 0 to 3","field":"state"}`},
		{name: "state null", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":null}`)}, status: 400,
			body: `{"error":"state: must be a string or a number, got null","field":"state"}`},
		{name: "output not a string", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":0,"output":["x"]}`)},
			status: 400, body: `{"error":"output: must be a string like \"DISK OK - 42% used | used=42%\", got array","field":"output"}`},
		{name: "bad ttl", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":0,"ttl":"2d"}`)}, status: 400,
			body: `{"error":"ttl: \"2d\" is not a duration: want e.g. \"90s\", \"30m\" or \"2h\"","field":"ttl"}`},
		{name: "negative ttl", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":0,"ttl":"-5m"}`)}, status: 400,
			body: `{"error":"ttl: \"-5m\" is not positive; leave ttl out for no freshness lifetime","field":"ttl"}`},
		{name: "ttl as a number", req: request{body: strings.NewReader(`{"host":"web1","check":"disk","state":0,"ttl":1800}`)}, status: 400,
			body: `{"error":"ttl: must be a string like \"30m\", got number","field":"ttl"}`},
		{name: "results not an array", req: request{body: strings.NewReader(`{"results":{"host":"a"}}`)}, status: 400,
			body: `{"error":"results: must be an array of result objects, got object","field":"results"}`},
		{name: "results null", req: request{body: strings.NewReader(`{"results":null}`)}, status: 400,
			body: `{"error":"results: must be an array of result objects, got null","field":"results"}`},
		{name: "results a string", req: request{body: strings.NewReader(`{"results":"a.b green"}`)}, status: 400,
			body: `{"error":"results: must be an array of result objects, got string","field":"results"}`},
		{name: "batch item null", req: request{body: strings.NewReader(`{"results":[null]}`)}, status: 400,
			body: `{"error":"results[0]: must be a result object, got null","index":0}`},
		{name: "empty batch", req: request{body: strings.NewReader(`{"results":[]}`)}, status: 400,
			body: `{"error":"results: empty: want at least one result","field":"results"}`},
		{name: "field next to results", req: request{body: strings.NewReader(`{"results":[` + good + `],"host":"x"}`)}, status: 400,
			body: `{"error":"host: unknown field next to \"results\"","field":"host"}`},
		{name: "batch item not an object", req: request{body: strings.NewReader(`{"results":[` + good + `,"web2"]}`)}, status: 400,
			body: `{"error":"results[1]: must be a result object, got string","index":1}`},
		{name: "batch item with a bad state", req: request{body: strings.NewReader(`{"results":[` + good + `,` + good +
			`,{"host":"web3","check":"disk","state":7}]}`)}, status: 400,
			body: `{"error":"results[2].state: 7 is not a state: want \"ok\", \"warning\", \"critical\", \"unknown\" or 0 to 3","field":"state","index":2}`},
		{name: "batch item with an unknown field", req: request{body: strings.NewReader(`{"results":[{"host":"a","check":"b","state":0,"perf":"x=1"}]}`)},
			status: 400, body: `{"error":"results[0].perf: unknown field: want host, check, state, output or ttl","field":"perf","index":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ht := startHTTP(t)
			status, body, header := ht.do(t, tt.req)
			if status != tt.status || body != tt.body+"\n" {
				t.Errorf("response = %d %s, want %d %s", status, body, tt.status, tt.body)
			}
			if ct := header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if tt.header[0] != "" && header.Get(tt.header[0]) != tt.header[1] {
				t.Errorf("%s = %q, want %q", tt.header[0], header.Get(tt.header[0]), tt.header[1])
			}
			// All or nothing: a refused request leaves nothing behind.
			if got := ht.sink.results.all(); len(got) != 0 {
				t.Errorf("the sink got %+v from a refused request", got)
			}
		})
	}
}

// Refusals are logged with the reason, without the token.
func TestResultsHandlerLogs(t *testing.T) {
	ht := startHTTP(t)
	ht.do(t, request{auth: "Bearer wrong-token", body: strings.NewReader(`{}`)})
	ht.do(t, request{body: strings.NewReader(`{"host":"a","check":"b","state":9}`)})
	e, _ := ht.log.waitEntry(t, map[string]any{"message": "passive results refused: not authorised"})
	if e["reason"] != "invalid token" || e["level"] != "warn" {
		t.Errorf("log entry = %v, want a warning with reason invalid token", e)
	}
	for _, entry := range ht.log.all() {
		for k, v := range entry {
			if s, ok := v.(string); ok && strings.Contains(s, "wrong-token") {
				t.Errorf("log entry %v holds the token in %s", entry, k)
			}
		}
	}
	e, _ = ht.log.waitEntry(t, map[string]any{"message": "passive results rejected"})
	if e["error"] != `state: 9 is not a state: want "ok", "warning", "critical", "unknown" or 0 to 3` {
		t.Errorf("logged error = %v", e["error"])
	}
}

// A sink error stops the batch there: 503, with how many were taken.
func TestResultsHandlerSinkError(t *testing.T) {
	ht := startHTTP(t)
	ht.sink.fail = func(r Result) error {
		if r.Host == "b" {
			return errors.New("store is down")
		}
		return nil
	}
	status, body, _ := ht.do(t, request{body: strings.NewReader(`{"results":[` +
		`{"host":"a","check":"c","state":0},{"host":"b","check":"c","state":0},{"host":"d","check":"c","state":0}]}`)})
	want := `{"error":"submitting results[1]: store is down","accepted":1}` + "\n"
	if status != http.StatusServiceUnavailable || body != want {
		t.Errorf("response = %d %s, want 503 %s", status, body, want)
	}
	if got := ht.sink.results.all(); len(got) != 1 || got[0].Host != "a" {
		t.Errorf("results = %+v, want only a", got)
	}
	status, body, _ = ht.do(t, request{body: strings.NewReader(`{"host":"b","check":"c","state":0}`)})
	want = `{"error":"submitting the result: store is down","accepted":0}` + "\n"
	if status != http.StatusServiceUnavailable || body != want {
		t.Errorf("response = %d %s, want 503 %s", status, body, want)
	}
}

func TestNewResultsHandler(t *testing.T) {
	sink := newRecordingSink()
	tests := []struct {
		name   string
		tokens []string
		sink   Sink
		err    string
	}{
		{"no tokens", nil, sink, "creating the results handler: no API tokens"},
		{"empty token", []string{"good", " "}, sink, "creating the results handler: API token 1 is empty"},
		{"no sink", []string{"good"}, nil, "creating the results handler: no sink"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewResultsHandler(tt.tokens, tt.sink, zerolog.Nop())
			if err == nil || err.Error() != tt.err || h != nil {
				t.Errorf("NewResultsHandler = %v, %v; want nil, %q", h, err, tt.err)
			}
		})
	}
}
