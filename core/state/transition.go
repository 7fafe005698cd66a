package state

import "time"

// Kind is what a Transition records.
type Kind string

// The kinds of Transition.
const (
	// KindProblem: the check entered or changed a non-OK state (soft or
	// hard), or a hard problem that could not notify before now can
	// (From equals To then).
	KindProblem Kind = "problem"
	// KindRecovery: the check returned to OK; or, with From equal to To, a
	// recovery owed since flapping started is released.
	KindRecovery Kind = "recovery"
	// KindStale: no result arrived within the TTL; the check is now
	// UNKNOWN (HARD), shown purple.
	KindStale           Kind = "stale"
	KindAcknowledgement Kind = "acknowledgement"
	// KindAcknowledgementRemoved: an ack was removed by hand (an ack that
	// ends with a change of state leaves no transition of its own).
	KindAcknowledgementRemoved Kind = "acknowledgement_removed"
	KindFlappingStart          Kind = "flapping_start"
	KindFlappingStop           Kind = "flapping_stop"
	// KindDowntimeScheduled: a downtime was scheduled (it starts later,
	// or at once with a KindDowntimeStart right after).
	KindDowntimeScheduled Kind = "downtime_scheduled"
	KindDowntimeStart     Kind = "downtime_start"
	KindDowntimeEnd       Kind = "downtime_end"
	KindDowntimeCanceled  Kind = "downtime_cancelled"
	// KindDowntimeExpired: a downtime was removed without ever becoming
	// active (a flexible window with no problem in it, or a window that
	// passed while the daemon was not running).
	KindDowntimeExpired Kind = "downtime_expired"
	// KindRemoved: the check was removed while running (a dynamic passive
	// check that stayed stale, or one removed by hand). The Machine never
	// makes it; the engine records it.
	KindRemoved Kind = "removed"
)

// Suppression says why a Transition does not notify.
type Suppression string

// The reasons a Transition does not notify. Problem notifications are
// checked in Nagios' order: unreachable, acknowledged, first notification
// delay, flapping, downtime.
const (
	// SuppressedSoft: the change is a soft one (a soft problem, or a
	// recovery from a soft problem).
	SuppressedSoft Suppression = "soft"
	// SuppressedUnchanged: the state did not change (a check already HARD
	// UNKNOWN went stale).
	SuppressedUnchanged Suppression = "state unchanged"
	// SuppressedUnreachable: a parent is non-OK too.
	SuppressedUnreachable Suppression = "unreachable"
	// SuppressedAcknowledged: the problem is acknowledged.
	SuppressedAcknowledged Suppression = "acknowledged"
	// SuppressedDelay: first_notification_delay has not passed yet; a
	// KindProblem with Notify follows when it has.
	SuppressedDelay Suppression = "first notification delay"
	// SuppressedFlapping: the check is flapping.
	SuppressedFlapping Suppression = "flapping"
	// SuppressedDowntime: a downtime is active.
	SuppressedDowntime Suppression = "downtime"
	// SuppressedNotNotified: a recovery from a problem nobody was told of.
	SuppressedNotNotified Suppression = "problem not notified"
	// SuppressedOtherDowntime: a downtime started or ended while another
	// one is active, so nothing changed for the people notified.
	SuppressedOtherDowntime Suppression = "another downtime is active"
	// SuppressedNotStarted: a downtime that never became active was
	// cancelled or expired.
	SuppressedNotStarted Suppression = "downtime never started"
	// SuppressedNotRequested: an acknowledgement given without Notify.
	SuppressedNotRequested Suppression = "not requested"
)

// Transition is one thing that happened to a check. The daemon stores it
// before the notify step acts on it. Notify says whether the notify step
// should send it; when Notify is false, Suppressed always says why.
type Transition struct {
	Check string    `json:"check"`
	At    time.Time `json:"at"`
	Kind  Kind      `json:"kind"`
	From  Condition `json:"from"`
	To    Condition `json:"to"`
	// Hard: this is a hard state change (Nagios' hard_state_change): a
	// problem became or changed HARD, or a HARD problem recovered.
	Hard       bool        `json:"hard"`
	Notify     bool        `json:"notify"`
	Suppressed Suppression `json:"suppressed,omitempty"`
	// Output is the check's output after the transition.
	Output string `json:"output"`
	// PercentChange is the check's percent state change after the
	// transition (what flapping is decided on).
	PercentChange float64 `json:"percent_change"`
	// Ack is the acknowledgement for KindAcknowledgement.
	Ack *Ack `json:"ack,omitempty"`
	// Downtime is the downtime for the downtime kinds, as it was when the
	// transition happened.
	Downtime *Downtime `json:"downtime,omitempty"`
}

// transitionFor starts a Transition of kind k at the check's current status.
func transitionFor(s *Status, at time.Time, k Kind, from Condition) Transition {
	return Transition{
		Check:         s.Check,
		At:            at,
		Kind:          k,
		From:          from,
		To:            s.Condition(),
		Output:        s.Output,
		PercentChange: s.PercentChange,
	}
}

// decide sets Notify, or Suppressed when why is not empty.
func (t *Transition) decide(why Suppression) {
	t.Notify = why == ""
	t.Suppressed = why
}
