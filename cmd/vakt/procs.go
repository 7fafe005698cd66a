package main

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/procs"
)

// startProcs returns the tracker that marks and registers the plugin
// processes of check and run. When vakt runs as its own binary (not in a
// test's process), it also makes vakt a child subreaper and reaps what
// escapes the plugins until stop is called; stop reaps one last time and
// waits for the reaping.
func (g *globals) startProcs(log zerolog.Logger) (t *procs.Tracker, stop func(), err error) {
	t, err = procs.NewTracker(log.With().Str("component", "procs").Logger())
	if err != nil {
		return nil, nil, err
	}
	if !g.subreaper {
		return t, func() {}, nil
	}
	if err := procs.SetSubreaper(); err != nil {
		return nil, nil, fmt.Errorf("becoming the reaper of escaped plugin processes: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Watch(ctx, 0)
	}()
	return t, func() {
		cancel()
		<-done
	}, nil
}
