package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// Committed is a transition the store holds, with its id there. Consumers
// (the notify step) read them in id order and resume from the last id
// they handled.
type Committed struct {
	ID int64 `json:"id"`
	state.Transition
}

// HistoryReader reads committed transitions from the store
// (*store.Store).
type HistoryReader interface {
	TransitionsAfter(ctx context.Context, afterID int64, limit int) ([]store.Transition, error)
}

// feed keeps the newest committed transitions for consumers.
type feed struct {
	history HistoryReader
	size    int

	mu     sync.Mutex
	recent []Committed // ascending ids, at most size
	last   int64       // the newest id published
	wake   chan struct{}
}

func newFeed(size int, history HistoryReader) *feed {
	return &feed{history: history, size: size, wake: make(chan struct{})}
}

func (f *feed) publish(cs []Committed) {
	if len(cs) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recent = append(f.recent, cs...)
	if over := len(f.recent) - f.size; over > 0 {
		f.recent = append([]Committed(nil), f.recent[over:]...)
	}
	f.last = cs[len(cs)-1].ID
	close(f.wake)
	f.wake = make(chan struct{})
}

// Transitions returns up to limit committed transitions with an id above
// afterID, oldest first, waiting until there is at least one or ctx ends.
// Those that have left the in-memory feed are read from the store.
func (e *Engine) Transitions(ctx context.Context, afterID int64, limit int) ([]Committed, error) {
	if limit <= 0 {
		limit = 1000
	}
	f := e.feed
	for {
		f.mu.Lock()
		var out []Committed
		inMemory := len(f.recent) > 0 && f.recent[0].ID <= afterID+1
		if inMemory || f.history == nil {
			for _, c := range f.recent {
				if c.ID > afterID {
					out = append(out, c)
					if len(out) == limit {
						break
					}
				}
			}
		}
		wait, last := f.wake, f.last
		f.mu.Unlock()
		if len(out) > 0 {
			return out, nil
		}
		if !inMemory && f.history != nil && last > afterID {
			return e.readHistory(ctx, afterID, limit)
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (e *Engine) readHistory(ctx context.Context, afterID int64, limit int) ([]Committed, error) {
	rows, err := e.feed.history.TransitionsAfter(ctx, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("reading committed transitions after %d: %w", afterID, err)
	}
	out := make([]Committed, 0, len(rows))
	for _, r := range rows {
		c := Committed{ID: r.ID}
		if len(r.Detail) > 0 {
			if err := json.Unmarshal(r.Detail, &c.Transition); err != nil {
				return nil, fmt.Errorf("decoding transition %d: %w", r.ID, err)
			}
		} else { // written before transitions kept their detail
			c.Transition = state.Transition{Check: r.CheckID, At: r.Time, Kind: state.Kind(r.Kind),
				Notify: r.Notify, Suppressed: state.Suppression(r.Suppressed), Output: r.Output,
				To: state.Condition{State: r.To, Attempt: max(r.Attempt, 1), Level: r.Level, Type: state.Hard}}
			if r.Type == store.Soft {
				c.To.Type = state.Soft
			}
			c.From.State = r.From
		}
		out = append(out, c)
	}
	return out, nil
}
