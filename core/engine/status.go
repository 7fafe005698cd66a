package engine

import (
	"sort"
	"time"

	"github.com/vakt/vakt/core/state"
)

// CheckView is one check's status and what describes it, for the API and
// the status command.
type CheckView struct {
	state.Status
	// Passive: a dynamic passive check (not defined in checks.d).
	Passive     bool
	MaxAttempts int
}

// Pending reports whether the check has no result yet.
func (v CheckView) Pending() bool { return !v.Checked }

// Statuses returns every check's status, ordered by ID.
func (e *Engine) Statuses() []CheckView {
	e.mu.Lock()
	defer e.mu.Unlock()
	all := e.machine.Statuses()
	set := e.defs.Load()
	out := make([]CheckView, len(all))
	for i, st := range all {
		v := CheckView{Status: st}
		if p, ok := e.passive[st.Check]; ok {
			v.Passive, v.MaxAttempts = true, set.PassiveSettings(st.Check, p.TTL).MaxAttempts
		} else if d, ok := set.Lookup(st.Check); ok {
			v.MaxAttempts = d.State.MaxAttempts
		}
		out[i] = v
	}
	return out
}

// Counts returns how many checks are in each state, by the state's name
// (OK, WARNING, CRITICAL, UNKNOWN) and "pending" for checks with no result
// yet: what /metrics shows, without copying every status.
func (e *Engine) Counts() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.machine.Counts()
}

// Status returns one check's status.
func (e *Engine) Status(id string) (state.Status, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.machine.Status(id)
}

// PassiveCheck describes one dynamic passive check.
type PassiveCheck struct {
	ID      string    `json:"id"`
	TTL     string    `json:"ttl"` // "0s": never stale
	Source  string    `json:"source"`
	Created time.Time `json:"created,omitzero"`
	State   string    `json:"state"`
	Stale   bool      `json:"stale"`
	// LastCheck is its last result.
	LastCheck time.Time `json:"last_check,omitzero"`
}

// PassiveChecks lists the dynamic passive checks by ID.
func (e *Engine) PassiveChecks() []PassiveCheck {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]PassiveCheck, 0, len(e.passive))
	for id, p := range e.passive {
		st, _ := e.machine.Status(id)
		pc := PassiveCheck{ID: id, TTL: p.TTL.String(), Source: p.Source, Created: p.Created,
			State: st.State.String(), Stale: st.Stale, LastCheck: st.LastCheck}
		if !st.Checked {
			pc.State = "PENDING"
		}
		out = append(out, pc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
