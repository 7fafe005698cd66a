package state

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

// TestMalformedInput: every entry point refuses bad input with an error that
// says what was wrong, matches its sentinel, and changes nothing.
func TestMalformedInput(t *testing.T) {
	settings := map[string]Settings{"web": attempts(1), "db": attempts(2)}
	for _, tc := range []struct {
		name    string
		call    func(m *Machine) error
		target  error
		message string
	}{
		{"result for an unknown check", func(m *Machine) error {
			_, err := m.Apply(minute(5), "nope", check.Result{State: check.Critical})
			return err
		}, ErrUnknownCheck, `applying a result: unknown check "nope"`},
		{"result with a state above UNKNOWN", func(m *Machine) error {
			_, err := m.Apply(minute(5), "web", check.Result{State: 7})
			return err
		}, ErrInvalid, `applying a result to check "web": invalid input: state 7: want 0 (OK) to 3 (UNKNOWN)`},
		{"result with a negative state", func(m *Machine) error {
			_, err := m.Apply(minute(5), "web", check.Result{State: -1})
			return err
		}, ErrInvalid, "state -1"},
		{"result without a time", func(m *Machine) error {
			_, err := m.Apply(time.Time{}, "web", check.Result{State: check.OK})
			return err
		}, ErrInvalid, "no time given"},
		{"tick without a time", func(m *Machine) error {
			_, err := m.Tick(time.Time{})
			return err
		}, ErrInvalid, "advancing time: invalid input: no time given"},
		{"ack of an OK check", func(m *Machine) error {
			_, err := m.Acknowledge(minute(5), "web", Ack{Author: "ops"})
			return err
		}, ErrConflict, `acknowledging a problem of check "web": conflict with current state: the check is OK`},
		{"ack of an unknown check", func(m *Machine) error {
			_, err := m.Acknowledge(minute(5), "nope", Ack{})
			return err
		}, ErrUnknownCheck, `unknown check "nope"`},
		{"removing an ack that is not there", func(m *Machine) error {
			_, err := m.Unacknowledge(minute(5), "db")
			return err
		}, ErrConflict, `removing an acknowledgement of check "db": conflict with current state: the check is not acknowledged`},
		{"downtime ending before it starts", func(m *Machine) error {
			_, _, err := m.ScheduleDowntime(minute(5), "web", Downtime{Fixed: true, Start: minute(20), End: minute(10)})
			return err
		}, ErrInvalid, `scheduling a downtime for check "web": invalid input: it ends (2026-03-02T10:10:00Z) before it starts (2026-03-02T10:20:00Z)`},
		{"downtime ending as it starts", func(m *Machine) error {
			_, _, err := m.ScheduleDowntime(minute(5), "web", Downtime{Fixed: true, Start: minute(20), End: minute(20)})
			return err
		}, ErrInvalid, "before it starts"},
		{"downtime in the past", func(m *Machine) error {
			_, _, err := m.ScheduleDowntime(minute(5), "web", Downtime{Fixed: true, Start: minute(1), End: minute(5)})
			return err
		}, ErrInvalid, "it ends (2026-03-02T10:05:00Z) in the past"},
		{"flexible downtime without a duration", func(m *Machine) error {
			_, _, err := m.ScheduleDowntime(minute(5), "web", Downtime{Start: minute(10), End: minute(20)})
			return err
		}, ErrInvalid, "a flexible downtime needs a positive duration, got 0s"},
		{"downtime without times", func(m *Machine) error {
			_, _, err := m.ScheduleDowntime(minute(5), "web", Downtime{Fixed: true})
			return err
		}, ErrInvalid, "start and end times are required"},
		{"downtime for an unknown check", func(m *Machine) error {
			_, _, err := m.ScheduleDowntime(minute(5), "nope", Downtime{Fixed: true, Start: minute(10), End: minute(20)})
			return err
		}, ErrUnknownCheck, `scheduling a downtime: unknown check "nope"`},
		{"cancelling an unknown downtime", func(m *Machine) error {
			_, err := m.CancelDowntime(minute(5), "web", 42)
			return err
		}, ErrUnknownDowntime, `cancelling a downtime of check "web": unknown downtime 42`},
		{"cancelling on an unknown check", func(m *Machine) error {
			_, err := m.CancelDowntime(minute(5), "nope", 1)
			return err
		}, ErrUnknownCheck, `unknown check "nope"`},
		{"removing an ack of an unknown check", func(m *Machine) error {
			_, err := m.Unacknowledge(minute(5), "nope")
			return err
		}, ErrUnknownCheck, `removing an acknowledgement: unknown check "nope"`},
		{"reconfiguring without a time", func(m *Machine) error {
			return m.Configure(time.Time{}, map[string]Settings{"web": attempts(1)})
		}, ErrInvalid, "reconfiguring checks: invalid input: no time given"},
		{"reconfiguring with bad settings", func(m *Machine) error {
			return m.Configure(minute(5), map[string]Settings{"web": {MaxAttempts: 0}})
		}, ErrInvalid, `reconfiguring checks: invalid input: check "web": max_attempts must be at least 1, got 0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(t0, settings, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Some history to lose: a soft problem on db.
			if _, err := m.Apply(minute(1), "db", check.Result{State: check.Warning, Output: "slow"}); err != nil {
				t.Fatal(err)
			}
			before := m.Statuses()
			err = tc.call(m)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.target) {
				t.Fatalf("error %q does not match %v", err, tc.target)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("error %q does not say %q", err, tc.message)
			}
			if after := m.Statuses(); !reflect.DeepEqual(before, after) {
				t.Fatalf("state changed by a refused call:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
}

func TestInvalidSettings(t *testing.T) {
	good := attempts(3)
	for _, tc := range []struct {
		name     string
		settings map[string]Settings
		message  string
	}{
		{"empty ID", map[string]Settings{"": good}, "a check has an empty ID"},
		{"max attempts zero", map[string]Settings{"web": {MaxAttempts: 0}}, `check "web": max_attempts must be at least 1, got 0`},
		{"unknown_as not a level", map[string]Settings{"web": {MaxAttempts: 1, UnknownAs: 7}}, "unknown_as is not a level (7)"},
		{"flap low above high", map[string]Settings{"web": {MaxAttempts: 1, FlapLow: 40, FlapHigh: 30}}, "flap low threshold 40 is above the high threshold 30"},
		{"flap threshold above 100", map[string]Settings{"web": {MaxAttempts: 1, FlapHigh: 130}}, "flap thresholds must be within 0..100"},
		{"negative ttl", map[string]Settings{"web": {MaxAttempts: 1, TTL: -time.Second}}, "ttl is negative (-1s)"},
		{"negative delay", map[string]Settings{"web": {MaxAttempts: 1, FirstNotificationDelay: -time.Minute}}, "first_notification_delay is negative (-1m0s)"},
		{"unknown parent", map[string]Settings{"web": {MaxAttempts: 1, Parents: []string{"router"}}}, `check "web": parent "router" is not a configured check`},
		{"own parent", map[string]Settings{"web": {MaxAttempts: 1, Parents: []string{"web"}}}, `check "web": it lists itself as a parent`},
		{"parent twice", map[string]Settings{"a": good, "web": {MaxAttempts: 1, Parents: []string{"a", "a"}}}, `parent "a" listed twice`},
		{"parent cycle", map[string]Settings{
			"a": {MaxAttempts: 1, Parents: []string{"c"}},
			"b": {MaxAttempts: 1, Parents: []string{"a"}},
			"c": {MaxAttempts: 1, Parents: []string{"b"}},
		}, "parents form a cycle: [a c b a]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(t0, tc.settings, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if m != nil {
				t.Fatal("a machine was made from bad settings")
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("error %q: want ErrInvalid saying %q", err, tc.message)
			}
		})
	}
	if _, err := New(time.Time{}, map[string]Settings{"web": good}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("New without a time: %v", err)
	}
}

func TestInvalidSavedStatus(t *testing.T) {
	settings := map[string]Settings{"web": attempts(3)}
	base := pending("web", t0)
	for _, tc := range []struct {
		name    string
		mutate  func(s *Status)
		message string
	}{
		{"no check ID", func(s *Status) { s.Check = "" }, "status without a check ID"},
		{"state out of range", func(s *Status) { s.State = 9 }, `status of check "web": invalid state 9`},
		{"last hard state out of range", func(s *Status) { s.LastHardState = -2 }, "invalid last hard state -2"},
		{"no state type", func(s *Status) { s.Type = "" }, `invalid state type ""`},
		{"soft OK", func(s *Status) { s.Type = Soft }, "state OK cannot be SOFT"},
		{"attempt zero", func(s *Status) { s.Attempt = 0 }, "attempt 0: want at least 1"},
		{"level out of range", func(s *Status) { s.Level = 5 }, "invalid level 5"},
		{"percent out of range", func(s *Status) { s.PercentChange = 101 }, "percent state change 101 outside 0..100"},
		{"history state out of range", func(s *Status) { s.History[3] = 8 }, "history entry 3: invalid state 8"},
		{"ack while OK", func(s *Status) { s.Ack = &Ack{Author: "x"} }, "acknowledged while OK"},
		{"downtime with bad phase", func(s *Status) {
			s.LastDowntimeID = 1
			s.Downtimes = []Downtime{{ID: 1, Fixed: true, Start: t0, End: minute(10), Phase: "running"}}
		}, `downtime 1 has invalid phase "running"`},
		{"downtime ending before start", func(s *Status) {
			s.LastDowntimeID = 1
			s.Downtimes = []Downtime{{ID: 1, Fixed: true, Start: minute(10), End: t0, Phase: DowntimeScheduled}}
		}, "downtime 1 ends"},
		{"downtime ID above the last one handed out", func(s *Status) {
			s.Downtimes = []Downtime{{ID: 1, Fixed: true, Start: t0, End: minute(10), Phase: DowntimeScheduled}}
		}, "downtime ID 1 outside 1..0"},
		{"downtime listed twice", func(s *Status) {
			s.LastDowntimeID = 1
			d := Downtime{ID: 1, Fixed: true, Start: t0, End: minute(10), Phase: DowntimeScheduled}
			s.Downtimes = []Downtime{d, d}
		}, "downtime 1 listed twice"},
		{"flexible downtime without duration", func(s *Status) {
			s.LastDowntimeID = 1
			s.Downtimes = []Downtime{{ID: 1, Start: t0, End: minute(10), Phase: DowntimeScheduled}}
		}, "flexible downtime 1 has no duration"},
		{"fixed downtime waiting", func(s *Status) {
			s.LastDowntimeID = 1
			s.Downtimes = []Downtime{{ID: 1, Fixed: true, Start: t0, End: minute(10), Phase: DowntimeWaiting}}
		}, "fixed downtime 1 cannot be waiting"},
		{"active downtime without times", func(s *Status) {
			s.LastDowntimeID = 1
			s.Downtimes = []Downtime{{ID: 1, Fixed: true, Start: t0, End: minute(10), Phase: DowntimeActive}}
		}, "active downtime 1 has no valid started/ends times"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := base
			tc.mutate(&st)
			m, err := New(t0, settings, []Status{st})
			if err == nil || m != nil {
				t.Fatalf("got machine %v, error %v: want an error", m != nil, err)
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("error %q: want ErrInvalid saying %q", err, tc.message)
			}
		})
	}
	_, err := New(t0, settings, []Status{base, base})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `two statuses for check "web"`) {
		t.Fatalf("duplicate statuses: %v", err)
	}
}
