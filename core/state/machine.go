package state

import (
	"fmt"
	"sort"
	"time"

	"github.com/vakt/vakt/core/check"
)

// Machine holds the Status of every configured check and applies results,
// acknowledgements, downtimes and the passing of time to them. It is not
// safe for concurrent use: the daemon owns it from one goroutine.
type Machine struct {
	// started is when this Machine was made; freshness counts from it at
	// the earliest, so a restart does not make every passive check stale.
	started time.Time
	checks  map[string]*entry
	// ids are the check IDs in order, for a deterministic Tick and
	// Statuses; sorted again only when Add or Remove changed them
	// (idsDirty), so that adding many checks one by one stays cheap.
	ids      []string
	idsDirty bool
	idsStale bool // ids may hold removed checks: make them again from checks
	// children counts, by check ID, the checks that name it as a parent,
	// so that Remove need not look at every check.
	children map[string]int
}

type entry struct {
	settings Settings
	status   Status
}

// New makes a Machine for the given checks (by ID) at time now. saved are
// Statuses restored from the store: each one whose check is still configured
// is taken over (its attempt capped at the current MaxAttempts, or set to it
// for a HARD problem of its own; its level recomputed); statuses of checks no longer configured are left out. A
// malformed status or setting is an error and no Machine is made.
func New(now time.Time, settings map[string]Settings, saved []Status) (*Machine, error) {
	if now.IsZero() {
		return nil, fmt.Errorf("making the state machine: %w: no time given", ErrInvalid)
	}
	if err := validateSettings(settings); err != nil {
		return nil, fmt.Errorf("making the state machine: %w", err)
	}
	m := &Machine{started: now}
	m.install(now, settings, nil)
	restored := make(map[string]bool, len(saved))
	for _, st := range saved {
		if err := st.Validate(); err != nil {
			return nil, fmt.Errorf("restoring saved state: %w", err)
		}
		if restored[st.Check] {
			return nil, fmt.Errorf("restoring saved state: %w: two statuses for check %q", ErrInvalid, st.Check)
		}
		restored[st.Check] = true
		e, ok := m.checks[st.Check]
		if !ok {
			continue
		}
		e.status = st.clone()
		normalise(e)
	}
	return m, nil
}

// Configure replaces the set of checks, as on a reload. Checks that stay
// keep their whole Status (attempt capped at a lowered MaxAttempts, a HARD
// problem of their own kept HARD at a raised one, level recomputed for a
// changed UnknownAs); new checks start pending; removed
// checks are forgotten. Invalid settings are an error and change nothing.
func (m *Machine) Configure(now time.Time, settings map[string]Settings) error {
	if now.IsZero() {
		return fmt.Errorf("reconfiguring checks: %w: no time given", ErrInvalid)
	}
	if err := validateSettings(settings); err != nil {
		return fmt.Errorf("reconfiguring checks: %w", err)
	}
	m.install(now, settings, m.checks)
	return nil
}

