package state

import (
	"fmt"
	"time"

	"github.com/vakt/vakt/core/check"
)

// ScheduleDowntime adds a downtime to check id. The caller fills Fixed,
// Start, End, Duration (flexible only), Author and Comment; the Machine sets
// ID, Entered and Phase. A downtime whose start has come starts at once, so
// the returned Transitions may hold its KindDowntimeStart. The returned
// Downtime is as stored after that.
//
// Errors (nothing changes): unknown check; End not after Start; End not
// after now; a flexible downtime without a positive Duration.
func (m *Machine) ScheduleDowntime(now time.Time, id string, d Downtime) (Downtime, []Transition, error) {
	const doing = "scheduling a downtime"
	e, err := m.lookup(now, id, doing)
	if err != nil {
		return Downtime{}, nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s for check %q: %w: %s", doing, id, ErrInvalid, fmt.Sprintf(format, args...))
	}
	switch {
	case d.Start.IsZero() || d.End.IsZero():
		return Downtime{}, nil, bad("start and end times are required")
	case !d.End.After(d.Start):
		return Downtime{}, nil, bad("it ends (%s) before it starts (%s)", d.End.Format(time.RFC3339), d.Start.Format(time.RFC3339))
	case !d.End.After(now):
		return Downtime{}, nil, bad("it ends (%s) in the past", d.End.Format(time.RFC3339))
	case !d.Fixed && d.Duration <= 0:
		return Downtime{}, nil, bad("a flexible downtime needs a positive duration, got %s", d.Duration)
	}
	if d.Fixed {
		d.Duration = d.End.Sub(d.Start)
	}
	s := &e.status
	s.LastDowntimeID++
	d.ID = s.LastDowntimeID
	d.Entered = now
	d.Phase = DowntimeScheduled
	d.Started, d.Ends = time.Time{}, time.Time{}
	s.Downtimes = append(s.Downtimes, d)

	scheduled := transitionFor(s, now, KindDowntimeScheduled, s.Condition())
	scheduledDowntime := d
	scheduled.Downtime = &scheduledDowntime
	scheduled.decide(SuppressedNotRequested)
	out := m.advance(e, now, false, []Transition{scheduled})
	out = m.releaseOwed(e, now, out)
	stored := d
	if i := downtimeIndex(s, d.ID); i >= 0 {
		stored = s.Downtimes[i]
	}
	return stored, out, nil
}

// CancelDowntime removes downtime dt of check id. Cancelling an active
// downtime notifies (KindDowntimeCanceled) unless another one stays active;
// cancelling one that never started notifies nobody. A problem held back by
// the downtime may notify right after.
func (m *Machine) CancelDowntime(now time.Time, id string, dt int64) ([]Transition, error) {
	const doing = "cancelling a downtime"
	e, err := m.lookup(now, id, doing)
	if err != nil {
		return nil, err
	}
	s := &e.status
	i := downtimeIndex(s, dt)
	if i < 0 {
		return nil, fmt.Errorf("%s of check %q: %w %d", doing, id, ErrUnknownDowntime, dt)
	}
	d := s.Downtimes[i]
	removeDowntime(s, i)
	t := transitionFor(s, now, KindDowntimeCanceled, s.Condition())
	t.Downtime = &d
	switch {
	case d.Phase != DowntimeActive:
		t.decide(SuppressedNotStarted)
	case s.InDowntime():
		t.decide(SuppressedOtherDowntime)
	default:
		t.decide("")
	}
	out := []Transition{t}
	return m.releaseOwed(e, now, out), nil
}

// timedEvent is something due at a point in time for one check.
type timedEvent struct {
	at   time.Time
	rank int // at equal times: starts, then staleness, then ends
	what eventKind
	dt   int64 // the downtime, for downtime events
}

type eventKind int

const (
	eventOpen   eventKind = iota // a scheduled downtime reaches its start
	eventStale                   // the TTL passed without a result
	eventEnd                     // an active downtime reaches its end
	eventExpire                  // a flexible window closes with no problem in it
)

// advance fires every event of the check due by now, oldest first, and
// after each one releases a notification it no longer holds back.
// Staleness is left out when a result is being applied.
func (m *Machine) advance(e *entry, now time.Time, withStale bool, out []Transition) []Transition {
	for {
		ev, ok := m.nextEvent(e, now, withStale)
		if !ok {
			return out
		}
		out = m.fire(e, ev, now, out)
		out = m.releaseOwed(e, ev.at, out)
	}
}

