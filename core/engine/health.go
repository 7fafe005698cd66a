package engine

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// logEvery is how often a store that keeps failing is logged again.
const logEvery = 30 * time.Second

// healthState says whether the store takes writes, and since when not.
type healthState struct {
	mu        sync.Mutex
	since     time.Time // first failure of the current run of failures
	lastErr   error
	waiting   int
	lastLog   time.Time
	failCount uint64
}

func (h *healthState) failed(err error, waiting int, at time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.since.IsZero() {
		h.since = at
	}
	h.lastErr, h.waiting = err, waiting
	h.failCount++
}

// shouldLog reports whether a failure at now is worth an error line: the
// first one of a run, then one every logEvery.
func (h *healthState) shouldLog(now time.Time) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now.Sub(h.lastLog) < logEvery && h.failCount > 1 {
		return false
	}
	h.lastLog = now
	return true
}

// recovered clears a run of failures and reports whether there was one.
func (h *healthState) recovered() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	was := !h.since.IsZero()
	h.since, h.lastErr, h.waiting, h.failCount = time.Time{}, nil, 0, 0
	return was
}

// reason is why the engine is not healthy, "" when it is.
func (h *healthState) reason() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.since.IsZero() {
		return ""
	}
	return fmt.Sprintf("the store has refused writes since %s (%d transitions waiting): %v",
		h.since.UTC().Format(time.RFC3339), h.waiting, h.lastErr)
}

// Health is "" when the engine is healthy, else why not: the store has
// refused writes since when, with what error.
func (e *Engine) Health() string { return e.health.reason() }

// counters are the engine's metrics.
type counters struct {
	results, passiveResults, refused     atomic.Uint64
	transitions, commits, commitFailures atomic.Uint64
	commitNanos, statesStored, perfShed  atomic.Uint64
	passiveCreated, passiveRemoved       atomic.Uint64
}

// Stats are the engine's counters, for /metrics.
type Stats struct {
	Results        uint64 // results applied (scheduled and passive)
	PassiveResults uint64 // of which passive
	Refused        uint64 // results refused for back-pressure or limits
	Transitions    uint64 // transitions committed
	Commits        uint64 // store transactions committed
	CommitFailures uint64 // commits the store refused (and were retried)
	CommitSeconds  float64
	StatesStored   uint64
	PerfShed       uint64 // results' perfdata dropped while the store failed
	// QueuedTransitions and QueuedPerf wait for the store now.
	QueuedTransitions int64
	QueuedPerf        int64
	PassiveChecks     int
	PassiveCreated    uint64
	PassiveRemoved    uint64
	Checks            int
	StoreFailing      bool
}

// Stats returns the engine's counters now.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	passive, checks := len(e.passive), e.machine.Len()
	e.mu.Unlock()
	return Stats{
		Results:           e.stats.results.Load(),
		PassiveResults:    e.stats.passiveResults.Load(),
		Refused:           e.stats.refused.Load(),
		Transitions:       e.stats.transitions.Load(),
		Commits:           e.stats.commits.Load(),
		CommitFailures:    e.stats.commitFailures.Load(),
		CommitSeconds:     time.Duration(e.stats.commitNanos.Load()).Seconds(),
		StatesStored:      e.stats.statesStored.Load(),
		PerfShed:          e.stats.perfShed.Load(),
		QueuedTransitions: e.queuedTransitions.Load(),
		QueuedPerf:        e.queuedPerf.Load(),
		PassiveChecks:     passive,
		PassiveCreated:    e.stats.passiveCreated.Load(),
		PassiveRemoved:    e.stats.passiveRemoved.Load(),
		Checks:            checks,
		StoreFailing:      e.health.reason() != "",
	}
}
