package daemon

import (
	"strings"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/server"
)

// PendingState is what the API and `vakt status` show for a check that has
// no result yet.
const PendingState = "PENDING"

// Statuses returns every check's status as the HTTP API shows it, ordered
// by ID (server.Backend).
func (d *Daemon) Statuses() []server.CheckStatus {
	all := d.engine.Statuses()
	out := make([]server.CheckStatus, len(all))
	for i, v := range all {
		out[i] = checkStatus(v)
	}
	return out
}

func checkStatus(v engine.CheckView) server.CheckStatus {
	host, name, _ := strings.Cut(v.Check, "/")
	source := "active"
	if v.Passive {
		source = "passive"
	}
	c := server.CheckStatus{
		ID:             v.Check,
		Host:           host,
		Check:          name,
		Source:         source,
		Checked:        v.Checked,
		State:          v.State.String(),
		Type:           string(v.Type),
		Attempt:        v.Attempt,
		MaxAttempts:    v.MaxAttempts,
		Level:          v.Level.String(),
		Output:         v.Output,
		LastCheck:      v.LastCheck,
		LastChange:     v.LastChange,
		LastHardChange: v.LastHardChange,
		Stale:          v.Stale,
		Flapping:       v.Flapping,
		Unreachable:    v.Unreachable,
		Acknowledged:   v.Ack != nil,
		InDowntime:     v.InDowntime(),
	}
	if !v.Checked {
		c.State, c.Type, c.Level = PendingState, "", "pending"
	}
	return c
}

// Health is "" while the daemon is healthy, else why not (server.Backend).
func (d *Daemon) Health() string { return d.engine.Health() }

// Metrics returns the daemon's counters (server.Backend).
func (d *Daemon) Metrics() server.Metrics {
	m := server.Metrics{
		Scheduler:      d.sched.Stats(),
		Engine:         d.engine.Stats(),
		Checks:         d.engine.Counts(),
		Runs:           d.runs.Load(),
		RunsRefused:    d.runsRefused.Load(),
		StoreErrors:    d.storeErrors.Load(),
		Reloads:        d.reloads.Load(),
		ReloadFailures: d.reloadFailures.Load(),
	}
	if d.bb != nil {
		bb := d.bb.Stats()
		m.BigBrother = &bb
	}
	return m
}

// Engine is the running engine: the API's commands go through it.
func (d *Daemon) Engine() *engine.Engine { return d.engine }
