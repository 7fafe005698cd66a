package configcache

import (
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vakt/vakt/plugins/sdk"
)

// parsed is what the test ParseFunc makes of a config: its "n" value, and
// which call of the ParseFunc made it.
type parsed struct {
	n    int
	call int64
}

// counter is a ParseFunc that counts its calls and refuses a negative n.
type counter struct {
	calls atomic.Int64
}

func (c *counter) parse(v sdk.Values) (*parsed, error) {
	call := c.calls.Add(1)
	n := int(v.Number("n"))
	if n < 0 {
		return nil, fmt.Errorf("n is %d", n)
	}
	return &parsed{n: n, call: call}, nil
}

func cfg(id string, n int) sdk.Config {
	return sdk.Config{ID: id, Values: sdk.Values{"n": float64(n)}}
}

func TestGetParsesOncePerIDConcurrently(t *testing.T) {
	var c Cache[*parsed]
	var p counter
	const goroutines = 32
	results := make([]*parsed, goroutines)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range goroutines {
		wg.Go(func() {
			<-start
			got, err := c.Get(cfg("a", 7), p.parse)
			if err != nil {
				t.Errorf("Get: %v", err)
			}
			results[i] = got
		})
	}
	close(start)
	wg.Wait()
	if got := p.calls.Load(); got != 1 {
		t.Fatalf("parse called %d times for one id, want 1", got)
	}
	for i, r := range results {
		if r != results[0] || r.n != 7 {
			t.Fatalf("result %d is %+v at %p, want the one parse's %+v at %p", i, r, r, results[0], results[0])
		}
	}
	if c.Parses() != 1 || c.Len() != 1 {
		t.Fatalf("Parses() = %d, Len() = %d, want 1, 1", c.Parses(), c.Len())
	}

	// Another id parses again; the first is still kept.
	b, err := c.Get(cfg("b", 8), p.parse)
	if err != nil || b.n != 8 || b.call != 2 {
		t.Fatalf("Get(b) = %+v, %v, want n 8 from call 2", b, err)
	}
	a, err := c.Get(cfg("a", 7), p.parse)
	if err != nil || a != results[0] {
		t.Fatalf("Get(a) again = %+v, %v, want the kept %+v", a, err, results[0])
	}
	if got := p.calls.Load(); got != 2 {
		t.Fatalf("parse called %d times for two ids, want 2", got)
	}
}

func TestConfigure(t *testing.T) {
	var c Cache[*parsed]
	var p counter

	got, err := c.Configure(cfg("a", 1), p.parse)
	if err != nil || got.n != 1 {
		t.Fatalf("Configure = %+v, %v", got, err)
	}
	kept, err := c.Get(cfg("a", 1), p.parse)
	if err != nil || kept != got {
		t.Fatalf("Get after Configure = %p, %v, want the configured %p", kept, err, got)
	}
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("parse called %d times, want 1 (Get must use what Configure kept)", n)
	}

	// Configuring the id again parses again and replaces what was kept.
	again, err := c.Configure(cfg("a", 2), p.parse)
	if err != nil || again.n != 2 {
		t.Fatalf("second Configure = %+v, %v", again, err)
	}
	if kept, _ := c.Get(cfg("a", 2), p.parse); kept != again {
		t.Fatalf("Get after reconfiguring = %+v, want %+v", kept, again)
	}

	// A rejected config returns the error and leaves what was kept.
	if _, err := c.Configure(cfg("a", -1), p.parse); err == nil || err.Error() != "n is -1" {
		t.Fatalf("Configure of a bad config: err = %v, want n is -1", err)
	}
	if kept, _ := c.Get(cfg("a", 2), p.parse); kept != again {
		t.Fatalf("Get after a rejected Configure = %+v, want the kept %+v", kept, again)
	}
	if n, l := p.calls.Load(), c.Len(); n != 3 || l != 1 {
		t.Fatalf("parse calls %d, Len %d, want 3, 1", n, l)
	}
}

func TestNoIDIsNeverKept(t *testing.T) {
	var c Cache[*parsed]
	var p counter
	for _, n := range []int{1, 2} {
		got, err := c.Configure(cfg("", n), p.parse)
		if err != nil || got.n != n {
			t.Fatalf("Configure(n=%d) = %+v, %v", n, got, err)
		}
		got, err = c.Get(cfg("", n), p.parse)
		if err != nil || got.n != n {
			t.Fatalf("Get(n=%d) = %+v, %v", n, got, err)
		}
	}
	if n, l := p.calls.Load(), c.Len(); n != 4 || l != 0 {
		t.Fatalf("parse calls %d, Len %d, want 4, 0", n, l)
	}
}

