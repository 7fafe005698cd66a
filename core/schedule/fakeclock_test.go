package schedule

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a Clock whose time moves only when a test says so. Its
// timers report when they are armed or stopped, which is the last thing the
// scheduler's loop does before it blocks: a test waits for the loop's timer
// to be armed at the expected deadline before it moves the clock on.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []*fakeTimer
	changed chan struct{} // closed and replaced whenever a timer changes
}

type timerState int

const (
	timerStopped timerState = iota
	timerArmed
	timerFired
)

type fakeTimer struct {
	clock *fakeClock
	c     chan time.Time
	at    time.Time
	state timerState
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer() Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, c: make(chan time.Time, 1)}
	c.timers = append(c.timers, t)
	c.changedLocked()
	return t
}

// set moves the clock to now and fires the timers whose time has come.
func (c *fakeClock) set(t *testing.T, now time.Time) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Before(c.now) {
		t.Fatalf("fake clock: set to %s, before its time %s", now, c.now)
	}
	c.now = now
	for _, tm := range c.timers {
		if tm.state == timerArmed && !tm.at.After(now) {
			tm.fireLocked()
		}
	}
}

func (c *fakeClock) changedLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitArmed waits until a timer is armed to fire at want, or, if want is
// zero, until there are timers and all of them are stopped.
func (c *fakeClock) waitArmed(t *testing.T, want time.Time) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		ok, desc := c.matchLocked(want)
		changed := c.changed
		c.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			if want.IsZero() {
				t.Fatalf("timers never all stopped; timers: %s", desc)
			}
			t.Fatalf("no timer armed at %s (%s after start); timers: %s", want, want.Sub(t0()), desc)
		}
	}
}

func (c *fakeClock) matchLocked(want time.Time) (bool, string) {
	var desc []string
	stopped := 0
	found := false
	for _, tm := range c.timers {
		switch tm.state {
		case timerStopped:
			desc = append(desc, "stopped")
			stopped++
		case timerArmed:
			desc = append(desc, fmt.Sprintf("armed at start+%s", tm.at.Sub(t0())))
			found = found || tm.at.Equal(want)
		case timerFired:
			desc = append(desc, "fired")
		}
	}
	if want.IsZero() {
		return len(c.timers) > 0 && stopped == len(c.timers), strings.Join(desc, ", ")
	}
	return found, strings.Join(desc, ", ")
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Reset(at time.Time) {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	t.drain()
	t.at = at
	t.state = timerArmed
	if !at.After(c.now) {
		t.fireLocked()
	}
	c.changedLocked()
}

func (t *fakeTimer) Stop() {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	t.drain()
	t.state = timerStopped
	c.changedLocked()
}

func (t *fakeTimer) fireLocked() {
	t.state = timerFired
	t.c <- t.clock.now // never blocks: drained on every Reset, fired once per Reset
	t.clock.changedLocked()
}

func (t *fakeTimer) drain() {
	select {
	case <-t.c:
	default:
	}
}
