package daemon

import (
	"github.com/vakt/vakt/core/server"
)

// Statuses returns every check's status as the HTTP API shows it, ordered
// by ID (server.Backend).
func (d *Daemon) Statuses() []server.CheckStatus {
	d.mu.Lock()
	all := d.machine.Statuses()
	out := make([]server.CheckStatus, len(all))
	for i, st := range all {
		host, name := splitID(st.Check)
		source := "active"
		if _, ok := d.passive[st.Check]; ok {
			source = "passive"
		}
		out[i] = server.CheckStatus{
			ID:             st.Check,
			Host:           host,
			Check:          name,
			Source:         source,
			Checked:        st.Checked,
			State:          st.State.String(),
			Type:           string(st.Type),
			Attempt:        st.Attempt,
			MaxAttempts:    d.settings[st.Check].MaxAttempts,
			Level:          st.Level.String(),
			Output:         st.Output,
			LastCheck:      st.LastCheck,
			LastChange:     st.LastChange,
			LastHardChange: st.LastHardChange,
			Stale:          st.Stale,
			Flapping:       st.Flapping,
			Unreachable:    st.Unreachable,
			Acknowledged:   st.Ack != nil,
			InDowntime:     st.InDowntime(),
		}
	}
	d.mu.Unlock()
	return out
}

// Metrics returns the daemon's counters (server.Backend).
func (d *Daemon) Metrics() server.Metrics {
	m := server.Metrics{
		Scheduler:      d.sched.Stats(),
		Writer:         d.writer.Stats(),
		Runs:           d.runs.Load(),
		PassiveResults: d.passiveResults.Load(),
		Transitions:    d.transitions.Load(),
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
