package state

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

// The tests are step tables in the style of Naemon's t-tap/test_checks.c:
// each row is one input at a time (a result, an ack, a downtime, a tick) and
// asserts the state, type, attempt and level that come out, and exactly which
// transitions were emitted, with notify or the reason they were suppressed.

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// minute is t0 plus n minutes.
func minute(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

type action struct {
	name string
	do   func(m *Machine, now time.Time) ([]Transition, error)
}

func result(id string, st check.State) action {
	return action{
		name: fmt.Sprintf("result %s %s", id, st),
		do: func(m *Machine, now time.Time) ([]Transition, error) {
			return m.Apply(now, id, check.Result{State: st, Output: st.String() + " output"})
		},
	}
}

func tick() action {
	return action{name: "tick", do: func(m *Machine, now time.Time) ([]Transition, error) { return m.Tick(now) }}
}

func ack(id string, sticky, notify bool) action {
	return action{
		name: fmt.Sprintf("ack %s sticky=%v notify=%v", id, sticky, notify),
		do: func(m *Machine, now time.Time) ([]Transition, error) {
			return m.Acknowledge(now, id, Ack{Author: "ops", Comment: "on it", Sticky: sticky, Notify: notify})
		},
	}
}

func unack(id string) action {
	return action{
		name: "unack " + id,
		do:   func(m *Machine, now time.Time) ([]Transition, error) { return m.Unacknowledge(now, id) },
	}
}

// fixed schedules a fixed downtime from minute start to minute end.
func fixed(id string, start, end int) action {
	return action{
		name: fmt.Sprintf("fixed downtime %s %d..%d", id, start, end),
		do: func(m *Machine, now time.Time) ([]Transition, error) {
			_, ts, err := m.ScheduleDowntime(now, id, Downtime{Fixed: true, Start: minute(start), End: minute(end), Author: "ops"})
			return ts, err
		},
	}
}

// flexible schedules a flexible downtime with window start..end lasting dur minutes.
func flexible(id string, start, end, dur int) action {
	return action{
		name: fmt.Sprintf("flexible downtime %s %d..%d for %d", id, start, end, dur),
		do: func(m *Machine, now time.Time) ([]Transition, error) {
			_, ts, err := m.ScheduleDowntime(now, id, Downtime{Start: minute(start), End: minute(end), Duration: time.Duration(dur) * time.Minute})
			return ts, err
		},
	}
}

// reconfigure reloads the machine with new settings.
func reconfigure(settings map[string]Settings) action {
	return action{
		name: "reconfigure",
		do: func(m *Machine, now time.Time) ([]Transition, error) {
			return nil, m.Configure(now, settings)
		},
	}
}

func cancel(id string, dt int64) action {
	return action{
		name: fmt.Sprintf("cancel downtime %d of %s", dt, id),
		do:   func(m *Machine, now time.Time) ([]Transition, error) { return m.CancelDowntime(now, id, dt) },
	}
}

// wantTr is one expected transition.
type wantTr struct {
	kind   Kind
	notify bool
	why    Suppression
	check  string // "" = the step's check
	at     int    // minute, when atSet
	atSet  bool
}

func tr(kind Kind, notify bool, why Suppression) wantTr {
	return wantTr{kind: kind, notify: notify, why: why}
}

// notified is a transition that notifies.
func notified(kind Kind) wantTr { return tr(kind, true, "") }

// quiet is a transition suppressed for reason why.
func quiet(kind Kind, why Suppression) wantTr { return tr(kind, false, why) }

func (w wantTr) on(id string) wantTr { w.check = id; return w }
func (w wantTr) when(n int) wantTr   { w.at, w.atSet = n, true; return w }

type step struct {
	at    int // minute
	do    action
	times int    // apply this many times at the same minute; all but the last must emit nothing
	check string // whose status to assert; "" = the scenario's check
	state check.State
	typ   StateType
	att   int
	lvl   check.Level
	want  []wantTr
	also  func(t *testing.T, s Status)
}

type scenario struct {
	name     string
	settings map[string]Settings
	check    string
	steps    []step
}

func runScenario(t *testing.T, sc scenario) {
	t.Helper()
	m, err := New(t0, sc.settings, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	runSteps(t, m, sc.check, sc.steps)
}

func runSteps(t *testing.T, m *Machine, defaultCheck string, steps []step) {
	t.Helper()
	for i, st := range steps {
		id := st.check
		if id == "" {
			id = defaultCheck
		}
		label := fmt.Sprintf("step %d (minute %d, %s)", i+1, st.at, st.do.name)
		times := max(st.times, 1)
		var got []Transition
		for n := 1; n <= times; n++ {
			var err error
			got, err = st.do.do(m, minute(st.at))
			if err != nil {
				t.Fatalf("%s: unexpected error: %v", label, err)
			}
			if n < times && len(got) != 0 {
				t.Fatalf("%s: repetition %d of %d emitted %s, want nothing", label, n, times, describe(got))
			}
		}
		checkTransitions(t, label, id, st.at, got, st.want)
		s, ok := m.Status(id)
		if !ok {
			t.Fatalf("%s: no status for %q", label, id)
		}
		if s.State != st.state || s.Type != st.typ || s.Attempt != st.att || s.Level != st.lvl {
			t.Fatalf("%s: %s is %s %s attempt %d level %s, want %s %s attempt %d level %s",
				label, id, s.State, s.Type, s.Attempt, s.Level, st.state, st.typ, st.att, st.lvl)
		}
		if st.also != nil {
			st.also(t, s)
		}
	}
}

func checkTransitions(t *testing.T, label, id string, at int, got []Transition, want []wantTr) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		w, g := want[i], got[i]
		wid := w.check
		if wid == "" {
			wid = id
		}
		wat := at
		if w.atSet {
			wat = w.at
		}
		ok = g.Kind == w.kind && g.Notify == w.notify && g.Suppressed == w.why &&
			g.Check == wid && g.At.Equal(minute(wat))
		// The contract: a transition that does not notify says why.
		if !g.Notify && g.Suppressed == "" {
			t.Fatalf("%s: transition %d does not notify and gives no reason", label, i)
		}
	}
	if !ok {
		var ws []string
		for _, w := range want {
			wid, wat := w.check, at
			if wid == "" {
				wid = id
			}
			if w.atSet {
				wat = w.at
			}
			ws = append(ws, fmt.Sprintf("%s %s @%d notify=%v %q", wid, w.kind, wat, w.notify, w.why))
		}
		t.Fatalf("%s:\n got  %s\n want [%s]", label, describe(got), strings.Join(ws, "; "))
	}
}

func describe(ts []Transition) string {
	var parts []string
	for _, g := range ts {
		parts = append(parts, fmt.Sprintf("%s %s @%d notify=%v %q", g.Check, g.Kind, int(g.At.Sub(t0)/time.Minute), g.Notify, g.Suppressed))
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
