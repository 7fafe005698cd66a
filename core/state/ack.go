package state

import (
	"fmt"
	"time"

	"github.com/vakt/vakt/core/check"
)

// Acknowledge acknowledges the current problem of check id: its problem
// notifications stop until the ack ends (a normal ack at the next change of
// state, a sticky one at OK). A new ack replaces an old one. The returned
// KindAcknowledgement notifies when a.Notify is set. The Machine sets a.At.
//
// Errors (nothing changes): unknown check; the check is OK (or has no
// result yet), so there is nothing to acknowledge.
func (m *Machine) Acknowledge(now time.Time, id string, a Ack) ([]Transition, error) {
	const doing = "acknowledging a problem"
	e, err := m.lookup(now, id, doing)
	if err != nil {
		return nil, err
	}
	s := &e.status
	if s.State == check.OK {
		return nil, fmt.Errorf("%s of check %q: %w: the check is OK, there is no problem to acknowledge", doing, id, ErrConflict)
	}
	a.At = now
	s.Ack = &a
	t := transitionFor(s, now, KindAcknowledgement, s.Condition())
	ack := a
	t.Ack = &ack
	if a.Notify {
		t.decide("")
	} else {
		t.decide(SuppressedNotRequested)
	}
	return []Transition{t}, nil
}

// Unacknowledge removes the ack of check id. A HARD problem that was never
// notified because of the ack notifies now (unless something else holds it
// back).
//
// Errors (nothing changes): unknown check; the check has no ack.
func (m *Machine) Unacknowledge(now time.Time, id string) ([]Transition, error) {
	const doing = "removing an acknowledgement"
	e, err := m.lookup(now, id, doing)
	if err != nil {
		return nil, err
	}
	if e.status.Ack == nil {
		return nil, fmt.Errorf("%s of check %q: %w: the check is not acknowledged", doing, id, ErrConflict)
	}
	removed := *e.status.Ack
	e.status.Ack = nil
	t := transitionFor(&e.status, now, KindAcknowledgementRemoved, e.status.Condition())
	t.Ack = &removed
	t.decide(SuppressedNotRequested)
	return m.releaseOwed(e, now, []Transition{t}), nil
}
