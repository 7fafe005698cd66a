package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/schedule"
)

// The HTTP API is tested end to end, with a real daemon behind it, in
// core/daemon (api_test.go). These tests cover what needs no daemon.

func TestListenURL(t *testing.T) {
	for _, tc := range []struct {
		listen, want, err string
	}{
		{"127.0.0.1:8484", "http://127.0.0.1:8484", ""},
		{":8484", "http://127.0.0.1:8484", ""},
		{"0.0.0.0:8484", "http://127.0.0.1:8484", ""},
		{"[::]:8484", "http://127.0.0.1:8484", ""},
		{"[::1]:8484", "http://[::1]:8484", ""},
		{"localhost:80", "http://localhost:80", ""},
		{"127.0.0.1:0", "", `listen address "127.0.0.1:0" has no fixed port to connect to`},
		{"127.0.0.1", "", `listen address "127.0.0.1": address 127.0.0.1: missing port in address`},
		{"", "", `listen address "": missing port in address`},
	} {
		t.Run(tc.listen, func(t *testing.T) {
			got, err := ListenURL(tc.listen)
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			if got != tc.want || errText != tc.err {
				t.Errorf("ListenURL(%q) = %q, %q; want %q, %q", tc.listen, got, errText, tc.want, tc.err)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:4000":  true,
		"127.8.9.1:4000":  true,
		"[::1]:4000":      true,
		"192.0.2.1:4000":  false,
		"[2001:db8::1]:1": false,
		"127.0.0.1":       false, // no port: not what net/http sets
		"garbage":         false,
		"":                false,
	} {
		if got := isLoopback(addr); got != want {
			t.Errorf("isLoopback(%q) = %v; want %v", addr, got, want)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	if _, err := New(Options{}); err == nil || err.Error() != "creating the HTTP API: no backend" {
		t.Errorf("New without a backend = %v", err)
	}
}

// TestWriteMetrics checks the exposition of one set of counters, byte for
// byte.
func TestWriteMetrics(t *testing.T) {
	m := Metrics{
		Scheduler: schedule.Stats{Checks: 3, Queued: 1, Running: 2, Missed: 4, Panics: 0, Lateness: schedule.Lateness{
			Count: 10, Sum: 1500 * time.Millisecond, P50: 2500 * time.Microsecond, P99: 400 * time.Millisecond, Max: 410 * time.Millisecond,
		}},
		Engine: engine.Stats{PassiveResults: 3, Refused: 2, Transitions: 4, Commits: 7, CommitFailures: 1, CommitSeconds: 0.25,
			QueuedTransitions: 12, QueuedPerf: 30, PerfShed: 5, StoreFailing: true, PassiveChecks: 6, PassiveCreated: 8, PassiveRemoved: 2},
		BigBrother:     &passive.Stats{Connections: 5, Active: 1, Accepted: 3, Commands: 1, Rejected: 1, TimedOut: 0, SinkErrors: 2, Refused: 6, OverLimit: 7, Empty: 8, Queued: 9},
		Runs:           10,
		RunsRefused:    1,
		StoreErrors:    0,
		Reloads:        2,
		ReloadFailures: 1,
	}
	statuses := []CheckStatus{
		{ID: "a/1", Checked: true, State: "OK"},
		{ID: "a/2", Checked: true, State: "CRITICAL"},
		{ID: "a/3", Checked: true, State: "CRITICAL"},
		{ID: "a/4", Checked: false, State: "OK"},
	}
	var b strings.Builder
	if err := WriteMetrics(&b, m, statuses); err != nil {
		t.Fatal(err)
	}
	var samples []string
	for _, line := range strings.Split(b.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			samples = append(samples, line)
		}
	}
	want := []string{
		`vakt_scheduler_lateness_seconds{quantile="0.5"} 0.0025`,
		`vakt_scheduler_lateness_seconds{quantile="0.99"} 0.4`,
		`vakt_scheduler_lateness_seconds_sum 1.5`,
		`vakt_scheduler_lateness_seconds_count 10`,
		`vakt_scheduler_lateness_max_seconds 0.41`,
		`vakt_scheduler_checks 3`,
		`vakt_scheduler_queued 1`,
		`vakt_scheduler_running 2`,
		`vakt_scheduler_missed_total 4`,
		`vakt_scheduler_panics_total 0`,
		`vakt_check_runs_total 10`,
		`vakt_check_runs_refused_total 1`,
		`vakt_passive_results_total 3`,
		`vakt_results_refused_total 2`,
		`vakt_transitions_total 4`,
		`vakt_store_commits_total 7`,
		`vakt_store_commit_failures_total 1`,
		`vakt_store_commit_seconds_total 0.25`,
		`vakt_store_queued_transitions 12`,
		`vakt_store_queued_perfdata 30`,
		`vakt_store_perfdata_shed_total 5`,
		`vakt_store_failing 1`,
		`vakt_store_errors_total 0`,
		`vakt_passive_checks 6`,
		`vakt_passive_checks_created_total 8`,
		`vakt_passive_checks_removed_total 2`,
		`vakt_reloads_total{result="ok"} 2`,
		`vakt_reloads_total{result="failed"} 1`,
		`vakt_checks{state="pending"} 1`,
		`vakt_checks{state="OK"} 1`,
		`vakt_checks{state="WARNING"} 0`,
		`vakt_checks{state="CRITICAL"} 2`,
		`vakt_checks{state="UNKNOWN"} 0`,
		`vakt_bigbrother_connections_total 5`,
		`vakt_bigbrother_connections_active 1`,
		`vakt_bigbrother_results_total 3`,
		`vakt_bigbrother_commands_total 1`,
		`vakt_bigbrother_rejected_total 1`,
		`vakt_bigbrother_timeouts_total 0`,
		`vakt_bigbrother_sink_errors_total 2`,
		`vakt_bigbrother_refused_total 6`,
		`vakt_bigbrother_over_limit_total 7`,
		`vakt_bigbrother_empty_total 8`,
		`vakt_bigbrother_queued 9`,
	}
	if strings.Join(samples, "\n") != strings.Join(want, "\n") {
		t.Errorf("samples:\n%s\nwant:\n%s", strings.Join(samples, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(b.String(), "# HELP vakt_scheduler_lateness_seconds How late check runs started") ||
		!strings.Contains(b.String(), "\n# TYPE vakt_scheduler_lateness_seconds summary\n") {
		t.Errorf("the page does not start with the lateness family's HELP and TYPE:\n%s", b.String())
	}

	m.BigBrother = nil
	b.Reset()
	if err := WriteMetrics(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "vakt_bigbrother") {
		t.Error("Big Brother metrics written while the listener is off")
	}
}

// failingWriter fails every write, as a client that hung up does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestWriteMetricsError(t *testing.T) {
	err := WriteMetrics(failingWriter{}, Metrics{}, nil)
	if err == nil || err.Error() != "writing metrics: connection reset" {
		t.Errorf("WriteMetrics to a failing writer = %v", err)
	}
}

// TestClientErrors: the client reports what went wrong, for answers that
// are not the API's (a proxy, another program on the port).
func TestClientErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		wantErr string
	}{
		{"plain text error", http.StatusBadGateway, "bad gateway", "reading status: GET /api/v1/status?problems=1: 502 Bad Gateway"},
		{"JSON error", http.StatusUnauthorized, `{"error":"invalid token"}`, "reading status: GET /api/v1/status?problems=1: 401 Unauthorized: invalid token"},
		{"not JSON", http.StatusOK, "<html>", "reading status: decoding the response of GET /api/v1/status?problems=1: invalid character '<' looking for beginning of value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := &Client{BaseURL: srv.URL}
			_, err := c.Status(context.Background(), true)
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("Status = %v; want %q", err, tc.wantErr)
			}
		})
	}
}
