package definitions_test

import (
	"context"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/testdata/bigpack"
)

// retainedGoal is the retained heap the definitions of 100,000 exec checks
// may take: the daemon's goal is 150 MB RSS for 100,000 checks, of which
// the scheduler takes ~29 MB and the state machine more.
const retainedGoal = 40 << 20

// BenchmarkLoad100k loads 100,000 exec checks (1,000 hosts x 100 checks,
// in 100 files) from HCL into definitions, and reports the time and the
// heap the Set retains once everything else is garbage (runtime.GC, then
// HeapInuse), beside the goal.
func BenchmarkLoad100k(b *testing.B) {
	dir := b.TempDir()
	if err := bigpack.Write(dir, 1000, 100); err != nil {
		b.Fatal(err)
	}
	var retained, allocated uint64
	var elapsed, cpu time.Duration
	var ms runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before, allocBefore := ms.HeapInuse, ms.TotalAlloc
		start, startCPU := time.Now(), cpuTime()
		res := definitions.Load(context.Background(), definitions.Options{Paths: []string{dir}})
		elapsed += time.Since(start)
		cpu += cpuTime() - startCPU
		if res.Set == nil || res.Set.Len() != 100_000 {
			b.Fatalf("Load: %d checks\n%s", res.Set.Len(), res.Text)
		}
		runtime.GC()
		runtime.ReadMemStats(&ms)
		retained, allocated = ms.HeapInuse-before, ms.TotalAlloc-allocBefore
		runtime.KeepAlive(res)
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/load")
	b.ReportMetric(float64(retained)/(1<<20), "MB-retained")
	b.ReportMetric(float64(retained)/100_000, "B/check")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/load")
	b.ReportMetric(float64(allocated)/100_000, "B-allocated/check")
	b.Logf("100,000 checks: loaded in %.2f s (%.2f s of CPU, %.1f KB allocated a check), %.1f MB retained (%.0f B a check); goal: under %d MB",
		elapsed.Seconds()/float64(b.N), cpu.Seconds()/float64(b.N), float64(allocated)/100_000/1024,
		float64(retained)/(1<<20), float64(retained)/100_000, retainedGoal>>20)
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
