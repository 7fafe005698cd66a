package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vakt/vakt/testdata/plugins-go/pidwatch"
)

// escapingPlugin writes a plugin script that leaves a child in a session of
// its own (out of reach of a process group kill), which writes its pid to
// DIR/escaped.PLUGINPID and sleeps; the plugin writes its own pid to
// DIR/plugin.PLUGINPID, then exits OK, or with hang sleeps until killed.
func escapingPlugin(t *testing.T, dir string, hang bool) string {
	t.Helper()
	end := `echo "OK left an escaped child"`
	if hang {
		end = "exec sleep 600"
	}
	script := fmt.Sprintf(`#!/bin/sh
d=%q
setsid sh -c 'echo $$ > "$1.tmp"; exec sleep 600' esc "$d/escaped.$$" </dev/null >/dev/null 2>&1 &
while [ ! -s "$d/escaped.$$.tmp" ]; do sleep 0.01; done
read -r pid < "$d/escaped.$$.tmp"
while [ "$(tr '\0' ' ' < /proc/$pid/cmdline)" != "sleep 600 " ]; do sleep 0.01; done
mv "$d/escaped.$$.tmp" "$d/escaped.$$"
echo $$ > "$d/plugin.$$.tmp"; mv "$d/plugin.$$.tmp" "$d/plugin.$$"
%s
`, dir, end)
	path := filepath.Join(dir, "escape.sh")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// pidFiles returns the pids in dir's files named prefix.*.
func pidFiles(t *testing.T, dir, prefix string) []int {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, prefix+".*"))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, n := range names {
		if strings.HasSuffix(n, ".tmp") {
			continue
		}
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %q", n, b)
		}
		pids = append(pids, pid)
	}
	return pids
}

// processGone reports whether pid neither runs nor waits to be reaped.
func processGone(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return errors.Is(err, os.ErrNotExist)
}

// killLeftover kills pid at the end of the test if it still runs sleep,
// so that a failing test leaves nothing behind.
func killLeftover(t *testing.T, pid int) {
	t.Cleanup(func() {
		if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.HasPrefix(string(b), "sleep\x00600") {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	})
}

// loggedPids returns the pids of the log lines with message msg.
func loggedPids(p *daemonProc, msg string) []int {
	var pids []int
	for _, l := range p.messages(msg) {
		if pid, ok := l["pid"].(float64); ok {
			pids = append(pids, int(pid))
		}
	}
	return pids
}

// TestDaemonReapsEscapedProcesses: a plugin's setsid'd child, reparented
// to vakt run (a child subreaper) when the plugin exits, is killed, reaped
// and logged at warn with its pid and command line while the daemon runs.
func TestDaemonReapsEscapedProcesses(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	script := escapingPlugin(t, dir.root, false)
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), fmt.Sprintf("check \"escape\" {\n  command = [%q]\n  interval = \"1s\"\n}\n", script))
	p := startDaemon(t, bin, nil, dir.args()...)
	const killed = "killed a process that escaped its plugin"
	p.waitFor(t, "an escaped process killed", func() bool { return len(p.messages(killed)) >= 2 })
	for _, pid := range loggedPids(p, killed) {
		killLeftover(t, pid)
	}
	// While the daemon runs, a killed process is reaped too: no zombie.
	first := loggedPids(p, killed)[0]
	p.waitFor(t, fmt.Sprintf("escaped process %d reaped", first), func() bool { return processGone(first) })
	for _, l := range p.messages(killed) {
		if l["level"] != "warn" || l["cmdline"] != "sleep 600" || l["component"] != "procs" {
			t.Errorf("log line %v: want level warn, cmdline \"sleep 600\", component procs", l)
		}
	}
	if code := p.stop(t); code != 0 {
		t.Fatalf("vakt run exit code %d after SIGTERM, want 0", code)
	}
	// Every escaped child any run left was killed and logged, the last
	// ones when the daemon stopped.
	escaped := pidFiles(t, dir.root, "escaped")
	logged := loggedPids(p, killed)
	if len(escaped) < 2 {
		t.Fatalf("%d escaped children, want at least 2", len(escaped))
	}
	for _, pid := range escaped {
		killLeftover(t, pid)
		if !processGone(pid) {
			t.Errorf("escaped process %d still exists after vakt run stopped", pid)
		}
		if !slices.Contains(logged, pid) {
			t.Errorf("escaped process %d was not logged (logged: %v)", pid, logged)
		}
	}
	for _, pid := range pidFiles(t, dir.root, "plugin") {
		if !processGone(pid) {
			t.Errorf("plugin process %d still exists", pid)
		}
	}
}

