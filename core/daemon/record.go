package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/rs/zerolog"

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
	def, ok := l.byID[id]
	if !ok {
		return schedule.Normal // removed by a reload while it was due
	}
	res := l.runner.Run(ctx, def.Job)
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
// transitions made durable, then the result to the batching Writer. The
// result is queued before d.mu is let go, so that once a reload has
// removed a check (under d.mu) and flushed the Writer, no result of that
// check is still on its way to the store.
func (d *Daemon) apply(ctx context.Context, id string, res check.Result) (state.Status, error) {
	ctx = context.WithoutCancel(ctx) // a client that hangs up must not cut a transition short
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	trs, err := d.machine.Apply(now, id, res)
	if err != nil {
		return state.Status{}, err
	}
	trs = append(trs, d.endUntilOKDowntimes(now, id)...)
	st, _ := d.machine.Status(id)
	cs := d.checkState(st, res.Long, now)
	d.record(ctx, trs, map[string]store.CheckState{id: cs})
	if err := d.writer.Add(ctx, store.Result{State: cs, Perf: perfValues(res.Perfdata)}); err != nil {
		d.storeErrors.Add(1)
		d.log.Error().Err(err).Str("check", id).Msg("result not stored")
	}
	return st, nil
}

// tick lets time pass for the state machine and records what that caused,
// all in one store transaction: a tick that makes a thousand passive checks
// stale, or starts a downtime on each of them, costs one commit.
func (d *Daemon) tick(ctx context.Context) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := time.Now()
	trs, err := d.machine.Tick(now)
	if err != nil {
		d.log.Error().Err(err).Msg("advancing the state machine")
		return
	}
	d.record(ctx, trs, d.statesAfter(trs, now))
}

// statesAfter returns the store row of each check that trs are about, as
// the Machine has it now. d.mu must be held.
func (d *Daemon) statesAfter(trs []state.Transition, now time.Time) map[string]store.CheckState {
	states := make(map[string]store.CheckState)
	for _, t := range trs {
		if _, done := states[t.Check]; done {
			continue
		}
		if st, ok := d.machine.Status(t.Check); ok {
			states[t.Check] = d.checkState(st, "", now)
		}
	}
	return states
}

// record makes trs durable in one store transaction, each check's last
// transition with that check's state after them (states, by check ID), and
// only then logs each at info with its store id, so that nothing acts on a
// transition a crash could lose. A transition the store refuses as invalid
// is logged as not stored and does not cost the others. d.mu must be held,
// so that the store sees each check's changes in the order they happened.
func (d *Daemon) record(ctx context.Context, trs []state.Transition, states map[string]store.CheckState) {
	if len(trs) == 0 {
		return
	}
	last := make(map[string]int, len(states))
	for i, t := range trs {
		last[t.Check] = i
	}
	changes := make([]store.Change, 0, len(trs))
	valid := make([]state.Transition, 0, len(trs))
	for i, t := range trs {
		c := store.Change{Transition: storeTransition(t)}
		if cs, ok := states[t.Check]; ok && last[t.Check] == i {
			c.State = &cs
		}
		if d.opts.Notifications != nil {
			c.Notifications = d.opts.Notifications(t)
		}
		if err := c.Validate(); err != nil {
			d.storeErrors.Add(1)
			logTransition(d.log.Error().Err(err), t).Msg("transition not stored")
			continue
		}
		changes = append(changes, c)
		valid = append(valid, t)
	}
	stored, err := d.store.RecordChanges(ctx, changes)
	for i, t := range valid {
		if err != nil {
			d.storeErrors.Add(1)
			logTransition(d.log.Error().Err(err), t).Msg("transition not stored")
			continue
		}
		d.transitions.Add(1)
		logTransition(d.log.Info().Int64("transition_id", stored[i].Transition.ID), t).Msg("transition")
	}
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
