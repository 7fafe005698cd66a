package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// savedStatus is the JSON blob of a check's row in the store: the
// state.Status, and for a dynamic passive check what makes it one.
type savedStatus struct {
	state.Status
	Passive *savedPassive `json:"passive,omitempty"`
}

type savedPassive struct {
	// TTL is the freshness lifetime in nanoseconds; 0 for none.
	TTL time.Duration `json:"ttl"`
}

// restore makes the state machine from the configuration and the statuses
// saved in the store. A row that cannot be used (not JSON, not a valid
// Status) is logged and skipped: that check starts pending and the row is
// overwritten at its next result.
func (d *Daemon) restore(ctx context.Context, l *loaded) error {
	rows, err := d.store.States(ctx)
	if err != nil {
		return fmt.Errorf("restoring state: %w", err)
	}
	settings := maps.Clone(l.settings)
	d.passive = make(map[string]time.Duration)
	saved := make([]state.Status, 0, len(rows))
	for _, row := range rows {
		st, err := decodeStatus(row)
		if err != nil {
			d.log.Error().Err(err).Str("check", row.CheckID).Msg("saved state not restored: the check starts pending")
			continue
		}
		if st.Passive != nil {
			if _, configured := settings[row.CheckID]; !configured {
				d.passive[row.CheckID] = st.Passive.TTL
				settings[row.CheckID] = l.passiveSettings(row.CheckID, st.Passive.TTL)
			}
		}
		saved = append(saved, st.Status)
	}
	m, err := state.New(time.Now(), settings, saved)
	if err != nil {
		return fmt.Errorf("restoring state: %w", err)
	}
	d.machine, d.settings = m, settings
	d.log.Info().Int("saved", len(rows)).Int("restored", len(saved)).Int("passive", len(d.passive)).Msg("state restored")
	return nil
}

func decodeStatus(row store.CheckState) (savedStatus, error) {
	var st savedStatus
	if len(row.Status) == 0 {
		return st, errors.New("the stored state has no status blob")
	}
	if err := json.Unmarshal(row.Status, &st); err != nil {
		return st, fmt.Errorf("decoding the stored status: %w", err)
	}
	if st.Check != row.CheckID {
		return st, fmt.Errorf("the stored status is for check %q, not %q", st.Check, row.CheckID)
	}
	if err := st.Validate(); err != nil {
		return st, err
	}
	if st.Passive != nil && st.Passive.TTL < 0 {
		return st, fmt.Errorf("the stored passive check has a negative ttl (%s)", st.Passive.TTL)
	}
	return st, nil
}

// runCheck is the scheduler's Runner: it runs one check and applies its
// result.
func (d *Daemon) runCheck(ctx context.Context, id string) schedule.Next {
	l := d.cfg.Load()
	c, ok := l.byID[id]
	if !ok {
		return schedule.Normal // removed by a reload while it was due
	}
	res := l.runner.Run(ctx, c)
	st, err := d.apply(ctx, id, res)
	if err != nil {
		if errors.Is(err, state.ErrUnknownCheck) {
			d.log.Debug().Str("check", id).Msg("result dropped: the check was removed while it ran")
		} else {
			d.log.Error().Err(err).Str("check", id).Msg("result not applied")
		}
		return schedule.Normal
	}
	d.runs.Add(1)
	d.log.Debug().Str("check", id).Stringer("state", res.State).Int("exit_code", res.ExitCode).
		Dur("duration", res.Duration).Str("output", res.Output).Str("type", string(st.Type)).
		Int("attempt", st.Attempt).Msg("check ran")
	if st.Retrying() {
		return schedule.Retry
	}
	return schedule.Normal
}

// apply is the one path of every result: the state machine, the
// transitions made durable, then the result to the batching Writer.
func (d *Daemon) apply(ctx context.Context, id string, res check.Result) (state.Status, error) {
	ctx = context.WithoutCancel(ctx) // a client that hangs up must not cut a transition short
	d.mu.Lock()
	now := time.Now()
	trs, err := d.machine.Apply(now, id, res)
	if err != nil {
		d.mu.Unlock()
		return state.Status{}, err
	}
	trs = append(trs, d.endUntilOKDowntimes(now, id)...)
	st, _ := d.machine.Status(id)
	cs := d.checkState(st, res.Long, now)
	if len(trs) > 0 {
		d.record(ctx, trs, cs)
	}
	d.mu.Unlock()

	if err := d.writer.Add(ctx, store.Result{State: cs, Perf: perfValues(res.Perfdata)}); err != nil {
		d.storeErrors.Add(1)
		d.log.Error().Err(err).Str("check", id).Msg("result not stored")
	}
	return st, nil
}