func (m *Machine) nextEvent(e *entry, now time.Time, withStale bool) (timedEvent, bool) {
	s := &e.status
	var best timedEvent
	found := false
	consider := func(ev timedEvent) {
		if ev.at.After(now) {
			return
		}
		if !found || ev.at.Before(best.at) || (ev.at.Equal(best.at) && ev.rank < best.rank) {
			best, found = ev, true
		}
	}
	for _, d := range s.Downtimes {
		switch d.Phase {
		case DowntimeScheduled:
			consider(timedEvent{at: d.Start, rank: 0, what: eventOpen, dt: d.ID})
		case DowntimeActive:
			consider(timedEvent{at: d.Ends, rank: 2, what: eventEnd, dt: d.ID})
		case DowntimeWaiting:
			consider(timedEvent{at: d.End, rank: 2, what: eventExpire, dt: d.ID})
		}
	}
	if withStale && e.settings.TTL > 0 && !s.Stale {
		fresh := latest(s.LastCheck, s.FirstSeen, m.started)
		deadline := fresh.Add(e.settings.TTL)
		// Stale only once more than TTL has passed: a result exactly at
		// the deadline is in time.
		if deadline.Before(now) {
			consider(timedEvent{at: deadline, rank: 1, what: eventStale})
		}
	}
	return best, found
}

func (m *Machine) fire(e *entry, ev timedEvent, now time.Time, out []Transition) []Transition {
	s := &e.status
	if ev.what == eventStale {
		output := fmt.Sprintf("(stale: no result for more than %s)", e.settings.TTL)
		return m.applyResult(e, ev.at, check.Unknown, output, true, out)
	}
	i := downtimeIndex(s, ev.dt)
	d := &s.Downtimes[i]
	switch ev.what {
	case eventOpen:
		switch {
		case !d.End.After(m.started):
			// The whole window passed before this Machine started (the
			// daemon was not running): drop it quietly, as Nagios drops
			// expired downtimes at start-up.
			return m.expire(e, i, d.End, out)
		case d.Fixed || s.State != check.OK:
			return m.activate(e, i, d.Start, out)
		default:
			d.Phase = DowntimeWaiting
			return out
		}
	case eventEnd:
		ended := *d
		removeDowntime(s, i)
		t := transitionFor(s, ev.at, KindDowntimeEnd, s.Condition())
		t.Downtime = &ended
		if s.InDowntime() {
			t.decide(SuppressedOtherDowntime)
		} else {
			t.decide("")
		}
		return append(out, t)
	case eventExpire:
		return m.expire(e, i, ev.at, out)
	}
	return out
}

// activate makes downtime i active from at.
func (m *Machine) activate(e *entry, i int, at time.Time, out []Transition) []Transition {
	s := &e.status
	others := s.InDowntime()
	d := &s.Downtimes[i]
	d.Phase = DowntimeActive
	d.Started = at
	if d.Fixed {
		d.Ends = d.End
	} else {
		d.Ends = at.Add(d.Duration)
	}
	started := *d
	t := transitionFor(s, at, KindDowntimeStart, s.Condition())
	t.Downtime = &started
	if others {
		t.decide(SuppressedOtherDowntime)
	} else {
		t.decide("")
	}
	return append(out, t)
}

func (m *Machine) expire(e *entry, i int, at time.Time, out []Transition) []Transition {
	s := &e.status
	d := s.Downtimes[i]
	removeDowntime(s, i)
	t := transitionFor(s, at, KindDowntimeExpired, s.Condition())
	t.Downtime = &d
	t.decide(SuppressedNotStarted)
	return append(out, t)
}

// startFlexible activates every flexible downtime waiting for a problem
// whose window holds at.
func (m *Machine) startFlexible(e *entry, at time.Time, out []Transition) []Transition {
	s := &e.status
	for i := range s.Downtimes {
		d := s.Downtimes[i]
		if d.Phase == DowntimeWaiting && !at.Before(d.Start) && at.Before(d.End) {
			out = m.activate(e, i, at, out)
		}
	}
	return out
}

func downtimeIndex(s *Status, id int64) int {
	for i, d := range s.Downtimes {
		if d.ID == id {
			return i
		}
	}
	return -1
}

func removeDowntime(s *Status, i int) {
	s.Downtimes = append(s.Downtimes[:i:i], s.Downtimes[i+1:]...)
	if len(s.Downtimes) == 0 {
		s.Downtimes = nil
	}
}

func latest(ts ...time.Time) time.Time {
	var newest time.Time
	for _, t := range ts {
		if t.After(newest) {
			newest = t
		}
	}
	return newest
}
