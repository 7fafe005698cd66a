// Package schedule decides when checks run: it keeps every check on a timing
// heap, spreads first runs over each check's interval by a stable phase,
// waits the interval after a normal run and the retry interval after a run
// that asked for a retry, never runs one check twice at once, and starts at
// most a fixed number of runs at a time, queueing (never dropping) the runs
// that wait for a slot and measuring how late they start.
//
// It does not know what a run does or what its result means: a Runner runs
// the check and says which interval comes next (core/state decides that
// from soft and hard states).
package schedule

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// Next says which interval to wait before a check's next run.
type Next uint8

const (
	// Normal waits the check's interval: the check is OK or in a HARD state.
	Normal Next = iota
	// Retry waits the check's retry interval: the check is in a SOFT state.
	Retry
)

// String returns "normal" or "retry".
func (n Next) String() string {
	switch n {
	case Normal:
		return "normal"
	case Retry:
		return "retry"
	}
	return fmt.Sprintf("Next(%d)", uint8(n))
}

// Runner runs one check and returns which interval to wait before its next
// run; any value other than Retry counts as Normal. The scheduler never calls
// Run for one ID while an earlier call for that ID is still running. ctx
// carries the values of the context given to Scheduler.Run but is not
// cancelled with it at once: a run in progress at shutdown gets
// Options.StopGrace to finish (so it records a real result, not
// "cancelled"), then ctx is cancelled so that a hung plugin cannot hold
// the shutdown; Run must bound its own time otherwise.
type Runner interface {
	Run(ctx context.Context, id string) Next
}

// RunnerFunc lets an ordinary function be a Runner.
type RunnerFunc func(ctx context.Context, id string) Next

// Run calls f(ctx, id).
func (f RunnerFunc) Run(ctx context.Context, id string) Next { return f(ctx, id) }

// MaxInterval is the longest interval or retry interval a check may have.
const MaxInterval = 366 * 24 * time.Hour

// DefaultConcurrency is the number of runs at once when Options.Concurrency
// is 0.
const DefaultConcurrency = 64

// Entry is what the scheduler knows of a check: its ID and its intervals.
type Entry struct {
	// ID names the check; it is passed to the Runner and decides the
	// check's phase.
	ID string
	// Interval is the time between runs while the check is OK or HARD:
	// more than 0 and at most MaxInterval.
	Interval time.Duration
	// RetryInterval is the time between runs while the check is SOFT:
	// 0 (use Interval) or more, at most MaxInterval.
	RetryInterval time.Duration
}

func (e Entry) validate() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("%w: empty ID", ErrInvalidEntry)
	case e.Interval <= 0:
		return fmt.Errorf("%w: interval %s is not positive", ErrInvalidEntry, e.Interval)
	case e.Interval > MaxInterval:
		return fmt.Errorf("%w: interval %s is longer than %s", ErrInvalidEntry, e.Interval, MaxInterval)
	case e.RetryInterval < 0:
		return fmt.Errorf("%w: retry interval %s is negative", ErrInvalidEntry, e.RetryInterval)
	case e.RetryInterval > MaxInterval:
		return fmt.Errorf("%w: retry interval %s is longer than %s", ErrInvalidEntry, e.RetryInterval, MaxInterval)
	}
	return nil
}

// Errors returned (wrapped, with the check ID) by the Scheduler's methods.
var (
	ErrInvalidEntry   = errors.New("invalid schedule entry")
	ErrDuplicateCheck = errors.New("check is already scheduled")
	ErrUnknownCheck   = errors.New("check is not scheduled")
	ErrAlreadyRunning = errors.New("scheduler is already running")
)

// RunState says where a check is in its cycle.
type RunState uint8

const (
	// Waiting checks are on the timing heap until they are due.
	Waiting RunState = iota
	// Queued checks are due and wait for a free slot.
	Queued
	// Running checks are being run by the Runner.
	Running
)

// String returns "waiting", "queued" or "running".
func (s RunState) String() string {
	switch s {
	case Waiting:
		return "waiting"
	case Queued:
		return "queued"
	case Running:
		return "running"
	}
	return fmt.Sprintf("RunState(%d)", uint8(s))
}

// Status is one check's place in the schedule, for status pages.
type Status struct {
	Entry Entry
	State RunState
	// Due is when the next run is due (Waiting), or when the run that is
	// queued or running was due.
	Due time.Time
	// Retrying says the last run asked for Retry.
	Retrying bool
}

