package store

import (
	"context"
	"fmt"
)

// Result is what one check run leaves in the store: the check's state after
// it and its performance data, stamped with State.LastCheck.
type Result struct {
	State CheckState
	Perf  []PerfValue
}

// Validate reports the first thing wrong with r, wrapping ErrInvalid.
func (r Result) Validate() error {
	if err := r.State.Validate(); err != nil {
		return err
	}
	if len(r.Perf) > 0 {
		if err := validTime("last check (the time of its perfdata)", r.State.LastCheck); err != nil {
			return fmt.Errorf("check %q: %w", r.State.CheckID, err)
		}
	}
	for _, p := range r.Perf {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("check %q: %w", r.State.CheckID, err)
		}
	}
	return nil
}

// WriteResults validates results and writes them with Commit, in one
// transaction: each check's state (a state older than the stored one is
// skipped, see SaveState) and its perfdata samples. If any result is invalid
// nothing is written. Two samples of one label at the same time keep the
// last value. It is a convenience for tools and tests; the daemon's results
// reach Commit through the engine's group committer.
func (s *Store) WriteResults(ctx context.Context, results []Result) error {
	b := Batch{States: make([]CheckState, 0, len(results))}
	for i, r := range results {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("write results: result %d: %w", i, err)
		}
		b.States = append(b.States, r.State)
		if len(r.Perf) > 0 {
			b.Perf = append(b.Perf, PerfSamples{CheckID: r.State.CheckID, At: r.State.LastCheck, Values: r.Perf})
		}
	}
	if _, err := s.Commit(ctx, b); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
