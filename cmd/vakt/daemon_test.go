package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vakt/vakt/core/server"
	"github.com/vakt/vakt/core/store"
)

// daemonWait bounds every wait on a vakt run child process. Generous on
// purpose: the tests must pass on a loaded two-core CI machine.
const daemonWait = 90 * time.Second

// binDir holds the vakt binary the tests build; TestMain (main_test.go)
// removes it.
var binDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "vakt-bin-") })

// vaktBinary builds the vakt binary once for all tests that need it.
var vaktBinary = sync.OnceValues(func() (string, error) {
	dir, err := binDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "vakt")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// daemonBinary is the vakt binary for the daemon tests.
func daemonBinary(t *testing.T) string {
	t.Helper()
	bin, err := vaktBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// daemonProc is `vakt run` running as a child process, with its JSON log
// read line by line.
type daemonProc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the log ends (the process exited)

	mu    sync.Mutex
	lines []map[string]any
	raw   []string
	wake  chan struct{}
}

// startDaemon starts bin run with args (and --log-level debug
// --log-format json) and waits until it is running.
func startDaemon(t testing.TB, bin string, env []string, args ...string) *daemonProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"run", "--log-level", "debug", "--log-format", "json"}, args...)...)
	cmd.Env = append(withoutVaktEnv(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &daemonProc{cmd: cmd, done: make(chan struct{}), wake: make(chan struct{})}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				line = map[string]any{"message": "UNPARSABLE", "text": sc.Text()}
			}
			p.mu.Lock()
			p.lines = append(p.lines, line)
			p.raw = append(p.raw, sc.Text())
			close(p.wake)
			p.wake = make(chan struct{})
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("vakt run log:\n%s", strings.Join(p.rawLines(), "\n"))
		}
	})
	p.waitFor(t, "vakt running", func() bool { return len(p.messages("vakt running")) > 0 })
	return p
}

// withoutVaktEnv is the test's environment without VAKT_* variables.
func withoutVaktEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VAKT_") {
			env = append(env, kv)
		}
	}
	return env
}

func (p *daemonProc) rawLines() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.raw)
}

func (p *daemonProc) messages(msg string) []map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []map[string]any
	for _, l := range p.lines {
		if l["message"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// waitFor re-checks cond after every log line until it holds.
func (p *daemonProc) waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(daemonWait)
	for {
		p.mu.Lock()
		wake := p.wake
		p.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-wake:
		case <-p.done:
			if cond() {
				return
			}
			t.Fatalf("vakt run exited while waiting for %s", what)
		case <-deadline:
			t.Fatalf("gave up after %s waiting for %s", daemonWait, what)
		}
	}
}

// httpAddr is where the daemon's API listens, from its "vakt running" line.
func (p *daemonProc) httpAddr(t *testing.T) string {
	t.Helper()
	running := p.messages("vakt running")
	if len(running) == 0 {
		t.Fatal("vakt run has not logged vakt running")
	}
	return running[0]["http_addr"].(string)
}

// runs counts the "check ran" lines of check id.
func (p *daemonProc) runs(id string) int {
	n := 0
	for _, l := range p.messages("check ran") {
		if l["check"] == id {
			n++
		}
	}
	return n
}

// loggedTransition is a "transition" log line.
type loggedTransition struct {
	ID                     int64
	Check, Kind, From, To  string
	Type                   string
	Notify                 bool
	Suppressed, Output, At string
}

func (p *daemonProc) transitions() []loggedTransition {
	var out []loggedTransition
	for _, l := range p.messages("transition") {
		s, _ := l["suppressed"].(string)
		out = append(out, loggedTransition{
			ID: int64(l["transition_id"].(float64)), Check: l["check"].(string), Kind: l["kind"].(string),
			From: l["from"].(string), To: l["to"].(string), Type: strings.ToLower(l["type"].(string)),
			Notify: l["notify"].(bool), Suppressed: s, Output: l["output"].(string),
		})
	}
	return out
}

