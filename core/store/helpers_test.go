package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
)

// t0 is a fixed, bucket-aligned base time for tests: 2025-03-01 12:00:00 UTC.
var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// testCtx is a context that ends well before the test binary's own timeout.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openTest opens a store in a fresh temporary directory and closes it at the
// end of the test.
func openTest(t *testing.T, opts Options) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "vakt.db"), opts)
}

func openAt(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(testCtx(t), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// fixedClock returns an Options.Now that always says at.
func fixedClock(at time.Time) func() time.Time { return func() time.Time { return at } }

// okState is a valid state of check id at time at.
func okState(id string, at time.Time) CheckState {
	return CheckState{
		CheckID: id, State: check.OK, Type: Hard, Attempt: 1, Level: check.LevelOK,
		Output: "OK - fine", LastCheck: at, LastChange: at, LastHardChange: at,
	}
}

// problem is a valid transition of check id to CRITICAL at time at.
func problem(id string, at time.Time) Transition {
	return Transition{
		CheckID: id, Time: at, From: check.OK, To: check.Critical, Type: Hard, Attempt: 1,
		Level: check.LevelError, Kind: "problem", Notify: true, Output: "CRITICAL - down",
	}
}

// count returns SELECT count(*) of a table (a constant in the tests).
func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.read.QueryRowContext(testCtx(t), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
