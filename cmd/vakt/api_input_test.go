package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeAPI serves one fixed answer on loopback, as a program that is not
// vakt (or a broken proxy) would, and returns its host:port.
func fakeAPI(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// closedAddr returns a loopback host:port nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	return addr
}

// TestStatusReloadBadDaemon: vakt status and vakt reload against no daemon,
// against something that answers garbage, or with settings that name no
// daemon, print one clear line and exit 3; they never report success.
func TestStatusReloadBadDaemon(t *testing.T) {
	down := closedAddr(t)
	html := fakeAPI(t, http.StatusOK, "<html>hello</html>")
	html422 := fakeAPI(t, http.StatusUnprocessableEntity, "<html>no</html>")
	proxyErr := fakeAPI(t, http.StatusBadGateway, "upstream down")
	purple := fakeAPI(t, http.StatusOK, `{"checks":[{"id":"a/b","checked":true,"state":"PURPLE"}]}`)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		args   []string
		stderr string // the whole of it
	}{
		{"status, no daemon", nil, []string{"status", "--listen", down},
			`vakt: reading status: cannot reach the daemon (is vakt run running?): Get "http://` + down + `/api/v1/status?problems=1": dial tcp ` + down + ": connect: connection refused\n"},
		{"reload, no daemon", nil, []string{"reload", "--listen", down, "--api-token", "t"},
			`vakt: reloading: cannot reach the daemon (is vakt run running?): Post "http://` + down + `/api/v1/reload": dial tcp ` + down + ": connect: connection refused\n"},
		{"status, HTML", nil, []string{"status", "--all", "--listen", html},
			"vakt: reading status: decoding the response of GET /api/v1/status: invalid character '<' looking for beginning of value\n"},
		{"reload, HTML", nil, []string{"reload", "--listen", html},
			"vakt: reloading: decoding the response of POST /api/v1/reload: invalid character '<' looking for beginning of value\n"},
		{"status, 422", nil, []string{"status", "--listen", html422},
			"vakt: reading status: GET /api/v1/status?problems=1: 422 Unprocessable Entity\n"},
		{"reload, 422 that is not a report", nil, []string{"reload", "--listen", html422},
			"vakt: reloading: decoding the response of POST /api/v1/reload: invalid character '<' looking for beginning of value\n"},
		{"status, proxy error", map[string]string{"VAKT_LISTEN": proxyErr}, []string{"status"},
			"vakt: reading status: GET /api/v1/status?problems=1: 502 Bad Gateway\n"},
		{"reload, proxy error", nil, []string{"reload", "--listen", proxyErr},
			"vakt: reloading: POST /api/v1/reload: 502 Bad Gateway\n"},
		{"status, unknown state", nil, []string{"status", "--listen", purple},
			`vakt: reading status: the daemon answered check a/b: unknown state "PURPLE": want ok, warning, critical or unknown` + "\n"},
		{"status, API off", nil, []string{"status", "--listen", "off"},
			"vakt: the HTTP API is off (setting listen = off): nothing to talk to\n"},
		{"reload, port 0", nil, []string{"reload", "--listen", "127.0.0.1:0"},
			`vakt: setting listen: listen address "127.0.0.1:0" has no fixed port to connect to` + "\n"},
		{"status, bad listen address", map[string]string{"VAKT_LISTEN": "127.0.0.1:http-ish"}, []string{"status"},
			`vakt: settings (VAKT_* variables, flags): setting listen: "127.0.0.1:http-ish" is not host:port (or off): bad port "http-ish": want a number from 0 to 65535` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearVaktEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, stdout, stderr := vakt(t, tc.args...)
			if code != 3 || stdout != "" || stderr != tc.stderr {
				t.Errorf("vakt %s = exit %d\nstdout: %q\nstderr: %q\nwant exit 3, no stdout, stderr %q", strings.Join(tc.args, " "), code, stdout, stderr, tc.stderr)
			}
		})
	}
}
