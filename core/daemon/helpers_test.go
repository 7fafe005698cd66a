package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/server"
	"github.com/vakt/vakt/core/store"
)

// waitTimeout bounds every wait. It is generous on purpose: the tests must
// pass on a loaded two-core CI machine, and none depends on it being short.
const waitTimeout = 60 * time.Second

const pluginDir = "/usr/lib/nagios/plugins"

const testToken = "s3cret-token"

func requirePlugins(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pluginDir, "check_dummy")); err != nil {
		t.Fatalf("Debian's monitoring-plugins are missing (%v): `make test` installs monitoring-plugins-basic", err)
	}
}

// logRecord is the daemon's JSON log, line by line, which tests wait on:
// every check run logs a line at debug, so a condition on the daemon's state
// is re-checked after each run.
type logRecord struct {
	mu      sync.Mutex
	partial []byte
	lines   []map[string]any
	wake    chan struct{} // closed and replaced at every line
}

func newLogRecord() *logRecord { return &logRecord{wake: make(chan struct{})} }

func (r *logRecord) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		var line map[string]any
		if err := json.Unmarshal(r.partial[:i], &line); err != nil {
			line = map[string]any{"message": "UNPARSABLE: " + string(r.partial[:i])}
		}
		r.partial = r.partial[i+1:]
		r.lines = append(r.lines, line)
	}
	close(r.wake)
	r.wake = make(chan struct{})
	return len(p), nil
}

// messages returns the lines whose message is msg.
func (r *logRecord) messages(msg string) []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, l := range r.lines {
		if l["message"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// waitFor re-checks cond after every log line until it holds.
func (r *logRecord) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		r.mu.Lock()
		wake := r.wake
		r.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-wake:
		case <-deadline:
			t.Fatalf("gave up after %s waiting for %s", waitTimeout, what)
		}
	}
}

// runs counts the "check ran" lines of check id.
func (r *logRecord) runs(id string) int {
	n := 0
	for _, l := range r.messages("check ran") {
		if l["check"] == id {
			n++
		}
	}
	return n
}

// testEnv is a folder with checks.d, state files and a state database.
type testEnv struct {
	dir, checks, statePath string
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	requirePlugins(t)
	dir := t.TempDir()
	env := &testEnv{dir: dir, checks: filepath.Join(dir, "checks.d"), statePath: filepath.Join(dir, "vakt.db")}
	if err := os.Mkdir(env.checks, 0o755); err != nil {
		t.Fatal(err)
	}
	return env
}

// writeChecks replaces checks.d/checks.hcl.
func (e *testEnv) writeChecks(t *testing.T, hcl string) {
	t.Helper()
	writeFile(t, filepath.Join(e.checks, "checks.hcl"), hcl)
}

// stateFile is the file a flip check reads its exit code from.
func (e *testEnv) stateFile(name string) string { return filepath.Join(e.dir, name+".state") }

// setState makes the next runs of flip check name exit with code.
func (e *testEnv) setState(t *testing.T, name string, code int) {
	t.Helper()
	writeFile(t, e.stateFile(name), fmt.Sprintf("%d\n", code))
}

// flipCheck declares a check on host that runs check_dummy with the exit
// code found in its state file, every second.
func (e *testEnv) flipCheck(t *testing.T, host, name string, maxAttempts int, extra string) string {
	t.Helper()
	if _, err := os.Stat(e.stateFile(name)); err != nil {
		e.setState(t, name, 0)
	}
	return fmt.Sprintf(`check %q {
  host           = %q
  shell          = true
  command        = "%s/check_dummy \"$(cat %s)\" %s"
  interval       = "1s"
  retry_interval = "1s"
  max_attempts   = %d
  %s
}
`, name, host, pluginDir, e.stateFile(name), name, maxAttempts, extra)
}

// idleCheck declares a check on host that runs check_dummy with exit code
// and output every 300 days: it runs only when a test makes it due
// (sched.RunNow). extra goes inside the block.
func idleCheck(host, name string, code int, output, extra string) string {
	return fmt.Sprintf(`check %q {
  host     = %q
  command  = [%q, "%d", %q]
  interval = "300d"
  %s
}
`, name, host, filepath.Join(pluginDir, "check_dummy"), code, output, extra)
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil { // atomic: a run never reads half a file
		t.Fatal(err)
	}
}

// started is a daemon running in the background of a test.
type started struct {
	*Daemon
	log  *logRecord
	stop func() error // stops it and returns Run's error
}

