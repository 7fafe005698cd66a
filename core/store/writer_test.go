package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
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

func TestWriterStoresEveryResult(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	w, err := s.NewWriter(WriterOptions{MaxDelay: 50 * time.Millisecond, MaxBatch: 500})
	if err != nil {
		t.Fatal(err)
	}
	const producers, checksEach, runs = 4, 25, 50
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for p := range producers {
		wg.Go(func() {
			for n := range runs {
				for c := range checksEach {
					if err := w.Add(ctx, result(fmt.Sprintf("check-%d-%d", p, c), n)); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}

	const total = producers * checksEach * runs
	stats := w.Stats()
	if stats.Stored != total || stats.Failed != 0 || stats.Batches < total/500 {
		t.Fatalf("stats %+v, want %d stored in at least %d batches, none failed", stats, total, total/500)
	}
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

func TestWriterCommitsAtMaxBatch(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	// The timer never fires in this test: only full batches commit.
	w, err := s.NewWriter(WriterOptions{MaxDelay: time.Hour, MaxBatch: 10})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 20 {
		if err := w.Add(ctx, result("web", n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st != (WriterStats{Stored: 20, Batches: 2}) {
		t.Fatalf("stats %+v, want 20 results in 2 batches", st)
	}
}

func TestWriterFlush(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	w, err := s.NewWriter(WriterOptions{MaxDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 3 {
		if err := w.Add(ctx, result("web", n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := s.State(ctx, "web")
	if err != nil {
		t.Fatalf("state after Flush: %v", err)
	}
	if st.Output != "run 2" {
		t.Fatalf("state after Flush is %q, want run 2", st.Output)
	}
	if stats := w.Stats(); stats != (WriterStats{Stored: 3, Batches: 1}) {
		t.Fatalf("stats %+v, want 3 stored in 1 batch", stats)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("Flush with nothing queued: %v", err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := w.Add(ctx, result("web", 9)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close = %v, want ErrClosed", err)
	}
	if err := w.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Flush after Close = %v, want ErrClosed", err)
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

// syncBuffer is a bytes.Buffer safe for the writer goroutine's logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestWriterKeepsResultsWhileTheStoreFails(t *testing.T) {
	var logs syncBuffer
	s := openTest(t, Options{Logger: zerolog.New(&logs)})
	ctx := testCtx(t)
	fail := newFailSwitch(t, s)
	w, err := s.NewWriter(WriterOptions{MaxDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	fail.set(true)
	for n := range 5 {
		if err := w.Add(ctx, result("web", n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(ctx); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("Flush while failing = %v, want the trigger's error", err)
	}
	if n := count(t, s, "check_state"); n != 0 {
		t.Fatalf("%d states stored by a failed commit", n)
	}
	fail.set(false)
	if err := w.Flush(ctx); err != nil {
		t.Fatalf("Flush after recovery: %v", err)
	}
	if n := count(t, s, "perf_raw"); n != 15 {
		t.Fatalf("%d raw samples after recovery, want 15", n)
	}
	if st := w.Stats(); st != (WriterStats{Stored: 5, Batches: 1, Failed: 1}) {
		t.Fatalf("stats %+v", st)
	}

	fail.set(true)
	for n := 5; n < 7; n++ {
		if err := w.Add(ctx, result("web", n)); err != nil {
			t.Fatal(err)
		}
	}
	err = w.Close(ctx)
	if err == nil || !strings.Contains(err.Error(), "2 results not stored") || !strings.Contains(err.Error(), "disk on fire") {
		t.Fatalf("Close while failing = %v, want 2 results not stored", err)
	}
	if !strings.Contains(logs.String(), "store writer: commit failed, will retry") {
		t.Fatalf("nothing logged about the failed commit: %q", logs.String())
	}
}

func TestWriterBackPressure(t *testing.T) {
	s := openTest(t, Options{})
	ctx := testCtx(t)
	fail := newFailSwitch(t, s)
	fail.set(true)
	// While commits fail the writer holds Queue results and the channel
	// Queue more; then Add blocks instead of dropping anything.
	w, err := s.NewWriter(WriterOptions{MaxDelay: 20 * time.Millisecond, MaxBatch: 1, Queue: 2})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 4 {
		if err := w.Add(ctx, result("web", n)); err != nil {
			t.Fatalf("Add %d: %v", n, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := w.Add(short, result("web", 4)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("fifth Add while failing = %v, want it to block until the deadline", err)
	}
	fail.set(false)
	if err := w.Close(ctx); err != nil {
		t.Fatalf("Close after recovery: %v", err)
	}
	if n := count(t, s, "perf_raw"); n != 12 {
		t.Fatalf("%d raw samples, want the 12 of the 4 accepted results", n)
	}
}

func TestStoreCloseCommitsOpenWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vakt.db")
	ctx := testCtx(t)
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.NewWriter(WriterOptions{MaxDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for n := range 3 {
		if err := w.Add(ctx, result(fmt.Sprintf("c%d", n), n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Add(ctx, result("late", 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add to a writer of a closed store = %v, want ErrClosed", err)
	}
	s = openAt(t, path, Options{})
	states, err := s.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 3 {
		t.Fatalf("%d states after reopening, want 3", len(states))
	}
}

func TestNewWriterInvalidOptions(t *testing.T) {
	s := openTest(t, Options{})
	if _, err := s.NewWriter(WriterOptions{MaxBatch: -1}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("NewWriter(MaxBatch -1) = %v, want ErrInvalid", err)
	}
}
