package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// Apply applies a result of check id and queues what it caused for the
// store; it does not wait for the commit (Sync does). The returned Status
// is the check's after the result. An unknown check is an error wrapping
// state.ErrUnknownCheck; a full queue one wrapping ErrBackpressure, and
// then nothing changed.
func (e *Engine) Apply(id string, res check.Result) (state.Status, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.applyLocked(id, res)
}

func (e *Engine) applyLocked(id string, res check.Result) (state.Status, error) {
	if e.closed {
		return state.Status{}, ErrClosed
	}
	if e.queuedTransitions.Load() >= int64(e.opts.MaxQueuedTransitions) {
		e.stats.refused.Add(1)
		return state.Status{}, fmt.Errorf("applying the result of %s: %w", id, ErrBackpressure)
	}
	now := e.opts.Now()
	trs, err := e.machine.Apply(now, id, res)
	if err != nil {
		return state.Status{}, err
	}
	trs = append(trs, e.endUntilOKDowntimes(now, id)...)
	st, _ := e.machine.Status(id)
	e.queueLocked(trs)
	e.queue.setState(id, &pendingState{status: st, passive: e.passiveCopy(id), long: res.Long, perfdata: res.RawPerfdata, at: now})
	if perf := perfValues(res.Perfdata); len(perf) > 0 {
		e.queue.perf = append(e.queue.perf, store.PerfSamples{CheckID: id, At: now, Values: perf})
		e.queuedPerf.Add(1)
	}
	e.seq++
	e.queue.seq = e.seq
	e.stats.results.Add(1)
	e.signal()
	return st, nil
}

// queueLocked queues transitions and, for those whose check has no result
// queued with them, the check's state after them. e.mu must be held.
func (e *Engine) queueLocked(trs []state.Transition) {
	for _, t := range trs {
		c, err := storeChange(t)
		if err != nil { // plain data: a bug; never let it block the rest
			logTransition(e.log.Error().Err(err), t).Msg("transition not stored: it is invalid")
			continue
		}
		e.queue.changes = append(e.queue.changes, c)
		e.queue.trs = append(e.queue.trs, t)
		e.queuedTransitions.Add(1)
	}
}

// queueStatesAfter queues the state of each check that trs are about,
// as the Machine has it now. e.mu must be held.
func (e *Engine) queueStatesAfter(trs []state.Transition, now time.Time) {
	for _, t := range trs {
		if _, queued := e.queue.states[t.Check]; queued {
			ps := e.queue.states[t.Check]
			if st, ok := e.machine.Status(t.Check); ok {
				ps.status = st
			}
			continue
		}
		if st, ok := e.machine.Status(t.Check); ok {
			e.queue.setState(t.Check, &pendingState{status: st, passive: e.passiveCopy(t.Check), noResult: true, at: now})
		}
	}
	if len(trs) > 0 {
		e.seq++
		e.queue.seq = e.seq
		e.signal()
	}
}

func (e *Engine) passiveCopy(id string) *passiveCheck {
	p, ok := e.passive[id]
	if !ok {
		return nil
	}
	c := *p
	return &c
}

// Tick lets time pass for the state machine (downtimes start and end,
// passive checks go stale) and removes dynamic passive checks stale for
// longer than Options.PassiveExpiry. Run calls it every TickInterval.
func (e *Engine) Tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || e.queuedTransitions.Load() >= int64(e.opts.MaxQueuedTransitions) {
		return // time is caught up at the next tick: transitions keep their own times
	}
	now := e.opts.Now()
	trs, err := e.machine.Tick(now)
	if err != nil {
		e.log.Error().Err(err).Msg("advancing the state machine")
		return
	}
	e.queueLocked(trs)
	e.queueStatesAfter(trs, now)
	if e.opts.PassiveExpiry > 0 {
		for id := range e.passive {
			st, ok := e.machine.Status(id)
			if ok && st.Stale && now.Sub(st.LastChange) > e.opts.PassiveExpiry {
				if err := e.removePassiveLocked(id, now, fmt.Sprintf("stale for more than %s", e.opts.PassiveExpiry)); err != nil {
					e.log.Error().Err(err).Str("check", id).Msg("removing an expired passive check")
				}
			}
		}
	}
}

