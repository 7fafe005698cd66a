package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStoreResults measures results written through Commit in batches
// of 1,000 (as the engine's group committer gathers them), each result its
// check's state and three perfdata items, spread over 1,000 checks, and
// reports results/s (the goal is well above 2,000/s).
func BenchmarkStoreResults(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const checks, batchSize = 1000, 1000
	ids := make([]string, checks)
	for i := range ids {
		ids[i] = fmt.Sprintf("host%03d.service", i)
	}
	batch := Batch{States: make([]CheckState, 0, batchSize), Perf: make([]PerfSamples, 0, batchSize)}
	commit := func() {
		if _, err := s.Commit(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch.States, batch.Perf = batch.States[:0], batch.Perf[:0]
	}

	n := 0
	start := time.Now()
	for b.Loop() {
		st := okState(ids[n%checks], t0.Add(time.Duration(n)*time.Millisecond))
		batch.States = append(batch.States, st)
		batch.Perf = append(batch.Perf, PerfSamples{CheckID: st.CheckID, At: st.LastCheck, Values: []PerfValue{
			{Label: "time", Value: float64(n%500) / 1000, UOM: "s"},
			{Label: "size", Value: float64(n % 65536), UOM: "B"},
			{Label: "pl", Value: float64(n % 100), UOM: "%"},
		}})
		if len(batch.States) == batchSize {
			commit()
		}
		n++
	}
	commit()
	elapsed := time.Since(start)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "results/s")
}

// BenchmarkRecordBurst records a burst of 1,000 state changes (a downtime
// starting on 1,000 checks) one transaction each with RecordChange, and
// all in one with RecordChanges, and reports changes/s for both: every
// commit is an fsync, so the burst costs one instead of a thousand.
func BenchmarkRecordBurst(b *testing.B) {
	const burst = 1000
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	changes := make([]Change, burst)
	for i := range changes {
		st := okState(fmt.Sprintf("host%03d.service", i), t0)
		changes[i] = Change{Transition: problem(st.CheckID, t0), State: &st}
	}
	b.Run("one-by-one", func(b *testing.B) {
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			for _, c := range changes {
				if _, err := s.RecordChange(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(burst*b.N)/elapsed.Seconds(), "changes/s")
	})
	b.Run("batched", func(b *testing.B) {
		var elapsed time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := s.RecordChanges(ctx, changes); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
		}
		b.ReportMetric(float64(burst*b.N)/elapsed.Seconds(), "changes/s")
	})
}
