package state

import (
	"time"

	"github.com/vakt/vakt/core/check"
)

// applyResult is the heart of the package: Nagios Core 4's
// handle_async_service_check_result, reduced to state. stale marks a result
// made up by freshness checking rather than a check run.
func (m *Machine) applyResult(e *entry, at time.Time, state check.State, output string, stale bool, out []Transition) []Transition {
	s := &e.status
	maxAttempts := e.settings.MaxAttempts
	before := s.Condition()
	lastState := s.State

	s.Checked = true
	s.Output = output
	s.Stale = stale
	if !stale {
		s.LastCheck = at
	}

	// A SOFT state was rechecked: count the attempt.
	if s.Type == Soft && s.Attempt < maxAttempts {
		s.Attempt++
	}
	s.State = state
	stateChange := state != lastState

	// A HARD problem always recovers HARD, also one made HARD early by a
	// parent (Nagios' host_problem_at_last_check); a SOFT one recovers
	// SOFT, even while a parent was down. Otherwise a change is hard once
	// the attempts are used up and the state differs from the last hard
	// one.
	hardChange := state == check.OK && before.Type == Hard && before.State != check.OK
	if s.Attempt >= maxAttempts && state != s.LastHardState {
		hardChange = true
	}

	// A normal ack ends at any change of state, a sticky one at OK.
	if s.Ack != nil && (state == check.OK || (stateChange && !s.Ack.Sticky)) {
		s.Ack = nil
	}
	if stateChange || s.LastChange.IsZero() {
		s.LastChange = at
	}
	if s.LastHardChange.IsZero() {
		s.LastHardChange = at
	}

	if state == check.OK {
		s.Unreachable = false
		s.Type = Hard
		s.Attempt = 1
		s.LastHardState = check.OK
		s.ProblemSince = time.Time{}
	} else {
		if lastState == check.OK {
			s.ProblemSince = at
		}
		parentDown, parentHardDown := m.parentProblems(e)
		s.Unreachable = parentDown
		switch {
		case stale:
			// Nothing reports, so there is nothing to retry: HARD now.
			s.Attempt = maxAttempts
			fallthrough
		case parentHardDown:
			// The route is down: HARD without retries (Nagios does this
			// for a service whose host is down).
			if s.LastHardState != state {
				hardChange = true
			}
			s.Type = Hard
			s.LastHardState = state
		case s.Attempt < maxAttempts:
			// Also turns a HARD problem that came from a parent back
			// into SOFT once the parent is OK, so the check gets its
			// own retries before it notifies.
			s.Type = Soft
		default:
			s.Type = Hard
			s.LastHardState = state
		}
		if before.Type == Soft && s.Type == Hard {
			hardChange = true
		}
	}
	if hardChange {
		s.LastHardChange = at
	}
	s.Level = levelOf(state, e.settings)

	// Flexible downtime starts when a HARD problem starts inside its
	// window, before anything is notified.
	if state != check.OK && s.Type == Hard && (stateChange || hardChange) {
		out = m.startFlexible(e, at, out)
	}

	// Flap detection comes before the notification decision, so the change
	// that starts flapping is already suppressed.
	flap := recordFlapState(s, e.settings)

	recoveryNotified := false
	// Staleness is news even when the state was already HARD UNKNOWN.
	// Every SOFT attempt is recorded too, as Nagios' alert log has a line
	// for each (reports that leave soft states out need them).
	softAttempt := s.Type == Soft && s.Attempt != before.Attempt
	if stateChange || hardChange || before.Type != s.Type || stale || softAttempt {
		kind := KindProblem
		switch {
		case stale:
			kind = KindStale
		case state == check.OK:
			kind = KindRecovery
		}
		t := transitionFor(s, at, kind, before)
		t.Hard = hardChange
		if state == check.OK && before.Type == Soft && before.State != check.OK {
			// A soft recovery is the next attempt of the soft problem
			// in Nagios' alert log: OK;SOFT;N+1. The Status itself is
			// OK, HARD, attempt 1 again.
			t.To.Type = Soft
			t.To.Attempt = min(before.Attempt+1, maxAttempts)
		}
		if state == check.OK {
			t.decide(recoverySuppression(s, hardChange))
			recoveryNotified = t.Notify
		} else {
			switch {
			case s.Type == Soft:
				t.decide(SuppressedSoft)
			case !hardChange:
				t.decide(SuppressedUnchanged)
			default:
				t.decide(problemSuppression(e, at))
				if t.Notify {
					s.Notified = true
				}
			}
		}
		out = append(out, t)
	}

	if flap != "" {
		t := transitionFor(s, at, flap, s.Condition())
		if s.InDowntime() {
			t.decide(SuppressedDowntime)
		} else {
			t.decide("")
		}
		out = append(out, t)
		if flap == KindFlappingStop {
			if s.RecoveryAfterFlapping && state == check.OK && !recoveryNotified {
				r := transitionFor(s, at, KindRecovery, s.Condition())
				r.decide("")
				out = append(out, r)
			}
			s.RecoveryAfterFlapping = false
		}
	}

	if state == check.OK {
		s.Notified = false
	}
	return out
}

// recoverySuppression says why a return to OK may not notify, or "". A
// recovery is not held back by downtime (Nagios sends it), only by being
// soft, by flapping, or by nobody having heard of the problem.
func recoverySuppression(s *Status, hardChange bool) Suppression {
	switch {
	case !hardChange:
		return SuppressedSoft
	case s.Flapping:
		return SuppressedFlapping
	case !s.Notified && !s.RecoveryAfterFlapping:
		return SuppressedNotNotified
	}
	return ""
}
