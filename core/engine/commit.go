package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// pendingState is a check's latest status waiting to be written.
type pendingState struct {
	status   state.Status
	passive  *passiveCheck // copied: the row says what makes it passive
	long     string
	perfdata string
	// noResult: made by time passing or a command, not a result: the
	// stored long output and perfdata of the last result stay.
	noResult bool
	at       time.Time // the event that produced it: the row's LastCheck
}

// batch is what waits for one commit. Transitions keep their order; a
// check's state is only its latest; perfdata in arrival order.
type batch struct {
	changes []store.Change
	trs     []state.Transition // beside changes, for publishing
	states  map[string]*pendingState
	perf    []store.PerfSamples
	deletes map[string]bool
	seq     uint64 // the last item in it
}

func newBatch() *batch {
	return &batch{states: make(map[string]*pendingState), deletes: make(map[string]bool)}
}

func (b *batch) empty() bool {
	return len(b.changes) == 0 && len(b.states) == 0 && len(b.perf) == 0 && len(b.deletes) == 0
}

// remove drops what waits for check id and deletes its stored state.
func (b *batch) remove(id string) {
	delete(b.states, id)
	b.deletes[id] = true
}

// setState queues a check's latest state.
func (b *batch) setState(id string, ps *pendingState) {
	delete(b.deletes, id)
	b.states[id] = ps
}

// merge appends what came after b (newer) to b.
func (b *batch) merge(newer *batch) {
	b.changes = append(b.changes, newer.changes...)
	b.trs = append(b.trs, newer.trs...)
	for id := range newer.deletes {
		b.remove(id)
	}
	for id, ps := range newer.states {
		b.setState(id, ps)
	}
	b.perf = append(b.perf, newer.perf...)
	b.seq = max(b.seq, newer.seq)
}

// signal wakes the committer; it never blocks.
func (e *Engine) signal() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// take swaps the queue for an empty one.
func (e *Engine) take() *batch {
	e.mu.Lock()
	defer e.mu.Unlock()
	b := e.queue
	e.queue = newBatch()
	return b
}

// commitLoop commits until ctx is done. What it holds while the store
// fails is in flight; what arrives meanwhile is merged into it.
func (e *Engine) commitLoop(ctx context.Context) {
	var (
		inflight *batch
		backoff  time.Duration
		retry    <-chan time.Time
	)
	for {
		if inflight == nil || backoff == 0 {
			select {
			case <-ctx.Done():
				e.requeue(inflight)
				return
			case <-e.kick:
			case <-retry:
			}
		} else {
			select {
			case <-ctx.Done():
				e.requeue(inflight)
				return
			case <-retry:
			}
		}
		next := e.take()
		if inflight == nil {
			inflight = next
		} else {
			inflight.merge(next)
		}
		e.shedPerf(inflight)
		if inflight.empty() {
			e.markDurable(inflight.seq)
			inflight = nil
			continue
		}
		if err := e.commit(ctx, inflight); err != nil {
			if ctx.Err() != nil {
				e.requeue(inflight)
				return
			}
			backoff = min(max(2*backoff, e.opts.RetryBackoff), e.opts.MaxRetryBackoff)
			retry = time.After(backoff)
			continue
		}
		inflight, backoff, retry = nil, 0, nil
	}
}

// requeue puts a batch that was not committed back in front of the queue,
// for the final commit.
func (e *Engine) requeue(b *batch) {
	if b == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	b.merge(e.queue)
	e.queue = b
}

// finalCommit writes what is left at shutdown, retrying a failing store
// for at most Options.CloseTimeout.
func (e *Engine) finalCommit() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), e.opts.CloseTimeout)
	defer cancel()
	b := e.take()
	backoff := e.opts.RetryBackoff
	for {
		if b.empty() {
			e.markDurable(b.seq)
			return nil
		}
		err := e.commit(ctx, b)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			n := len(b.changes)
			e.log.Error().Err(err).Int("transitions", n).Int("states", len(b.states)).Int("perfdata", len(b.perf)).
				Msg("stopping with writes the store did not take: they are lost")
			return fmt.Errorf("stopping the engine: %d transitions and %d states not stored: %w", n, len(b.states), err)
		case <-time.After(backoff):
			backoff = min(2*backoff, e.opts.MaxRetryBackoff)
		}
	}
}

// shedPerf drops the oldest perfdata while more than MaxQueuedPerf
// results' worth waits: perfdata goes first, transitions never.
func (e *Engine) shedPerf(b *batch) {
	over := len(b.perf) - e.opts.MaxQueuedPerf
	if over <= 0 {
		return
	}
	clear(b.perf[:over])
	b.perf = b.perf[over:]
	e.queuedPerf.Add(-int64(over))
	e.stats.perfShed.Add(uint64(over))
	e.log.Warn().Int("results", over).Msg("the store is not taking writes: oldest perfdata dropped to keep the transitions")
}