func (m *Machine) install(now time.Time, settings map[string]Settings, old map[string]*entry) {
	checks := make(map[string]*entry, len(settings))
	ids := make([]string, 0, len(settings))
	for id, set := range settings {
		set.Parents = append([]string(nil), set.Parents...)
		if e, ok := old[id]; ok {
			e.settings = set
			normalise(e)
			checks[id] = e
		} else {
			checks[id] = &entry{settings: set, status: pending(id, now)}
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	m.checks, m.ids, m.idsDirty, m.idsStale = checks, ids, false, false
	m.children = make(map[string]int)
	for _, e := range checks {
		m.countParents(e.settings.Parents, 1)
	}
}

// countParents adds by to the child count of each of parents.
func (m *Machine) countParents(parents []string, by int) {
	for _, p := range parents {
		if m.children[p] += by; m.children[p] <= 0 {
			delete(m.children, p)
		}
	}
}

// Add adds one check with settings, pending, or replaces the settings of
// a check that exists (keeping its Status, as Configure does). Its parents
// must exist; a check added here is never a parent of another one, so no
// cycle can form. It costs the same whatever the number of checks: the
// way dynamic passive checks come and go.
func (m *Machine) Add(now time.Time, id string, set Settings) error {
	if now.IsZero() {
		return fmt.Errorf("adding check %q: %w: no time given", id, ErrInvalid)
	}
	if err := validateOne(id, set, m.settingsView()); err != nil {
		return fmt.Errorf("adding check %q: %w", id, err)
	}
	set.Parents = append([]string(nil), set.Parents...)
	m.countParents(set.Parents, 1)
	if e, ok := m.checks[id]; ok {
		m.countParents(e.settings.Parents, -1)
		e.settings = set
		normalise(e)
		return nil
	}
	m.checks[id] = &entry{settings: set, status: pending(id, now)}
	m.ids = append(m.ids, id)
	m.idsDirty = true
	return nil
}

// Remove forgets check id. A check that other checks name as a parent
// cannot be removed on its own (use Configure): that is an error.
func (m *Machine) Remove(id string) error {
	e, ok := m.checks[id]
	if !ok {
		return fmt.Errorf("removing check: %w %q", ErrUnknownCheck, id)
	}
	if n := m.children[id]; n > 0 {
		return fmt.Errorf("removing check %q: %w: it is the parent of %d check(s)", id, ErrConflict, n)
	}
	m.countParents(e.settings.Parents, -1)
	delete(m.checks, id)
	m.idsStale = true // ids are made again at the next sortedIDs: many removals cost one rebuild
	return nil
}

// Len is the number of checks.
func (m *Machine) Len() int { return len(m.checks) }

// settingsView lets validateOne look up parents without copying every
// check's settings.
func (m *Machine) settingsView() settingsLookup { return machineSettings{m} }

// sortedIDs returns the check IDs in order, sorting them first when Add
// left them unsorted.
func (m *Machine) sortedIDs() []string {
	if m.idsStale {
		m.ids = m.ids[:0]
		for id := range m.checks {
			m.ids = append(m.ids, id)
		}
		m.idsStale, m.idsDirty = false, true
	}
	if m.idsDirty {
		sort.Strings(m.ids)
		m.idsDirty = false
	}
	return m.ids
}

// pending is the Status of a check with no result yet: OK, HARD, attempt 1,
// as Nagios starts a service in its initial state.
func pending(id string, now time.Time) Status {
	return Status{
		Check:     id,
		State:     check.OK,
		Type:      Hard,
		Attempt:   1,
		Level:     check.LevelOK,
		FirstSeen: now,
	}
}

// levelOf is the alarm level of a state for a check.
func levelOf(st check.State, set Settings) check.Level { return st.Level(set.UnknownAs) }

// normalise fits a kept or restored Status to (possibly changed) settings.
// A confirmed HARD problem of the check's own stays confirmed at the new
// max_attempts: raising it must not turn the problem SOFT again (it would
// notify a second time, and its recovery would be a silent soft one). A
// HARD problem that came from a parent keeps its attempt, so the check
// still gets its own retries once the parent is OK.
func normalise(e *entry) {
	s := &e.status
	switch {
	case s.Type == Hard && s.State != check.OK && !s.Unreachable:
		s.Attempt = e.settings.MaxAttempts
	case s.Attempt > e.settings.MaxAttempts:
		s.Attempt = e.settings.MaxAttempts
	}
	s.Level = levelOf(s.State, e.settings)
}

// Status returns a copy of the check's Status.
func (m *Machine) Status(id string) (Status, bool) {
	e, ok := m.checks[id]
	if !ok {
		return Status{}, false
	}
	return e.status.clone(), true
}

// Counts returns how many checks are in each state, by its name (OK,
// WARNING, CRITICAL, UNKNOWN), and "pending" for checks with no result.
func (m *Machine) Counts() map[string]int {
	out := map[string]int{"pending": 0, "OK": 0, "WARNING": 0, "CRITICAL": 0, "UNKNOWN": 0}
	for _, e := range m.checks {
		if !e.status.Checked {
			out["pending"]++
			continue
		}
		out[e.status.State.String()]++
	}
	return out
}

// Statuses returns copies of every check's Status, ordered by check ID.
func (m *Machine) Statuses() []Status {
	ids := m.sortedIDs()
	out := make([]Status, 0, len(ids))
	for _, id := range ids {
		out = append(out, m.checks[id].status.clone())
	}
	return out
}

// Apply records a result of check id at time now (from the scheduler or a
// passive source) and returns what it caused: downtimes that came due first,
// then the state change, flapping changes, and any notification released.
// An unknown check or an invalid state is an error and changes nothing.
func (m *Machine) Apply(now time.Time, id string, r check.Result) ([]Transition, error) {
	e, err := m.lookup(now, id, "applying a result")
	if err != nil {
		return nil, err
	}
	if !r.State.Valid() {
		return nil, fmt.Errorf("applying a result to check %q: %w: state %d: want 0 (OK) to 3 (UNKNOWN)", id, ErrInvalid, int(r.State))
	}
	out := m.advance(e, now, false, nil)
	out = m.applyResult(e, now, r.State, r.Output, false, out)
	return m.releaseOwed(e, now, out), nil
}

// Tick lets time pass up to now for every check, in check ID order: due
// downtimes start, end or expire, checks past their TTL go stale, and
// notifications held back (first notification delay, a downtime that
// ended) are released. Each Transition's At is when it took effect, which
// is before now if Tick was not called for a while.
func (m *Machine) Tick(now time.Time) ([]Transition, error) {
	if now.IsZero() {
		return nil, fmt.Errorf("advancing time: %w: no time given", ErrInvalid)
	}
	var out []Transition
	for _, id := range m.sortedIDs() {
		e := m.checks[id]
		out = m.advance(e, now, true, out)
		out = m.releaseOwed(e, now, out)
	}
	return out, nil
}

func (m *Machine) lookup(now time.Time, id, doing string) (*entry, error) {
	if now.IsZero() {
		return nil, fmt.Errorf("%s: %w: no time given", doing, ErrInvalid)
	}
	e, ok := m.checks[id]
	if !ok {
		return nil, fmt.Errorf("%s: %w %q", doing, ErrUnknownCheck, id)
	}
	return e, nil
}

// parentProblems reports whether any parent is non-OK, and whether any is
// HARD non-OK.
func (m *Machine) parentProblems(e *entry) (some, hard bool) {
	for _, p := range e.settings.Parents {
		ps := m.checks[p].status
		if ps.State != check.OK {
			some = true
			if ps.Type == Hard {
				hard = true
			}
		}
	}
	return some, hard
}

// problemSuppression says why a HARD problem may not notify at time at, in
// Nagios' order of checks, or "" when it may.
func problemSuppression(e *entry, at time.Time) Suppression {
	s := &e.status
	switch {
	case s.Unreachable:
		return SuppressedUnreachable
	case s.Ack != nil:
		return SuppressedAcknowledged
	case !s.Notified && at.Before(s.ProblemSince.Add(e.settings.FirstNotificationDelay)):
		return SuppressedDelay
	case s.Flapping:
		return SuppressedFlapping
	case s.InDowntime():
		return SuppressedDowntime
	}
	return ""
}

// releaseOwed emits the first notification of a HARD problem that could not
// notify when it began (downtime, delay, flapping, unreachable, ack) once
// nothing holds it back any more, as Nagios does on the next check.
func (m *Machine) releaseOwed(e *entry, at time.Time, out []Transition) []Transition {
	s := &e.status
	if !s.Checked || s.State == check.OK || s.Type != Hard || s.Notified {
		return out
	}
	if problemSuppression(e, at) != "" {
		return out
	}
	t := transitionFor(s, at, KindProblem, s.Condition())
	t.decide("")
	s.Notified = true
	return append(out, t)
}