// start makes and runs a daemon on env with the HTTP API and the Big
// Brother listener on loopback ports, logging at debug into a logRecord.
func start(t *testing.T, env *testEnv, edit func(*Options)) *started {
	t.Helper()
	rec := newLogRecord()
	opts := Options{
		Checks:      []string{env.checks},
		StatePath:   env.statePath,
		Listen:      "127.0.0.1:0",
		BBListen:    "127.0.0.1:0",
		Tokens:      []string{testToken},
		Concurrency: 4,
		Engine:      engine.Options{TickInterval: 100 * time.Millisecond},
		Logger:      zerolog.New(rec).Level(zerolog.DebugLevel).With().Timestamp().Logger(),
	}
	if edit != nil {
		edit(&opts)
	}
	d, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	var runErr error
	s := &started{Daemon: d, log: rec}
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(waitTimeout):
				runErr = fmt.Errorf("Run did not return within %s", waitTimeout)
			}
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

// status returns check id's status as the API shows it.
func (s *started) status(t *testing.T, id string) server.CheckStatus {
	t.Helper()
	for _, c := range s.Statuses() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("check %s is not in the status; have %v", id, s.ids())
	return server.CheckStatus{}
}

// has reports whether check id is in the status.
func (s *started) has(id string) bool { return slices.Contains(s.ids(), id) }

func (s *started) ids() []string {
	var ids []string
	for _, c := range s.Statuses() {
		ids = append(ids, c.ID)
	}
	return ids
}

// waitStatus waits until check id's status satisfies cond.
func (s *started) waitStatus(t *testing.T, id, what string, cond func(server.CheckStatus) bool) server.CheckStatus {
	t.Helper()
	var last server.CheckStatus
	s.log.waitFor(t, id+": "+what, func() bool {
		for _, c := range s.Statuses() {
			if c.ID == id {
				last = c
				return cond(c)
			}
		}
		return false
	})
	return last
}

func isState(state, typ string) func(server.CheckStatus) bool {
	return func(c server.CheckStatus) bool { return c.Checked && c.State == state && c.Type == typ }
}

// openStore opens the state database of a stopped daemon.
func openStore(t *testing.T, path string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// transitionLine is a stored transition reduced to what tests compare.
type transitionLine struct {
	Check, Kind, From, To, Type string
	Notify                      bool
	Suppressed                  string
}

func (l transitionLine) String() string {
	n := "notify"
	if !l.Notify {
		n = "suppressed:" + l.Suppressed
	}
	return strings.Join([]string{l.Check, l.Kind, l.From + "->" + l.To, l.Type, n}, " ")
}

// storedTransitions lists the transitions of check id (all when "") as
// lines.
func storedTransitions(t *testing.T, st *store.Store, id string) []string {
	t.Helper()
	trs, err := st.Transitions(context.Background(), store.TransitionQuery{CheckID: id})
	if err != nil {
		t.Fatalf("reading transitions: %v", err)
	}
	out := []string{}
	for _, tr := range trs {
		out = append(out, transitionLine{Check: tr.CheckID, Kind: tr.Kind, From: tr.From.String(), To: tr.To.String(),
			Type: string(tr.Type), Notify: tr.Notify, Suppressed: tr.Suppressed}.String())
	}
	return out
}

// stopAndCheckTransitions stops the daemon and checks that the transitions
// stored for check id ("" for every check) are exactly want.
func (s *started) stopAndCheckTransitions(t *testing.T, env *testEnv, id string, want ...string) {
	t.Helper()
	if err := s.stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := storedTransitions(t, openStore(t, env.statePath), id); !slices.Equal(got, want) {
		t.Errorf("stored transitions of %q:\n%s\nwant:\n%s", id, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// passiveCommand is a Xymon command, as the Big Brother listener hands it
// over.
type passiveCommand = passive.Command

// passiveResult is a result as a passive source hands it over.
func passiveResult(host, name string, st check.State) passive.Result {
	return passive.Result{Host: host, Check: name, State: st, Output: fmt.Sprintf("%s is %s", name, st),
		Received: time.Now(), Source: "test"}
}

func disable(host, name string, d time.Duration, untilOK bool) passive.Command {
	return passive.Command{Kind: passive.Disable, Host: host, Check: name, Duration: d, UntilOK: untilOK,
		Reason: "maintenance", Received: time.Now(), Source: "test"}
}

func enable(host, name string) passive.Command {
	return passive.Command{Kind: passive.Enable, Host: host, Check: name, Received: time.Now(), Source: "test"}
}
