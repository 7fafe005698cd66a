package engine

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

// BenchmarkBurst2000 is a router outage: 2,000 checks change state at once
// (from 8 goroutines, as runs and passive senders would) and the burst is
// timed until every transition is durable (Sync). Goal: under 1 s. The
// limit beside it is the same 2,000 transitions committed one transaction
// each, as the daemon did before the engine.
func BenchmarkBurst2000(b *testing.B) {
	const n, workers = 2000, 8
	hosts := make([]string, n/100)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("h%d", i)
	}
	te := startEngine(b, loadDefs(b, checksHCL(hosts, 100)), "", nil)
	ids := make([]string, 0, n)
	for _, h := range hosts {
		for i := range 100 {
			ids = append(ids, fmt.Sprintf("%s/c%d", h, i))
		}
	}
	var worst time.Duration
	var total time.Duration
	b.ResetTimer()
	for round := range b.N {
		st := check.Critical
		if round%2 == 1 {
			st = check.OK
		}
		began := time.Now()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < n; i += workers {
					if _, err := te.Apply(ids[i], check.Result{State: st, Output: st.String()}); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if err := te.Sync(context.Background()); err != nil {
			b.Fatal(err)
		}
		took := time.Since(began)
		total += took
		worst = max(worst, took)
	}
	b.StopTimer()
	stats := te.Stats()
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/burst")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	b.ReportMetric(float64(stats.Transitions)/float64(stats.Commits), "transitions/commit")

	// The limit: the same transitions, one store transaction each.
	one := startEngine(b, loadDefs(b, checksHCL(hosts[:2], 100)), "", nil)
	began := time.Now()
	for i := range 200 {
		id := fmt.Sprintf("h%d/c%d", i/100, i%100)
		if _, err := one.Apply(id, check.Result{State: check.Critical}); err != nil {
			b.Fatal(err)
		}
		if err := one.Sync(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	perTx := time.Since(began) / 200
	b.Logf("burst of %d transitions durable: %s on average, worst %s (goal: under 1 s); one commit each would take %s for the same burst",
		n, total/time.Duration(b.N), worst, perTx*n)
}