// commit writes b in one transaction; on success it publishes b's
// transitions and marks everything up to b.seq durable.
func (e *Engine) commit(ctx context.Context, b *batch) error {
	out := store.Batch{Changes: b.changes, Perf: b.perf}
	out.States = make([]store.CheckState, 0, len(b.states))
	for id, ps := range b.states {
		// Not row.Validate: the blob was just encoded (json.Valid again
		// would cost as much as the insert) and the rest comes from a
		// Status the Machine keeps valid.
		row, err := checkState(ps)
		if err != nil { // plain data: a bug; never let it block the rest
			e.log.Error().Err(err).Str("check", id).Msg("state not stored: it cannot be encoded")
			continue
		}
		out.States = append(out.States, row)
	}
	for id := range b.deletes {
		out.Deletes = append(out.Deletes, id)
	}
	began := time.Now()
	stored, err := e.opts.Store.Commit(ctx, out)
	if err != nil {
		e.stats.commitFailures.Add(1)
		e.health.failed(err, len(b.changes), began)
		if e.health.shouldLog(began) {
			e.log.Error().Err(err).Int("transitions_waiting", len(b.changes)).Int("states_waiting", len(b.states)).
				Int("perfdata_waiting", len(b.perf)).Msg("the store refused a commit: everything is kept and retried")
		}
		return err
	}
	if e.health.recovered() {
		e.log.Info().Int("transitions", len(b.changes)).Msg("the store takes writes again: everything kept is stored")
	}
	e.stats.commits.Add(1)
	e.stats.commitNanos.Add(uint64(time.Since(began)))
	e.stats.statesStored.Add(uint64(len(out.States)))
	e.queuedTransitions.Add(-int64(len(b.changes)))
	e.queuedPerf.Add(-int64(len(b.perf)))
	published := make([]Committed, len(stored))
	for i, c := range stored {
		published[i] = Committed{ID: c.Transition.ID, Transition: b.trs[i]}
		logTransition(e.log.Info().Int64("transition_id", c.Transition.ID), b.trs[i]).Msg("transition")
	}
	e.stats.transitions.Add(uint64(len(stored)))
	e.feed.publish(published)
	e.markDurable(b.seq)
	return nil
}

// markDurable records that everything up to seq is in the store and wakes
// the waiters of Sync.
func (e *Engine) markDurable(seq uint64) {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	if seq > e.committed {
		e.committed = seq
	}
	close(e.durable)
	e.durable = make(chan struct{})
}

// Sync waits until everything applied before it is in the store, or ctx
// ends. The HTTP API answers 202 only after it.
func (e *Engine) Sync(ctx context.Context) error {
	e.mu.Lock()
	target := e.seq
	e.mu.Unlock()
	for {
		e.syncMu.Lock()
		done, wait := e.committed >= target, e.durable
		e.syncMu.Unlock()
		if done {
			return nil
		}
		select {
		case <-wait:
		case <-e.done:
			e.syncMu.Lock()
			done = e.committed >= target
			e.syncMu.Unlock()
			if done {
				return nil
			}
			return fmt.Errorf("waiting for the store: %w", ErrClosed)
		case <-ctx.Done():
			if why := e.health.reason(); why != "" {
				return fmt.Errorf("applied, but not yet stored: %s: %w", why, ctx.Err())
			}
			return fmt.Errorf("applied, but not yet stored: %w", ctx.Err())
		}
	}
}

// checkState is the store row of a check's pending state.
func checkState(ps *pendingState) (store.CheckState, error) {
	blob, err := json.Marshal(savedStatus{Status: ps.status, Passive: ps.passive})
	if err != nil {
		return store.CheckState{}, fmt.Errorf("encoding the status: %w", err)
	}
	st := ps.status
	return store.CheckState{
		CheckID:        st.Check,
		State:          st.State,
		Type:           storeType(st.Type),
		Attempt:        st.Attempt,
		Level:          st.Level,
		Output:         st.Output,
		LongOutput:     ps.long,
		LastCheck:      ps.at,
		LastChange:     st.LastChange,
		LastHardChange: st.LastHardChange,
		Flapping:       st.Flapping,
		PercentChange:  st.PercentChange,
		Acknowledged:   st.Ack != nil,
		Perfdata:       ps.perfdata,
		KeepText:       ps.noResult,
		Status:         blob,
	}, nil
}

func storeType(t state.StateType) store.StateType {
	if t == state.Soft {
		return store.Soft
	}
	return store.Hard
}

// storeChange is a transition as the store's history keeps it.
func storeChange(t state.Transition) (store.Change, error) {
	detail, err := json.Marshal(t)
	if err != nil {
		return store.Change{}, fmt.Errorf("encoding the transition: %w", err)
	}
	c := store.Change{Transition: store.Transition{
		CheckID:    t.Check,
		Time:       t.At,
		From:       t.From.State,
		To:         t.To.State,
		Type:       storeType(t.To.Type),
		Attempt:    t.To.Attempt,
		Level:      t.To.Level,
		Kind:       string(t.Kind),
		Notify:     t.Notify,
		Suppressed: string(t.Suppressed),
		Output:     t.Output,
		Detail:     detail,
	}}
	return c, c.Validate()
}
