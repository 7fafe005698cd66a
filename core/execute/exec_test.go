package execute

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/vakt/vakt/core/check"
)

// nagiosPluginDir is where Debian's monitoring-plugins-basic installs.
const nagiosPluginDir = "/usr/lib/nagios/plugins"

// runLimit is how long any single Run may take before the test calls it
// hung; far beyond what a loaded CI machine needs.
const runLimit = 3 * time.Minute

// nagiosPlugin returns the path of a real monitoring-plugins plugin.
func nagiosPlugin(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(nagiosPluginDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("plugin %s is missing (%v): `make test` installs monitoring-plugins-basic (apt-get install monitoring-plugins-basic)", path, err)
	}
	return path
}

// testPlugin returns the absolute path of a script in testdata/plugins.
func testPlugin(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join("..", "..", "testdata", "plugins", name))
	if err != nil {
		t.Fatalf("finding test plugin %s: %v", name, err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("test plugin %s: %v", name, err)
	}
	return path
}

func newTestExec(t *testing.T) *Exec {
	return NewExec(zerolog.New(zerolog.NewTestWriter(t)))
}

// run runs job and fails the test if Run does not return within runLimit.
func run(t *testing.T, ctx context.Context, e *Exec, job Job) check.Result {
	t.Helper()
	done := make(chan check.Result, 1)
	go func() { done <- e.Run(ctx, job) }()
	select {
	case res := <-done:
		return res
	case <-time.After(runLimit):
		t.Fatalf("Run(%q) did not return within %s", job.Argv, runLimit)
		return check.Result{}
	}
}

// want is the part of a Result a test asserts exactly.
type want struct {
	state    check.State
	exitCode int
	output   string
	long     string
	raw      string // RawPerfdata
	notes    []string
	timedOut bool
}

func assertResult(t *testing.T, got check.Result, w want) {
	t.Helper()
	if got.State != w.state {
		t.Errorf("State = %s, want %s (output %q)", got.State, w.state, got.Output)
	}
	if got.ExitCode != w.exitCode {
		t.Errorf("ExitCode = %d, want %d", got.ExitCode, w.exitCode)
	}
	if got.Output != w.output {
		t.Errorf("Output = %q, want %q", got.Output, w.output)
	}
	if got.Long != w.long {
		t.Errorf("Long = %q, want %q", got.Long, w.long)
	}
	if got.RawPerfdata != w.raw {
		t.Errorf("RawPerfdata = %q, want %q", got.RawPerfdata, w.raw)
	}
	if !slices.Equal(got.Notes, w.notes) {
		t.Errorf("Notes = %q, want %q", got.Notes, w.notes)
	}
	if got.TimedOut != w.timedOut {
		t.Errorf("TimedOut = %v, want %v", got.TimedOut, w.timedOut)
	}
	if !utf8.ValidString(got.Output) || !utf8.ValidString(got.Long) {
		t.Errorf("output is not valid UTF-8: %q / %q", got.Output, got.Long)
	}
}

func perfLabels(res check.Result) []string {
	labels := make([]string, len(res.Perfdata))
	for i, p := range res.Perfdata {
		labels[i] = p.Label
	}
	return labels
}

func TestRunCheckDummy(t *testing.T) {
	dummy := nagiosPlugin(t, "check_dummy")
	tests := []struct {
		name string
		args []string
		want want
	}{
		{"ok", []string{"0", "all good"}, want{state: check.OK, exitCode: 0, output: "OK: all good"}},
		{"warning", []string{"1", "disk filling"}, want{state: check.Warning, exitCode: 1, output: "WARNING: disk filling"}},
		{"critical", []string{"2", "disk full"}, want{state: check.Critical, exitCode: 2, output: "CRITICAL: disk full"}},
		{"unknown", []string{"3", "no idea"}, want{state: check.Unknown, exitCode: 3, output: "UNKNOWN: no idea"}},
		{"no text", []string{"0"}, want{state: check.OK, exitCode: 0, output: "OK"}},
		{"state out of range", []string{"4", "z"}, want{state: check.Unknown, exitCode: 3, output: "UNKNOWN: Status 4 is not a supported error state"}},
		{"negative state", []string{"-1", "z"}, want{state: check.Unknown, exitCode: 3, output: "UNKNOWN: Status -1 is not a supported error state"}},
		{"state not a number", []string{"abc"}, want{state: check.Unknown, exitCode: 3,
			output: "check_dummy: Arguments to check_dummy must be an integer",
			long:   "Usage:\n check_dummy <integer state> [optional text]"}},
	}
	e := newTestExec(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := time.Now()
			res := run(t, context.Background(), e, Job{
				Check: "dummy", Host: "localhost", Argv: append([]string{dummy}, tt.args...),
			})
			assertResult(t, res, tt.want)
			if res.Check != "dummy" || res.Host != "localhost" {
				t.Errorf("Check, Host = %q, %q; want dummy, localhost", res.Check, res.Host)
			}
			if res.Start.Before(before) || res.Duration <= 0 {
				t.Errorf("Start = %v (run began at %v), Duration = %v; want Start at or after the call and Duration > 0", res.Start, before, res.Duration)
			}
		})
	}
}

