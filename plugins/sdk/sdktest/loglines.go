package sdktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit is how long LogLines waits for a line before it fails the
// test: long enough for a loaded CI machine.
const waitLimit = 2 * time.Minute

// LogLines is a zerolog destination that keeps every line, decoded, so
// that a test can wait for a log line instead of sleeping: give it to the
// zerolog.Logger that a plugin host (sdk.NewClientConfig) files plugins'
// log lines into, and wait for a plugin's line. It is safe for concurrent
// use.
type LogLines struct {
	mu    sync.Mutex
	lines []map[string]any
	added chan struct{} // closed and replaced at each line
}

// NewLogLines returns an empty LogLines.
func NewLogLines() *LogLines { return &LogLines{added: make(chan struct{})} }

// Write keeps one line of JSON, as zerolog writes it; a line that is not
// JSON is kept as {"unparsed": line}.
func (l *LogLines) Write(p []byte) (int, error) {
	var fields map[string]any
	if err := json.Unmarshal(p, &fields); err != nil {
		fields = map[string]any{"unparsed": string(p)}
	}
	l.mu.Lock()
	l.lines = append(l.lines, fields)
	close(l.added)
	l.added = make(chan struct{})
	l.mu.Unlock()
	return len(p), nil
}

// WaitFor returns the first line that has every field of want, written
// before or after the call, waiting for it up to two minutes; then it
// fails the test, listing the lines it saw.
func (l *LogLines) WaitFor(t testing.TB, want map[string]any) map[string]any {
	t.Helper()
	return l.waitForCount(t, 1, want)[0]
}

// WaitForCount waits until n lines have every field of want, as WaitFor
// does, and returns them.
func (l *LogLines) WaitForCount(t testing.TB, n int, want map[string]any) []map[string]any {
	t.Helper()
	return l.waitForCount(t, n, want)
}

func (l *LogLines) waitForCount(t testing.TB, n int, want map[string]any) []map[string]any {
	t.Helper()
	timeout := time.After(waitLimit)
	for {
		l.mu.Lock()
		var found []map[string]any
		for _, fields := range l.lines {
			if hasFields(fields, want) {
				found = append(found, fields)
			}
		}
		added, written := l.added, len(l.lines)
		l.mu.Unlock()
		if len(found) >= n {
			return found[:n]
		}
		select {
		case <-added:
		case <-timeout:
			t.Fatalf("waited for %d log lines with %v; %d of the %d written have them:\n%s", n, want, len(found), written, l)
			return nil
		}
	}
}

// String lists the lines written so far, one a line.
func (l *LogLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	for _, fields := range l.lines {
		fmt.Fprintln(&b, fields)
	}
	return b.String()
}

// hasFields reports whether fields holds every key of want with its value.
func hasFields(fields, want map[string]any) bool {
	for k, v := range want {
		if fields[k] != v {
			return false
		}
	}
	return true
}
