package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
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

// WriteResults writes results in one transaction: each check's state (a
// state older than the stored one is skipped, see SaveState) and its
// perfdata samples. If any result is invalid nothing is written. Two samples
// of one label at the same time keep the last value.
func (s *Store) WriteResults(ctx context.Context, results []Result) error {
	for i, r := range results {
		if err := r.Validate(); err != nil {
			return fmt.Errorf("write results: result %d: %w", i, err)
		}
	}
	return s.writeResults(ctx, results)
}

// writeResults is WriteResults of results already validated (a Writer
// validates each one in Add).
func (s *Store) writeResults(ctx context.Context, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	fresh := map[seriesKey]seriesEntry{}
	err := s.inTx(ctx, fmt.Sprintf("write %d results", len(results)), func(tx *sql.Tx) error {
		state, err := tx.PrepareContext(ctx, upsertState)
		if err != nil {
			return err
		}
		defer state.Close()
		perf := make([]PerfSamples, 0, len(results))
		for _, r := range results {
			if _, err := state.ExecContext(ctx, stateArgs(r.State)...); err != nil {
				return fmt.Errorf("state of %q: %w", r.State.CheckID, err)
			}
			if len(r.Perf) > 0 {
				perf = append(perf, PerfSamples{CheckID: r.State.CheckID, At: r.State.LastCheck, Values: r.Perf})
			}
		}
		return s.insertPerf(ctx, tx, fresh, perf)
	})
	if err != nil {
		return err
	}
	s.series.merge(fresh)
	return nil
}

// WriterOptions tune a Writer. The zero value gives the defaults.
type WriterOptions struct {
	// MaxDelay is the longest a result waits before its batch is
	// committed, and the wait before retrying a failed commit.
	// Default 200ms.
	MaxDelay time.Duration
	// MaxBatch commits as soon as this many results are waiting.
	// Default 1000.
	MaxBatch int
	// Queue is how many results Add can hand over before it blocks; while
	// the store fails, the Writer holds up to Queue results more and then
	// Add blocks (back-pressure) instead of dropping any. Default 4*MaxBatch.
	Queue int
}

// WriterStats counts what a Writer has done.
type WriterStats struct {
	Stored  uint64 // results committed
	Batches uint64 // transactions committed
	Failed  uint64 // commits that failed (and were retried)
}

// Writer batches results: Add queues one, and a goroutine commits the queue
// in one transaction every MaxDelay or MaxBatch results, whichever comes
// first. Results queued but not committed when the process dies are lost;
// state changes and notifications must go through RecordChange instead. A
// state the Writer commits late never replaces a newer one (by LastCheck)
// that RecordChange or SaveState has written meanwhile.
type Writer struct {
	store *Store
	opts  WriterOptions
	in    chan writerMsg
	done  chan struct{}
	ctx   context.Context // cancelled when Close gives up waiting
	stop  context.CancelFunc

	mu     sync.RWMutex // guards closed against Add sending on a closed channel
	closed bool

	stored, batches, failed atomic.Uint64
	lost                    atomic.Int64 // results still pending when the goroutine ended
	lastErr                 error        // the last commit error; owned by the goroutine until done
}

type writerMsg struct {
	result Result
	flush  chan error // non-nil: a Flush request, answered after committing
}

// NewWriter starts a Writer on s. Close it before closing the store, or let
// Store.Close do it.
func (s *Store) NewWriter(opts WriterOptions) (*Writer, error) {
	if opts.MaxDelay < 0 || opts.MaxBatch < 0 || opts.Queue < 0 {
		return nil, fmt.Errorf("new writer: %w: options must not be negative: %+v", ErrInvalid, opts)
	}
	if opts.MaxDelay == 0 {
		opts.MaxDelay = 200 * time.Millisecond
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 1000
	}
	if opts.Queue == 0 {
		opts.Queue = 4 * opts.MaxBatch
	}
	ctx, stop := context.WithCancel(context.Background())
	w := &Writer{
		store: s,
		opts:  opts,
		in:    make(chan writerMsg, opts.Queue),
		done:  make(chan struct{}),
		ctx:   ctx,
		stop:  stop,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		stop()
		return nil, fmt.Errorf("new writer: store %s is closed", s.path)
	}
	s.writers[w] = struct{}{}
	go w.run()
	return w, nil
}