// tick lets time pass for the state machine and records what that caused.
func (d *Daemon) tick(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	trs, err := d.machine.Tick(now)
	if err != nil {
		d.log.Error().Err(err).Msg("advancing the state machine")
		return
	}
	// Tick returns transitions in check order: record each check's run of
	// them with the check's state after them.
	for start := 0; start < len(trs); {
		end := start + 1
		for end < len(trs) && trs[end].Check == trs[start].Check {
			end++
		}
		d.persist(ctx, trs[start].Check, trs[start:end], now)
		start = end
	}
}

// persist makes what happened to check id durable: its transitions with its
// state, or, with none, its state alone. d.mu must be held.
func (d *Daemon) persist(ctx context.Context, id string, trs []state.Transition, now time.Time) {
	st, ok := d.machine.Status(id)
	if !ok {
		return
	}
	cs := d.checkState(st, "", now)
	if len(trs) > 0 {
		d.record(ctx, trs, cs)
		return
	}
	if err := d.store.SaveState(ctx, cs); err != nil {
		d.storeErrors.Add(1)
		d.log.Error().Err(err).Str("check", id).Msg("state not stored")
	}
}

// record writes the transitions of one check, the last one with the check's
// state, each in its own transaction, and logs each once it is durable.
// d.mu must be held, so that the store sees a check's changes in order.
func (d *Daemon) record(ctx context.Context, trs []state.Transition, cs store.CheckState) {
	for i, t := range trs {
		change := store.Change{Transition: storeTransition(t)}
		if i == len(trs)-1 && t.Check == cs.CheckID {
			change.State = &cs
		}
		if d.opts.Notifications != nil {
			change.Notifications = d.opts.Notifications(t)
		}
		stored, err := d.store.RecordChange(ctx, change)
		ev := d.log.Info()
		if err != nil {
			d.storeErrors.Add(1)
			ev = d.log.Error().Err(err)
		} else {
			d.transitions.Add(1)
			ev = ev.Int64("transition_id", stored.Transition.ID)
		}
		ev = ev.Str("check", t.Check).Str("kind", string(t.Kind)).
			Stringer("from", t.From.State).Stringer("to", t.To.State).
			Str("from_type", string(t.From.Type)).Str("type", string(t.To.Type)).
			Int("attempt", t.To.Attempt).Stringer("level", t.To.Level).Bool("hard", t.Hard).
			Bool("notify", t.Notify).Str("output", t.Output).Time("at", t.At)
		if t.Suppressed != "" {
			ev = ev.Str("suppressed", string(t.Suppressed))
		}
		if err != nil {
			ev.Msg("transition not stored")
		} else {
			ev.Msg("transition")
		}
	}
}

// checkState is the store row of a check's status. Its LastCheck is the
// time of the event that produced it (see the package documentation).
func (d *Daemon) checkState(st state.Status, long string, event time.Time) store.CheckState {
	saved := savedStatus{Status: st}
	if ttl, ok := d.passive[st.Check]; ok {
		saved.Passive = &savedPassive{TTL: ttl}
	}
	blob, err := json.Marshal(saved)
	if err != nil { // plain data: cannot happen, but never store a broken blob
		d.log.Error().Err(err).Str("check", st.Check).Msg("encoding the status")
		blob = nil
	}
	typ := store.Hard
	if st.Type == state.Soft {
		typ = store.Soft
	}
	return store.CheckState{
		CheckID:        st.Check,
		State:          st.State,
		Type:           typ,
		Attempt:        st.Attempt,
		Level:          st.Level,
		Output:         st.Output,
		LongOutput:     long,
		LastCheck:      event,
		LastChange:     st.LastChange,
		LastHardChange: st.LastHardChange,
		Flapping:       st.Flapping,
		PercentChange:  st.PercentChange,
		Acknowledged:   st.Ack != nil,
		Status:         blob,
	}
}

// storeTransition is a state.Transition as the store's history keeps it.
func storeTransition(t state.Transition) store.Transition {
	typ := store.Hard
	if t.To.Type == state.Soft {
		typ = store.Soft
	}
	return store.Transition{
		CheckID:    t.Check,
		Time:       t.At,
		From:       t.From.State,
		To:         t.To.State,
		Type:       typ,
		Level:      t.To.Level,
		Kind:       string(t.Kind),
		Notify:     t.Notify,
		Suppressed: string(t.Suppressed),
		Output:     t.Output,
	}
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

// splitID splits a check ID into host and check name (host names have no
// slash).
func splitID(id string) (host, name string) {
	host, name, _ = strings.Cut(id, "/")
	return host, name
}