func TestRunRealPlugins(t *testing.T) {
	e := newTestExec(t)
	tests := []struct {
		name       string
		argv       []string
		state      check.State
		prefix     string
		wantLabels []string
	}{
		{"check_disk root", []string{nagiosPlugin(t, "check_disk"), "-w", "0%", "-c", "0%", "-p", "/"},
			check.OK, "DISK OK - free space: / ", []string{"/"}},
		{"check_load", []string{nagiosPlugin(t, "check_load"), "-w", "1000,1000,1000", "-c", "2000,2000,2000"},
			check.OK, "LOAD OK - total load average: ", []string{"load1", "load5", "load15"}},
		{"check_procs", []string{nagiosPlugin(t, "check_procs")},
			check.OK, "PROCS OK: ", []string{"procs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, context.Background(), e, Job{Check: tt.name, Host: "localhost", Argv: tt.argv})
			if res.State != tt.state || res.ExitCode != int(tt.state) {
				t.Fatalf("State, ExitCode = %s, %d; want %s (output %q)", res.State, res.ExitCode, tt.state, res.Output)
			}
			if !strings.HasPrefix(res.Output, tt.prefix) {
				t.Errorf("Output = %q, want prefix %q", res.Output, tt.prefix)
			}
			if strings.Contains(res.Output, "|") {
				t.Errorf("Output %q still holds perfdata", res.Output)
			}
			if got := perfLabels(res); !slices.Equal(got, tt.wantLabels) {
				t.Errorf("perfdata labels = %q, want %q", got, tt.wantLabels)
			}
			if len(res.Notes) != 0 {
				t.Errorf("Notes = %q, want none", res.Notes)
			}
		})
	}
}

func TestRunCheckTCP(t *testing.T) {
	checkTCP := nagiosPlugin(t, "check_tcp")
	open, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	t.Cleanup(func() { _ = open.Close() })
	go func() {
		for {
			conn, err := open.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	openPort := open.Addr().(*net.TCPAddr).Port

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	if err := closed.Close(); err != nil {
		t.Fatalf("closing listener: %v", err)
	}

	e := newTestExec(t)
	t.Run("open port", func(t *testing.T) {
		res := run(t, context.Background(), e, Job{Argv: []string{checkTCP, "-H", "127.0.0.1", "-p", strconv.Itoa(openPort)}})
		if res.State != check.OK {
			t.Fatalf("State = %s, want OK (output %q)", res.State, res.Output)
		}
		if want := fmt.Sprintf(" second response time on 127.0.0.1 port %d", openPort); !strings.HasPrefix(res.Output, "TCP OK - ") || !strings.HasSuffix(res.Output, want) {
			t.Errorf("Output = %q, want TCP OK - ...%s", res.Output, want)
		}
		if got := perfLabels(res); !slices.Equal(got, []string{"time"}) {
			t.Errorf("perfdata labels = %q, want [time]", got)
		}
	})
	t.Run("closed port", func(t *testing.T) {
		res := run(t, context.Background(), e, Job{Argv: []string{checkTCP, "-H", "127.0.0.1", "-p", strconv.Itoa(closedPort)}})
		assertResult(t, res, want{state: check.Critical, exitCode: 2,
			output: fmt.Sprintf("connect to address 127.0.0.1 and port %d: Connection refused", closedPort)})
	})
}

// TestRunExitCodes covers SPEC.md section 1 with plugins that exit with a
// chosen code, and the start failures mapped to 126 and 127.
func TestRunExitCodes(t *testing.T) {
	printf := testPlugin(t, "printf.sh")
	missing := filepath.Join(filepath.Dir(printf), "does_not_exist.sh")
	tests := []struct {
		name string
		job  Job
		want want
	}{
		{"exit 4", Job{Check: "disk /", Host: "web1", Argv: []string{printf, "4", "OK but exit 4\n"}},
			want{state: check.Unknown, exitCode: 4, output: "(Return code of 4 for service 'disk /' on host 'web1' was out of bounds)", long: "OK but exit 4"}},
		{"exit 255", Job{Check: "odd", Host: "db1", Argv: []string{printf, "255", "CRITICAL odd\nmore | a=1\n"}},
			want{state: check.Unknown, exitCode: 255, output: "(Return code of 255 for service 'odd' on host 'db1' was out of bounds)", long: "CRITICAL odd\nmore ", raw: "a=1"}},
		{"exit 126", Job{Argv: []string{printf, "126", ""}},
			want{state: check.Critical, exitCode: 126, output: notExecutableText}},
		{"exit 127", Job{Argv: []string{printf, "127", "x\n"}},
			want{state: check.Critical, exitCode: 127, output: notFoundText, long: "x"}},
		{"missing plugin", Job{Argv: []string{missing}},
			want{state: check.Critical, exitCode: -1,
				output: notFoundText + ": cannot run " + missing + ": no such file or directory"}},
		{"missing plugin in PATH", Job{Argv: []string{"vakt-no-such-plugin"}},
			want{state: check.Critical, exitCode: -1,
				output: notFoundText + ": cannot run vakt-no-such-plugin: executable file not found in $PATH"}},
		{"not executable", Job{Argv: []string{testPlugin(t, "not_executable.sh")}},
			want{state: check.Critical, exitCode: -1,
				output: notExecutableText + ": cannot run " + testPlugin(t, "not_executable.sh") + ": permission denied"}},
		{"no interpreter line", Job{Argv: []string{testPlugin(t, "no_shebang.sh")}},
			want{state: check.Critical, exitCode: -1,
				output: notExecutableText + ": cannot run " + testPlugin(t, "no_shebang.sh") + ": exec format error"}},
		{"a directory", Job{Argv: []string{filepath.Dir(printf)}},
			want{state: check.Critical, exitCode: -1,
				output: notExecutableText + ": cannot run " + filepath.Dir(printf) + ": permission denied"}},
		// Nagios 4 keeps the output of a killed plugin; vakt adds the
		// signal at the end of the long output.
		{"killed by SIGKILL", Job{Argv: []string{testPlugin(t, "killself.sh"), "KILL"}},
			want{state: check.Unknown, exitCode: -1, output: "OK about to die", long: "(Plugin was killed by signal 9 (killed))"}},
		{"killed by SIGTERM", Job{Argv: []string{testPlugin(t, "killself.sh"), "TERM"}},
			want{state: check.Unknown, exitCode: -1, output: "OK about to die", long: "(Plugin was killed by signal 15 (terminated))"}},
		{"killed by SIGSEGV", Job{Argv: []string{testPlugin(t, "killself.sh"), "SEGV"}},
			want{state: check.Unknown, exitCode: -1, output: "OK about to die", long: "(Plugin was killed by signal 11 (segmentation fault))"}},
		{"killed with long output and perfdata", Job{Shell: true, Argv: []string{"printf 'OK dying | a=1\\nline 2\\n'; kill -s KILL $$"}},
			want{state: check.Unknown, exitCode: -1, output: "OK dying", long: "line 2\n(Plugin was killed by signal 9 (killed))", raw: "a=1"}},
		{"killed before printing", Job{Shell: true, Argv: []string{"echo dying >&2; kill -s TERM $$"}},
			want{state: check.Unknown, exitCode: -1, output: "(No output on stdout) stderr: dying", long: "(Plugin was killed by signal 15 (terminated))"}},
	}
	e := newTestExec(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertResult(t, run(t, context.Background(), e, tt.job), tt.want)
		})
	}
}