// countTransitions counts the logged transitions of check id of kind to
// state typ ("" for any type).
func countTransitions(trs []loggedTransition, id, kind, typ string) int {
	n := 0
	for _, tr := range trs {
		if tr.Check == id && tr.Kind == kind && (typ == "" || tr.Type == typ) {
			n++
		}
	}
	return n
}

// kill9 kills the daemon with SIGKILL and waits for it to be gone.
func (p *daemonProc) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	_ = p.cmd.Wait()
}

// stop stops the daemon with SIGTERM and returns its exit code.
func (p *daemonProc) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(daemonWait):
		t.Fatalf("vakt run did not stop within %s of SIGTERM", daemonWait)
	}
	_ = p.cmd.Wait()
	return p.cmd.ProcessState.ExitCode()
}

// daemonDir is a checks.d, a state dir and state files for flip checks.
type daemonDir struct {
	root, checks, state string
}

func newDaemonDir(t *testing.T) *daemonDir {
	t.Helper()
	requirePlugins(t)
	root := t.TempDir()
	d := &daemonDir{root: root, checks: filepath.Join(root, "checks.d"), state: filepath.Join(root, "state")}
	if err := os.Mkdir(d.checks, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// setState makes flip check name exit with code from its next run on.
func (d *daemonDir) setState(t *testing.T, name string, code int) {
	t.Helper()
	path := filepath.Join(d.root, name+".state")
	writeFile(t, path+".tmp", fmt.Sprintf("%d\n", code))
	if err := os.Rename(path+".tmp", path); err != nil { // atomic: no run reads half a file
		t.Fatal(err)
	}
}

// flip declares a check that runs check_dummy with the exit code in its
// state file every second.
func (d *daemonDir) flip(t *testing.T, name string, code, maxAttempts int) string {
	t.Helper()
	d.setState(t, name, code)
	return fmt.Sprintf(`check %q {
  shell          = true
  command        = "%s/check_dummy \"$(cat %s)\" %s"
  interval       = "1s"
  retry_interval = "1s"
  max_attempts   = %d
}
`, name, pluginDir, filepath.Join(d.root, name+".state"), name, maxAttempts)
}

func (d *daemonDir) args() []string {
	return []string{"--checks-dir", d.checks, "--state-dir", d.state, "--listen", "127.0.0.1:0", "--bb-listen", "127.0.0.1:0"}
}

// TestDaemonSurvivesKill9 runs vakt run as a child process with real
// plugins, kills it with SIGKILL while checks change state, restarts it on
// the same state dir, and finds every transition it had logged in the store;
// a problem that was HARD before the kill raises no second problem.
func TestDaemonSurvivesKill9(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), dir.flip(t, "flip", 0, 2)+dir.flip(t, "steady", 2, 1))
	const flip, steady = "localhost/flip", "localhost/steady"

	first := startDaemon(t, bin, nil, dir.args()...)
	first.waitFor(t, "steady HARD", func() bool { return countTransitions(first.transitions(), steady, "problem", "hard") == 1 })
	first.waitFor(t, "flip OK", func() bool { return first.runs(flip) >= 1 })
	for round := 1; round <= 2; round++ {
		dir.setState(t, "flip", 2)
		first.waitFor(t, "flip HARD", func() bool { return countTransitions(first.transitions(), flip, "problem", "hard") == round })
		dir.setState(t, "flip", 0)
		first.waitFor(t, "flip recovered", func() bool { return countTransitions(first.transitions(), flip, "recovery", "") == round })
	}
	// Kill it in the middle of a problem: after the SOFT problem was logged,
	// while the HARD one may be on its way.
	dir.setState(t, "flip", 2)
	first.waitFor(t, "flip SOFT", func() bool { return countTransitions(first.transitions(), flip, "problem", "soft") == 3 })
	first.kill9(t)
	beforeKill := first.transitions()

	second := startDaemon(t, bin, nil, dir.args()...)
	second.waitFor(t, "steady ran 3 times after the restart", func() bool { return second.runs(steady) >= 3 })
	second.waitFor(t, "flip ran 3 times after the restart", func() bool { return second.runs(flip) >= 3 })
	client := &server.Client{BaseURL: "http://" + second.httpAddr(t)}
	statuses, err := client.Status(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if code := second.stop(t); code != 0 {
		t.Errorf("vakt run exited %d after SIGTERM; want 0", code)
	}
	afterRestart := second.transitions()

	st, err := store.Open(context.Background(), filepath.Join(dir.state, "vakt.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, err := st.Transitions(context.Background(), store.TransitionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]store.Transition{}
	for _, tr := range stored {
		byID[tr.ID] = tr
	}
	for _, lt := range append(slices.Clone(beforeKill), afterRestart...) {
		tr, ok := byID[lt.ID]
		if !ok {
			t.Errorf("logged transition %+v is not in the store", lt)
			continue
		}
		if tr.CheckID != lt.Check || tr.Kind != lt.Kind || tr.From.String() != lt.From || tr.To.String() != lt.To ||
			string(tr.Type) != lt.Type || tr.Notify != lt.Notify || tr.Suppressed != lt.Suppressed || tr.Output != lt.Output {
			t.Errorf("stored transition %+v differs from the logged one %+v", tr, lt)
		}
	}

	// What the store holds of each check, counted: steady's problem once,
	// flip's three problems, each SOFT then HARD, and two recoveries.
	count := map[string]int{}
	for _, tr := range stored {
		count[fmt.Sprintf("%s %s %s", tr.CheckID, tr.Kind, tr.Type)]++
	}
	want := map[string]int{
		steady + " problem hard": 1,
		flip + " problem soft":   3,
		flip + " problem hard":   3,
		flip + " recovery hard":  2,
	}
	if !maps.Equal(count, want) {
		t.Errorf("stored transitions by check, kind and type = %v; want %v", count, want)
	}
	if n := countTransitions(afterRestart, steady, "problem", ""); n != 0 {
		t.Errorf("steady raised %d problem transitions after the restart; want none", n)
	}

	var steadyProblem store.Transition
	for _, tr := range stored {
		if tr.CheckID == steady {
			steadyProblem = tr
		}
	}
	var ids []string
	for _, c := range statuses {
		ids = append(ids, c.ID)
		if c.ID == steady && (c.State != "CRITICAL" || c.Type != "HARD" || !c.LastHardChange.Equal(steadyProblem.Time)) {
			t.Errorf("steady after the restart = %+v; want CRITICAL HARD since %v", c, steadyProblem.Time)
		}
	}
	if !slices.Equal(ids, []string{flip, steady}) {
		t.Errorf("problems after the restart = %v; want flip and steady", ids)
	}
}

// TestStatusAndReloadCommands runs vakt status and vakt reload against a
// vakt run child process: the table of problems and the exit code of the
// worst state; a reload of a broken file refused with the diagnostics and
// the running checks kept; reloads that add and remove checks, by command
// and by SIGHUP.
func TestStatusAndReloadCommands(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	checksFile := filepath.Join(dir.checks, "checks.hcl")
	crit, warn, ok := dir.flip(t, "crit", 2, 1), dir.flip(t, "warn", 1, 1), dir.flip(t, "ok", 0, 1)
	writeFile(t, checksFile, crit+warn+ok)
	const token = "tok-123"
	p := startDaemon(t, bin, []string{"VAKT_API_TOKENS=" + token}, dir.args()...)
	for _, id := range []string{"localhost/crit", "localhost/warn", "localhost/ok"} {
		p.waitFor(t, id+" ran", func() bool { return p.runs(id) >= 1 })
	}
	addr := p.httpAddr(t)
	client := &server.Client{BaseURL: "http://" + addr}
	all, err := client.Status(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	since := map[string]string{}
	for _, c := range all {
		since[c.ID] = c.LastChange.Local().Format(time.RFC3339)
	}

	code, stdout, stderr := vakt(t, "status", "--listen", addr)
	wantRows := []string{
		`CHECK\s+STATE\s+TYPE\s+ATTEMPT\s+LEVEL\s+SINCE\s+NOTES\s+OUTPUT`,
		`localhost/crit\s+CRITICAL\s+HARD\s+1/1\s+error\s+` + regexp.QuoteMeta(since["localhost/crit"]) + `\s+-\s+CRITICAL: crit`,
		`localhost/warn\s+WARNING\s+HARD\s+1/1\s+warning\s+` + regexp.QuoteMeta(since["localhost/warn"]) + `\s+-\s+WARNING: warn`,
	}
	checkTable(t, "vakt status", code, 2, stdout, stderr, wantRows)
	code, stdout, stderr = vakt(t, "status", "--all", "--listen", addr)
	checkTable(t, "vakt status --all", code, 2, stdout, stderr, []string{wantRows[0], wantRows[1],
		`localhost/ok\s+OK\s+HARD\s+1/1\s+ok\s+` + regexp.QuoteMeta(since["localhost/ok"]) + `\s+-\s+OK: ok`, wantRows[2]})

	// A broken file: refused, diagnostics printed, the checks keep running.
	bad := filepath.Join(dir.checks, "bad.hcl")
	writeFile(t, bad, "check \"x\" {\n  interval = 5\n}\n")
	code, stdout, stderr = vakt(t, "reload", "--listen", addr, "--api-token", token)
	if code != 1 || stdout != "" || !strings.Contains(stderr, bad+":2:") ||
		!strings.Contains(stderr, "vakt: checks.d has errors; the running configuration stays\n") {
		t.Errorf("vakt reload of a broken file = %d\nstdout: %q\nstderr: %q\nwant exit 1 with the diagnostics", code, stdout, stderr)
	}
	if code, _, stderr := vakt(t, "reload", "--listen", addr); code != 3 || !strings.Contains(stderr, "401 Unauthorized: missing bearer token") {
		t.Errorf("vakt reload without a token = %d %q; want 3 and 401", code, stderr)
	}
	if got, err := client.Status(context.Background(), false); err != nil || len(got) != 3 {
		t.Errorf("checks after a refused reload: %d, %v; want the 3 running ones", len(got), err)
	}

	// Reloads that keep only warn, then only ok: the exit code follows
	// the worst state, because kept checks keep their state.
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	writeFile(t, checksFile, warn+ok)
	code, stdout, stderr = vakt(t, "reload", "--listen", addr, "--api-token", token)
	if code != 0 || stdout != "reloaded: 2 checks (0 added, 1 removed, 2 kept)\n" || stderr != "" {
		t.Errorf("vakt reload = %d %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = vakt(t, "status", "--listen", addr)
	checkTable(t, "vakt status with a warning", code, 1, stdout, stderr, []string{wantRows[0], wantRows[2]})

	writeFile(t, checksFile, ok)
	if code, stdout, _ := vakt(t, "reload", "--listen", addr, "--api-token", token); code != 0 || stdout != "reloaded: 1 checks (0 added, 1 removed, 1 kept)\n" {
		t.Errorf("vakt reload = %d %q", code, stdout)
	}
	code, stdout, stderr = vakt(t, "status", "--listen", addr)
	if code != 0 || stdout != "No problems: every check is OK.\n" || stderr != "" {
		t.Errorf("vakt status with no problem = %d %q %q; want 0 and no problems", code, stdout, stderr)
	}

	// SIGHUP: a new check appears.
	writeFile(t, checksFile, ok+dir.flip(t, "hup", 2, 1))
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "the check added by SIGHUP ran", func() bool { return p.runs("localhost/hup") >= 1 })
	code, stdout, stderr = vakt(t, "status", "--listen", addr)
	checkTable(t, "vakt status after SIGHUP", code, 2, stdout, stderr, []string{wantRows[0],
		`localhost/hup\s+CRITICAL\s+HARD\s+1/1\s+error\s+\S+\s+-\s+CRITICAL: hup`})

	if code := p.stop(t); code != 0 {
		t.Errorf("vakt run exited %d after SIGTERM; want 0", code)
	}
	code, _, stderr = vakt(t, "status", "--listen", addr)
	if code != 3 || !strings.Contains(stderr, "is vakt run running?") {
		t.Errorf("vakt status with no daemon = %d %q; want 3 and a hint", code, stderr)
	}
}

// checkTable checks an exit code and that stdout has exactly one line per
// pattern, each matching it in full.
func checkTable(t *testing.T, what string, code, wantCode int, stdout, stderr string, rows []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if code != wantCode || stderr != "" || len(lines) != len(rows) {
		t.Errorf("%s = exit %d, %d lines; want exit %d, %d lines\nstdout:\n%s\nstderr:\n%s", what, code, len(lines), wantCode, len(rows), stdout, stderr)
		return
	}
	for i, re := range rows {
		if !regexp.MustCompile("^" + re + "$").MatchString(lines[i]) {
			t.Errorf("%s line %d = %q; want it to match %q", what, i, lines[i], re)
		}
	}
}

// TestRunBrokenConfig: vakt run with a checks.d that has errors prints the
// diagnostics and exits 1 without starting.
func TestRunBrokenConfig(t *testing.T) {
	dir := newDaemonDir(t)
	file := filepath.Join(dir.checks, "checks.hcl")
	writeFile(t, file, "check \"x\" {\n  interval = \"5x\"\n  command = [\"/bin/true\"]\n}\n")
	code, stdout, stderr := vakt(t, "run", "--checks-dir", dir.checks, "--state-dir", dir.state, "--listen", "off", "--bb-listen", "off", "--log-format", "json")
	if code != 1 || stdout != "" || !strings.Contains(stderr, file+":2:14: error: Invalid duration") ||
		!strings.Contains(stderr, "vakt: 1 error(s) in "+dir.checks+"; not started\n") {
		t.Errorf("vakt run = %d\nstdout: %q\nstderr: %q\nwant exit 1 with the diagnostics", code, stdout, stderr)
	}
}

// TestDaemonRunsGoPlugins: vakt run validates plugin checks against their
// plugin's schema at start (a wrong attribute is a configuration error at
// its file:line) and runs them through the built-in plugin processes.
func TestDaemonRunsGoPlugins(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	file := filepath.Join(dir.checks, "checks.hcl")
	writeFile(t, file, "check \"tcp\" {\n  plugin = \"tcp\"\n  config {\n    host = \"127.0.0.1\"\n    prot = 1\n  }\n}\n")
	cmd := exec.Command(bin, append([]string{"run", "--log-format", "json"}, dir.args()...)...)
	cmd.Env = withoutVaktEnv()
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 || !strings.Contains(string(out), file+":5:5: error: ") ||
		!strings.Contains(string(out), "vakt: 2 error(s) in "+dir.checks+"; not started\n") {
		t.Errorf("vakt run with a wrong plugin attribute = %d (%v)\n%s\nwant exit 1 and the diagnostics", code, err, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	writeFile(t, file, fmt.Sprintf("check \"tcp\" {\n  plugin = \"tcp\"\n  interval = \"1s\"\n  max_attempts = 1\n  config {\n    host = \"127.0.0.1\"\n    port = %s\n  }\n}\n", port))
	p := startDaemon(t, bin, nil, dir.args()...)
	const id = "localhost/tcp"
	p.waitFor(t, "the plugin check ran", func() bool { return p.runs(id) >= 1 })
	client := &server.Client{BaseURL: "http://" + p.httpAddr(t)}
	st, err := client.Status(context.Background(), false)
	if err != nil || len(st) != 1 || st[0].State != "OK" || !strings.HasPrefix(st[0].Output, "TCP OK") {
		t.Fatalf("status = %+v, %v; want %s OK", st, err, id)
	}
	ln.Close()
	p.waitFor(t, "the problem", func() bool { return countTransitions(p.transitions(), id, "problem", "hard") == 1 })
	if code := p.stop(t); code != 0 {
		t.Errorf("vakt run exited %d after SIGTERM; want 0", code)
	}
}

// TestRunLogFormat: vakt run logs JSON lines by default, and in the
// console format when its stderr is a terminal, unless --log-format says
// otherwise.
func TestRunLogFormat(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), dir.flip(t, "ok", 0, 1))
	ansi := regexp.MustCompile(`\x1b\[[0-9;]*m`)
	for _, tc := range []struct {
		name     string
		terminal bool
		args     []string
		want     *regexp.Regexp // the "vakt running" line, colours removed
	}{
		{"not a terminal: JSON", false, nil, regexp.MustCompile(`^\{"level":"info",.*"message":"vakt running"\}$`)},
		{"terminal: console", true, nil, regexp.MustCompile(`^\S+ INF vakt running bb_addr=127\.0\.0\.1:\d+ checks=1 `)},
		{"terminal, --log-format json", true, []string{"--log-format", "json"}, regexp.MustCompile(`^\{"level":"info",.*"message":"vakt running"\}$`)},
		{"not a terminal, --log-format console", false, []string{"--log-format", "console"}, regexp.MustCompile(`^\S+ INF vakt running bb_addr=127\.0\.0\.1:\d+ checks=1 `)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, append(append([]string{"run"}, dir.args()...), tc.args...)...)
			cmd.Env = withoutVaktEnv()
			var out io.Reader
			if tc.terminal {
				ptmx, pts := openPTY(t)
				cmd.Stderr, out = pts, ptmx
			} else {
				r, err := cmd.StderrPipe()
				if err != nil {
					t.Fatal(err)
				}
				out = r
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if f, ok := cmd.Stderr.(*os.File); ok {
				f.Close() // the child has it; the master sees the end once the child is gone
			}
			lines := make(chan string)
			go func() {
				defer close(lines)
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- strings.TrimRight(ansi.ReplaceAllString(sc.Text(), ""), "\r")
				}
			}()
			defer func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				timeout := time.After(daemonWait)
				for open := true; open; { // until the child's stderr is closed
					select {
					case _, open = <-lines:
					case <-timeout:
						t.Errorf("vakt run did not stop within %s of SIGTERM", daemonWait)
						_ = cmd.Process.Kill()
						timeout = nil
					}
				}
				_ = cmd.Wait()
			}()
			deadline := time.After(daemonWait)
			var seen []string
			for {
				select {
				case line, ok := <-lines:
					if !ok {
						t.Fatalf("vakt run ended before it logged vakt running:\n%s", strings.Join(seen, "\n"))
					}
					seen = append(seen, line)
					if !strings.Contains(line, "vakt running") {
						continue
					}
					if !tc.want.MatchString(line) {
						t.Errorf("vakt running logged as\n%s\nwant a line matching %s", line, tc.want)
					}
					return
				case <-deadline:
					t.Fatalf("no vakt running line within %s:\n%s", daemonWait, strings.Join(seen, "\n"))
				}
			}
		})
	}
}

// openPTY opens a pseudo-terminal: the master to read what is written to
// the terminal, and the terminal itself.
func openPTY(t *testing.T) (master, terminal *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("naming the pseudo-terminal: %v", err)
	}
	terminal, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { terminal.Close() })
	return master, terminal
}
