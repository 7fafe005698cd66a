package procs

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// The tests of this package make the test process a child subreaper and
// start children only through a Tracker (or on purpose without one); they
// do not run in parallel.

// logBuffer collects a Tracker's JSON log lines.
type logBuffer struct{ bytes.Buffer }

func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func newTracker(t *testing.T) (*Tracker, *logBuffer) {
	t.Helper()
	if err := SetSubreaper(); err != nil {
		t.Fatal(err)
	}
	if on, err := IsSubreaper(); err != nil || !on {
		t.Fatalf("IsSubreaper() = %v, %v after SetSubreaper", on, err)
	}
	var buf logBuffer
	tr, err := NewTracker(zerolog.New(&buf))
	if err != nil {
		t.Fatal(err)
	}
	return tr, &buf
}

// startTracked starts sh -c script as a tracked child, with its markers.
func startTracked(t *testing.T, tr *Tracker, script string, args ...string) (*exec.Cmd, *Child) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh"}, args...)...)
	c := tr.Begin()
	cmd.Env = append(os.Environ(), c.Env()...)
	if err := cmd.Start(); err != nil {
		c.Failed()
		t.Fatal(err)
	}
	c.Started(cmd.Process.Pid)
	return cmd, c
}

// readPid waits for a pid written to path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(path)
		if s := strings.TrimSpace(string(b)); err == nil && strings.HasSuffix(string(b), "\n") {
			pid, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("%s: %q: %v", path, b, err)
			}
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}

// gone reports whether pid no longer exists at all: not running, and not a
// zombie waiting to be reaped.
func gone(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return errors.Is(err, os.ErrNotExist)
}

// escapeScript leaves a setsid'd child that sleeps, writes its pid to $1
// and exits.
const escapeScript = `setsid sh -c 'echo $$ > "$1.tmp"; exec sleep 600' escape "$1" &
while [ ! -s "$1.tmp" ]; do sleep 0.01; done
read -r pid < "$1.tmp"
while [ "$(tr '\0' ' ' < /proc/$pid/cmdline)" != "sleep 600 " ]; do sleep 0.01; done
mv "$1.tmp" "$1"
exit 0`

func TestReapKillsEscapedDescendant(t *testing.T) {
	tr, log := newTracker(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	cmd, c := startTracked(t, tr, escapeScript, pidFile)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("plugin: %v", err)
	}
	escaped := readPid(t, pidFile)

	// The plugin is reaped but not yet Done: its pid may still be taken
	// for its own; the escaped child is no registered pid, and its marker
	// names a start whose pid is known, so it is found already. After
	// Done it is found all the same.
	st, err := readStat(escaped)
	if err != nil || st.ppid != os.Getpid() {
		t.Fatalf("escaped child %d: parent %d (%v), want this process %d (a subreaper)", escaped, st.ppid, err, os.Getpid())
	}
	c.Done()
	if n := tr.Reap(); n != 1 {
		t.Fatalf("Reap() = %d, want 1", n)
	}
	tr.Wait()
	if !gone(escaped) {
		t.Fatalf("escaped process %d still exists after Reap", escaped)
	}
	lines := log.lines(t)
	if len(lines) != 1 {
		t.Fatalf("log has %d lines, want 1: %v", len(lines), lines)
	}
	l := lines[0]
	if l["level"] != "warn" || l["message"] != "killed a process that escaped its plugin" ||
		l["pid"] != float64(escaped) || l["cmdline"] != "sleep 600" {
		t.Errorf("log line = %v, want warn, pid %d, cmdline \"sleep 600\"", l, escaped)
	}
	if n := tr.Reap(); n != 0 {
		t.Errorf("second Reap() = %d, want 0", n)
	}
}

