package notify

import (
	"context"
	"errors"
	"time"

	"github.com/vakt/vakt/core/engine"
)

// Source publishes committed transitions ((*engine.Engine).Transitions).
type Source interface {
	Transitions(ctx context.Context, afterID int64, limit int) ([]engine.Committed, error)
}

// Run feeds the pipeline from src until ctx ends, and ticks it at least
// every tick (waiting uses the real time; decisions use the Clock). A
// failure to save is logged and retried at the next tick: the transitions
// are read again from LastID.
func (p *Pipeline) Run(ctx context.Context, src Source, tick time.Duration) error {
	if tick <= 0 {
		tick = time.Second
	}
	for {
		wait, cancel := context.WithTimeout(ctx, tick)
		cs, err := src.Transitions(wait, p.LastID(), 1000)
		cancel()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			p.log.Error().Err(err).Msg("reading transitions")
			cs = nil
		}
		if _, err := p.Handle(ctx, cs); err != nil {
			p.log.Error().Err(err).Msg("notify step failed")
		}
	}
}

// Run sends until ctx ends, looking at the outbox every poll.
func (s *Sender) Run(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.Send(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.Error().Err(err).Msg("sending notifications")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
