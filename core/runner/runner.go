// Package runner runs configured checks. It turns a config.Check into one
// run of the executor that fits it (a legacy Nagios plugin through
// core/execute, or a go-plugin) and runs many checks at once within a
// concurrency limit, as `vakt check` does.
package runner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/execute"
)

// Executor runs one legacy plugin; *execute.Exec is one.
type Executor interface {
	Run(ctx context.Context, job execute.Job) check.Result
}

// PluginExecutor runs one check through a go-plugin. Nil when go-plugins
// are not available; such checks then end UNKNOWN saying so.
type PluginExecutor interface {
	RunPlugin(ctx context.Context, c *config.Check, host *config.Host) check.Result
}

// Runner runs checks of one loaded configuration.
type Runner struct {
	Config  *config.Config
	Exec    Executor
	Plugins PluginExecutor
}

// Run runs c once and returns its result, named after the check and host.
func (r *Runner) Run(ctx context.Context, c *config.Check) check.Result {
	host := r.Config.Hosts[c.Host]
	if c.Plugin != "" {
		if r.Plugins == nil {
			return unknown(c, fmt.Sprintf("(check %s uses plugin %q, but no plugin runner is configured)", c.ID(), c.Plugin))
		}
		res := r.Plugins.RunPlugin(ctx, c, host)
		res.Check, res.Host = c.Name, c.Host
		return res
	}
	res := r.Exec.Run(ctx, Job(c, host))
	res.Check, res.Host = c.Name, c.Host
	return res
}

// Job builds the execute.Job of a command check.
func Job(c *config.Check, host *config.Host) execute.Job {
	timeoutState := c.TimeoutState
	job := execute.Job{
		Check:        c.Name,
		Host:         c.Host,
		Argv:         c.Command,
		Shell:        c.Shell,
		Timeout:      c.Timeout,
		TimeoutState: &timeoutState,
		OutputLimit:  c.OutputLimit,
		Results:      c.Results,
	}
	if host != nil {
		job.Address = host.Address
	}
	return job
}

// RunAll runs every check once, at most concurrency at a time (1 when
// concurrency < 1), and returns their results in the order of checks.
func (r *Runner) RunAll(ctx context.Context, checks []*config.Check, concurrency int) []check.Result {
	if concurrency < 1 {
		concurrency = 1
	}
	results := make([]check.Result, len(checks))
	slots := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, c := range checks {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			results[i] = r.Run(ctx, c)
		}()
	}
	wg.Wait()
	return results
}

func unknown(c *config.Check, output string) check.Result {
	return check.Result{Check: c.Name, Host: c.Host, State: check.Unknown, Output: output,
		ExitCode: -1, Start: time.Now()}
}
