// Package runner runs many check jobs at once within a concurrency limit,
// as `vakt check` does. Running one job of either kind is
// execute.Runner's; the jobs come from core/definitions.
package runner

import (
	"context"
	"sync"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/execute"
)

// Executor runs one job; *execute.Exec and *execute.Runner are Executors.
type Executor interface {
	Run(ctx context.Context, job execute.Job) check.Result
}

// PluginExecutor runs one plugin job; *execute.PluginHost is one.
type PluginExecutor interface {
	Run(ctx context.Context, job execute.Job) check.Result
}

// RunAll runs every job once with r, at most concurrency at a time (1 when
// concurrency < 1), and returns their results in the order of jobs.
func RunAll(ctx context.Context, r Executor, jobs []execute.Job, concurrency int) []check.Result {
	if concurrency < 1 {
		concurrency = 1
	}
	results := make([]check.Result, len(jobs))
	slots := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, job := range jobs {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			results[i] = r.Run(ctx, job)
		}()
	}
	wg.Wait()
	return results
}
