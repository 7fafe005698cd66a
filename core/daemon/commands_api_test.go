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
