package schedule

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// t0 is when every test's fake clock starts: a whole hour, so that the
// phase grid of every interval that divides an hour starts at t0.
func t0() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

// run is one call of the test runner, held until the test answers it.
type run struct {
	id    string
	at    time.Time // the fake time when the runner was called
	ctx   context.Context
	reply chan func() Next
}

// finish lets the run return next.
func (r run) finish(next Next) { r.reply <- func() Next { return next } }

// testRunner hands every call to the test and records any overlap of two
// runs of one check.
type testRunner struct {
	clock *fakeClock
	runs  chan run

	mu       sync.Mutex
	inFlight map[string]int
	overlaps []string
}

func (r *testRunner) Run(ctx context.Context, id string) Next {
	r.mu.Lock()
	r.inFlight[id]++
	if r.inFlight[id] > 1 {
		r.overlaps = append(r.overlaps, id)
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight[id]--
		r.mu.Unlock()
	}()
	reply := make(chan func() Next)
	r.runs <- run{id: id, at: r.clock.Now(), ctx: ctx, reply: reply}
	return (<-reply)()
}

// harness is a Scheduler on a fake clock with a test runner.
type harness struct {
	t      *testing.T
	s      *Scheduler
	clock  *fakeClock
	runner *testRunner
	logs   *syncBuffer

	cancel  context.CancelFunc
	stopped chan struct{} // closed when Run returns
	runErr  error
}

func newHarness(t *testing.T, concurrency int) *harness {
	t.Helper()
	clock := newFakeClock(t0())
	runner := &testRunner{clock: clock, runs: make(chan run), inFlight: map[string]int{}}
	logs := &syncBuffer{}
	s, err := New(Options{Runner: runner, Concurrency: concurrency, Clock: clock, Logger: zerolog.New(logs)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h := &harness{t: t, s: s, clock: clock, runner: runner, logs: logs}
	t.Cleanup(func() {
		h.stop()
		runner.mu.Lock()
		defer runner.mu.Unlock()
		if len(runner.overlaps) > 0 {
			t.Errorf("checks run twice at once: %v", runner.overlaps)
		}
	})
	return h
}

// start runs the scheduler in the background.
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.stopped = make(chan struct{})
	go func() {
		defer close(h.stopped)
		h.runErr = h.s.Run(ctx)
	}()
}

// stop cancels Run, lets every pending run return Normal and waits for Run
// to return.
func (h *harness) stop() {
	h.t.Helper()
	if h.cancel == nil {
		return
	}
	h.cancel()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case r := <-h.runner.runs:
			r.finish(Normal)
		case <-h.stopped:
			if h.runErr != nil {
				h.t.Errorf("Run returned %v, want nil", h.runErr)
			}
			h.cancel = nil
			return
		case <-timeout:
			h.t.Fatal("Run did not return within 10s of cancel")
		}
	}
}

// next waits for the runner to be called.
func (h *harness) next() run {
	h.t.Helper()
	select {
	case r := <-h.runner.runs:
		return r
	case <-time.After(10 * time.Second):
		h.t.Fatal("no run started within 10s")
		return run{}
	}
}

// expectRun waits for a run and checks its ID and fake start time.
func (h *harness) expectRun(id string, at time.Time) run {
	h.t.Helper()
	r := h.next()
	if r.id != id || !r.at.Equal(at) {
		h.t.Fatalf("run of %q at start+%s, want %q at start+%s", r.id, r.at.Sub(t0()), id, at.Sub(t0()))
	}
	return r
}

// addAndRunFirst adds e, starts the scheduler, moves the clock to e's first
// due time and returns that run, in progress, and the time.
func (h *harness) addAndRunFirst(e Entry) (run, time.Time) {
	h.t.Helper()
	h.add(e)
	due := h.status(e.ID).Due
	h.start()
	h.clock.waitArmed(h.t, due)
	h.clock.set(h.t, due)
	return h.expectRun(e.ID, due), due
}

// addTwo adds checks "a" and "b" with an interval of one minute and
// returns their IDs, the one due first first.
func (h *harness) addTwo() (first, second string) {
	h.t.Helper()
	h.add(Entry{ID: "a", Interval: time.Minute})
	h.add(Entry{ID: "b", Interval: time.Minute})
	if h.status("b").Due.Before(h.status("a").Due) {
		return "b", "a"
	}
	return "a", "b"
}

func (h *harness) add(e Entry) {
	h.t.Helper()
	if err := h.s.Add(e); err != nil {
		h.t.Fatalf("Add(%+v): %v", e, err)
	}
}

func (h *harness) status(id string) Status {
	h.t.Helper()
	st, ok := h.s.Lookup(id)
	if !ok {
		h.t.Fatalf("Lookup(%q): not scheduled", id)
	}
	return st
}

// waitFor polls cond, for states no channel announces (a worker that has
// let go of a removed check, the loop that has seen a cancel).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after 10s waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