// TestCheckReapsEscapedProcesses: vakt check kills and reaps what its
// plugins leave behind before it exits.
func TestCheckReapsEscapedProcesses(t *testing.T) {
	requirePlugins(t)
	bin := daemonBinary(t)
	dir := t.TempDir()
	script := escapingPlugin(t, dir, false)
	writeFile(t, filepath.Join(dir, "checks.hcl"), fmt.Sprintf("check \"escape\" {\n  command = [%q]\n}\n", script))
	cmd := exec.Command(bin, "check", "--log-format", "json", filepath.Join(dir, "checks.hcl"))
	cmd.Env = withoutVaktEnv()
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	escaped := pidFiles(t, dir, "escaped")
	for _, pid := range escaped {
		killLeftover(t, pid)
	}
	if err != nil {
		t.Fatalf("vakt check: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if len(escaped) != 1 {
		t.Fatalf("%d escaped children, want 1", len(escaped))
	}
	if !processGone(escaped[0]) {
		t.Errorf("escaped process %d still exists after vakt check exited", escaped[0])
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(stderr.String())), &line); err != nil {
		t.Fatalf("stderr is not one JSON log line: %v\n%s", err, stderr.String())
	}
	if line["level"] != "warn" || line["message"] != "killed a process that escaped its plugin" ||
		line["pid"] != float64(escaped[0]) || line["cmdline"] != "sleep 600" {
		t.Errorf("log line %v, want the escaped process %d killed", line, escaped[0])
	}
}

// TestPluginProcessesDieWithKilledDaemon: kill -9 of vakt run kills the
// running exec plugin at once (Pdeathsig); what the plugin started in a
// session of its own is killed by the next vakt run on the same state dir
// before it schedules anything, and logged.
func TestPluginProcessesDieWithKilledDaemon(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	script := escapingPlugin(t, dir.root, true)
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), fmt.Sprintf("check \"escape\" {\n  command = [%q]\n  interval = \"1s\"\n  timeout = \"1m\"\n}\n", script))
	p := startDaemon(t, bin, nil, dir.args()...)
	var plugins, escaped []int
	for deadline := time.Now().Add(daemonWait); ; time.Sleep(20 * time.Millisecond) {
		plugins, escaped = pidFiles(t, dir.root, "plugin"), pidFiles(t, dir.root, "escaped")
		for _, pid := range escaped {
			killLeftover(t, pid)
		}
		if len(plugins) == 1 && len(escaped) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: plugins %v, escaped children %v; want one each", daemonWait, plugins, escaped)
		}
	}
	plugin, child := pidwatch.Watch(t, plugins[0]), pidwatch.Watch(t, escaped[0])
	p.kill9(t)
	if !plugin.WaitExited(t, daemonWait) {
		t.Fatalf("plugin process %d still runs after vakt run was killed with SIGKILL", plugins[0])
	}
	if child.Exited(t) {
		t.Fatalf("the escaped child %d died with vakt; the test does not test the restart", escaped[0])
	}

	// The restarted daemon runs a check that leaves nothing (and does not
	// hang its stop).
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), fmt.Sprintf("check \"dummy\" {\n  command = [\"%s/check_dummy\", \"0\", \"fine\"]\n  interval = \"1s\"\n}\n", pluginDir))
	p2 := startDaemon(t, bin, nil, dir.args()...)
	if !child.WaitExited(t, daemonWait) {
		t.Fatalf("escaped child %d of the killed run still runs after the restart", escaped[0])
	}
	left := p2.messages("killed a plugin process left by an earlier run of vakt")
	if len(left) != 1 || left[0]["pid"] != float64(escaped[0]) || left[0]["cmdline"] != "sleep 600" || left[0]["level"] != "warn" {
		t.Errorf("restart log: %v, want one warn line for pid %d, cmdline \"sleep 600\"", left, escaped[0])
	}
	// The line comes before vakt schedules anything.
	for _, l := range p2.rawLines() {
		if strings.Contains(l, "left by an earlier run") {
			break
		}
		if strings.Contains(l, `"plugin ran"`) {
			t.Errorf("a check ran before the previous run's processes were killed: %s", l)
		}
	}
	if code := p2.stop(t); code != 0 {
		t.Errorf("vakt run exit code %d after SIGTERM, want 0", code)
	}
}