// Add validates r and queues it. An invalid result is an error wrapping
// ErrInvalid and nothing of it is queued. Add blocks only when the queue is
// full, until ctx is done.
func (w *Writer) Add(ctx context.Context, r Result) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("queue result: %w", err)
	}
	return w.send(ctx, writerMsg{result: r})
}

func (w *Writer) send(ctx context.Context, msg writerMsg) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return ErrClosed
	}
	select {
	case w.in <- msg:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("queue result: %w", ctx.Err())
	}
}

// Flush commits everything added before it and returns the commit error, if
// any (the results then stay queued and are retried).
func (w *Writer) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	if err := w.send(ctx, writerMsg{flush: reply}); err != nil {
		return fmt.Errorf("flush writer: %w", err)
	}
	select {
	case err := <-reply:
		if err != nil {
			return fmt.Errorf("flush writer: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("flush writer: %w", ctx.Err())
	}
}

// Close commits what is queued and stops the Writer. If ctx ends first, or
// the last commit fails, the error says how many results were not stored.
// Close is safe to call more than once; Add after Close returns ErrClosed.
func (w *Writer) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()

	var waitErr error
	select {
	case <-w.done:
	case <-ctx.Done():
		waitErr = ctx.Err()
		w.stop() // abort the commit in progress
		<-w.done
	}
	w.store.mu.Lock()
	delete(w.store.writers, w)
	w.store.mu.Unlock()

	if lost := w.lost.Load(); lost > 0 {
		return fmt.Errorf("close writer: %d results not stored: %w", lost, errors.Join(waitErr, w.lastErr))
	}
	if waitErr != nil {
		return fmt.Errorf("close writer: %w", waitErr)
	}
	return nil
}

// Stats returns the Writer's counters so far.
func (w *Writer) Stats() WriterStats {
	return WriterStats{Stored: w.stored.Load(), Batches: w.batches.Load(), Failed: w.failed.Load()}
}

// run is the Writer's goroutine: it owns pending and the timer.
func (w *Writer) run() {
	defer close(w.done)
	defer w.stop()
	var (
		pending []Result
		failing bool // the last commit failed: wait for the timer to retry
	)
	timer := time.NewTimer(w.opts.MaxDelay)
	timer.Stop()

	commit := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := w.store.writeResults(w.ctx, pending)
		if err != nil {
			w.failed.Add(1)
			w.lastErr = err
			failing = true
			timer.Reset(w.opts.MaxDelay)
			w.store.log.Error().Err(err).Int("pending", len(pending)).Msg("store writer: commit failed, will retry")
			return err
		}
		w.stored.Add(uint64(len(pending)))
		w.batches.Add(1)
		failing = false
		clear(pending) // let the results be collected
		pending = pending[:0]
		timer.Stop()
		return nil
	}

	for {
		in := w.in
		if failing && len(pending) >= w.opts.Queue {
			in = nil // back-pressure: hold no more until a retry succeeds
		}
		select {
		case msg, ok := <-in:
			if !ok {
				if commit() != nil {
					w.lost.Store(int64(len(pending)))
				}
				return
			}
			if msg.flush != nil {
				msg.flush <- commit()
				continue
			}
			if len(pending) == 0 && !failing {
				timer.Reset(w.opts.MaxDelay)
			}
			pending = append(pending, msg.result)
			if len(pending) >= w.opts.MaxBatch && !failing {
				_ = commit()
			}
		case <-timer.C:
			_ = commit()
		case <-w.ctx.Done():
			// Close gave up waiting: whatever is pending (and queued) is lost.
			w.lost.Store(int64(len(pending) + len(w.in)))
			if w.lastErr == nil {
				w.lastErr = w.ctx.Err()
			}
			return
		}
	}
}