// TestRunOutput covers SPEC.md section 2: what a plugin prints and how it
// becomes Output, Long, Perfdata and Notes.
func TestRunOutput(t *testing.T) {
	printf := testPlugin(t, "printf.sh")
	stderr := testPlugin(t, "stderr.sh")
	tests := []struct {
		name   string
		job    Job
		want   want
		labels []string
	}{
		{"perfdata on later lines",
			Job{Argv: []string{printf, "0", "OK first | a=1\nlong one\nlong two| b=2;3;4\nc=5s\n"}},
			want{state: check.OK, output: "OK first", long: "long one\nlong two", raw: "a=1 b=2;3;4 c=5s"}, []string{"a", "b", "c"}},
		{"check_ups: units outside the guidelines",
			Job{Argv: []string{testPlugin(t, "check_ups.sh")}},
			want{state: check.OK, output: "UPS OK - Status=Online Utility=229.0V Batt=100.0% Load=21.0% Temp=31.0C",
				raw: "voltage=229000mV;;;0 battery=100.000000%;;;0;100 load=21.000000%;;;0;100 temperature=31.0degC;;;0"},
			[]string{"voltage", "battery", "load", "temperature"}},
		{"Latin-1 output",
			Job{Argv: []string{testPlugin(t, "latin1.sh")}},
			want{state: check.Warning, exitCode: 1, output: "WARNING - café äöü", long: "Fläche voll: 91%", raw: "'temp °C'=31.5;30;40",
				notes: []string{"output is not valid UTF-8: 6 bytes read as Windows-1252 (Latin-1)"}}, []string{"temp °C"}},
		{"bytes that are not UTF-8",
			Job{Argv: []string{printf, "1", "WARNING caf\\351 \\377\\376 \\223end\\224\n"}},
			want{state: check.Warning, exitCode: 1, output: "WARNING café ÿþ “end”",
				notes: []string{"output is not valid UTF-8: 5 bytes read as Windows-1252 (Latin-1)"}}, nil},
		{"malformed perfdata kept in the raw string",
			Job{Argv: []string{printf, "0", "OK | a=0,5 'it''s'=1 up\"=2\n"}},
			want{state: check.OK, output: "OK", raw: `a=0,5 'it''s'=1 up"=2`, notes: []string{
				`perfdata "a=0,5" skipped: value "0,5" has a decimal comma; perfdata numbers take a decimal point`,
				`perfdata "up\"=2" skipped: quote inside an unquoted label`}}, []string{"it's"}},
		{"NUL byte",
			Job{Argv: []string{printf, "2", "CRITICAL before\\000after\nmore\n"}},
			want{state: check.Critical, exitCode: 2, output: "CRITICAL before", notes: []string{"output cut at a NUL byte"}}, nil},
		// Nagios 4.4.6's texts, measured (SPEC.md section 2).
		{"empty output",
			Job{Argv: []string{printf, "0", ""}},
			want{state: check.OK, output: "(No output on stdout) stderr:"}, nil},
		{"only a NUL byte",
			Job{Argv: []string{printf, "0", "\\000OK after"}},
			want{state: check.OK, output: "(No output on stdout) stderr:", notes: []string{"output cut at a NUL byte"}}, nil},
		{"only a newline",
			Job{Argv: []string{printf, "1", "\n"}},
			want{state: check.Warning, exitCode: 1, output: "(No output returned from plugin)"}, nil},
		{"only a newline, stderr ignored",
			Job{Shell: true, Argv: []string{"echo; echo noise >&2; exit 2"}},
			want{state: check.Critical, exitCode: 2, output: "(No output returned from plugin)"}, nil},
		{"perfdata only",
			Job{Argv: []string{printf, "0", "| a=1;2;3\n"}},
			want{state: check.OK, output: "(No output returned from plugin)", raw: "a=1;2;3"}, []string{"a"}},
		{"no short output but long output",
			Job{Argv: []string{printf, "0", "\nsecond\n"}},
			want{state: check.OK, output: "(No output returned from plugin)", long: "second"}, nil},
		{"empty stdout with stderr",
			Job{Argv: []string{stderr, "2", "cannot read /proc/x\nsecond line"}},
			want{state: check.Critical, exitCode: 2, output: "(No output on stdout) stderr: cannot read /proc/x", long: "second line"}, nil},
		{"empty stdout with Latin-1 stderr",
			Job{Shell: true, Argv: []string{"printf 'caf\\351 kaputt' >&2; exit 2"}},
			want{state: check.Critical, exitCode: 2, output: "(No output on stdout) stderr: café kaputt"}, nil},
		{"empty stdout with stderr, out-of-range exit",
			Job{Check: "c", Host: "h", Argv: []string{stderr, "9", "boom"}},
			want{state: check.Unknown, exitCode: 9, output: "(Return code of 9 for service 'c' on host 'h' was out of bounds)", long: "stderr: boom"}, nil},
		{"stderr ignored when stdout has text",
			Job{Shell: true, Argv: []string{"echo 'OK fine'; echo noise >&2"}},
			want{state: check.OK, output: "OK fine"}, nil},
		{"output over the limit",
			Job{OutputLimit: 10, Argv: []string{printf, "0", "OK 123456789\n"}},
			want{state: check.OK, output: "OK 1234567", notes: []string{"output truncated at 10 bytes (plugin wrote 13)"}}, nil},
	}
	e := newTestExec(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, context.Background(), e, tt.job)
			assertResult(t, res, tt.want)
			if got := perfLabels(res); !slices.Equal(got, tt.labels) {
				t.Errorf("perfdata labels = %q, want %q", got, tt.labels)
			}
		})
	}
}

