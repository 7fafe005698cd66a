package execute

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
	"github.com/vakt/vakt/testdata/plugins-go/pidwatch"
)

// finePID parses the output "fine from pid N" of a Misbehaving plugin.
func finePID(t testing.TB, res check.Result) int {
	t.Helper()
	s, ok := strings.CutPrefix(res.Output, "fine from pid ")
	pid, err := strconv.Atoi(s)
	if !ok || err != nil || res.State != check.OK {
		t.Fatalf("result %s %q, want OK \"fine from pid N\"", res.State, res.Output)
	}
	return pid
}

// misbehavingSetup installs the Misbehaving test plugins and loads checks.
func misbehavingSetup(t testing.TB, checks string) (plugins string, cfg *testConfig, byID map[string]Job) {
	t.Helper()
	root := t.TempDir()
	plugins = filepath.Join(t.TempDir(), "global")
	installPlugins(t, plugins, map[string]string{"panic": "panic", "exit": "exit", "hang": "hang", "ignorectx": "ignorectx", "echo": "echo"})
	writeTestFiles(t, root, map[string]string{"checks.hcl": checks})
	cfg, byID = loadChecks(t, root)
	return plugins, cfg, byID
}

// TestPluginRestartsAfterCrash crashes a plugin and checks that the next
// check of it runs in a new process, with its config configured again,
// and that the crashed process is gone.
func TestPluginRestartsAfterCrash(t *testing.T) {
	for _, plugin := range []string{"panic", "exit"} {
		t.Run(plugin, func(t *testing.T) {
			plugins, cfg, checks := misbehavingSetup(t, fmt.Sprintf(`
check "fine" {
  plugin = %q
  config {
    mode = "ok"
  }
}
check "crash" {
  plugin = %q
}
`, plugin, plugin))
			// A nanosecond of backoff: the next call restarts the plugin.
			h := newTestHost(t, PluginOptions{Dirs: []string{plugins}, RestartBackoff: time.Nanosecond, MaxRestartBackoff: time.Nanosecond})
			fine, crash := checks["localhost/fine"], checks["localhost/crash"]

			first := finePID(t, runPluginCheck(t, h, cfg, fine))
			if got := runningPID(h, fine); got != first {
				t.Fatalf("running pid %d, but the plugin says %d", got, first)
			}
			firstProc := pidwatch.Watch(t, first)
			for round := 1; round <= 3; round++ {
				res := runPluginCheck(t, h, cfg, crash)
				if res.State != check.Unknown || !strings.HasPrefix(res.Output, `(Plugin "`+plugin+`" failed during the check: its process exited with exit status `) {
					t.Fatalf("crash %d: %s %q, want UNKNOWN, failed during the check", round, res.State, res.Output)
				}
				if got := h.entry(crash).proc.failuresInRow.Load(); got != int32(round) {
					t.Errorf("failures in a row after crash %d: %d", round, got)
				}
			}
			if !firstProc.Exited(t) {
				t.Errorf("the crashed process %d still runs", first)
			}
			second := finePID(t, runPluginCheck(t, h, cfg, fine))
			if second == first {
				t.Fatalf("after the crash the check ran in the same pid %d", first)
			}
			if got := h.entry(fine).proc.failuresInRow.Load(); got != 0 {
				t.Errorf("failures in a row after a good call: %d, want 0", got)
			}
			if pids := allPIDs(h); len(pids) != 1 || pids[0] != second {
				t.Errorf("plugin processes %v, want just %d", pids, second)
			}
		})
	}
}

