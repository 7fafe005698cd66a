package runner

import (
	"context"
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
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
)

// runLimit is how long a test waits for anything before calling it hung.
const runLimit = 3 * time.Minute

// load writes src as one HCL file and loads it through the load path,
// without a plugin host; any diagnostic fails the test.
func load(t *testing.T, src string) *definitions.Set {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "checks.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := definitions.Load(context.Background(), definitions.Options{Paths: []string{dir}})
	if len(res.Diagnostics) > 0 {
		t.Fatalf("loading checks:\n%s", res.Text)
	}
	return res.Set
}

func newRunner(t *testing.T) *execute.Runner {
	return &execute.Runner{Exec: execute.NewExec(zerolog.New(zerolog.NewTestWriter(t)))}
}

// TestRunFromHCL runs checks from HCL through the real exec runner: the
// per-check timeout_state and output_limit, the default output cap, host
// interpolation and the environment macros all arrive at the plugin.
func TestRunFromHCL(t *testing.T) {
	cfg := load(t, `
host "web1" {
  address = "127.0.0.1"
}

check "timeout-default" {
  command = ["/bin/sleep", "600"]
  timeout = "1s"
}

check "timeout-unknown" {
  command       = ["/bin/sleep", "600"]
  timeout       = "1s"
  timeout_state = "unknown"
}

check "timeout-ok" {
  command       = ["/bin/sleep", "600"]
  timeout       = "1500ms"
  timeout_state = "ok"
}

check "output-limit" {
  command      = ["/bin/echo", "OK 123456789"]
  output_limit = 10
}

check "output-default" {
  shell   = true
  command = "echo 'OK big'; yes xxxxxxxxx | head -c 100000"
}

check "macros" {
  host    = "web1"
  command = ["/bin/sh", "-c", "echo \"OK $VAKT_CHECK on $VAKT_HOSTNAME at $NAGIOS_HOSTADDRESS\"; exit 1"]
}
`)
	results := RunAll(context.Background(), newRunner(t), cfg.Jobs(), cfg.Len())

	type want struct {
		check, host string
		state       check.State
		output      string
		notes       []string
		timedOut    bool
	}
	wants := []want{
		{"timeout-default", "localhost", check.Critical, "(Service check timed out after 1.00 seconds)", nil, true},
		{"timeout-unknown", "localhost", check.Unknown, "(Service check timed out after 1.00 seconds)", nil, true},
		{"timeout-ok", "localhost", check.OK, "(Service check timed out after 1.50 seconds)", nil, true},
		{"output-limit", "localhost", check.OK, "OK 1234567", []string{"output truncated at 10 bytes (plugin wrote 13)"}, false},
		{"output-default", "localhost", check.OK, "OK big",
			[]string{fmt.Sprintf("output truncated at %d bytes (plugin wrote %d)", config.DefaultOutputLimit, len("OK big\n")+100000)}, false},
		{"macros", "web1", check.Warning, "OK macros on web1 at 127.0.0.1", nil, false},
	}
	if len(results) != len(wants) {
		t.Fatalf("%d results, want %d", len(results), len(wants))
	}
	for i, w := range wants {
		t.Run(w.check, func(t *testing.T) {
			got := results[i]
			if got.Check != w.check || got.Host != w.host {
				t.Errorf("result %d is %s on %s, want %s on %s", i, got.Check, got.Host, w.check, w.host)
			}
			if got.State != w.state || got.Output != w.output || got.TimedOut != w.timedOut {
				t.Errorf("State, Output, TimedOut = %s, %q, %v; want %s, %q, %v",
					got.State, got.Output, got.TimedOut, w.state, w.output, w.timedOut)
			}
			if !slices.Equal(got.Notes, w.notes) {
				t.Errorf("Notes = %q, want %q", got.Notes, w.notes)
			}
		})
	}
	// What the default cap kept: the first line and the rest up to 64 KiB.
	if big := results[4]; len(big.Output)+1+len(big.Long) != config.DefaultOutputLimit {
		t.Errorf("kept %d bytes of output, want the %d byte default limit", len(big.Output)+1+len(big.Long), config.DefaultOutputLimit)
	}
}

// TestRunCommandArguments: host fields are interpolated into the argv and
// reach the plugin one argument each, without a shell in between.
func TestRunCommandArguments(t *testing.T) {
	cfg := load(t, `
host "web1" {
  address = "192.0.2.7"
  tags    = { path = "/a b; echo pwned" }
}
check "args" {
  host    = "web1"
  command = ["/usr/bin/printf", "OK %s,%s,%s", host.address, host.tags.path, "${host.name}-x"]
}
`)
	res := newRunner(t).Run(context.Background(), cfg.Checks()[0].Job)
	if want := "OK 192.0.2.7,/a b; echo pwned,web1-x"; res.State != check.OK || res.Output != want {
		t.Errorf("State, Output = %s, %q; want OK, %q", res.State, res.Output, want)
	}
}