func TestRunHugeOutputIsCapped(t *testing.T) {
	const size = 100 << 20
	res := run(t, context.Background(), newTestExec(t), Job{Argv: []string{testPlugin(t, "bigout.sh"), strconv.Itoa(size)}})
	if res.State != check.OK || res.Output != "OK big output follows" {
		t.Fatalf("State, Output = %s, %q; want OK, %q", res.State, res.Output, "OK big output follows")
	}
	wantNote := fmt.Sprintf("output truncated at %d bytes (plugin wrote %d)", DefaultOutputLimit, size+len("OK big output follows\n"))
	if !slices.Equal(res.Notes, []string{wantNote}) {
		t.Errorf("Notes = %q, want [%q]", res.Notes, wantNote)
	}
	if kept := len(res.Output) + 1 + len(res.Long); kept > DefaultOutputLimit {
		t.Errorf("kept %d bytes of output, more than the %d byte limit", kept, DefaultOutputLimit)
	}
	if !strings.HasPrefix(res.Long, "xxxxxxxx") {
		t.Errorf("Long starts %q, want the x lines", res.Long[:min(len(res.Long), 20)])
	}
}

func TestRunTimeout(t *testing.T) {
	sleep := testPlugin(t, "sleep.sh")
	ok, unknown := check.OK, check.Unknown
	tests := []struct {
		name  string
		state *check.State
		want  check.State
	}{
		{"default state CRITICAL", nil, check.Critical},
		{"configured UNKNOWN", &unknown, check.Unknown},
		{"configured OK", &ok, check.OK},
	}
	e := newTestExec(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, context.Background(), e, Job{
				Argv: []string{sleep, "600"}, Timeout: time.Second, TimeoutState: tt.state,
			})
			if res.State != tt.want || !res.TimedOut || res.ExitCode != -1 {
				t.Fatalf("State, TimedOut, ExitCode = %s, %v, %d; want %s, true, -1", res.State, res.TimedOut, res.ExitCode, tt.want)
			}
			if res.Output != "(Service check timed out after 1.00 seconds)" {
				t.Errorf("Output = %q, want %q", res.Output, "(Service check timed out after 1.00 seconds)")
			}
			// The plugin may or may not have printed its first line before
			// it was killed; nothing else.
			if res.Long != "" && res.Long != "OK started" {
				t.Errorf("Long = %q, want empty or %q", res.Long, "OK started")
			}
		})
	}
	t.Run("fractional seconds", func(t *testing.T) {
		res := run(t, context.Background(), e, Job{Argv: []string{sleep, "600"}, Timeout: 1500 * time.Millisecond})
		if res.Output != "(Service check timed out after 1.50 seconds)" || res.State != check.Critical {
			t.Errorf("State, Output = %s, %q; want CRITICAL, %q", res.State, res.Output, "(Service check timed out after 1.50 seconds)")
		}
	})
	t.Run("exec default timeout", func(t *testing.T) {
		e := newTestExec(t)
		e.DefaultTimeout = time.Second
		res := run(t, context.Background(), e, Job{Argv: []string{sleep, "600"}})
		if res.Output != "(Service check timed out after 1.00 seconds)" || !res.TimedOut {
			t.Errorf("Output, TimedOut = %q, %v; want %q, true", res.Output, res.TimedOut, "(Service check timed out after 1.00 seconds)")
		}
	})
}