// TestPluginCrashFailsCallsInFlight crashes a plugin while other calls of
// it wait in the plugin: each gets UNKNOWN saying how the plugin died.
func TestPluginCrashFailsCallsInFlight(t *testing.T) {
	plugins, cfg, checks := misbehavingSetup(t, `
check "wait" {
  hosts  = ["a", "b", "c"]
  plugin = "panic"
  config {
    mode = "wait"
  }
}
check "crash" {
  plugin = "panic"
}
host "a" {}
host "b" {}
host "c" {}
`)
	lines := sdktest.NewLogLines()
	h := newTestHostLogging(t, PluginOptions{Dirs: []string{plugins}, RestartBackoff: time.Hour}, lines, zerolog.InfoLevel)
	results := make(chan check.Result, 3)
	for _, host := range []string{"a", "b", "c"} {
		go func() { results <- runPluginCheck(t, h, cfg, checks[host+"/wait"]) }()
	}
	lines.WaitForCount(t, 3, map[string]any{"message": "check called", "mode": "wait"})

	reason := `its process exited with exit status 2: panic: boom in check crash`
	assertPluginResult(t, runPluginCheck(t, h, cfg, checks["localhost/crash"]), pluginResult{
		Check: "crash", Host: "localhost", State: check.Unknown, ExitCode: -1,
		Output: `(Plugin "panic" failed during the check: ` + reason + `)`})
	for range 3 {
		res := <-results
		assertPluginResult(t, res, pluginResult{Check: "wait", Host: res.Host, State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "panic" failed during the check: ` + reason + `)`})
	}
	// Down for an hour: the next call says so without starting it.
	assertPluginResult(t, runPluginCheck(t, h, cfg, checks["a/wait"]), pluginResult{
		Check: "wait", Host: "a", State: check.Unknown, ExitCode: -1,
		Output: `(Plugin "panic" is not available: ` + reason + `)`})
	if pids := allPIDs(h); len(pids) != 0 {
		t.Errorf("plugin processes %v while the plugin is down", pids)
	}
}

// TestPluginKilledAfterTimeouts checks that a plugin whose calls keep
// timing out is killed and restarted, whether it respects its context or
// not, and that a call in between that comes back resets the count.
func TestPluginKilledAfterTimeouts(t *testing.T) {
	for _, plugin := range []string{"hang", "ignorectx"} {
		t.Run(plugin, func(t *testing.T) {
			plugins, cfg, checks := misbehavingSetup(t, fmt.Sprintf(`
check "fine" {
  plugin = %q
  config {
    mode = "ok"
  }
}
check "slow" {
  plugin  = %q
  timeout = "1s"
}
check "wait" {
  plugin = %q
  config {
    mode = "wait"
  }
}
`, plugin, plugin, plugin))
			lines := sdktest.NewLogLines()
			h := newTestHostLogging(t, PluginOptions{Dirs: []string{plugins}, TimeoutsBeforeRestart: 2,
				RestartBackoff: time.Nanosecond, MaxRestartBackoff: time.Nanosecond}, lines, zerolog.InfoLevel)
			fine, slow := checks["localhost/fine"], checks["localhost/slow"]
			timedOut := pluginResult{Check: "slow", Host: "localhost", State: check.Critical, ExitCode: -1, TimedOut: true,
				Output: "(Service check timed out after 1.00 seconds)"}

			first := finePID(t, runPluginCheck(t, h, cfg, fine))
			assertPluginResult(t, runPluginCheck(t, h, cfg, slow), timedOut)
			// A call that comes back ends the row.
			if pid := finePID(t, runPluginCheck(t, h, cfg, fine)); pid != first {
				t.Fatalf("pid %d after one timeout, want %d", pid, first)
			}
			assertPluginResult(t, runPluginCheck(t, h, cfg, slow), timedOut)
			if pid := runningPID(h, fine); pid != first {
				t.Fatalf("running pid %d after one timeout in a row, want %d", pid, first)
			}
			firstProc := pidwatch.Watch(t, first)
			// A call in flight when the plugin is killed says why.
			waiting := make(chan check.Result, 1)
			go func() { waiting <- runPluginCheck(t, h, cfg, checks["localhost/wait"]) }()
			lines.WaitForCount(t, 1, map[string]any{"message": "check called", "mode": "wait"})
			assertPluginResult(t, runPluginCheck(t, h, cfg, slow), timedOut)
			if !firstProc.WaitExited(t, pluginWait) {
				t.Fatalf("process %d still runs after two timeouts in a row", first)
			}
			assertPluginResult(t, <-waiting, pluginResult{Check: "wait", Host: "localhost", State: check.Unknown, ExitCode: -1,
				Output: `(Plugin "` + plugin + `" failed during the check: it was killed after 2 calls in a row timed out)`})
			second := finePID(t, runPluginCheck(t, h, cfg, fine))
			if second == first {
				t.Fatalf("the plugin was not restarted: pid %d", second)
			}
		})
	}
}

// TestPluginCallEnds ends calls while the plugin works on them, by the
// caller cancelling and by the check's timeout. The result says which; the
// plugin process sees its call end (it logs so, and the line reaches vakt's
// log tagged with the plugin's name, the check and the host); and the
// plugin, which respected its context, keeps running.
func TestPluginCallEnds(t *testing.T) {
	plugins, cfg, checks := misbehavingSetup(t, `
check "fine" {
  plugin = "hang"
  config {
    mode = "ok"
  }
}
check "wait" {
  plugin = "hang"
  config {
    mode = "wait"
  }
}
check "slow" {
  plugin  = "hang"
  timeout = "1s"
  config {
    mode = "wait"
  }
}
`)
	lines := sdktest.NewLogLines()
	h := newTestHostLogging(t, PluginOptions{Dirs: []string{plugins}}, lines, zerolog.InfoLevel)
	pid := finePID(t, runPluginCheck(t, h, cfg, checks["localhost/fine"]))
	samePlugin := func(t *testing.T) {
		t.Helper()
		if got := finePID(t, runPluginCheck(t, h, cfg, checks["localhost/fine"])); got != pid {
			t.Errorf("pid %d after the call ended, want the same process %d", got, pid)
		}
	}

	t.Run("the caller cancels", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		results := make(chan check.Result, 1)
		go func() { results <- h.Run(ctx, checks["localhost/wait"]) }()
		lines.WaitFor(t, map[string]any{"message": "check called", "check": "wait"})
		cancel()
		assertPluginResult(t, <-results, pluginResult{Check: "wait", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: "(Check cancelled before the plugin finished: context canceled)"})
		lines.WaitFor(t, map[string]any{"level": "info", "plugin": "hang", "message": "check context ended",
			"mode": "wait", "check": "wait", "host": "localhost", "reason": "context canceled"})

		assertPluginResult(t, h.Run(ctx, checks["localhost/fine"]), pluginResult{
			Check: "fine", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: "(Check cancelled before it started: context canceled)"})
		samePlugin(t)
	})

	t.Run("the check times out", func(t *testing.T) {
		assertPluginResult(t, runPluginCheck(t, h, cfg, checks["localhost/slow"]), pluginResult{
			Check: "slow", Host: "localhost", State: check.Critical, ExitCode: -1, TimedOut: true,
			Output: "(Service check timed out after 1.00 seconds)"})
		// Which end the plugin sees first, its own deadline or vakt
		// cancelling the call when the deadline passed, is a race; either
		// shows that the timeout crossed to the plugin.
		lines.WaitFor(t, map[string]any{"level": "info", "plugin": "hang", "message": "check context ended",
			"mode": "wait", "check": "slow", "host": "localhost", "deadline": true})
		samePlugin(t)
	})
}

// TestPluginCloseLeavesNoProcess closes a host with plugins idle, busy and
// stuck in a call that ignores its context: Close returns once every
// process has ended, the calls in flight end UNKNOWN, and later calls too.
func TestPluginCloseLeavesNoProcess(t *testing.T) {
	plugins, cfg, checks := misbehavingSetup(t, `
check "idle" {
  plugin = "echo"
  config {
    message = "idle"
  }
}
check "wait" {
  plugin = "hang"
  config {
    mode = "wait"
  }
}
check "stuck" {
  plugin = "ignorectx"
}
`)
	lines := sdktest.NewLogLines()
	h := NewPluginHost(PluginOptions{Dirs: []string{plugins}, Builtins: []string{}, Log: newTestLogger(lines)})
	if res := runPluginCheck(t, h, cfg, checks["localhost/idle"]); res.State != check.OK {
		t.Fatalf("idle: %s %q", res.State, res.Output)
	}
	var wg sync.WaitGroup
	inFlight := make([]check.Result, 2)
	for i, id := range []string{"localhost/wait", "localhost/stuck"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inFlight[i] = runPluginCheck(t, h, cfg, checks[id])
		}()
	}
	lines.WaitForCount(t, 1, map[string]any{"message": "check called", "mode": "wait"})
	lines.WaitForCount(t, 1, map[string]any{"message": "check called", "mode": "bad", "plugin": "ignorectx"})
	pids := allPIDs(h)
	if len(pids) != 3 {
		t.Fatalf("plugin processes %v, want 3", pids)
	}
	var procs []pidwatch.Process
	for _, pid := range pids {
		procs = append(procs, pidwatch.Watch(t, pid))
	}

	ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
	defer cancel()
	if err := h.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i, proc := range procs {
		if !proc.Exited(t) {
			t.Errorf("plugin process %d still runs after Close", pids[i])
		}
	}
	wg.Wait()
	shutDown := "(The plugin runner is shut down)"
	assertPluginResult(t, inFlight[0], pluginResult{Check: "wait", Host: "localhost", State: check.Unknown, ExitCode: -1, Output: shutDown})
	assertPluginResult(t, inFlight[1], pluginResult{Check: "stuck", Host: "localhost", State: check.Unknown, ExitCode: -1, Output: shutDown})
	assertPluginResult(t, runPluginCheck(t, h, cfg, checks["localhost/idle"]), pluginResult{
		Check: "idle", Host: "localhost", State: check.Unknown, ExitCode: -1, Output: shutDown})
	if err := h.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestPluginCloseKillsWhenOutOfTime closes with a context that has ended:
// the processes are killed at once and Close says which.
func TestPluginCloseKillsWhenOutOfTime(t *testing.T) {
	plugins, cfg, checks := misbehavingSetup(t, `
check "idle" {
  plugin = "echo"
  config {
    message = "idle"
  }
}
`)
	h := NewPluginHost(PluginOptions{Dirs: []string{plugins}, Builtins: []string{}, Log: newTestLogger(sdktest.NewLogLines())})
	if res := runPluginCheck(t, h, cfg, checks["localhost/idle"]); res.State != check.OK {
		t.Fatalf("idle: %s %q", res.State, res.Output)
	}
	pid := runningPID(h, checks["localhost/idle"])
	proc := pidwatch.Watch(t, pid)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := h.Close(ctx)
	want := fmt.Sprintf("closing plugins: killed echo (pid %d), which did not exit in time: context canceled", pid)
	if err == nil || err.Error() != want {
		t.Errorf("Close: got %v, want %q", err, want)
	}
	if !proc.Exited(t) {
		t.Errorf("plugin process %d still runs after Close", pid)
	}
}
