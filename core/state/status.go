// Package state decides what check results mean, with the Nagios Core 4
// semantics of SPEC.md section 5: soft and hard states counted against
// max_attempts, the ok/warning/error level, flap detection over the last 21
// recorded states, parents (UNREACHABLE), acknowledgements, fixed and
// flexible downtime, and freshness (a passive check that stops reporting goes
// stale, Big Sister's purple).
//
// The package is pure and deterministic: no goroutines, no I/O, no clock.
// Every entry point takes the current time. A Machine holds the Status of
// every check; each call returns the Transitions it caused, in order. The
// daemon writes those (and the new Status) to the store before the notify
// step acts on them. Whether a Transition should notify is decided here
// (Notify, or Suppressed saying why not); repeats, escalations, routes and
// time periods belong to the notify step.
//
// # Where vakt differs from Nagios Core 4
//
// Checked against base/checks.c (handle_async_service_check_result),
// base/flapping.c, base/notifications.c and base/downtime.c. A parent plays
// the part of a service's host.
//
//   - Parent down. Nagios puts a non-OK service HARD at once, without
//     retries and without resetting the attempt (so a fresh problem is HARD
//     at attempt 1), whenever its host is not UP, SOFT or HARD. vakt does
//     this only while a parent is HARD non-OK; while a parent is only SOFT
//     non-OK the check counts its own attempts. In both cases the check is
//     UNREACHABLE and does not notify, and once the parent is OK again a
//     problem that was HARD only because of it goes SOFT at its attempt and
//     gets its own retries, as in Nagios.
//   - Held-back notifications. Nagios sends a problem notification that was
//     held back (downtime, ack, delay, parent) at the next check result;
//     vakt releases it as soon as nothing holds it back (Tick, the end or
//     cancelling of the downtime, Unacknowledge).
//   - Downtime windows are half-open, [Start, End); Nagios includes the
//     end second. A flexible downtime also starts for a problem that is
//     HARD because of a parent.
//   - Reload. Raising max_attempts keeps a HARD problem HARD (its attempt
//     becomes the new max_attempts); Nagios keeps the old attempt, which
//     can make the problem SOFT again and its recovery a soft one.
//   - Flapping stop. Nagios may send the owed recovery twice when flapping
//     stops at a hard recovery; vakt sends it once.
//
// What follows Nagios Core 4 as is: the attempt counts from 1 at the first
// non-OK result and keeps counting across changes between non-OK states
// while SOFT; HARD at max_attempts; a change between two non-OK states
// while HARD is a hard change at once; OK resets the attempt to 1; a SOFT
// recovery is silent, a HARD one notifies only if the problem was
// notified; a normal ack ends at any change of state, a sticky one at OK;
// flap history records HARD states and recoveries only (not SOFT
// problems); recoveries are held back by flapping but not by downtime;
// first_notification_delay counts from the first non-OK result. Like
// Nagios' alert log, every SOFT attempt is a Transition (a KindProblem
// suppressed as soft), and a recovery from a SOFT problem is recorded as
// OK;SOFT;N+1 (the Transition's To; the Status itself is OK, HARD,
// attempt 1).
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vakt/vakt/core/check"
)

// StateType says whether a state is confirmed. A non-OK state is SOFT until
// it has been seen max_attempts times in a row, then HARD. OK is always HARD
// once recorded.
type StateType string

// The two state types, spelled as Nagios logs them.
const (
	Soft StateType = "SOFT"
	Hard StateType = "HARD"
)

// HistoryLen is how many recorded states flap detection keeps: 21 states,
// so 20 transitions between them.
const HistoryLen = 21

// Condition is where a check stands at one moment: the From and To of a
// Transition.
type Condition struct {
	State   check.State `json:"state"`
	Type    StateType   `json:"type"`
	Attempt int         `json:"attempt"`
	Level   check.Level `json:"level"`
}

// Ack is an acknowledgement of a problem: it silences problem notifications
// until it ends. A normal ack ends at any change of state; a sticky one only
// when the check returns to OK.
type Ack struct {
	Author  string `json:"author"`
	Comment string `json:"comment"`
	Sticky  bool   `json:"sticky"`
	// Notify asks for an acknowledgement notification to the people who
	// heard of the problem.
	Notify bool `json:"notify"`
	// At is when the ack was given; set by the Machine.
	At time.Time `json:"at"`
}

// DowntimePhase is where a downtime is in its life.
type DowntimePhase string

// The phases of a downtime. A fixed downtime goes Scheduled -> Active at
// Start. A flexible one goes Scheduled -> Waiting when its window opens,
// then Active when a problem starts inside the window (or at once, if the
// check is already non-OK when the window opens). Ended, cancelled and
// expired downtimes are removed from the Status.
const (
	DowntimeScheduled DowntimePhase = "scheduled"
	DowntimeWaiting   DowntimePhase = "waiting"
	DowntimeActive    DowntimePhase = "active"
)

