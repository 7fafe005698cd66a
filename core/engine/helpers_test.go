package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/store"
)

// waitTimeout bounds every wait; generous for a loaded CI machine.
const waitTimeout = 60 * time.Second

// loadDefs writes hcl to a checks.d in a temporary folder and loads it.
func loadDefs(t testing.TB, hcl string) *definitions.Set {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "checks.hcl"), []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	res := definitions.Load(context.Background(), definitions.Options{Paths: []string{dir}})
	if res.Set == nil {
		t.Fatalf("loading checks: %s", res.Text)
	}
	return res.Set
}

// checksHCL declares n checks on each of the hosts, named c0..c(n-1),
// tagged role = "db" for the even ones.
func checksHCL(hosts []string, n int) string {
	var b strings.Builder
	for _, h := range hosts {
		fmt.Fprintf(&b, "host %q {\n  address = \"127.0.0.1\"\n}\n", h)
		for i := range n {
			role := "web"
			if i%2 == 0 {
				role = "db"
			}
			fmt.Fprintf(&b, "check \"c%d\" {\n  host = %q\n  command = [\"/bin/true\"]\n  max_attempts = 3\n  tags = { role = %q }\n}\n", i, h, role)
		}
	}
	return b.String()
}

// testEngine is an Engine running on a real SQLite store.
type testEngine struct {
	*Engine
	store *store.Store
	path  string
	log   *syncBuffer
	stop  func() error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startEngine opens the store at path (a new one in a temporary folder
// when ""), restores from it and runs an Engine until the test ends.
func startEngine(t testing.TB, set *definitions.Set, path string, edit func(*Options)) *testEngine {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "vakt.db")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	saved, err := st.States(ctx)
	if err != nil {
		t.Fatal(err)
	}
	buf := &syncBuffer{}
	opts := Options{Store: st, History: st, Logger: zerolog.New(buf), TickInterval: time.Hour,
		RetryBackoff: 10 * time.Millisecond, MaxRetryBackoff: 50 * time.Millisecond}
	if edit != nil {
		edit(&opts)
	}
	e, err := New(opts, set, saved)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	te := &testEngine{Engine: e, store: st, path: path, log: buf}
	var once sync.Once
	var stopErr error
	te.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
			if err := st.Close(); err != nil && stopErr == nil {
				stopErr = err
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = te.stop() })
	return te
}

func (te *testEngine) sync(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := te.Sync(ctx); err != nil {
		t.Fatal(err)
	}
}

func (te *testEngine) apply(t testing.TB, id string, st check.State, output string) {
	t.Helper()
	if _, err := te.Apply(id, check.Result{State: st, Output: output}); err != nil {
		t.Fatalf("Apply(%s, %s): %v", id, st, err)
	}
}

// history is the stored transitions of check id (all when "") as
// "check kind TO;TYPE;ATTEMPT" lines (Nagios' alert-log fields), in the
// order they were committed.
func history(t testing.TB, st *store.Store, id string) []string {
	t.Helper()
	trs, err := st.TransitionsAfter(context.Background(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tr := range trs {
		if id == "" || tr.CheckID == id {
			out = append(out, fmt.Sprintf("%s %s %s;%s;%d", tr.CheckID, tr.Kind, tr.To, strings.ToUpper(string(tr.Type)), tr.Attempt))
		}
	}
	return out
}

func passiveFrom(host, name, source string, st check.State, ttl time.Duration) passive.Result {
	return passive.Result{Host: host, Check: name, State: st, Output: st.String() + " from " + source,
		TTL: ttl, Received: time.Now(), Source: source}
}
