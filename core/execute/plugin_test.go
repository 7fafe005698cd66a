package execute

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

const echoChecks = `
variable "word" {
  default = "hello"
}
host "web1" {
  address = "192.0.2.10"
}
check "greet" {
  host   = "web1"
  plugin = "echo"
  config {
    message   = "${var.word} ${host.name}"
    state     = "warning"
    threshold = 5
    tags      = ["a", "b"]
    labels    = { env = "prod", dc = "ams" }
    interval  = "1m"
  }
}
check "defaults" {
  plugin  = "echo"
  timeout = "30s"
  config {
    message = "plain"
  }
}
check "rejected" {
  plugin = "echo"
  config {
    message = "reject"
  }
}
check "fails" {
  plugin = "echo"
  config {
    message = "fail"
  }
}
check "missing" {
  plugin = "echo"
}
check "nope" {
  plugin = "nope"
}
`

func TestPluginRunEcho(t *testing.T) {
	root := t.TempDir()
	plugins := filepath.Join(t.TempDir(), "global")
	installPlugins(t, plugins, map[string]string{"echo": "echo"})
	writeTestFiles(t, root, map[string]string{"checks.hcl": echoChecks})
	cfg, checks := loadChecks(t, root)
	h := newTestHost(t, PluginOptions{Dirs: []string{plugins}, ConfigRoots: []string{root}})

	tests := []struct {
		id   string
		want pluginResult
	}{
		{"web1/greet", pluginResult{Check: "greet", Host: "web1", State: check.Warning, ExitCode: 1,
			Output:   "hello web1 on web1 (192.0.2.10)",
			Long:     "config: " + checks["web1/greet"].ConfigID() + "\nthreshold: 5\nverbose: false\ntags: a,b\nlabels: dc=ams,env=prod\ninterval: 1m0s\ntimeout: 1m0s",
			Perfdata: "threshold=5"}},
		{"localhost/defaults", pluginResult{Check: "defaults", Host: "localhost", State: check.OK, ExitCode: 0,
			Output:   "plain on localhost (127.0.0.1)",
			Long:     "config: " + checks["localhost/defaults"].ConfigID() + "\nthreshold: 10\nverbose: false\ntags: \nlabels: \ninterval: 30s\ntimeout: 30s",
			Perfdata: "threshold=10"}},
		{"localhost/rejected", pluginResult{Check: "rejected", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "echo" rejected the check's config: attribute "message": the word "reject" is refused)`}},
		{"localhost/fails", pluginResult{Check: "fails", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "echo" could not run the check: check "fails" on "localhost": the plugin failed: asked to fail)`}},
		{"localhost/missing", pluginResult{Check: "missing", Host: "localhost", State: check.Unknown, ExitCode: -1,
			// The load path reports this at file:line; a job that reaches
			// the host anyway (the plugin changed since) is UNKNOWN.
			Output: `(Invalid config for plugin "echo": missing required attribute "message")`}},
		{"localhost/nope", pluginResult{Check: "nope", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(No plugin "nope": no file vakt-plugin-nope is found (it is not in ` + filepath.Join(root, "plugins") + ", " + plugins + `) and there are no built-in plugins)`}},
	}
	// In order, so that config ids are numbered in this order.
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := checks[tt.id]
			assertPluginResult(t, runPluginCheck(t, h, cfg, c), tt.want)
			// Again: the same process, configured once.
			assertPluginResult(t, runPluginCheck(t, h, cfg, c), tt.want)
		})
	}
	if pids := allPIDs(h); len(pids) != 1 {
		t.Errorf("plugin processes: %v, want one echo process for all checks", pids)
	}
}

const misbehavingChecks = `
check "crash" {
  plugin = "panic"
}
check "quit" {
  plugin = "exit"
}
check "slow" {
  plugin        = "hang"
  timeout       = "1s"
  timeout_state = "unknown"
}
check "deaf" {
  plugin  = "ignorectx"
  timeout = "1s"
}
check "old" {
  plugin = "wrongversion"
}
check "ok-1" {
  plugin = "echo"
  config {
    message = "one"
  }
}
check "ok-2" {
  plugin = "echo"
  config {
    message = "two"
    state   = "critical"
  }
}
check "tampered" {
  plugin        = "echo"
  plugin_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
  config {
    message = "pinned"
  }
}
`

