package daemon

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/execute"
)

// burstSize is how many check runs one benchmark iteration makes.
const burstSize = 2000

// BenchmarkDaemonExecThroughput measures how many check_dummy runs per
// second go through the whole daemon path (scheduler, runner and exec,
// state machine, batching store writer with its SQLite commits) beside a
// plain fork/exec loop of the same plugin at the same concurrency, measured
// in the same run. Each iteration makes burstSize checks due at once
// (RunNow) and waits until every result is applied and committed. The two
// alternate for benchRounds rounds, so that the load of a shared machine
// weighs on both alike; the last line logs both rates over all rounds.
// Goal: the daemon at 95% of the raw rate or more.
//
//	go test -run '^$' -bench DaemonExecThroughput -benchtime 1x -v ./core/daemon
func BenchmarkDaemonExecThroughput(b *testing.B) {
	requirePlugins(b)
	dummy := filepath.Join(pluginDir, "check_dummy")
	concurrency := 8 * runtime.NumCPU()
	d, stop := benchDaemon(b, dummy, concurrency)
	defer stop()
	ids := make([]string, 0, burstSize)
	for i := range burstSize {
		ids = append(ids, fmt.Sprintf("localhost/dummy-%04d", i))
	}

	var raw, daemon rate
	for range benchRounds {
		b.Run("raw-fork-exec", func(b *testing.B) { raw.measure(b, func() { rawBurst(b, dummy, concurrency) }) })
		b.Run("daemon", func(b *testing.B) { daemon.measure(b, func() { daemonBurst(b, d, ids) }) })
	}
	if m := d.Metrics(); m.StoreErrors != 0 || m.Scheduler.Panics != 0 {
		b.Errorf("store errors %d, panics %d; want none", m.StoreErrors, m.Scheduler.Panics)
	}
	b.Logf("concurrency %d, %d rounds: raw fork/exec %.0f checks/s, daemon %.0f checks/s: %.1f%% of raw",
		concurrency, benchRounds, raw.perSecond(), daemon.perSecond(), 100*daemon.perSecond()/raw.perSecond())
}

// rate adds up check runs and the time they took over several
// sub-benchmarks.
type rate struct {
	runs int
	took time.Duration
}

// measure times burst, which makes burstSize check runs, once per b.Loop
// iteration, reports the sub-benchmark's checks/s and adds it to r.
func (r *rate) measure(b *testing.B, burst func()) {
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		burst()
		elapsed += time.Since(start)
	}
	r.runs, r.took = r.runs+burstSize*b.N, r.took+elapsed
	b.ReportMetric(float64(burstSize*b.N)/elapsed.Seconds(), "checks/s")
}

func (r rate) perSecond() float64 { return float64(r.runs) / r.took.Seconds() }

// benchRounds is how many times the raw and the daemon measurements
// alternate.
const benchRounds = 3

// benchDaemon starts a daemon with burstSize check_dummy checks that never
// come due by themselves (RunNow makes them due).
func benchDaemon(b *testing.B, dummy string, concurrency int) (*Daemon, func()) {
	dir := b.TempDir()
	var hcl strings.Builder
	for i := range burstSize {
		fmt.Fprintf(&hcl, "check \"dummy-%04d\" {\n  command  = [%q, \"0\", \"ok\"]\n  interval = \"300d\"\n}\n", i, dummy)
	}
	writeFile(b, filepath.Join(dir, "checks.hcl"), hcl.String())
	d, err := New(context.Background(), Options{
		Checks:      []string{dir},
		StatePath:   filepath.Join(dir, "vakt.db"),
		Concurrency: concurrency,
		Logger:      zerolog.New(io.Discard).Level(zerolog.InfoLevel),
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	return d, func() {
		cancel()
		if err := <-done; err != nil {
			b.Error(err)
		}
	}
}

// daemonBurst makes every check due now and waits until all their results
// are applied and committed to the store.
func daemonBurst(b *testing.B, d *Daemon, ids []string) {
	target := d.runs.Load() + uint64(len(ids))
	for _, id := range ids {
		if err := d.sched.RunNow(id); err != nil {
			b.Fatal(err)
		}
	}
	for d.runs.Load() < target {
		time.Sleep(500 * time.Microsecond)
	}
	if err := d.engine.Sync(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// rawBurst runs check_dummy burstSize times with os/exec, concurrency at a
// time, reading its output: the least any exec runner has to do.
func rawBurst(b *testing.B, dummy string, concurrency int) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, concurrency)
	for range burstSize {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			cmd := exec.Command(dummy, "0", "ok")
			cmd.Env = execute.BaseEnviron(os.Environ())
			out, err := cmd.Output()
			if err != nil || string(out) != "OK: ok\n" {
				b.Errorf("check_dummy = %q, %v; want %q", out, err, "OK: ok\n")
			}
		})
	}
	wg.Wait()
}
