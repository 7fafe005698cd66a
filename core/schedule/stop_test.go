package schedule

import (
	"context"
	"testing"
	"time"
)

// A run that does not end by itself (a hung plugin) gets StopGrace after
// shutdown, then its context is cancelled, so Run returns; a run that ends
// within the grace is not cancelled.
func TestStopGraceCancelsHungRuns(t *testing.T) {
	for _, tc := range []struct {
		name       string
		hung       bool
		wantCancel bool
	}{{"hung run is cancelled", true, true}, {"quick run finishes", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			started := make(chan struct{})
			cancelled := make(chan bool, 1)
			s, err := New(Options{StopGrace: 50 * time.Millisecond, Runner: RunnerFunc(func(ctx context.Context, id string) Next {
				close(started)
				if tc.hung {
					<-ctx.Done()
				} else {
					time.Sleep(10 * time.Millisecond)
				}
				cancelled <- ctx.Err() != nil
				return Normal
			})})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Add(Entry{ID: "h/c", Interval: time.Hour}); err != nil {
				t.Fatal(err)
			}
			if err := s.RunNow("h/c"); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx) }()
			<-started
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(time.Minute):
				t.Fatal("Run did not return: the hung run held the shutdown")
			}
			if got := <-cancelled; got != tc.wantCancel {
				t.Fatalf("run's context cancelled = %v, want %v", got, tc.wantCancel)
			}
		})
	}
}
