package main

import (
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
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
