package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

const pluginDir = "/usr/lib/nagios/plugins"

func requirePlugins(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pluginDir, "check_dummy")); err != nil {
		t.Fatalf("Debian's monitoring-plugins are missing (%v): `make test` installs monitoring-plugins-basic", err)
	}
}

// syncBuffer is a buffer that, like a file, may be written from several
// goroutines at once: checks running concurrently log to stderr.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// vakt runs the command line in-process and returns its exit code and output.
func vakt(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut syncBuffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestShippedChecks runs `vakt check checks.d` on this machine: every
// shipped check passes on a healthy machine. The TCP check gets a listener.
func TestShippedChecks(t *testing.T) {
	requirePlugins(t)
	// The baseline's tcp check and the tcp and http plugin examples need a
	// service on this machine: an HTTP server on loopback serves both.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "vakt test server")
	}))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("VAKT_LOCAL_TCP_PORT", u.Port())
	t.Setenv("VAKT_LOCAL_HTTP_URL", srv.URL+"/")

	code, stdout, stderr := vakt(t, "check", "--format", "junit", "../../checks.d")
	if code != 0 {
		t.Fatalf("vakt check checks.d exited %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	suite := parseJUnit(t, stdout)
	names := map[string]bool{}
	for _, c := range suite.Cases {
		names[c.Name] = true
		if c.Failure != nil {
			t.Errorf("%s/%s failed on a healthy machine: %s", c.Class, c.Name, c.Failure.Message)
		}
	}
	for _, want := range []string{"disk-root", "load", "procs", "swap", "users", "tcp",
		"example-plugin-disk", "example-plugin-dns", "example-plugin-http", "example-plugin-load",
		"example-plugin-memory", "example-plugin-ping", "example-plugin-procs", "example-plugin-tcp"} {
		if !names[want] {
			t.Errorf("baseline check %q missing from the JUnit output", want)
		}
	}
}

func TestCheckExitCodeAndFormats(t *testing.T) {
	requirePlugins(t)
	t.Run("table", func(t *testing.T) {
		code, stdout, _ := vakt(t, "check", "../../testdata/packs/mixed")
		if code != 2 {
			t.Errorf("exit code %d, want 2 (CRITICAL ranks above UNKNOWN)", code)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 5 || !strings.HasPrefix(lines[0], "CHECK") {
			t.Fatalf("table has %d lines, want header and 4 rows:\n%s", len(lines), stdout)
		}
		for i, want := range [][]string{
			{"dummy-ok", "localhost", "OK", "OK: all fine"},
			{"dummy-warning", "localhost", "WARNING", "WARNING: getting full"},
			{"dummy-critical", "localhost", "CRITICAL", "CRITICAL: down"},
			{"dummy-unknown", "localhost", "UNKNOWN", "UNKNOWN: no idea"},
		} {
			f := strings.Fields(lines[i+1])
			if f[0] != want[0] || f[1] != want[1] || f[2] != want[2] || !strings.HasSuffix(lines[i+1], want[3]) {
				t.Errorf("row %d = %q, want %q", i+1, lines[i+1], want)
			}
		}
	})
	t.Run("worst is the exit code", func(t *testing.T) {
		code, stdout, stderr := vakt(t, "check", "../../testdata/packs/warning")
		if code != 1 {
			t.Errorf("exit code %d, want 1\n%s%s", code, stdout, stderr)
		}
		if !strings.Contains(stdout, "OK: fine on 127.0.0.1") {
			t.Errorf("host address not interpolated:\n%s", stdout)
		}
	})
	t.Run("junit", func(t *testing.T) {
		code, stdout, _ := vakt(t, "check", "--format", "junit", "../../testdata/packs/mixed")
		if code != 2 {
			t.Errorf("exit code %d, want 2", code)
		}
		suite := parseJUnit(t, stdout)
		if suite.Tests != 4 || len(suite.Cases) != 4 || suite.Failures != 3 {
			t.Fatalf("suite tests=%d cases=%d failures=%d, want 4, 4, 3", suite.Tests, len(suite.Cases), suite.Failures)
		}
		for _, c := range suite.Cases {
			failed := c.Failure != nil
			if failed != (c.Name != "dummy-ok") {
				t.Errorf("case %s: failure element present = %v", c.Name, failed)
			}
		}
	})
	t.Run("json to a file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "results.json")
		code, stdout, _ := vakt(t, "check", "--format", "json", "--output", path, "../../testdata/packs/mixed/mixed.hcl")
		if code != 2 || stdout != "" {
			t.Errorf("exit code %d, stdout %q; want 2 and nothing on stdout", code, stdout)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Worst   string
			Results []struct{ Check, State, Output string }
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("JSON output: %v\n%s", err, data)
		}
		if doc.Worst != "CRITICAL" || len(doc.Results) != 4 || doc.Results[1].State != "WARNING" || doc.Results[1].Output != "WARNING: getting full" {
			t.Errorf("JSON = %+v", doc)
		}
	})
	t.Run("verbose", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "v.hcl"), `check "long" {
  command = ["/bin/sh", "-c", "printf 'OK top\nsecond line\n| a=1;2;3\n'"]
}`)
		code, stdout, stderr := vakt(t, "check", "-v", dir)
		if code != 0 || !strings.Contains(stdout, "    second line\n    perfdata: a=1;2;3\n") {
			t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
	})
}

