package passive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// waitTimeout bounds every wait in these tests. It is generous on purpose:
// the tests must pass on a loaded two-core CI machine, and no test depends
// on it being short.
const waitTimeout = 30 * time.Second

// record is a list that grows from many goroutines and can be waited on.
type record[T any] struct {
	mu    sync.Mutex
	items []T
	wake  chan struct{} // closed and replaced at every add
}

func newRecord[T any]() *record[T] { return &record[T]{wake: make(chan struct{})} }

func (r *record[T]) add(v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, v)
	close(r.wake)
	r.wake = make(chan struct{})
}

func (r *record[T]) all() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.items)
}

// waitFor waits until match holds for the items, and returns them.
func (r *record[T]) waitFor(t *testing.T, what string, match func([]T) bool) []T {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		r.mu.Lock()
		items, wake := slices.Clone(r.items), r.wake
		r.mu.Unlock()
		if match(items) {
			return items
		}
		select {
		case <-wake:
		case <-deadline:
			t.Fatalf("gave up after %s waiting for %s; have %d: %+v", waitTimeout, what, len(items), items)
		}
	}
}

// waitCount waits for at least n items.
func (r *record[T]) waitCount(t *testing.T, n int) []T {
	t.Helper()
	return r.waitFor(t, fmt.Sprintf("%d items", n), func(items []T) bool { return len(items) >= n })
}

// recordingSink is a Sink and CommandSink that keeps what it gets. With
// fail set, Submit returns fail's error for a result and records nothing.
type recordingSink struct {
	results  *record[Result]
	commands *record[Command]
	fail     func(Result) error
}

func newRecordingSink() *recordingSink {
	return &recordingSink{results: newRecord[Result](), commands: newRecord[Command]()}
}

func (s *recordingSink) Submit(ctx context.Context, r Result) error {
	if s.fail != nil {
		if err := s.fail(r); err != nil {
			return err
		}
	}
	s.results.add(r)
	return nil
}

func (s *recordingSink) SubmitCommand(ctx context.Context, c Command) error {
	s.commands.add(c)
	return nil
}

// resultsOnlySink takes results but no commands.
type resultsOnlySink struct{ rec *recordingSink }

func (s resultsOnlySink) Submit(ctx context.Context, r Result) error { return s.rec.Submit(ctx, r) }

// logRecorder is the zerolog output of a test: every event, decoded.
type logRecorder struct{ *record[map[string]any] }

func newLogRecorder() logRecorder { return logRecorder{newRecord[map[string]any]()} }

// Write takes one zerolog event; zerolog writes each in a single call.
func (l logRecorder) Write(p []byte) (int, error) {
	var entry map[string]any
	if err := json.Unmarshal(p, &entry); err != nil {
		return 0, errors.New("log line is not JSON: " + string(p))
	}
	l.add(entry)
	return len(p), nil
}

// waitEntry waits for a log entry with every field of want, and returns
// it with its index among all entries.
func (l logRecorder) waitEntry(t *testing.T, want map[string]any) (map[string]any, int) {
	t.Helper()
	var found map[string]any
	index := -1
	l.waitFor(t, fmt.Sprintf("log entry %v", want), func(entries []map[string]any) bool {
		for i, e := range entries {
			if hasFields(e, want) {
				found, index = e, i
				return true
			}
		}
		return false
	})
	return found, index
}

// entries returns the log entries with every field of want.
func (l logRecorder) entries(want map[string]any) []map[string]any {
	var out []map[string]any
	for _, e := range l.all() {
		if hasFields(e, want) {
			out = append(out, e)
		}
	}
	return out
}

func hasFields(entry, want map[string]any) bool {
	for k, v := range want {
		if entry[k] != v {
			return false
		}
	}
	return true
}