// Downtime is a maintenance window: while one is active, problem
// notifications are suppressed (the status page shows blue). Intervals are
// half-open: a downtime is active from its start up to, not including, its
// end.
type Downtime struct {
	// ID identifies the downtime within its check; set by the Machine.
	ID int64 `json:"id"`
	// Fixed downtimes run from Start to End. Flexible ones start when a
	// problem starts inside [Start, End) and last Duration.
	Fixed    bool          `json:"fixed"`
	Start    time.Time     `json:"start"`
	End      time.Time     `json:"end"`
	Duration time.Duration `json:"duration"`
	Author   string        `json:"author"`
	Comment  string        `json:"comment"`
	// Ref names the request that scheduled it: one downtime on a host or
	// a tag is one per check, all with the same Ref, so that they are
	// listed and cancelled together. Set by the caller; may be empty.
	Ref string `json:"ref,omitempty"`

	// Set by the Machine.
	Entered time.Time     `json:"entered"`
	Phase   DowntimePhase `json:"phase"`
	Started time.Time     `json:"started,omitzero"` // when it became active
	Ends    time.Time     `json:"ends,omitzero"`    // when it stops being active
}

// Status is everything the Machine knows about one check: what the store
// persists per check and what the scheduler and status page read. It is
// plain data and survives a JSON round trip unchanged.
type Status struct {
	Check string `json:"check"`
	// Checked is false until the first result (or staleness) sets a state;
	// the status page shows such a check as pending.
	Checked bool        `json:"checked"`
	State   check.State `json:"state"`
	Type    StateType   `json:"type"`
	Attempt int         `json:"attempt"`
	Level   check.Level `json:"level"`
	// LastHardState is the state of the last HARD state, OK when none.
	LastHardState check.State `json:"last_hard_state"`
	Output        string      `json:"output"`

	FirstSeen      time.Time `json:"first_seen"`       // when the check was configured
	LastCheck      time.Time `json:"last_check"`       // the last real result
	LastChange     time.Time `json:"last_change"`      // the last change of State
	LastHardChange time.Time `json:"last_hard_change"` // the last HARD state change
	// ProblemSince is the time of the first non-OK result of the current
	// problem; zero while OK. first_notification_delay counts from it.
	ProblemSince time.Time `json:"problem_since,omitzero"`

	// Unreachable: at the last result the check was non-OK and a parent
	// was non-OK too.
	Unreachable bool `json:"unreachable"`
	// Stale: no result arrived within the check's TTL; State is UNKNOWN.
	Stale bool `json:"stale"`

	Flapping      bool    `json:"flapping"`
	PercentChange float64 `json:"percent_change"`
	History       History `json:"history"` // recorded states, oldest first
	// RecoveryAfterFlapping: flapping started during a notified problem,
	// so a recovery is owed when flapping stops in OK.
	RecoveryAfterFlapping bool `json:"recovery_after_flapping"`

	// Notified: the current problem was released for notification (a
	// Transition with Notify set), so its recovery notifies too.
	Notified bool `json:"notified"`

	Ack            *Ack       `json:"ack,omitempty"`
	Downtimes      []Downtime `json:"downtimes,omitempty"` // by ID
	LastDowntimeID int64      `json:"last_downtime_id"`
}

// History is the states flap detection keeps, oldest first. In JSON it
// is a string of digits, one state each ("000000000000000000002"), so that
// every check's saved status stays small; an array of numbers (as older
// versions wrote) is read too.
type History [HistoryLen]check.State

// MarshalText writes h as HistoryLen digits; JSON has it as a string.
// (MarshalText, not MarshalJSON: encoding/json checks what a MarshalJSON
// returns again, and every check's status is encoded at every commit.)
func (h History) MarshalText() ([]byte, error) {
	out := make([]byte, 0, HistoryLen)
	for _, st := range h {
		if !st.Valid() {
			return nil, fmt.Errorf("history state %d: want 0 (OK) to 3 (UNKNOWN)", int(st))
		}
		out = append(out, byte('0'+st))
	}
	return out, nil
}

// UnmarshalJSON reads a string of HistoryLen digits 0..3, or an array of
// HistoryLen numbers.
func (h *History) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '[' {
		var arr [HistoryLen]check.State
		if err := json.Unmarshal(b, &arr); err != nil {
			return err
		}
		*h = arr
		return nil
	}
	var digits string
	if err := json.Unmarshal(b, &digits); err != nil {
		return fmt.Errorf("history: want a string of %d digits: %w", HistoryLen, err)
	}
	if len(digits) != HistoryLen {
		return fmt.Errorf("history %q: want %d digits", digits, HistoryLen)
	}
	for i := range HistoryLen {
		d := digits[i]
		if d < '0' || d > '3' {
			return fmt.Errorf("history %q: state %q at %d: want 0 to 3", digits, d, i)
		}
		h[i] = check.State(d - '0')
	}
	return nil
}