// Stats are the scheduler's counters, for /metrics and benchmarks.
type Stats struct {
	// Checks is the number of scheduled checks.
	Checks int
	// Queued and Running count the runs waiting for a slot and in progress.
	Queued, Running int
	// Missed counts due times that passed while their check was still
	// queued or running; the check ran once, later, instead.
	Missed uint64
	// Panics counts runs whose Runner panicked.
	Panics uint64
	// Lateness is how late runs started.
	Lateness Lateness
}

// Options configure a Scheduler.
type Options struct {
	// Runner runs the checks; required.
	Runner Runner
	// Concurrency is the most runs at once; 0 means DefaultConcurrency.
	Concurrency int
	// Clock is the time source; nil means SystemClock().
	Clock Clock
	// Logger receives reloads and runner panics; the zero Logger discards.
	Logger zerolog.Logger
	// StopGrace is how long runs in progress get to finish once Run's
	// context ends, before their context is cancelled; 0 means
	// DefaultStopGrace.
	StopGrace time.Duration
}

// DefaultStopGrace is the default Options.StopGrace.
const DefaultStopGrace = 5 * time.Second

// check is the scheduler's record of one check. It is kept small: a daemon
// holds one per check, 100,000 of them or more.
type check struct {
	id       string
	interval time.Duration
	retry    time.Duration // 0: use interval
	due      int64         // Unix ns: the next run (Waiting) or the current one (Queued, Running)
	index    int           // position in the heap; -1 when not in it
	state    RunState
	retrying bool // the last run asked for Retry
	removed  bool // removed while queued or running: forgotten when that run ends
	runNow   bool // RunNow while running: run again as soon as it finishes
}

func (c *check) entry() Entry {
	return Entry{ID: c.id, Interval: c.interval, RetryInterval: c.retry}
}

// Scheduler runs checks at their times. All its methods may be called from
// any goroutine, before and while Run runs.
type Scheduler struct {
	runner      Runner
	clock       Clock
	log         zerolog.Logger
	concurrency int
	stopGrace   time.Duration
	wake        chan struct{} // tells Run the heap changed; holds at most one signal
	workers     sync.WaitGroup

	mu       sync.Mutex
	checks   map[string]*check // includes removed checks whose run has not ended
	removed  int               // how many of checks are removed
	heap     dueHeap
	queue    fifo
	active   int // worker goroutines
	running  int // runs in progress
	started  bool
	stopping bool
	missed   uint64
	panics   uint64
	late     *histogram
}

// New returns a Scheduler with no checks.
func New(opts Options) (*Scheduler, error) {
	if opts.Runner == nil {
		return nil, errors.New("creating scheduler: Options.Runner is nil")
	}
	if opts.Concurrency < 0 {
		return nil, fmt.Errorf("creating scheduler: concurrency %d is negative", opts.Concurrency)
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock()
	}
	if opts.StopGrace <= 0 {
		opts.StopGrace = DefaultStopGrace
	}
	return &Scheduler{
		stopGrace:   opts.StopGrace,
		runner:      opts.Runner,
		clock:       opts.Clock,
		log:         opts.Logger,
		concurrency: opts.Concurrency,
		wake:        make(chan struct{}, 1),
		checks:      make(map[string]*check),
		late:        newHistogram(),
	}, nil
}