func TestReapLeavesOwnChildren(t *testing.T) {
	tr, log := newTracker(t)

	// A running registered child is not touched, and os/exec's Wait still
	// gets its exit status.
	cmd, c := startTracked(t, tr, "exec sleep 600")
	if n := tr.Reap(); n != 0 {
		t.Fatalf("Reap() with a running registered child = %d, want 0", n)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	c.Done()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGTERM {
		t.Fatalf("Wait() = %v, want killed by SIGTERM: os/exec must reap its own child", err)
	}

	// A start in progress (its pid not registered yet): a child with its
	// marker, and any unmarked child, is left alone until it is started.
	pending := tr.Begin()
	marked := exec.Command("sleep", "600")
	marked.Env = append(os.Environ(), pending.Env()...)
	unmarked := exec.Command("sleep", "600")
	for _, cmd := range []*exec.Cmd{marked, unmarked} {
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	if n := tr.Reap(); n != 0 {
		t.Fatalf("Reap() during a start = %d, want 0", n)
	}
	pending.Started(marked.Process.Pid)
	// The start is over: the unmarked child is an escaped process (a
	// plugin that cleared its environment); the marked one is registered.
	if n := tr.Reap(); n != 1 {
		t.Fatalf("Reap() after the start = %d, want 1 (the unmarked child)", n)
	}
	tr.Wait()
	if !gone(unmarked.Process.Pid) {
		t.Errorf("unmarked child %d still exists", unmarked.Process.Pid)
	}
	if gone(marked.Process.Pid) {
		t.Errorf("registered child %d was reaped", marked.Process.Pid)
	}
	_ = marked.Process.Kill()
	if err := marked.Wait(); err == nil || strings.Contains(err.Error(), "no child") {
		t.Errorf("Wait() of the registered child = %v, want killed", err)
	}
	pending.Done()
	if got := strings.Count(log.String(), "escaped its plugin"); got != 1 {
		t.Errorf("log has %d escaped-process lines, want 1:\n%s", got, log.String())
	}
}

func TestReapZombie(t *testing.T) {
	tr, log := newTracker(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The plugin's grandchild (double fork) exits by itself: it stays a
	// zombie of vakt until reaped.
	cmd, c := startTracked(t, tr, `(sh -c 'echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; exit 0' x "$1" &)
while [ ! -e "$1" ]; do sleep 0.01; done
exit 0`, pidFile)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	c.Done()
	escaped := readPid(t, pidFile)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := readStat(escaped)
		if err != nil {
			t.Fatalf("escaped child %d: %v", escaped, err)
		}
		if st.state == 'Z' {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("escaped child %d never became a zombie (state %c)", escaped, st.state)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := tr.Reap(); n != 1 {
		t.Fatalf("Reap() = %d, want 1", n)
	}
	tr.Wait()
	if !gone(escaped) {
		t.Fatalf("zombie %d not reaped", escaped)
	}
	if !strings.Contains(log.String(), `"message":"reaping a process that escaped its plugin and exited"`) {
		t.Errorf("log = %s", log.String())
	}
}

func TestTakeoverKillsPreviousRun(t *testing.T) {
	state := t.TempDir()
	var buf logBuffer
	prev, err := NewTracker(zerolog.New(&buf))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := prev.Takeover(state); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(state, RunFile)); string(b) != prev.RunID()+"\n" {
		t.Fatalf("%s = %q, want %q", RunFile, b, prev.RunID()+"\n")
	}
	// What the previous run left: two processes with its marker, one of
	// them in a session of its own. Another run's process stays.
	var left []*exec.Cmd
	for _, env := range []string{prev.RunID(), prev.RunID(), "another-run"} {
		cmd := exec.Command("setsid", "sleep", "600")
		cmd.Env = append(os.Environ(), EnvRunID+"="+env)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		left = append(left, cmd)
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	}
	// setsid forks when it is a group leader; it is not here, so it
	// execs in place: wait until sleep runs.
	for _, cmd := range left {
		waitExec(t, cmd.Process.Pid, "sleep")
	}

	buf.Reset()
	next, err := NewTracker(zerolog.New(&buf))
	if err != nil {
		t.Fatal(err)
	}
	killed, err := next.Takeover(state)
	if err != nil || killed != 2 {
		t.Fatalf("Takeover() = %d, %v; want 2 killed", killed, err)
	}
	for i, cmd := range left[:2] {
		err := cmd.Wait()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Errorf("process %d of the previous run: %v, want killed by SIGKILL", i, err)
		}
	}
	if gone(left[2].Process.Pid) {
		t.Errorf("another run's process was killed")
	}
	if b, _ := os.ReadFile(filepath.Join(state, RunFile)); string(b) != next.RunID()+"\n" {
		t.Errorf("%s = %q, want the new run id", RunFile, b)
	}
	lines := buf.lines(t)
	if len(lines) != 2 {
		t.Fatalf("log has %d lines, want 2: %v", len(lines), lines)
	}
	for _, l := range lines {
		if l["level"] != "warn" || l["message"] != "killed a plugin process left by an earlier run of vakt" ||
			l["cmdline"] != "sleep 600" || l["run_id"] != prev.RunID() {
			t.Errorf("log line %v", l)
		}
	}
}

// waitExec waits until pid runs the program named comm.
func waitExec(t *testing.T, pid int, comm string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		// comm changes early in exec, the environment a moment later.
		env, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
		if st, err := readStat(pid); err == nil && st.comm == comm && len(env) > 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("process %d never ran %s", pid, comm)
}

func TestNilTracker(t *testing.T) {
	var tr *Tracker
	c := tr.Begin()
	if c != nil || c.Env() != nil || tr.RunID() != "" || tr.Reap() != 0 {
		t.Fatal("a nil Tracker must track nothing")
	}
	c.Started(1)
	c.Done()
	tr.Kick()
	tr.Wait()
}

func TestReadStat(t *testing.T) {
	st, err := readStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.pid != os.Getpid() || st.ppid != os.Getppid() || st.state == 0 {
		t.Errorf("readStat(self) = %+v, want ppid %d", st, os.Getppid())
	}
	if _, err := readStat(-5); err == nil {
		t.Error("readStat of a pid that does not exist: no error")
	}
}