func TestCheckBadInput(t *testing.T) {
	for _, tt := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no arguments", []string{"check"}, 3, "requires at least 1 arg"},
		{"unknown format", []string{"check", "--format", "yaml", "../../testdata/packs/warning"}, 3, `unknown output format "yaml"`},
		{"missing folder", []string{"check", "does-not-exist"}, 3, "does-not-exist"},
		{"broken file", []string{"check", "../../testdata/config/bad"}, 3, ".hcl:"},
		{"validate broken file", []string{"validate", "../../testdata/config/bad"}, 1, "error(s) found"},
		{"unwritable --output", []string{"check", "--output", "/nonexistent/dir/results.xml", "../../testdata/packs/warning"}, 3,
			"vakt: creating --output file: open /nonexistent/dir/results.xml: no such file or directory"},
		{"no checks", []string{"check", "../../testdata/packs/empty"}, 3, "no checks found in ../../testdata/packs/empty; nothing was run"},
		{"bad log level", []string{"check", "--log-level", "loud", "../../testdata/packs/warning"}, 3, "parsing --log-level"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := vakt(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// TestCheckLimitsFromHCL runs a pack whose checks set timeout,
// timeout_state and output_limit, and reads the JSON results: each setting
// reached the plugin's run.
func TestCheckLimitsFromHCL(t *testing.T) {
	code, stdout, stderr := vakt(t, "check", "--format", "json", "../../testdata/packs/limits")
	if code != 2 {
		t.Errorf("exit code %d, want 2 (the default timeout state is CRITICAL)\nstderr:\n%s", code, stderr)
	}
	var doc struct {
		Results []struct {
			Check, State, Output string
			TimedOut             bool `json:"timed_out"`
			Notes                []string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("JSON output: %v\n%s", err, stdout)
	}
	type result struct {
		check, state, output string
		timedOut             bool
		notes                string
	}
	want := []result{
		{"timeout-warning", "WARNING", "(Service check timed out after 1.00 seconds)", true, ""},
		{"timeout-default", "CRITICAL", "(Service check timed out after 1.00 seconds)", true, ""},
		{"output-limit", "OK", "OK 1234567", false, "output truncated at 10 bytes (plugin wrote 13)"},
	}
	var got []result
	for _, r := range doc.Results {
		got = append(got, result{r.Check, r.State, r.Output, r.TimedOut, strings.Join(r.Notes, "; ")})
	}
	if !slices.Equal(got, want) {
		t.Errorf("results:\n got %+v\nwant %+v", got, want)
	}
}

// TestValidateReportsEveryError validates a folder whose three files hold
// nine errors of every kind: all are printed, with file:line:col and the
// source line, exactly as the config package's golden file has them.
func TestValidateReportsEveryError(t *testing.T) {
	t.Chdir("../..") // so that paths in diagnostics match the golden file
	golden, err := os.ReadFile("testdata/config/bad/multi.golden")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		code int
		tail string
	}{
		{"validate", []string{"validate", "testdata/config/bad/multi"}, 1, "9 error(s) found\n"},
		{"check runs nothing", []string{"check", "testdata/config/bad/multi"}, 3, "9 error(s) found; nothing was run\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := vakt(t, tt.args...)
			if code != tt.code || stdout != "" {
				t.Errorf("exit code %d, stdout %q; want %d and nothing", code, stdout, tt.code)
			}
			if want := string(golden) + tt.tail; stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
			}
		})
	}
}

func TestValidateGood(t *testing.T) {
	code, stdout, stderr := vakt(t, "validate", "../../checks.d")
	if code != 0 || !strings.HasPrefix(stdout, "ok: ") {
		t.Errorf("validate checks.d: exit %d\n%s%s", code, stdout, stderr)
	}
}

type junitSuite struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Cases    []struct {
		Name    string `xml:"name,attr"`
		Class   string `xml:"classname,attr"`
		Failure *struct {
			Message string `xml:"message,attr"`
		} `xml:"failure"`
	} `xml:"testcase"`
}