// Condition returns the state, type, attempt and level of s.
func (s Status) Condition() Condition {
	return Condition{State: s.State, Type: s.Type, Attempt: s.Attempt, Level: s.Level}
}

// Retrying reports whether the check is in a SOFT problem, when the
// scheduler runs it every retry_interval instead of every check_interval.
func (s Status) Retrying() bool { return s.Type == Soft && s.State != check.OK }

// InDowntime reports whether a downtime is active.
func (s Status) InDowntime() bool {
	for _, d := range s.Downtimes {
		if d.Phase == DowntimeActive {
			return true
		}
	}
	return false
}

// Validate reports the first thing wrong with a persisted Status, so that a
// damaged row in the store is refused with a clear error instead of being
// half used. The error wraps ErrInvalid.
func (s Status) Validate() error {
	if s.Check == "" {
		return fmt.Errorf("%w: status without a check ID", ErrInvalid)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: status of check %q: %s", ErrInvalid, s.Check, fmt.Sprintf(format, args...))
	}
	if !s.State.Valid() {
		return bad("invalid state %d: want 0 (OK) to 3 (UNKNOWN)", int(s.State))
	}
	if !s.LastHardState.Valid() {
		return bad("invalid last hard state %d: want 0 (OK) to 3 (UNKNOWN)", int(s.LastHardState))
	}
	if s.Type != Soft && s.Type != Hard {
		return bad("invalid state type %q: want SOFT or HARD", s.Type)
	}
	if s.Type == Soft && s.State == check.OK {
		return bad("state OK cannot be SOFT")
	}
	if s.Attempt < 1 {
		return bad("attempt %d: want at least 1", s.Attempt)
	}
	if s.Level < check.LevelOK || s.Level > check.LevelError {
		return bad("invalid level %d", int(s.Level))
	}
	if s.PercentChange < 0 || s.PercentChange > 100 {
		return bad("percent state change %v outside 0..100", s.PercentChange)
	}
	for i, h := range s.History {
		if !h.Valid() {
			return bad("history entry %d: invalid state %d", i, int(h))
		}
	}
	if s.Ack != nil && s.State == check.OK {
		return bad("acknowledged while OK")
	}
	seen := make(map[int64]bool, len(s.Downtimes))
	for _, d := range s.Downtimes {
		if err := validateStoredDowntime(d, s.LastDowntimeID); err != nil {
			return bad("%v", err)
		}
		if seen[d.ID] {
			return bad("downtime %d listed twice", d.ID)
		}
		seen[d.ID] = true
	}
	return nil
}

func validateStoredDowntime(d Downtime, lastID int64) error {
	if d.ID < 1 || d.ID > lastID {
		return fmt.Errorf("downtime ID %d outside 1..%d", d.ID, lastID)
	}
	if !d.End.After(d.Start) {
		return fmt.Errorf("downtime %d ends (%s) before it starts (%s)", d.ID, d.End.Format(time.RFC3339), d.Start.Format(time.RFC3339))
	}
	if !d.Fixed && d.Duration <= 0 {
		return fmt.Errorf("flexible downtime %d has no duration", d.ID)
	}
	switch d.Phase {
	case DowntimeScheduled, DowntimeWaiting:
	case DowntimeActive:
		if d.Started.IsZero() || !d.Ends.After(d.Started) {
			return fmt.Errorf("active downtime %d has no valid started/ends times", d.ID)
		}
	default:
		return fmt.Errorf("downtime %d has invalid phase %q", d.ID, d.Phase)
	}
	if d.Fixed && d.Phase == DowntimeWaiting {
		return fmt.Errorf("fixed downtime %d cannot be waiting", d.ID)
	}
	return nil
}

// clone returns a deep copy, so callers never share the Machine's memory.
func (s Status) clone() Status {
	if s.Ack != nil {
		a := *s.Ack
		s.Ack = &a
	}
	if s.Downtimes != nil {
		s.Downtimes = append([]Downtime(nil), s.Downtimes...)
	}
	return s
}

// Errors returned by the Machine, for errors.Is; the returned errors wrap
// them with what was being done.
var (
	// ErrUnknownCheck: no check with that ID is configured.
	ErrUnknownCheck = errors.New("unknown check")
	// ErrUnknownDowntime: the check has no downtime with that ID.
	ErrUnknownDowntime = errors.New("unknown downtime")
	// ErrInvalid: an argument is malformed (a state out of range, a
	// downtime ending before it starts, bad settings).
	ErrInvalid = errors.New("invalid input")
	// ErrConflict: the request does not fit the check's current state
	// (acknowledging an OK check, removing an ack that is not there).
	ErrConflict = errors.New("conflict with current state")
)
