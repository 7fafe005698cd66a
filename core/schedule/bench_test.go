package schedule

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkSchedule100k schedules 100,000 checks with a 10s interval on the
// real clock, runs them with an instant runner for 20s (each check runs
// twice: about 10,000 runs a second) and reports:
//
//	peak-rss-MB   the process's peak resident set (VmHWM), goal < 150
//	go-sys-MB     memory the Go runtime took from the OS
//	cpu-s         user+system CPU time used while scheduling
//	add-ms        time to add the 100,000 checks
//	runs/s        runs started per second
//	late-p50-ms, late-p99-ms, late-max-ms   lateness of the runs (the max
//	              includes first runs that fell due while the checks were
//	              still being added, before Run started: up to add-ms)
//	missed        due times skipped (0 expected: the runner is instant)
//
// Run it alone (make bench): go test -run '^$' -bench Schedule100k ./core/schedule
func BenchmarkSchedule100k(b *testing.B) {
	const (
		checks      = 100_000
		interval    = 10 * time.Second
		runFor      = 20 * time.Second
		concurrency = 64
	)
	for b.Loop() {
		var runs atomic.Uint64
		s, err := New(Options{
			Runner: RunnerFunc(func(context.Context, string) Next {
				runs.Add(1)
				return Normal
			}),
			Concurrency: concurrency,
		})
		if err != nil {
			b.Fatal(err)
		}
		cpuBefore := cpuTime(b)
		addStart := time.Now()
		for i := range checks {
			if err := s.Add(Entry{ID: fmt.Sprintf("host%05d.example.net/check_load", i), Interval: interval}); err != nil {
				b.Fatal(err)
			}
		}
		addTime := time.Since(addStart)

		ctx, cancel := context.WithTimeout(context.Background(), runFor)
		err = s.Run(ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		cpu := cpuTime(b) - cpuBefore
		st := s.Stats()
		var mem runtime.MemStats
		runtime.ReadMemStats(&mem)

		if st.Lateness.Count != runs.Load() || st.Checks != checks {
			b.Fatalf("stats %+v after %d runs of %d checks", st, runs.Load(), checks)
		}
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(peakRSSMB(b), "peak-rss-MB")
		b.ReportMetric(float64(mem.Sys)/(1<<20), "go-sys-MB")
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(ms(addTime), "add-ms")
		b.ReportMetric(float64(runs.Load())/runFor.Seconds(), "runs/s")
		b.ReportMetric(ms(st.Lateness.P50), "late-p50-ms")
		b.ReportMetric(ms(st.Lateness.P99), "late-p99-ms")
		b.ReportMetric(ms(st.Lateness.Max), "late-max-ms")
		b.ReportMetric(float64(st.Missed), "missed")
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	b.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB reads VmHWM, the peak resident set, from /proc/self/status.
func peakRSSMB(b *testing.B) float64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatalf("reading peak RSS: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// VmHWM:     12345 kB
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatalf("reading peak RSS from %q: %v", sc.Text(), err)
			}
			return kb / 1024
		}
	}
	if err := sc.Err(); err != nil {
		b.Fatalf("reading peak RSS: %v", err)
	}
	b.Fatal("reading peak RSS: no VmHWM line in /proc/self/status")
	return 0
}