// TestPluginFailuresAreIsolated runs checks of plugins that panic, exit,
// hang, ignore their context and speak another protocol version, and a
// check that pins a checksum its plugin's executable does not have, all at
// once and beside checks of a plugin that works: each gets UNKNOWN (or its
// timeout state) saying why, and the working plugin's checks keep their
// results, in the round that breaks the others and in the next, while the
// broken plugins are down.
func TestPluginFailuresAreIsolated(t *testing.T) {
	root := t.TempDir()
	plugins := filepath.Join(t.TempDir(), "global")
	installPlugins(t, plugins, map[string]string{"echo": "echo", "panic": "panic", "exit": "exit",
		"hang": "hang", "ignorectx": "ignorectx", "wrongversion": "wrongversion"})
	writeTestFiles(t, root, map[string]string{"checks.hcl": misbehavingChecks})
	cfg, checks := loadChecks(t, root)
	// An hour of backoff: the broken plugins stay down for the second round.
	h := newTestHost(t, PluginOptions{Dirs: []string{plugins}, RestartBackoff: time.Hour})

	ok1 := pluginResult{Check: "ok-1", Host: "localhost", State: check.OK, ExitCode: 0, Output: "one on localhost (127.0.0.1)",
		Long:     "config: " + checks["localhost/ok-1"].ConfigID() + "\nthreshold: 10\nverbose: false\ntags: \nlabels: \ninterval: 30s\ntimeout: 1m0s",
		Perfdata: "threshold=10"}
	ok2 := pluginResult{Check: "ok-2", Host: "localhost", State: check.Critical, ExitCode: 2, Output: "two on localhost (127.0.0.1)",
		Long:     "config: " + checks["localhost/ok-2"].ConfigID() + "\nthreshold: 10\nverbose: false\ntags: \nlabels: \ninterval: 30s\ntimeout: 1m0s",
		Perfdata: "threshold=10"}
	slow := pluginResult{Check: "slow", Host: "localhost", State: check.Unknown, ExitCode: -1, TimedOut: true,
		Output: "(Service check timed out after 1.00 seconds)"}
	deaf := pluginResult{Check: "deaf", Host: "localhost", State: check.Critical, ExitCode: -1, TimedOut: true,
		Output: "(Service check timed out after 1.00 seconds)"}
	old := pluginResult{Check: "old", Host: "localhost", State: check.Unknown, ExitCode: -1,
		Output: `(Plugin "wrongversion" is not available: it could not be started: incompatible API version with plugin. Plugin version: 2, Client versions: [1])`}
	echo := filepath.Join(plugins, "vakt-plugin-echo")
	tampered := pluginResult{Check: "tampered", Host: "localhost", State: check.Unknown, ExitCode: -1,
		Output: `(Plugin "echo" is not available: it could not be started: ` + echo + ` has SHA-256 ` + sha256Of(t, echo) +
			`, but plugin_sha256 pins 0000000000000000000000000000000000000000000000000000000000000000)`}
	crashed := `its process exited with exit status 2: panic: boom in check crash`
	quit := `its process exited with exit status 1`

	// Entries in file order, so that config ids are numbered so.
	for _, c := range cfg.Checks {
		h.entry(c)
	}
	rounds := []map[string]pluginResult{
		{
			"crash": {Check: "crash", Host: "localhost", State: check.Unknown, ExitCode: -1,
				Output: `(Plugin "panic" failed during the check: ` + crashed + `)`},
			"quit": {Check: "quit", Host: "localhost", State: check.Unknown, ExitCode: -1,
				Output: `(Plugin "exit" failed during the check: ` + quit + `)`},
			"slow": slow, "deaf": deaf, "old": old, "ok-1": ok1, "ok-2": ok2, "tampered": tampered,
		},
		{
			"crash": {Check: "crash", Host: "localhost", State: check.Unknown, ExitCode: -1,
				Output: `(Plugin "panic" is not available: ` + crashed + `)`},
			"quit": {Check: "quit", Host: "localhost", State: check.Unknown, ExitCode: -1,
				Output: `(Plugin "exit" is not available: ` + quit + `)`},
			"slow": slow, "deaf": deaf, "old": old, "ok-1": ok1, "ok-2": ok2, "tampered": tampered,
		},
	}
	for i, want := range rounds {
		t.Run(fmt.Sprintf("round %d", i+1), func(t *testing.T) {
			// Every check at once, the working ones ten times over.
			type run struct {
				name string
				res  check.Result
			}
			results := make(chan run, 100)
			var wg sync.WaitGroup
			for name := range want {
				times := 1
				if strings.HasPrefix(name, "ok-") {
					times = 10
				}
				for range times {
					wg.Add(1)
					go func() {
						defer wg.Done()
						results <- run{name, runPluginCheck(t, h, cfg, checks["localhost/"+name])}
					}()
				}
			}
			wg.Wait()
			close(results)
			for r := range results {
				assertPluginResult(t, r.res, want[r.name])
			}
		})
	}
}
