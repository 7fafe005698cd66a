package schedule

import "time"

// Clock tells the time and makes timers. The scheduler reads all of its time
// through a Clock so that tests can drive it with a fake one; production code
// uses SystemClock.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that is not armed.
	NewTimer() Timer
}

// Timer fires once at a set time. Deadlines are absolute so that a fake clock
// moved between reading Now and arming the timer cannot make it fire late.
type Timer interface {
	// C delivers a value once the time given to Reset has come.
	C() <-chan time.Time
	// Reset arms the timer to fire at the time at (at once if at is not after
	// Now), replacing any earlier setting and any value not yet received.
	Reset(at time.Time)
	// Stop disarms the timer; no value is delivered until the next Reset.
	Stop()
}

// SystemClock returns the production Clock. Its time is steady: it is the
// wall clock read once when SystemClock is called, advanced by the monotonic
// clock from then on, so that a step of the wall clock (NTP, an operator
// setting the date) neither stalls the schedule nor makes every check due at
// once. The times it returns carry no monotonic reading.
func SystemClock() Clock {
	return systemClock{start: time.Now()}
}

type systemClock struct {
	start time.Time // with its monotonic reading
}

func (c systemClock) Now() time.Time {
	// Add moves the wall and the monotonic reading alike; Round(0) then
	// drops the monotonic reading so that every comparison uses the steady
	// wall value.
	return c.start.Add(time.Since(c.start)).Round(0)
}

func (c systemClock) NewTimer() Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &systemTimer{clock: c, timer: t}
}

type systemTimer struct {
	clock systemClock
	timer *time.Timer
}

func (t *systemTimer) C() <-chan time.Time { return t.timer.C }

// Reset relies on the Go 1.23 timer semantics (this module is newer): after
// Reset or Stop no stale value is received from C.
func (t *systemTimer) Reset(at time.Time) { t.timer.Reset(at.Sub(t.clock.Now())) }

func (t *systemTimer) Stop() { t.timer.Stop() }