// openProcess returns a pidfd for pid, which stays bound to that process
// even if the pid is later reused, or -1 when the process is already gone.
func openProcess(t *testing.T, pid int) int {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return -1
	}
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", pid, err)
	}
	t.Cleanup(func() { _ = unix.Close(fd) })
	return fd
}

// processEnded waits up to a minute for the process behind pidfd to
// terminate (a zombie waiting for its new parent counts as terminated) and
// reports whether it did. A SIGKILL sent to a process group is delivered at
// once, but the processes die when they are next scheduled.
func processEnded(t *testing.T, pidfd int) bool {
	t.Helper()
	if pidfd < 0 {
		return true
	}
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := unix.Poll(fds, int(time.Until(deadline).Milliseconds()))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatalf("polling pidfd: %v", err)
		}
		return n > 0
	}
}

// TestRunKillsWholeGroup runs a plugin whose child ignores SIGTERM and keeps
// stdout open, ends the run by its timeout or by cancelling it once the
// child exists, and checks that Run returns and the child is dead: the
// whole process group is killed, with SIGKILL after the grace for what
// ignores SIGTERM.
func TestRunKillsWholeGroup(t *testing.T) {
	stubborn := testPlugin(t, "stubborn.sh")
	// The timeout is long enough for the plugin to start its child on a
	// loaded machine; the test takes that long.
	const timeout = 5 * time.Second
	tests := []struct {
		name      string
		mode      string // stubborn.sh's second argument
		byTimeout bool
		want      want
	}{
		{"timeout, plugin obeys SIGTERM", "obey", true,
			want{state: check.Critical, exitCode: -1, output: "(Service check timed out after 5.00 seconds)", timedOut: true}},
		{"timeout, plugin ignores SIGTERM", "ignore", true,
			want{state: check.Critical, exitCode: -1, output: "(Service check timed out after 5.00 seconds)", timedOut: true}},
		{"cancel, plugin obeys SIGTERM", "obey", false,
			want{state: check.Unknown, exitCode: -1, output: "(Check cancelled before the plugin finished: context canceled)"}},
		{"cancel, plugin ignores SIGTERM", "ignore", false,
			want{state: check.Unknown, exitCode: -1, output: "(Check cancelled before the plugin finished: context canceled)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fifo := filepath.Join(t.TempDir(), "pid")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatalf("making fifo: %v", err)
			}
			e := newTestExec(t)
			e.KillGrace = 500 * time.Millisecond
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			job := Job{Argv: []string{stubborn, fifo, tt.mode}, Timeout: runLimit}
			if tt.byTimeout {
				job.Timeout = timeout
			}

			done := make(chan check.Result, 1)
			go func() { done <- e.Run(ctx, job) }()

			pidc := make(chan string, 1)
			go func() {
				b, err := os.ReadFile(fifo) // blocks until the plugin writes
				if err != nil {
					pidc <- "error: " + err.Error()
					return
				}
				pidc <- strings.TrimSpace(string(b))
			}()
			var pid int
			select {
			case s := <-pidc:
				n, err := strconv.Atoi(s)
				if err != nil {
					t.Fatalf("child pid from plugin = %q: %v", s, err)
				}
				pid = n
			case res := <-done:
				t.Fatalf("plugin ended before writing its child's pid: %s %q %q", res.State, res.Output, res.Long)
			case <-time.After(runLimit):
				t.Fatal("plugin did not write its child's pid")
			}
			t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
			// On timeout the group may be dead already (-1): that is the
			// outcome the test wants, not a failure to observe it.
			child := openProcess(t, pid)
			if child < 0 && !tt.byTimeout {
				t.Fatalf("child %d is gone before the run was cancelled", pid)
			}
			if !tt.byTimeout {
				cancel()
			}

			var res check.Result
			select {
			case res = <-done:
			case <-time.After(runLimit):
				t.Fatalf("Run did not return within %s", runLimit)
			}
			tt.want.long = fmt.Sprintf("OK child %d", pid)
			assertResult(t, res, tt.want)
			if !processEnded(t, child) {
				t.Errorf("child %d that ignores SIGTERM is still alive a minute after Run returned", pid)
			}
		})
	}
}