func parseJUnit(t *testing.T, doc string) junitSuite {
	t.Helper()
	var suites struct {
		Suites []junitSuite `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(doc), &suites); err != nil {
		t.Fatalf("output is not JUnit XML: %v\n%s", err, doc)
	}
	if len(suites.Suites) != 1 {
		t.Fatalf("%d test suites, want 1", len(suites.Suites))
	}
	return suites.Suites[0]
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSameDiagnosticsEverywhere: validate, check and run read checks.d
// along one load path, so a bad pack gives each of them the same
// diagnostics, including what only the scheduler used to refuse (an
// interval of 400 days), followed by each command's own summary line.
func TestSameDiagnosticsEverywhere(t *testing.T) {
	dir := newDaemonDir(t)
	file := filepath.Join(dir.checks, "checks.hcl")
	commands := []struct {
		name string
		args []string
		code int
		tail string
	}{
		{"validate", []string{"validate", dir.checks}, 1, "%d error(s) found\n"},
		{"check", []string{"check", dir.checks}, 3, "%d error(s) found; nothing was run\n"},
		{"run", []string{"run", "--checks-dir", dir.checks, "--state-dir", dir.state, "--listen", "off", "--bb-listen", "off"},
			1, "vakt: %d error(s) in " + dir.checks + "; not started\n"},
	}
	packs := []struct {
		name, src, text string
		errors          int
	}{
		{"interval of 400 days", `check "fine" {
  command = ["/bin/true"]
}
check "yearly" {
  command  = ["/bin/true"]
  interval = "400d"
}
`, file + `:4:1: error: Interval too long
  4 | check "yearly" {
    | ^^^^^^^^^^^^^^
  Check localhost/yearly: interval (9600h0m0s) and retry_interval (1m0s) may be at most 8784h0m0s.
`, 1},
		{"loader errors", `check "typo" {
  command  = ["/bin/true"]
  timeout  = "5x"
}
check "nowhere" {
  host    = "web9"
  command = ["/bin/true"]
}
`, file + `:3:14: error: Invalid duration
  3 |   timeout  = "5x"
    |              ^^^^
  "5x" is not a duration: write a number and a unit (s, m, h, d), like "30s", "5m", "1h30m" or "1d".

` + file + `:6:13: error: Unknown host
  6 |   host    = "web9"
    |             ^^^^^^
  No host "web9" is declared.
`, 2},
	}
	for _, p := range packs {
		writeFile(t, file, p.src)
		for _, c := range commands {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				code, stdout, stderr := vakt(t, c.args...)
				want := p.text + fmt.Sprintf(c.tail, p.errors)
				if code != c.code || stdout != "" || stderr != want {
					t.Errorf("exit code %d, stdout %q, stderr:\n%s\nwant exit code %d and:\n%s", code, stdout, stderr, c.code, want)
				}
			})
		}
	}
}
