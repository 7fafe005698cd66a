package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// result is run number n of check id: its state and three perfdata items.
func result(id string, n int) Result {
	st := okState(id, t0.Add(time.Duration(n)*time.Second))
	st.Output = fmt.Sprintf("run %d", n)
	return Result{State: st, Perf: []PerfValue{
		{Label: "time", Value: float64(n) / 1000, UOM: "s"},
		{Label: "size", Value: float64(n * 100), UOM: "B"},
		{Label: "load", Value: float64(n%7) + 0.5},
	}}
}

// resultsBatch is the Batch the group committer builds of results: their
// states and their perfdata stamped with LastCheck.
func resultsBatch(rs ...Result) Batch {
	var b Batch
	for _, r := range rs {
		b.States = append(b.States, r.State)
		b.Perf = append(b.Perf, PerfSamples{CheckID: r.State.CheckID, At: r.State.LastCheck, Values: r.Perf})
	}
	return b
}

// TestCommitStoresEveryResult commits results from several goroutines at
// once, in batches, and finds every state and sample.
func TestCommitStoresEveryResult(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	const producers, checksEach, runs = 4, 25, 50
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for p := range producers {
		wg.Go(func() {
			for n := range runs {
				var rs []Result
				for c := range checksEach {
					rs = append(rs, result(fmt.Sprintf("check-%d-%d", p, c), n))
				}
				b := resultsBatch(rs...)
				if err := b.Validate(); err != nil {
					errs <- err
					return
				}
				if changes, err := s.Commit(ctx, b); err != nil || changes == nil || len(changes) != 0 {
					errs <- fmt.Errorf("Commit = %v, %v; want no changes and no error", changes, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	const total = producers * checksEach * runs
	if n := count(t, s, "perf_raw"); n != 3*total {
		t.Fatalf("%d raw samples, want %d", n, 3*total)
	}
	states, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != producers*checksEach {
		t.Fatalf("%d states, want %d", len(states), producers*checksEach)
	}
	for _, st := range states {
		if st.Output != fmt.Sprintf("run %d", runs-1) || !st.LastCheck.Equal(t0.Add((runs-1)*time.Second)) {
			t.Fatalf("state of %s is %q at %s, want the last run", st.CheckID, st.Output, st.LastCheck)
		}
	}
	samples, err := s.Samples(ctx, "check-3-24", "size", t0, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != runs || samples[runs-1].Value != (runs-1)*100 || samples[0].UOM != "B" {
		t.Fatalf("samples of check-3-24 size: %d, last %+v", len(samples), samples[len(samples)-1])
	}
}

// TestCommitNeverReplacesANewerState: a batch gathered before a state
// change commits after it; its older states are skipped (the LastCheck
// guard) but its perfdata is stored. Within one batch, too, the newest
// state of a check wins whatever its position.
func TestCommitNeverReplacesANewerState(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	late := resultsBatch(result("web", 1), result("db", 1))

	newer := okState("web", t0.Add(5*time.Second))
	newer.Output = "changed"
	if _, err := s.RecordChange(ctx, Change{Transition: problem("web", newer.LastCheck), State: &newer}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Commit(ctx, late); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"web": "changed", "db": "run 1"} {
		st, err := s.State(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Output != want {
			t.Errorf("state of %s is %q, want %q", id, st.Output, want)
		}
	}
	if n := count(t, s, "perf_raw"); n != 6 {
		t.Fatalf("%d raw samples, want the 6 of the late batch", n)
	}

	// Newest first in one batch: the older state after it is skipped.
	if _, err := s.Commit(ctx, resultsBatch(result("db", 9), result("db", 3))); err != nil {
		t.Fatal(err)
	}
	if st, err := s.State(ctx, "db"); err != nil || st.Output != "run 9" {
		t.Fatalf("state of db is %q (%v), want run 9", st.Output, err)
	}
	if n := count(t, s, "perf_raw"); n != 12 {
		t.Fatalf("%d raw samples, want 12", n)
	}
}

// TestCommitAllKinds commits one batch of every kind of item and finds each
// in the store, with the ids Commit returned.
func TestCommitAllKinds(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	if err := s.SaveState(ctx, okState("removed", t0)); err != nil {
		t.Fatal(err)
	}
	st := okState("web", t0)
	b := resultsBatch(result("db", 2))
	b.Changes = []Change{{Transition: problem("web", t0), State: &st, Notifications: []Notification{
		{Notifier: "sms", Recipient: "ops", Payload: json.RawMessage(`{"n":1}`)},
	}}}
	b.Deletes = []string{"removed"}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if b.Len() != 4 {
		t.Fatalf("Len = %d, want 4", b.Len())
	}
	changes, err := s.Commit(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Transition.ID != 1 || len(changes[0].Notifications) != 1 || changes[0].Notifications[0].ID != 1 {
		t.Fatalf("Commit returned %+v, want transition 1 with notification 1", changes)
	}
	tr, err := s.Transition(ctx, 1)
	if err != nil || tr.CheckID != "web" || tr.Output != "CRITICAL - down" {
		t.Fatalf("transition 1 = %+v, %v", tr, err)
	}
	n, err := s.Notification(ctx, 1)
	if err != nil || n.TransitionID != 1 || n.Status != OutboxPending || string(n.Payload) != `{"n":1}` {
		t.Fatalf("notification 1 = %+v, %v", n, err)
	}
	states, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range states {
		ids = append(ids, st.CheckID)
	}
	if want := []string{"db", "web"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("states of %v, want %v (removed deleted)", ids, want)
	}
	if n := count(t, s, "perf_raw"); n != 3 {
		t.Fatalf("%d raw samples, want 3", n)
	}

	if changes, err := s.Commit(ctx, Batch{}); err != nil || changes != nil {
		t.Fatalf("Commit of an empty batch = %v, %v; want nothing", changes, err)
	}
}

// failSwitch makes every insert of a raw sample fail while it is on, with a
// real SQLite error raised by a trigger.
type failSwitch struct {
	t *testing.T
	s *Store
}

func newFailSwitch(t *testing.T, s *Store) failSwitch {
	t.Helper()
	_, err := s.write.ExecContext(testCtx(t), `CREATE TABLE test_fail_switch (on_ INTEGER);
		CREATE TRIGGER test_fail_raw BEFORE INSERT ON perf_raw WHEN EXISTS (SELECT 1 FROM test_fail_switch)
		BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;`)
	if err != nil {
		t.Fatal(err)
	}
	return failSwitch{t, s}
}

func (f failSwitch) set(on bool) {
	f.t.Helper()
	stmt := `DELETE FROM test_fail_switch`
	if on {
		stmt = `INSERT INTO test_fail_switch VALUES (1)`
	}
	if _, err := f.s.write.ExecContext(testCtx(f.t), stmt); err != nil {
		f.t.Fatal(err)
	}
}

// TestCommitFailsWhole: a commit that fails writes nothing, not even the
// items before the failing one, and the same batch commits once the store
// recovers.
func TestCommitFailsWhole(t *testing.T) {
	s := openTest(t, Options{Now: fixedClock(t0)})
	ctx := testCtx(t)
	fail := newFailSwitch(t, s)
	var rs []Result
	for n := range 5 {
		rs = append(rs, result("web", n))
	}
	b := resultsBatch(rs...)
	st := okState("db", t0)
	b.Changes = []Change{{Transition: problem("db", t0), State: &st}}

	fail.set(true)
	_, err := s.Commit(ctx, b)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "commit 1 transitions, 5 states, 5 results' perfdata") {
		t.Fatalf("Commit while failing = %v, want the trigger's error and what was committed", err)
	}
	for _, table := range []string{"check_state", "transitions", "perf_raw", "perf_series"} {
		if n := count(t, s, table); n != 0 {
			t.Fatalf("%d rows in %s after a failed commit", n, table)
		}
	}

	fail.set(false)
	changes, err := s.Commit(ctx, b)
	if err != nil {
		t.Fatalf("Commit after recovery: %v", err)
	}
	if len(changes) != 1 || changes[0].Transition.ID != 1 {
		t.Fatalf("Commit after recovery returned %+v, want transition 1", changes)
	}
	if n := count(t, s, "perf_raw"); n != 15 {
		t.Fatalf("%d raw samples after recovery, want 15", n)
	}
	if got, err := s.State(ctx, "web"); err != nil || got.Output != "run 4" {
		t.Fatalf("state of web after recovery is %q (%v), want run 4", got.Output, err)
	}
}
