package schedule

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSystemClockIsSteadyAndHasNoMonotonicReading(t *testing.T) {
	c := SystemClock()
	prev := c.Now()
	for range 1000 {
		now := c.Now()
		if now.Before(prev) {
			t.Fatalf("Now went back from %s to %s", prev, now)
		}
		if s := now.String(); strings.Contains(s, "m=") {
			t.Fatalf("Now %s carries a monotonic reading", s)
		}
		prev = now
	}
}

func TestSystemTimer(t *testing.T) {
	c := SystemClock()
	tm := c.NewTimer()
	receive := func(what string) {
		t.Helper()
		select {
		case <-tm.C():
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: timer did not fire within 10s", what)
		}
	}
	tm.Reset(c.Now().Add(20 * time.Millisecond))
	receive("armed 20ms ahead")
	tm.Reset(c.Now().Add(-time.Hour))
	receive("armed in the past")

	// A Reset replaces the earlier setting: the far one never fires,
	// the near one fires once.
	tm.Reset(c.Now().Add(time.Hour))
	tm.Stop()
	tm.Reset(c.Now())
	receive("re-armed after Stop")
	select {
	case <-tm.C():
		t.Fatal("timer fired twice for one Reset")
	default:
	}
}

// The scheduler on the real clock with real timers: every check runs again
// and again, and Run returns once cancelled.
func TestSchedulerOnTheSystemClock(t *testing.T) {
	const checks, runsEach = 20, 3
	var mu sync.Mutex
	counts := map[string]int{}
	enough := make(chan struct{})
	closed := false
	runner := RunnerFunc(func(_ context.Context, id string) Next {
		mu.Lock()
		defer mu.Unlock()
		counts[id]++
		done := len(counts) == checks
		for _, n := range counts {
			done = done && n >= runsEach
		}
		if done && !closed {
			closed = true
			close(enough)
		}
		return Normal
	})
	s, err := New(Options{Runner: runner, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range checks {
		if err := s.Add(Entry{ID: string(rune('a' + i)), Interval: 50 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- s.Run(ctx) }()
	select {
	case <-enough:
	case <-time.After(30 * time.Second):
		t.Fatalf("not every check ran %d times within 30s: %v", runsEach, counts)
	}
	cancel()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancel")
	}
	if st := s.Stats(); st.Checks != checks || st.Running != 0 || st.Lateness.Count < checks*runsEach {
		t.Errorf("stats %+v, want %d checks, none running, %d runs or more", st, checks, checks*runsEach)
	}
}