func TestFailedParseIsNotKept(t *testing.T) {
	var c Cache[*parsed]
	var p counter
	for i := range 2 {
		got, err := c.Get(cfg("bad", -3), p.parse)
		if err == nil || err.Error() != "n is -3" || got != nil {
			t.Fatalf("Get %d = %+v, %v, want nil, n is -3", i, got, err)
		}
	}
	if n, l := p.calls.Load(), c.Len(); n != 2 || l != 0 {
		t.Fatalf("parse calls %d, Len %d, want 2 (a failure is parsed again), 0", n, l)
	}
}

func TestPanickingParse(t *testing.T) {
	var c Cache[*parsed]
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want boom", r)
			}
		}()
		_, _ = c.Get(cfg("x", 1), func(sdk.Values) (*parsed, error) { panic("boom") })
	}()
	if c.Len() != 0 {
		t.Fatalf("Len after a panicking parse = %d, want 0", c.Len())
	}
	var p counter
	got, err := c.Get(cfg("x", 1), p.parse)
	if err != nil || got.n != 1 {
		t.Fatalf("Get after a panicking parse = %+v, %v", got, err)
	}
}

func TestMaxForgetsLeastRecentlyUsed(t *testing.T) {
	c := Cache[*parsed]{Max: 3}
	var p counter
	get := func(id string) *parsed {
		t.Helper()
		got, err := c.Get(cfg(id, 1), p.parse)
		if err != nil {
			t.Fatalf("Get(%s): %v", id, err)
		}
		return got
	}
	a := get("a")
	get("b")
	get("c")
	if get("a") != a { // a is now the most recently used
		t.Fatal("a was parsed again before the cap was reached")
	}
	get("d") // forgets b, the least recently used
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	before := p.calls.Load()
	get("a")
	get("c")
	get("d")
	if n := p.calls.Load() - before; n != 0 {
		t.Fatalf("a, c, d parsed %d times after d was added, want 0 (kept)", n)
	}
	get("b")
	if n := p.calls.Load() - before; n != 1 {
		t.Fatalf("b parsed %d times, want 1 (forgotten, parsed again)", n)
	}
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
}

func TestDefaultMax(t *testing.T) {
	var c Cache[int]
	parse := func(v sdk.Values) (int, error) { return int(v.Number("n")), nil }
	for i := range DefaultMax + 10 {
		if _, err := c.Configure(sdk.Config{ID: strconv.Itoa(i), Values: sdk.Values{"n": float64(i)}}, parse); err != nil {
			t.Fatal(err)
		}
	}
	if c.Len() != DefaultMax {
		t.Fatalf("Len = %d, want DefaultMax %d", c.Len(), DefaultMax)
	}
	// The ten oldest went; the others stayed. (Kept ones first: getting a
	// forgotten one forgets the least recently used.)
	for _, tt := range []struct {
		id   int
		kept bool
	}{{DefaultMax + 9, true}, {10, true}, {9, false}, {0, false}} {
		before := c.Parses()
		got, err := c.Get(sdk.Config{ID: strconv.Itoa(tt.id), Values: sdk.Values{"n": float64(tt.id)}}, parse)
		if err != nil || got != tt.id {
			t.Fatalf("Get(%d) = %d, %v", tt.id, got, err)
		}
		if kept := c.Parses() == before; kept != tt.kept {
			t.Errorf("id %d kept = %v, want %v", tt.id, kept, tt.kept)
		}
	}
}

// TestConcurrentMixed runs Configure and Get of many ids at once under a
// small Max, for the race detector: every result must be the config's own.
func TestConcurrentMixed(t *testing.T) {
	c := Cache[*parsed]{Max: 5}
	var p counter
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				n := (g + i) % 12
				id := strconv.Itoa(n)
				call := c.Get
				if i%7 == 0 {
					call = c.Configure
				}
				got, err := call(cfg(id, n), p.parse)
				if err != nil || got.n != n {
					t.Errorf("id %s: %+v, %v", id, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if c.Len() > 5 {
		t.Fatalf("Len = %d, want at most 5", c.Len())
	}
}