// Submit applies a passive result (passive.Sink). A result for a check the
// definitions do not know creates a dynamic passive check.
func (e *Engine) Submit(_ context.Context, r passive.Result) error {
	id := r.Host + "/" + r.Check
	res := check.Result{
		Check: r.Check, Host: r.Host, State: r.State, Output: r.Output, Long: r.Long,
		Perfdata: r.Perfdata, RawPerfdata: r.RawPerfdata, Notes: r.Notes, ExitCode: -1, Start: r.Received,
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if e.queuedTransitions.Load() >= int64(e.opts.MaxQueuedTransitions) {
		e.stats.refused.Add(1)
		return fmt.Errorf("accepting the passive result of %s: %w", id, ErrBackpressure)
	}
	if err := e.ensurePassiveLocked(id, r.TTL, r.Source); err != nil {
		e.stats.refused.Add(1)
		return err
	}
	st, err := e.applyLocked(id, res)
	if err != nil {
		return fmt.Errorf("applying the passive result of %s: %w", id, err)
	}
	e.stats.passiveResults.Add(1)
	if e.log.GetLevel() <= zerolog.DebugLevel {
		e.log.Debug().Str("check", id).Str("source", r.Source).Stringer("state", r.State).
			Str("output", r.Output).Str("type", string(st.Type)).Msg("passive result")
	}
	return nil
}

// ensurePassiveLocked makes sure check id exists: a defined check is used
// as it is; an unknown one becomes a dynamic passive check with ttl, if
// the limits allow; a dynamic one whose sender changed the lifetime takes
// the new one. e.mu must be held.
func (e *Engine) ensurePassiveLocked(id string, ttl time.Duration, source string) error {
	p, dynamic := e.passive[id]
	if !dynamic {
		if _, defined := e.defs.Load().Lookup(id); defined {
			return nil
		}
	}
	if dynamic && p.TTL == ttl {
		return nil
	}
	now := e.opts.Now()
	if dynamic { // a new lifetime
		if err := e.machine.Add(now, id, e.defs.Load().PassiveSettings(id, ttl)); err != nil {
			return fmt.Errorf("changing the ttl of passive check %s: %w", id, err)
		}
		p.TTL = ttl
		return nil
	}
	sender := senderOf(source)
	switch {
	case len(e.passive) >= e.opts.MaxPassiveChecks:
		return fmt.Errorf("accepting a result for %s: %w: the limit of %d is reached (max_passive_checks)",
			id, ErrTooManyPassiveChecks, e.opts.MaxPassiveChecks)
	case e.opts.MaxPassivePerSource > 0 && e.perSource[sender] >= e.opts.MaxPassivePerSource:
		return fmt.Errorf("accepting a result for %s: %w: %s has created %d, the limit per sender (max_passive_checks_per_source)",
			id, ErrTooManyPassiveChecks, sender, e.opts.MaxPassivePerSource)
	}
	if err := e.machine.Add(now, id, e.defs.Load().PassiveSettings(id, ttl)); err != nil {
		return fmt.Errorf("adding passive check %s: %w", id, err)
	}
	e.passive[id] = &passiveCheck{TTL: ttl, Source: sender, Created: now}
	e.perSource[sender]++
	e.stats.passiveCreated.Add(1)
	e.log.Info().Str("check", id).Stringer("ttl", ttl).Str("source", sender).Msg("new passive check")
	return nil
}

// senderOf is the address part of a passive result's source: "bb:" or
// "http:" and the IP, without the port, so that one sender's connections
// count as one.
func senderOf(source string) string {
	kind, addr, found := strings.Cut(source, ":")
	if !found {
		return source
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return kind + ":" + host
	}
	return source
}

// RemovePassive removes a dynamic passive check (its history stays). A
// check of the definitions cannot be removed so.
func (e *Engine) RemovePassive(ctx context.Context, id, why string) error {
	e.mu.Lock()
	err := e.removePassiveLocked(id, e.opts.Now(), why)
	e.mu.Unlock()
	if err != nil {
		return err
	}
	return e.Sync(ctx)
}

func (e *Engine) removePassiveLocked(id string, now time.Time, why string) error {
	p, ok := e.passive[id]
	if !ok {
		if _, defined := e.defs.Load().Lookup(id); defined {
			return fmt.Errorf("removing %s: %w: it is a check of checks.d, not a dynamic passive check: remove it there", id, state.ErrConflict)
		}
		return fmt.Errorf("removing %s: %w", id, ErrNoTarget)
	}
	st, _ := e.machine.Status(id)
	if err := e.machine.Remove(id); err != nil {
		return fmt.Errorf("removing %s: %w", id, err)
	}
	delete(e.passive, id)
	if e.perSource[p.Source]--; e.perSource[p.Source] <= 0 {
		delete(e.perSource, p.Source)
	}
	t := state.Transition{Check: id, At: now, Kind: state.KindRemoved, From: st.Condition(), To: st.Condition(),
		Suppressed: state.SuppressedNotRequested, Output: why}
	e.queueLocked([]state.Transition{t})
	e.queue.remove(id)
	e.seq++
	e.queue.seq = e.seq
	e.signal()
	e.stats.passiveRemoved.Add(1)
	e.log.Info().Str("check", id).Str("why", why).Msg("passive check removed")
	return nil
}

// perfValues keeps the perfdata items the store can hold: an undetermined
// (U) value, or a label or unit the store refuses, is left out.
func perfValues(items []check.Perf) []store.PerfValue {
	if len(items) == 0 {
		return nil
	}
	out := make([]store.PerfValue, 0, len(items))
	for _, p := range items {
		if p.Undetermined {
			continue
		}
		v := store.PerfValue{Label: p.Label, Value: p.Value, UOM: p.UOM}
		if v.Validate() == nil {
			out = append(out, v)
		}
	}
	return out
}

// logTransition adds what a log line says of a transition to ev. The
// check's level is check_level: "level" is the log line's own.
func logTransition(ev *zerolog.Event, t state.Transition) *zerolog.Event {
	ev = ev.Str("check", t.Check).Str("kind", string(t.Kind)).
		Stringer("from", t.From.State).Stringer("to", t.To.State).
		Str("from_type", string(t.From.Type)).Str("type", string(t.To.Type)).
		Int("attempt", t.To.Attempt).Stringer("check_level", t.To.Level).Bool("hard", t.Hard).
		Bool("notify", t.Notify).Str("output", t.Output).Time("at", t.At)
	if t.Suppressed != "" {
		ev = ev.Str("suppressed", string(t.Suppressed))
	}
	return ev
}

// IsRefusal reports whether err is the engine refusing a result for now
// (back-pressure or a passive limit): the sender should try later.
func IsRefusal(err error) bool {
	return errors.Is(err, ErrBackpressure) || errors.Is(err, ErrTooManyPassiveChecks) || errors.Is(err, ErrClosed)
}