// TestDurationsLogged: log fields that are durations read as durations
// ("1s"), not as a bare number of milliseconds: Exec's own fields, and
// every Dur field through zerolog's format, set once in main.
func TestDurationsLogged(t *testing.T) {
	requirePlugins(t)
	bin := daemonBinary(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "checks.hcl"), "check \"slow\" {\n  command = [\"/bin/sleep\", \"30\"]\n  timeout = \"1s\"\n}\n")
	cmd := exec.Command(bin, "check", "--log-format", "json", "--log-level", "debug", dir)
	cmd.Env = withoutVaktEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	_ = cmd.Run() // CRITICAL: timed out
	var timeout, duration any
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			continue
		}
		switch l["message"] {
		case "plugin timed out; killing its process group":
			timeout = l["timeout"]
		case "plugin ran":
			duration = l["duration"]
		}
	}
	if timeout != "1s" {
		t.Errorf("timeout logged as %#v, want \"1s\"\n%s", timeout, stderr.String())
	}
	// A duration string (how long depends on the machine's load: only
	// its form is asserted, and that the run lasted at least the timeout).
	if d, ok := duration.(string); !ok || !strings.HasSuffix(d, "s") {
		t.Errorf("duration logged as %#v, want a duration such as \"1.002s\"", duration)
	} else if took, err := time.ParseDuration(d); err != nil || took < time.Second {
		t.Errorf("duration %q: %v; want a duration of at least the 1s timeout", d, err)
	}

	// A Dur field of another package: the daemon's perfdata rollup.
	dd := newDaemonDir(t)
	writeFile(t, filepath.Join(dd.checks, "checks.hcl"), "check \"a\" {\n  command = [\""+pluginDir+"/check_dummy\", \"0\"]\n}\n")
	p := startDaemon(t, bin, nil, dd.args()...)
	p.waitFor(t, "perfdata rollup logged", func() bool { return len(p.messages("perfdata rolled up and pruned")) > 0 })
	took, ok := p.messages("perfdata rolled up and pruned")[0]["took"].(string)
	if _, err := time.ParseDuration(took); !ok || err != nil {
		t.Errorf("took = %#v, want a duration string", p.messages("perfdata rolled up and pruned")[0]["took"])
	}
	p.stop(t)
}

// TestVersion: vakt --version prints the -ldflags version, else "dev".
func TestVersion(t *testing.T) {
	code, stdout, stderr := vakt(t, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "vakt dev") || stderr != "" {
		t.Errorf("vakt --version: exit %d, stdout %q, stderr %q; want 0, \"vakt dev...\"", code, stdout, stderr)
	}
	bin := filepath.Join(t.TempDir(), "vakt")
	out, err := exec.Command("go", "build", "-ldflags", "-X main.version=1.2.3", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "--version").Output()
	if err != nil || string(out) != "vakt 1.2.3\n" {
		t.Errorf("vakt --version with -X main.version=1.2.3: %q, %v; want \"vakt 1.2.3\\n\"", out, err)
	}
}
