package execute

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

// benchChecks is how many distinct checks the throughput benchmarks run,
// and benchInFlight how many run at once.
const (
	benchChecks   = 256
	benchInFlight = 128
)

// BenchmarkCheckThroughput measures checks per second three ways, in one
// run so that the numbers compare: "plugin" runs a trivial check plugin
// out of process through PluginHost (gRPC over loopback, mutual TLS),
// "exec" runs Nagios' check_dummy through Exec (a fork and exec per
// check), and "in-process" calls the same trivial Checker as a plain Go
// call. Each keeps benchInFlight checks in flight.
//
//	go test -run '^$' -bench CheckThroughput ./core/execute/
func BenchmarkCheckThroughput(b *testing.B) {
	b.Run("plugin", benchmarkPluginThroughput)
	b.Run("exec", benchmarkExecThroughput)
	b.Run("in-process", benchmarkInProcessCall)
}

// runInFlight runs fn b.N times with benchInFlight calls at once, passing
// each call a number counting up from 0, and reports checks/s.
func runInFlight(b *testing.B, fn func(i int) check.Result) {
	b.ReportAllocs()
	var next atomic.Int64
	var failed atomic.Pointer[check.Result]
	b.SetParallelism((benchInFlight + 1) / max(1, testingProcs()))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res := fn(int(next.Add(1) - 1))
			if res.State != check.OK {
				failed.CompareAndSwap(nil, &res)
			}
		}
	})
	b.StopTimer()
	if res := failed.Load(); res != nil {
		b.Fatalf("a check was not OK: %s %q", res.State, res.Output)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
}

// testingProcs is GOMAXPROCS, which RunParallel multiplies the
// parallelism by.
func testingProcs() int { return runtime.GOMAXPROCS(0) }

func benchmarkPluginThroughput(b *testing.B) {
	root := b.TempDir()
	plugins := filepath.Join(b.TempDir(), "global")
	installPlugins(b, plugins, map[string]string{"trivial": "trivial"})
	var hcl strings.Builder
	var hosts []string
	for i := range benchChecks {
		fmt.Fprintf(&hcl, "host \"h%d\" {}\n", i)
		hosts = append(hosts, fmt.Sprintf("%q", fmt.Sprintf("h%d", i)))
	}
	fmt.Fprintf(&hcl, "check \"trivial\" {\n  hosts  = [%s]\n  plugin = \"trivial\"\n}\n", strings.Join(hosts, ", "))
	writeTestFiles(b, root, map[string]string{"checks.hcl": hcl.String()})
	cfg, _ := loadChecks(b, root)
	h := NewPluginHost(PluginOptions{Dirs: []string{plugins}, Builtins: []string{}, Log: zerolog.Nop()})
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			b.Errorf("Close: %v", err)
		}
	})
	ctx := context.Background()
	// Start the plugin and configure every check before timing.
	for _, job := range cfg.Checks {
		if err := h.Configure(ctx, job); err != nil {
			b.Fatalf("Configure: %v", err)
		}
	}
	checks := cfg.Checks
	runInFlight(b, func(i int) check.Result {
		return h.Run(ctx, checks[i%len(checks)])
	})
}

func benchmarkExecThroughput(b *testing.B) {
	dummy := filepath.Join(nagiosPluginDir, "check_dummy")
	e := NewExec(zerolog.Nop())
	ctx := context.Background()
	runInFlight(b, func(i int) check.Result {
		return e.Run(ctx, Job{Check: "dummy", Host: "localhost", Argv: []string{dummy, "0", "ok"}})
	})
}

func benchmarkInProcessCall(b *testing.B) {
	var checker sdk.Checker = pluginkit.Trivial{}
	ctx := context.Background()
	runInFlight(b, func(i int) check.Result {
		res, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "trivial"}, Check: "trivial",
			Host: sdk.Host{Name: "localhost", Address: "127.0.0.1"}, Timeout: config.DefaultTimeout})
		if err != nil {
			return check.Result{State: check.Unknown, Output: err.Error()}
		}
		return res
	})
}
