package main

import (
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vakt/vakt/testdata/bigpack"
)

const packSize = 1000

// BenchmarkCheckPack1000 runs `vakt check` on a pack of 1,000 check_dummy
// checks, beside the limit measured in the same run: a plain fork/exec loop
// of the same plugin at the same concurrency. Both report checks/s.
func BenchmarkCheckPack1000(b *testing.B) {
	requirePlugins(b)
	dir := b.TempDir()
	var hcl strings.Builder
	for i := range packSize {
		fmt.Fprintf(&hcl, "check \"dummy-%04d\" {\n  command = [\"%s/check_dummy\", \"0\", \"dummy %d\"]\n}\n", i, pluginDir, i)
	}
	writeFile(b, filepath.Join(dir, "pack.hcl"), hcl.String())
	concurrency := 8 * runtime.NumCPU()

	b.Run("raw-fork-exec", func(b *testing.B) {
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			rawForkExec(b, concurrency)
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(packSize*b.N)/elapsed.Seconds(), "checks/s")
	})
	b.Run("vakt-check", func(b *testing.B) {
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			if code := run([]string{"check", "-j", fmt.Sprint(concurrency), dir}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("vakt check exited %d", code)
			}
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(packSize*b.N)/elapsed.Seconds(), "checks/s")
	})
}

// rawForkExec runs check_dummy packSize times with os/exec, concurrency at a
// time, reading its output: the least any exec runner has to do.
func rawForkExec(b *testing.B, concurrency int) {
	var wg sync.WaitGroup
	slots := make(chan struct{}, concurrency)
	for i := range packSize {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			if _, err := exec.Command(pluginDir+"/check_dummy", "0", fmt.Sprint("dummy ", i)).Output(); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
}

// validateGoal is what `vakt validate` of 100,000 exec checks may take.
const validateGoal = 2 * time.Second

// BenchmarkValidate100k runs `vakt validate` (the built binary, as a
// user does) on 100,000 exec checks loaded from HCL (bigpack: 1,000 hosts
// x 100 checks in 100 files) and reports its wall time, CPU time and peak
// RSS beside the goal.
func BenchmarkValidate100k(b *testing.B) {
	bin, err := vaktBinary()
	if err != nil {
		b.Fatal(err)
	}
	for _, shape := range []struct {
		name  string
		write func(dir string) error
	}{
		// The pack of BenchmarkRun100k: 100 check blocks applied to 1,000
		// hosts through host_tags, with a template.
		{"host-tags", func(dir string) error { write100k(b, dir); return nil }},
		// Every check its own block, as a converted Nagios configuration
		// has it: 100,000 blocks to parse.
		{"one-block-each", func(dir string) error { return bigpack.Write(dir, 1000, 100) }},
	} {
		b.Run(shape.name, func(b *testing.B) {
			dir := b.TempDir()
			if err := shape.write(dir); err != nil {
				b.Fatal(err)
			}
			var elapsed, cpu time.Duration
			var rss int64
			for b.Loop() {
				cmd := exec.Command(bin, "validate", dir)
				start := time.Now()
				out, err := cmd.CombinedOutput()
				elapsed += time.Since(start)
				if err != nil || string(out) != "ok: 1000 hosts, 100000 checks\n" {
					b.Fatalf("vakt validate: %v\n%s", err, out)
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				rss = max(rss, ru.Maxrss<<10)
			}
			n := float64(b.N)
			b.ReportMetric(elapsed.Seconds()/n, "s/validate")
			b.ReportMetric(cpu.Seconds()/n, "cpu-s/validate")
			b.ReportMetric(float64(rss)/(1<<20), "MB-peak-rss")
			b.Logf("vakt validate of 100,000 exec checks (%s): %.2f s (%.2f s of CPU), peak RSS %.0f MB; goal: under %s",
				shape.name, elapsed.Seconds()/n, cpu.Seconds()/n, float64(rss)/(1<<20), validateGoal)
		})
	}
}
