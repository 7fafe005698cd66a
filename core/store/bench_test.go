package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStoreResults measures batched writes through a Writer of results
// with three perfdata items each, spread over 1,000 checks, and reports
// results/s (the goal is well above 2,000/s).
func BenchmarkStoreResults(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	w, err := s.NewWriter(WriterOptions{})
	if err != nil {
		b.Fatal(err)
	}
	const checks = 1000
	ids := make([]string, checks)
	for i := range ids {
		ids[i] = fmt.Sprintf("host%03d.service", i)
	}

	n := 0
	start := time.Now()
	for b.Loop() {
		st := okState(ids[n%checks], t0.Add(time.Duration(n)*time.Millisecond))
		r := Result{State: st, Perf: []PerfValue{
			{Label: "time", Value: float64(n%500) / 1000, UOM: "s"},
			{Label: "size", Value: float64(n % 65536), UOM: "B"},
			{Label: "pl", Value: float64(n % 100), UOM: "%"},
		}}
		if err := w.Add(ctx, r); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := w.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "results/s")
	if err := w.Close(ctx); err != nil {
		b.Fatal(err)
	}
}