// TestRunKillsLeftovers runs a plugin that exits at once but leaves a child
// in its process group holding stdout: Run must return with the plugin's
// result and the child must be dead.
func TestRunKillsLeftovers(t *testing.T) {
	res := run(t, context.Background(), newTestExec(t), Job{Argv: []string{testPlugin(t, "orphan.sh")}})
	var pid int
	if _, err := fmt.Sscanf(res.Output, "OK left child %d", &pid); err != nil {
		t.Fatalf("Output = %q, want \"OK left child PID\": %v", res.Output, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	assertResult(t, res, want{state: check.OK, output: fmt.Sprintf("OK left child %d", pid)})
	if !processEnded(t, openProcess(t, pid)) {
		t.Errorf("child %d left in the plugin's process group is still alive a minute after Run returned", pid)
	}
}

// TestRunEscapedChildHoldingPipe runs a plugin that leaves a child in a new
// session holding stdout: no group kill reaches it, and Run must still
// return, after PipeDelay, with a note.
func TestRunEscapedChildHoldingPipe(t *testing.T) {
	e := newTestExec(t)
	e.PipeDelay = 500 * time.Millisecond
	res := run(t, context.Background(), e, Job{Argv: []string{testPlugin(t, "escape.sh")}})
	var pid int
	if _, err := fmt.Sscanf(res.Output, "OK escaped child %d", &pid); err != nil {
		t.Fatalf("Output = %q, want \"OK escaped child PID\": %v", res.Output, err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	assertResult(t, res, want{state: check.OK, output: fmt.Sprintf("OK escaped child %d", pid),
		notes: []string{"plugin left a process outside its process group holding its output open; stopped reading 500ms after it exited"}})
}

func TestRunCancelledBeforeStart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := run(t, ctx, newTestExec(t), Job{Argv: []string{testPlugin(t, "orphan.sh")}})
	assertResult(t, res, want{state: check.Unknown, exitCode: -1, output: "(Check cancelled before it started: context canceled)"})
}

// TestRunIsolation checks how a plugin is started: as the leader of a
// process group of its own (so that a timeout can kill everything it
// started), in the daemon's session, and with stdin on /dev/null, so that
// a plugin that reads stdin gets end-of-file at once instead of hanging or
// reading the daemon's input.
func TestRunIsolation(t *testing.T) {
	sid, err := unix.Getsid(0)
	if err != nil {
		t.Fatalf("getsid: %v", err)
	}
	res := run(t, context.Background(), newTestExec(t), Job{Argv: []string{testPlugin(t, "identity.sh")}})
	var pid, pgid, gotSid int
	var stdin, input string
	if _, err := fmt.Sscanf(res.Output, "OK pid %d pgid %d sid %d stdin %s %s", &pid, &pgid, &gotSid, &stdin, &input); err != nil {
		t.Fatalf("Output = %q: %v", res.Output, err)
	}
	if pgid != pid {
		t.Errorf("plugin %d runs in process group %d, want a group of its own (%d)", pid, pgid, pid)
	}
	if pgid == unix.Getpgrp() {
		t.Errorf("plugin runs in the test's own process group %d", pgid)
	}
	if gotSid != sid {
		t.Errorf("plugin runs in session %d, want the daemon's session %d", gotSid, sid)
	}
	if stdin != "/dev/null" || input != "eof" {
		t.Errorf("stdin is %s and reading it gives %s; want /dev/null and eof", stdin, input)
	}
	assertResult(t, res, want{state: check.OK, output: res.Output})
}

func TestRunEnvironment(t *testing.T) {
	t.Setenv("VAKT_TEST_SECRET", "must not leak")
	t.Setenv("LC_ALL", "de_DE.UTF-8")
	e := newTestExec(t) // reads the environment now
	res := run(t, context.Background(), e, Job{
		Check: "env check", Host: "web1", Address: "127.0.0.1",
		Argv: []string{testPlugin(t, "env.sh")},
		Env:  map[string]string{"EXTRA": "x=y", "LANG": "C"},
	})
	if res.State != check.OK || res.Output != "OK environment follows" {
		t.Fatalf("State, Output = %s, %q", res.State, res.Output)
	}
	got := map[string]string{}
	for _, line := range strings.Split(res.Long, "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	wantVars := map[string]string{
		"VAKT_CHECK":                "env check",
		"VAKT_HOSTNAME":             "web1",
		"VAKT_HOSTADDRESS":          "127.0.0.1",
		"NAGIOS_SERVICEDESC":        "env check",
		"NAGIOS_SERVICEDISPLAYNAME": "env check",
		"NAGIOS_HOSTNAME":           "web1",
		"NAGIOS_HOSTDISPLAYNAME":    "web1",
		"NAGIOS_HOSTALIAS":          "web1",
		"NAGIOS_HOSTADDRESS":        "127.0.0.1",
		"NAGIOS_TIMET":              strconv.FormatInt(res.Start.Unix(), 10),
		"EXTRA":                     "x=y",
		"LANG":                      "C", // the job's own value wins
		"PATH":                      os.Getenv("PATH"),
	}
	if wantVars["PATH"] == "" {
		wantVars["PATH"] = DefaultPath
	}
	for k, v := range wantVars {
		if got[k] != v {
			t.Errorf("plugin saw %s=%q, want %q", k, got[k], v)
		}
	}
	for _, k := range []string{"VAKT_TEST_SECRET", "LC_ALL"} {
		if v, ok := got[k]; ok {
			t.Errorf("plugin saw %s=%q from the daemon's environment, want it absent", k, v)
		}
	}

	t.Run("address defaults to host", func(t *testing.T) {
		res := run(t, context.Background(), e, Job{Host: "web2", Argv: []string{testPlugin(t, "env.sh")}})
		for _, want := range []string{"NAGIOS_HOSTADDRESS=web2", "VAKT_HOSTADDRESS=web2", "LANG=C.UTF-8"} {
			if !slices.Contains(strings.Split(res.Long, "\n"), want) {
				t.Errorf("plugin environment lacks %s:\n%s", want, res.Long)
			}
		}
		for _, unset := range []string{"VAKT_CHECK=", "NAGIOS_SERVICEDESC="} {
			if strings.Contains(res.Long, unset) {
				t.Errorf("plugin environment has %s for a job without a check name", unset)
			}
		}
	})
}

func TestBaseEnviron(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{"keeps the listed variables only",
			[]string{"PATH=/bin", "HOME=/root", "SECRET=x", "LC_ALL=de_DE", "LANG=de_DE.UTF-8", "TZ=UTC", "MP_STATE_DIRECTORY=/var/lib/mp"},
			[]string{"PATH=/bin", "HOME=/root", "TZ=UTC", "MP_STATE_DIRECTORY=/var/lib/mp", "LANG=C.UTF-8"}},
		{"no PATH", []string{"HOME=/h"}, []string{"PATH=" + DefaultPath, "HOME=/h", "LANG=C.UTF-8"}},
		{"empty PATH", []string{"PATH="}, []string{"PATH=" + DefaultPath, "LANG=C.UTF-8"}},
		{"malformed entries skipped", []string{"garbage", "=x", "PATH=/p"}, []string{"PATH=/p", "LANG=C.UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BaseEnviron(tt.environ); !slices.Equal(got, tt.want) {
				t.Errorf("BaseEnviron(%q) = %q, want %q", tt.environ, got, tt.want)
			}
		})
	}
}

func TestRunShell(t *testing.T) {
	e := newTestExec(t)
	tests := []struct {
		name string
		job  Job
		want want
	}{
		{"pipe", Job{Shell: true, Argv: []string{"echo 'WARNING shell' | sed s/shell/sh/; exit 1"}},
			want{state: check.Warning, exitCode: 1, output: "WARNING sh"}},
		{"command not found", Job{Shell: true, Argv: []string{"vakt-no-such-command"}},
			want{state: check.Critical, exitCode: 127, output: notFoundText, long: "stderr: /bin/sh: 1: vakt-no-such-command: not found"}},
		{"argv is not parsed by a shell", Job{Argv: []string{testPlugin(t, "printf.sh"), "0", "OK $(echo x) `id` ; * $HOME > /tmp/y \\n"}},
			want{state: check.OK, output: "OK $(echo x) `id` ; * $HOME > /tmp/y"}},
		{"no shell without opt-in", Job{Argv: []string{"echo OK; exit 2"}},
			want{state: check.Critical, exitCode: -1, output: notFoundText + ": cannot run echo OK; exit 2: executable file not found in $PATH"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertResult(t, run(t, context.Background(), e, tt.job), tt.want)
		})
	}
}

// TestRunInvalidJob covers every malformed job: each gives UNKNOWN saying
// why, and nothing is started.
func TestRunInvalidJob(t *testing.T) {
	printf := testPlugin(t, "printf.sh")
	bad := check.State(7)
	tests := []struct {
		name   string
		job    Job
		reason string
	}{
		{"nil argv", Job{}, "no command: argv is empty"},
		{"empty argv", Job{Argv: []string{}}, "no command: argv is empty"},
		{"empty command", Job{Argv: []string{"", "x"}}, "no command: argv[0] is empty"},
		{"shell with arguments", Job{Shell: true, Argv: []string{"echo", "OK"}}, "a shell command is one string, got argv with 2 elements"},
		{"negative timeout", Job{Argv: []string{printf}, Timeout: -time.Second}, "negative timeout -1s"},
		{"negative output limit", Job{Argv: []string{printf}, OutputLimit: -1}, "negative output limit -1"},
		{"invalid timeout state", Job{Argv: []string{printf}, TimeoutState: &bad}, "timeout state 7 is not OK, WARNING, CRITICAL or UNKNOWN"},
		{"NUL in argument", Job{Argv: []string{printf, "0", "a\x00b"}}, `argv[2] "a\x00b" contains a NUL byte`},
		{"empty env name", Job{Argv: []string{printf}, Env: map[string]string{"": "v"}}, `environment variable with an empty name (value "v")`},
		{"= in env name", Job{Argv: []string{printf}, Env: map[string]string{"A=B": "v"}}, `environment variable name "A=B" contains '=' or a NUL byte`},
		{"NUL in env value", Job{Argv: []string{printf}, Env: map[string]string{"A": "v\x00"}}, "environment variable A has a NUL byte in its value"},
	}
	e := newTestExec(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, context.Background(), e, tt.job)
			assertResult(t, res, want{state: check.Unknown, exitCode: -1, output: "(Invalid check job: " + tt.reason + ")"})
		})
	}
}