// pluginCall is what the plugin runner was called with.
type pluginCall struct{ check, host, address string }

// recordingPlugins stands in for the go-plugin runner, which core/execute
// tests with real plugin processes; here only the hand-over matters.
type recordingPlugins struct {
	mu    sync.Mutex
	calls []pluginCall
}

func (p *recordingPlugins) Run(_ context.Context, job execute.Job) check.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, pluginCall{job.Check, job.Host, job.Address})
	// A plugin runner names its results however it likes; Run renames them.
	return check.Result{Check: "whatever", Host: "elsewhere", State: check.Warning, Output: "TCP WARNING"}
}

func TestRunPluginCheck(t *testing.T) {
	cfg := load(t, `
host "web1" {
  address = "192.0.2.1"
}
check "tcp" {
  host   = "web1"
  plugin = "tcp"
  config {
    port = 22
  }
}
`)
	t.Run("no plugin runner", func(t *testing.T) {
		res := newRunner(t).Run(context.Background(), cfg.Checks()[0].Job)
		want := `(check web1/tcp uses plugin "tcp", but no plugin runner is configured)`
		if res.State != check.Unknown || res.Output != want || res.Check != "tcp" || res.Host != "web1" || res.ExitCode != -1 {
			t.Errorf("result = %+v, want UNKNOWN %q for tcp on web1 with exit code -1", res, want)
		}
	})
	t.Run("plugin runner", func(t *testing.T) {
		plugins := &recordingPlugins{}
		r := newRunner(t)
		r.Plugins = plugins
		res := r.Run(context.Background(), cfg.Checks()[0].Job)
		if res.State != check.Warning || res.Output != "TCP WARNING" || res.Check != "tcp" || res.Host != "web1" {
			t.Errorf("result = %+v, want the plugin's WARNING named tcp on web1", res)
		}
		if want := []pluginCall{{"tcp", "web1", "192.0.2.1"}}; !slices.Equal(plugins.calls, want) {
			t.Errorf("RunPlugin calls = %+v, want %+v", plugins.calls, want)
		}
	})
}

// gate is the real exec runner with a turnstile in front: runs wait until
// limit of them are in flight at once, and the most ever in flight is
// recorded. A RunAll that allowed fewer than limit at once would never fill
// the gate; one that allowed more would be seen in max.
type gate struct {
	Executor
	limit int

	mu      sync.Mutex
	running int
	max     int
	full    chan struct{}
}

func (g *gate) Run(ctx context.Context, job execute.Job) check.Result {
	g.mu.Lock()
	g.running++
	g.max = max(g.max, g.running)
	if g.running == g.limit {
		select {
		case <-g.full:
		default:
			close(g.full)
		}
	}
	g.mu.Unlock()
	select {
	case <-g.full:
	case <-time.After(runLimit):
	}
	res := g.Executor.Run(ctx, job)
	g.mu.Lock()
	g.running--
	g.mu.Unlock()
	return res
}

func TestRunAllConcurrency(t *testing.T) {
	var src strings.Builder
	for i := range 7 {
		fmt.Fprintf(&src, "check \"c%d\" {\n  command = [\"/usr/bin/printf\", \"OK %d\"]\n}\n", i, i)
	}
	cfg := load(t, src.String())
	for _, tt := range []struct {
		name              string
		concurrency, want int
	}{
		{"three at a time", 3, 3},
		{"one at a time", 1, 1},
		{"below one means one", 0, 1},
		{"more slots than checks", 20, 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := &gate{Executor: execute.NewExec(zerolog.Nop()), limit: tt.want, full: make(chan struct{})}
			r := &execute.Runner{Exec: g}
			results := RunAll(context.Background(), r, cfg.Jobs(), tt.concurrency)
			if g.max != tt.want {
				t.Errorf("at most %d checks ran at once, want %d", g.max, tt.want)
			}
			for i, res := range results {
				if want := fmt.Sprintf("OK %d", i); res.Check != fmt.Sprintf("c%d", i) || res.State != check.OK || res.Output != want {
					t.Errorf("result %d = %s %s %q, want c%d OK %q", i, res.Check, res.State, res.Output, i, want)
				}
			}
		})
	}
}

func TestRunAllCancelled(t *testing.T) {
	cfg := load(t, `
check "a" {
  command = ["/bin/true"]
}
check "b" {
  command = ["/bin/true"]
}
`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	results := RunAll(ctx, newRunner(t), cfg.Jobs(), 2)
	for i, res := range results {
		if res.State != check.Unknown || res.Output != "(Check cancelled before it started: context canceled)" {
			t.Errorf("result %d = %s %q, want UNKNOWN, cancelled before it started", i, res.State, res.Output)
		}
	}
	if len(results) != 2 || results[0].Check != "a" || results[1].Check != "b" {
		t.Errorf("results = %+v, want a and b in order", results)
	}
}
