package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestConcurrentWritersAndReaders runs result producers committing batches,
// synchronous state changes, an outbox worker and readers at once (run it
// with -race) and then counts every row.
func TestConcurrentWritersAndReaders(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	const (
		producers, results = 3, 200 // results per producer, each its own check
		batch              = 15     // results per Commit (the last one shorter)
		changers, changes  = 2, 50
	)
	var (
		writers sync.WaitGroup
		others  sync.WaitGroup
		errs    = make(chan error, 16)
		stop    = make(chan struct{})
	)
	for p := range producers {
		writers.Go(func() {
			for n := 0; n < results; n += batch {
				var rs []Result
				for i := n; i < min(n+batch, results); i++ {
					rs = append(rs, result(fmt.Sprintf("load-%d", p), i))
				}
				if _, err := s.Commit(ctx, resultsBatch(rs...)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for c := range changers {
		writers.Go(func() {
			for i := range changes {
				id := fmt.Sprintf("flappy-%d", c)
				when := t0.Add(time.Duration(i) * time.Second)
				st := okState(id, when)
				_, err := s.RecordChange(ctx, Change{Transition: problem(id, when), State: &st, Notifications: []Notification{
					{Notifier: "sms", Recipient: "ops", Payload: json.RawMessage(`{}`)},
				}})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	sent := 0
	others.Go(func() { // the outbox worker drains until told to stop and nothing is left
		for {
			claimed, err := s.Claim(ctx, "worker", t0, time.Minute, 10)
			if err != nil {
				errs <- err
				return
			}
			for _, n := range claimed {
				if err := s.MarkSent(ctx, n, t0); err != nil {
					errs <- err
					return
				}
				sent++
			}
			if len(claimed) == 0 {
				select {
				case <-stop:
					final, err := s.Claim(ctx, "worker", t0, time.Minute, 1000)
					if err != nil {
						errs <- err
						return
					}
					for _, n := range final {
						if err := s.MarkSent(ctx, n, t0); err != nil {
							errs <- err
							return
						}
						sent++
					}
					return
				default:
				}
			}
		}
	})
	for range 2 {
		others.Go(func() { // readers
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.States(ctx); err != nil {
					errs <- err
					return
				}
				if _, err := s.Transitions(ctx, TransitionQuery{CheckID: "flappy-0", NewestFirst: true, Limit: 5}); err != nil {
					errs <- err
					return
				}
				if _, err := s.Samples(ctx, "load-0", "time", t0, t0.Add(time.Hour)); err != nil {
					errs <- err
					return
				}
				if _, err := s.Outbox(ctx, OutboxPending, 10); err != nil {
					errs <- err
					return
				}
			}
		})
	}

	writers.Wait()
	close(stop)
	others.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	for table, want := range map[string]int{
		"perf_raw":    producers * results * 3,
		"check_state": producers + changers,
		"transitions": changers * changes,
		"outbox":      changers * changes,
	} {
		if n := count(t, s, table); n != want {
			t.Errorf("%s has %d rows, want %d", table, n, want)
		}
	}
	for p := range producers {
		id := fmt.Sprintf("load-%d", p)
		if st, err := s.State(ctx, id); err != nil || st.Output != fmt.Sprintf("run %d", results-1) {
			t.Errorf("state of %s is %q (%v), want its last run", id, st.Output, err)
		}
	}
	if sent != changers*changes {
		t.Errorf("the worker sent %d notifications, want %d", sent, changers*changes)
	}
	pending, err := s.Outbox(ctx, OutboxPending, 0)
	if err != nil || len(pending) != 0 {
		t.Errorf("%d notifications still pending (%v)", len(pending), err)
	}
}