// TestZeroExec checks that the zero value runs plugins with the defaults.
func TestZeroExec(t *testing.T) {
	var e Exec
	res := run(t, context.Background(), &e, Job{Argv: []string{nagiosPlugin(t, "check_dummy"), "1", "zero"}})
	assertResult(t, res, want{state: check.Warning, exitCode: 1, output: "WARNING: zero"})
}

func TestCappedBuffer(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		writes    []string
		kept      string
		truncated bool
	}{
		{"under", 5, []string{"ab", "c"}, "abc", false},
		{"exact", 3, []string{"ab", "c"}, "abc", false},
		{"split write", 3, []string{"ab", "cd", "ef"}, "abc", true},
		{"zero limit", 0, []string{"a"}, "", true},
		{"nothing", 3, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := cappedBuffer{limit: tt.limit}
			for _, w := range tt.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", w, n, err, len(w))
				}
			}
			if string(b.buf) != tt.kept || b.truncated() != tt.truncated {
				t.Errorf("kept %q, truncated %v; want %q, %v", b.buf, b.truncated(), tt.kept, tt.truncated)
			}
		})
		// ReadFrom, which os/exec uses, keeps and counts the same, with
		// the writes arriving as reads of a pipe.
		t.Run(tt.name+" read from", func(t *testing.T) {
			b := cappedBuffer{limit: tt.limit}
			all := strings.Join(tt.writes, "")
			n, err := b.ReadFrom(iotest.OneByteReader(strings.NewReader(all)))
			if n != int64(len(all)) || err != nil || b.written != int64(len(all)) {
				t.Fatalf("ReadFrom = %d, %v (written %d); want %d, nil", n, err, b.written, len(all))
			}
			if string(b.buf) != tt.kept || b.truncated() != tt.truncated {
				t.Errorf("kept %q, truncated %v; want %q, %v", b.buf, b.truncated(), tt.kept, tt.truncated)
			}
		})
	}
	t.Run("read from past the limit", func(t *testing.T) {
		b := cappedBuffer{limit: 100_000}
		n, err := b.ReadFrom(io.LimitReader(zeros{}, 1_000_000))
		if n != 1_000_000 || err != nil || len(b.buf) != 100_000 || b.written != 1_000_000 || !b.truncated() {
			t.Errorf("ReadFrom = %d, %v; kept %d written %d; want 1000000, nil, 100000 kept", n, err, len(b.buf), b.written)
		}
	})
	t.Run("read error", func(t *testing.T) {
		b := cappedBuffer{limit: 10}
		_, err := b.ReadFrom(iotest.TimeoutReader(strings.NewReader("abcdefghijklmnop")))
		if !errors.Is(err, iotest.ErrTimeout) || string(b.buf) != "abcdefghij" {
			t.Errorf("ReadFrom error %v, kept %q; want the reader's error and the first 10 bytes", err, b.buf)
		}
	})
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