// Add schedules a new check. Its first run is at its phase point within
// its first interval from now.
func (s *Scheduler) Add(e Entry) error {
	if err := e.validate(); err != nil {
		return fmt.Errorf("adding check %q: %w", e.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.checks[e.ID]; ok && !c.removed {
		return fmt.Errorf("adding check %q: %w", e.ID, ErrDuplicateCheck)
	}
	s.addLocked(e, s.now())
	s.notify()
	return nil
}

// Update changes the intervals of a scheduled check. If the interval is
// unchanged the schedule is kept as it is (a new retry interval applies from
// the next retry on). If the interval changed, the next run comes at the
// planned time or at the check's phase point within the new interval,
// whichever is sooner; a check that is queued or running takes the new
// interval after its run.
func (s *Scheduler) Update(e Entry) error {
	if err := e.validate(); err != nil {
		return fmt.Errorf("updating check %q: %w", e.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checks[e.ID]
	if !ok || c.removed {
		return fmt.Errorf("updating check %q: %w", e.ID, ErrUnknownCheck)
	}
	s.updateLocked(c, e, s.now())
	s.notify()
	return nil
}

// Remove unschedules a check. A run in progress finishes but the check is
// not run again; a queued run does not start.
func (s *Scheduler) Remove(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checks[id]
	if !ok || c.removed {
		return fmt.Errorf("removing check %q: %w", id, ErrUnknownCheck)
	}
	s.removeLocked(c)
	s.notify()
	return nil
}

// Reload makes the scheduled checks exactly entries, as Add, Update and
// Remove would one by one: unchanged checks keep their schedule. It checks
// every entry first; on an invalid or duplicate entry it returns an error
// and changes nothing.
func (s *Scheduler) Reload(entries []Entry) error {
	keep := make(map[string]struct{}, len(entries))
	for i, e := range entries {
		if err := e.validate(); err != nil {
			return fmt.Errorf("reloading schedule: entry %d (%q): %w", i, e.ID, err)
		}
		if _, dup := keep[e.ID]; dup {
			return fmt.Errorf("reloading schedule: entry %d (%q): %w", i, e.ID, ErrDuplicateCheck)
		}
		keep[e.ID] = struct{}{}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var added, changed, unchanged, removed int
	for _, c := range s.checks {
		if _, ok := keep[c.id]; !ok && !c.removed {
			s.removeLocked(c)
			removed++
		}
	}
	for _, e := range entries {
		c, ok := s.checks[e.ID]
		switch {
		case !ok || c.removed:
			s.addLocked(e, now)
			added++
		case s.updateLocked(c, e, now):
			changed++
		default:
			unchanged++
		}
	}
	s.notify()
	s.log.Info().Int("added", added).Int("changed", changed).Int("unchanged", unchanged).
		Int("removed", removed).Msg("schedule reloaded")
	return nil
}

// RunNow makes a check due now (a forced check); the run after it comes an
// interval (or retry interval) later. If the check is queued nothing
// changes; if it is running it runs again as soon as it finishes.
func (s *Scheduler) RunNow(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checks[id]
	if !ok || c.removed {
		return fmt.Errorf("running check %q now: %w", id, ErrUnknownCheck)
	}
	switch c.state {
	case Waiting:
		c.due = s.now()
		s.heap.fix(c)
		s.notify()
	case Running:
		c.runNow = true
	}
	return nil
}

// Lookup returns a scheduled check's status; false if it is not scheduled.
func (s *Scheduler) Lookup(id string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.checks[id]
	if !ok || c.removed {
		return Status{}, false
	}
	return Status{Entry: c.entry(), State: c.state, Due: time.Unix(0, c.due), Retrying: c.retrying}, true
}

// Stats returns the current counters.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Checks:   len(s.checks) - s.removed,
		Queued:   s.queue.len(),
		Running:  s.running,
		Missed:   s.missed,
		Panics:   s.panics,
		Lateness: s.late.summary(),
	}
}

// Run runs checks as they come due until ctx is cancelled, then starts no
// more runs, waits for the runs in progress to finish (cancelling their
// context after Options.StopGrace) and returns nil.
// Queued runs that had not started are put back on the schedule, so Run may
// be called again later. It returns ErrAlreadyRunning if Run is already
// running.
func (s *Scheduler) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return fmt.Errorf("running scheduler: %w", ErrAlreadyRunning)
	}
	s.started, s.stopping = true, false
	s.mu.Unlock()

	runCtx, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	timer := s.clock.NewTimer()
	defer timer.Stop()
	for {
		if ctx.Err() != nil { // select below picks at random among ready cases
			grace := time.AfterFunc(s.stopGrace, cancelRuns)
			s.stop()
			grace.Stop()
			return nil
		}
		s.mu.Lock()
		s.dispatchLocked(runCtx)
		next, waiting := s.heap.next()
		s.mu.Unlock()

		if waiting {
			timer.Reset(time.Unix(0, next))
		} else {
			timer.Stop()
		}
		select {
		case <-ctx.Done():
		case <-timer.C():
		case <-s.wake:
		}
	}
}

// stop lets the runs in progress finish and puts queued runs back on the
// heap.
func (s *Scheduler) stop() {
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.workers.Wait()

	s.mu.Lock()
	defer s.mu.Unlock()
	for c := s.queue.pop(); c != nil; c = s.queue.pop() {
		if c.removed {
			s.forgetLocked(c)
			continue
		}
		c.state = Waiting
		s.heap.add(c)
	}
	s.started = false
}

// dispatchLocked moves the checks that are due from the heap to the queue
// and starts workers for them, up to the concurrency limit.
func (s *Scheduler) dispatchLocked(ctx context.Context) {
	now := s.now()
	for c := s.heap.popDue(now); c != nil; c = s.heap.popDue(now) {
		c.state = Queued
		s.queue.push(c)
	}
	// A worker that is not running a check is about to take one from the
	// queue; start more only for queued checks nobody will take.
	for s.active < s.concurrency && s.active-s.running < s.queue.len() {
		s.active++
		s.workers.Add(1)
		go s.work(ctx)
	}
}

// work runs queued checks one after another until the queue is empty or
// the scheduler stops.
func (s *Scheduler) work(ctx context.Context) {
	defer s.workers.Done()
	s.mu.Lock()
	defer s.mu.Unlock()
	for !s.stopping {
		c := s.queue.pop()
		if c == nil {
			break
		}
		if c.removed {
			s.forgetLocked(c)
			continue
		}
		c.state = Running
		s.running++
		s.late.record(time.Duration(s.now() - c.due))
		s.mu.Unlock()

		next := s.runOne(ctx, c.id)

		s.mu.Lock()
		s.running--
		s.finishLocked(c, next)
	}
	s.active--
}

// runOne calls the Runner; a panic is logged, counted and taken as Normal,
// so that one faulty check cannot stop the daemon.
func (s *Scheduler) runOne(ctx context.Context, id string) (next Next) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error().Str("check", id).Interface("panic", p).Bytes("stack", debug.Stack()).
				Msg("check runner panicked; check rescheduled at its interval")
			s.mu.Lock()
			s.panics++
			s.mu.Unlock()
			next = Normal
		}
	}()
	return s.runner.Run(ctx, id)
}

