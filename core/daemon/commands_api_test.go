package daemon

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/server"
)

// TestAPICommandsNeedToken: with tokens configured, every write endpoint
// of the command path answers 401 without a token or with a wrong one and
// changes nothing; with the token the same requests are carried out.
func TestAPICommandsNeedToken(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "crit", 2, "down", "max_attempts = 1"))
	d := start(t, env, nil)
	const id = "localhost/crit"
	if err := d.sched.RunNow(id); err != nil {
		t.Fatal(err)
	}
	d.waitStatus(t, id, "CRITICAL HARD", isState("CRITICAL", "HARD"))
	// A dynamic passive check to try to remove.
	code, _, body := d.call(t, http.MethodPost, "/api/v1/results", testToken, "application/json", `{"host":"web1","check":"disk","state":"warning"}`)
	if code != http.StatusAccepted {
		t.Fatalf("POST /api/v1/results = %d %s; want 202", code, body)
	}
	d.waitStatus(t, "web1/disk", "WARNING", func(c server.CheckStatus) bool { return c.State == "WARNING" })

	const json = "application/json"
	writes := []struct{ method, path, contentType, body string }{
		{http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/crit","author":"ops"}`},
		{http.MethodDelete, "/api/v1/acks?check=localhost/crit", "", ""},
		{http.MethodPost, "/api/v1/downtimes", json, `{"host":"localhost","duration":"1h","author":"ops"}`},
		{http.MethodDelete, "/api/v1/downtimes/dt-000000000000", "", ""},
		{http.MethodDelete, "/api/v1/passive/web1/disk", "", ""},
		{http.MethodPost, "/api/v1/reload?force=1", "", ""},
	}
	for _, w := range writes {
		for _, tc := range []struct{ name, token, answer string }{
			{"no token", "", `{"error":"missing bearer token: send Authorization: Bearer TOKEN"}`},
			{"wrong token", "nope", `{"error":"invalid token"}`},
		} {
			t.Run(w.method+" "+w.path+" "+tc.name, func(t *testing.T) {
				code, header, body := d.call(t, w.method, w.path, tc.token, w.contentType, w.body)
				if code != http.StatusUnauthorized || strings.TrimSpace(body) != tc.answer || header.Get("WWW-Authenticate") != `Bearer realm="vakt"` {
					t.Errorf("= %d %s (WWW-Authenticate %q); want 401 %s", code, body, header.Get("WWW-Authenticate"), tc.answer)
				}
			})
		}
	}
	if c := d.status(t, id); c.Acknowledged || c.InDowntime {
		t.Errorf("%s after refused writes = %+v; want neither acknowledged nor in downtime", id, c)
	}
	if dts := d.Engine().Downtimes(); len(dts) != 0 {
		t.Errorf("downtimes after refused writes = %+v; want none", dts)
	}
	if !d.has("web1/disk") {
		t.Errorf("web1/disk is gone after a refused removal; have %v", d.ids())
	}

	// The same requests with the token: carried out.
	for _, tc := range []struct {
		method, path, contentType, body string
		code                            int
		answer                          string
	}{
		{http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/crit","author":"ops"}`, http.StatusCreated, `{"checks":["localhost/crit"]}`},
		{http.MethodDelete, "/api/v1/acks?check=localhost/crit", "", "", http.StatusOK, `{"checks":["localhost/crit"]}`},
		{http.MethodDelete, "/api/v1/passive/web1/disk", "", "", http.StatusOK, `{"checks":["web1/disk"]}`},
	} {
		code, _, body := d.call(t, tc.method, tc.path, testToken, tc.contentType, tc.body)
		if code != tc.code || strings.TrimSpace(body) != tc.answer {
			t.Errorf("%s %s with the token = %d %s; want %d %s", tc.method, tc.path, code, body, tc.code, tc.answer)
		}
	}
	code, _, body = d.call(t, http.MethodPost, "/api/v1/downtimes", testToken, json, `{"host":"localhost","duration":"1h","author":"ops"}`)
	if code != http.StatusCreated || !strings.Contains(body, `"check":"localhost/crit"`) {
		t.Errorf("POST /api/v1/downtimes with the token = %d %s; want 201 and a downtime of localhost/crit", code, body)
	}
	if c := d.status(t, id); !c.InDowntime {
		t.Errorf("%s after a downtime = %+v; want in downtime", id, c)
	}
	if d.has("web1/disk") {
		t.Errorf("web1/disk is still there after its removal; have %v", d.ids())
	}
}

// TestAPICommandsRefuseMalformed: a malformed command request gets a
// clear JSON error with the right status and changes nothing.
func TestAPICommandsRefuseMalformed(t *testing.T) {
	env := newEnv(t)
	env.writeChecks(t, idleCheck("localhost", "crit", 2, "down", "max_attempts = 1")+idleCheck("localhost", "fine", 0, "ok", ""))
	d := start(t, env, nil)
	if err := d.sched.RunNow("localhost/crit"); err != nil {
		t.Fatal(err)
	}
	d.waitStatus(t, "localhost/crit", "CRITICAL HARD", isState("CRITICAL", "HARD"))
	if err := d.sched.RunNow("localhost/fine"); err != nil {
		t.Fatal(err)
	}
	d.waitStatus(t, "localhost/fine", "OK", func(c server.CheckStatus) bool { return c.Checked })

	const json = "application/json"
	for _, tc := range []struct {
		name, method, path, contentType, body string
		code                                  int
		answer                                string
	}{
		{"ack not JSON", http.MethodPost, "/api/v1/acks", json, `{"check":`, 400,
			`{"error":"decoding the request body: unexpected EOF"}`},
		{"ack unknown field", http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/crit","author":"ops","sticky2":true}`, 400,
			`{"error":"decoding the request body: json: unknown field \"sticky2\""}`},
		{"ack two values", http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/crit","author":"ops"} {}`, 400,
			`{"error":"the request body holds more than one JSON value"}`},
		{"ack form content type", http.MethodPost, "/api/v1/acks", "application/x-www-form-urlencoded", `check=localhost/crit`, 415, ""},
		{"ack two targets", http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/crit","host":"localhost","author":"ops"}`, 400,
			`{"error":"invalid input: name exactly one of a check, a host or a tag"}`},
		{"ack without author", http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/crit"}`, 400,
			`{"error":"acknowledging: invalid input: an author is required"}`},
		{"ack of an OK check", http.MethodPost, "/api/v1/acks", json, `{"check":"localhost/fine","author":"ops"}`, 409, ""},
		{"ack of an unknown check", http.MethodPost, "/api/v1/acks", json, `{"check":"nohost/x","author":"ops"}`, 404,
			`{"error":"check nohost/x: no such check"}`},
		{"unack with an unknown parameter", http.MethodDelete, "/api/v1/acks?checks=localhost/crit", "", "", 400,
			`{"error":"unknown query parameter \"checks\": want check, host or tag"}`},
		{"downtime bad duration", http.MethodPost, "/api/v1/downtimes", json, `{"host":"localhost","duration":"1 hour","author":"ops"}`, 400,
			`{"error":"duration \"1 hour\": want a positive Go duration such as 90m or 2h"}`},
		{"downtime without an end", http.MethodPost, "/api/v1/downtimes", json, `{"host":"localhost","author":"ops"}`, 400,
			`{"error":"a downtime needs an end or a duration"}`},
		{"flexible downtime without a duration", http.MethodPost, "/api/v1/downtimes", json,
			`{"host":"localhost","flexible":true,"end":"2099-01-01T00:00:00Z","author":"ops"}`, 400,
			`{"error":"a flexible downtime needs a duration: how long it lasts once a problem starts it"}`},
		{"downtime on a bad tag", http.MethodPost, "/api/v1/downtimes", json, `{"tag":"role","duration":"1h","author":"ops"}`, 400,
			`{"error":"invalid input: tag \"role\": want key=value"}`},
		{"cancel an unknown downtime", http.MethodDelete, "/api/v1/downtimes/dt-000000000000", "", "", 404,
			`{"error":"cancelling downtime \"dt-000000000000\": unknown downtime"}`},
		{"remove a passive check without its check", http.MethodDelete, "/api/v1/passive/web1", "", "", 400,
			`{"error":"DELETE /api/v1/passive/HOST/CHECK: name one passive check"}`},
		{"remove a check of checks.d as passive", http.MethodDelete, "/api/v1/passive/localhost/crit", "", "", 409, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, header, body := d.call(t, tc.method, tc.path, testToken, tc.contentType, tc.body)
			if code != tc.code || header.Get("Content-Type") != "application/json" || (tc.answer != "" && strings.TrimSpace(body) != tc.answer) {
				t.Errorf("= %d %s (%s); want %d %s", code, body, header.Get("Content-Type"), tc.code, tc.answer)
			}
		})
	}
	if c := d.status(t, "localhost/crit"); c.Acknowledged || c.InDowntime {
		t.Errorf("localhost/crit after refused commands = %+v; want neither acknowledged nor in downtime", c)
	}
	if dts := d.Engine().Downtimes(); len(dts) != 0 {
		t.Errorf("downtimes after refused commands = %+v; want none", dts)
	}
}