// finishLocked puts a check whose run has ended back on the heap.
func (s *Scheduler) finishLocked(c *check, next Next) {
	if c.removed {
		s.forgetLocked(c)
		return
	}
	now := s.now()
	c.retrying = next == Retry
	if c.runNow {
		c.runNow = false
		c.due = now
	} else {
		step := c.interval
		if c.retrying && c.retry > 0 {
			step = c.retry
		}
		var missed uint64
		c.due, missed = nextDue(c.due, now, step)
		s.missed += missed
	}
	c.state = Waiting
	s.heap.add(c)
	s.notify()
}

func (s *Scheduler) addLocked(e Entry, now int64) {
	if c, ok := s.checks[e.ID]; ok {
		// Removed while queued or running, and back before that run
		// ended: keep the record, so the check still never runs twice
		// at once.
		c.removed = false
		s.removed--
		s.updateLocked(c, e, now)
		return
	}
	c := &check{id: e.ID, interval: e.Interval, retry: e.RetryInterval, due: firstDue(e.ID, e.Interval, now)}
	s.checks[e.ID] = c
	s.heap.add(c)
}

// updateLocked applies e to c and reports whether anything changed.
func (s *Scheduler) updateLocked(c *check, e Entry, now int64) bool {
	if c.interval == e.Interval && c.retry == e.RetryInterval {
		return false
	}
	intervalChanged := c.interval != e.Interval
	c.interval, c.retry = e.Interval, e.RetryInterval
	if intervalChanged && c.state == Waiting {
		c.due = min(c.due, firstDue(c.id, c.interval, now))
		s.heap.fix(c)
	}
	return true
}

func (s *Scheduler) removeLocked(c *check) {
	if c.state == Waiting {
		s.heap.remove(c)
		delete(s.checks, c.id)
		return
	}
	c.removed = true
	c.runNow = false
	s.removed++
}

// forgetLocked drops a removed check whose queued or running run has ended.
func (s *Scheduler) forgetLocked(c *check) {
	delete(s.checks, c.id)
	s.removed--
}

func (s *Scheduler) now() int64 { return s.clock.Now().UnixNano() }

// notify wakes Run to look at the heap again.
func (s *Scheduler) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
