// Package configcache keeps what a built-in check plugin parsed from a
// configuration, by the configuration's id, so that a plugin parses its
// settings (ranges, regular expressions, URLs...) once per Configure
// rather than on every Check.
//
// vakt gives each distinct configuration its own id (core/execute's
// Job.ConfigID carries a digest of the config), so one id always means the
// same values, and what was parsed for an id stays right for it. A plugin
// calls Configure from its own Configure and Get from its Check:
//
//	type Plugin struct {
//		settings configcache.Cache[settings]
//	}
//
//	func (p *Plugin) Configure(_ context.Context, cfg sdk.Config) error {
//		_, err := p.settings.Configure(cfg, parseSettings)
//		return err
//	}
//
//	func (p *Plugin) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
//		s, err := p.settings.Get(req.Config, parseSettings)
//		...
//	}
//
// The host never unconfigures a config (a removed or changed check leaves
// its old id behind), so a Cache is bounded: beyond Max entries it forgets
// the least recently used one. A forgotten id still works: its next Check
// parses it again.
package configcache

import (
	"container/list"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/vakt/vakt/plugins/sdk"
)

// DefaultMax is how many configs a Cache keeps when its Max is zero. A
// kept config costs what its parsed settings cost, typically well under a
// kilobyte.
const DefaultMax = 100_000

// ParseFunc reads a configuration's validated values into the plugin's
// settings, or says what is wrong with them.
type ParseFunc[T any] func(sdk.Values) (T, error)

// errParsePanicked is what callers waiting on a parse that panicked get.
var errParsePanicked = errors.New("parsing the config panicked")

// Cache keeps parsed settings by config id. The zero value is empty, keeps
// up to DefaultMax configs and is ready to use. A Cache is safe for
// concurrent use and must not be copied after first use.
//
// The settings a Cache hands out are shared by every Check of the config,
// concurrently: callers must treat them as read-only.
type Cache[T any] struct {
	// Max is the most configs kept; beyond it the least recently used is
	// forgotten. Zero or negative means DefaultMax. Set it before first
	// use.
	Max int

	parses atomic.Uint64

	mu      sync.Mutex
	entries map[string]*list.Element // of *entry[T]; nil until first use
	lru     list.List                // most recently used at the front
}

// entry is one config's parse, done or in flight.
type entry[T any] struct {
	id   string
	done chan struct{} // closed when val and err are set
	val  T
	err  error
}

// Configure parses cfg's values and, when they parse and cfg has an id,
// keeps the settings under the id, replacing what was kept for it. It
// always parses: a plugin's Configure is where a config is checked, and
// configuring an id again with other values (as a test may) must take
// effect. When parsing fails, whatever was kept for the id stays, as the
// SDK keeps the config it last accepted under that id.
func (c *Cache[T]) Configure(cfg sdk.Config, parse ParseFunc[T]) (T, error) {
	val, err := c.parse(cfg.Values, parse)
	if err != nil || cfg.ID == "" {
		return val, err
	}
	e := &entry[T]{id: cfg.ID, done: make(chan struct{}), val: val}
	close(e.done)
	c.mu.Lock()
	c.put(e)
	c.mu.Unlock()
	return val, nil
}

// Get returns the settings kept for cfg's id. An id not kept (never
// configured on this process, or forgotten) is parsed and, when it parses,
// kept; concurrent Gets of one such id wait for a single parse and share
// its result. A config without an id is parsed every time and never kept,
// since nothing says two of them are the same.
func (c *Cache[T]) Get(cfg sdk.Config, parse ParseFunc[T]) (T, error) {
	if cfg.ID == "" {
		return c.parse(cfg.Values, parse)
	}
	c.mu.Lock()
	if el, ok := c.entries[cfg.ID]; ok {
		c.lru.MoveToFront(el)
		e := el.Value.(*entry[T])
		c.mu.Unlock()
		<-e.done
		return e.val, e.err
	}
	e := &entry[T]{id: cfg.ID, done: make(chan struct{}), err: errParsePanicked}
	c.put(e)
	c.mu.Unlock()
	defer func() {
		if e.err != nil {
			// A failed parse is not kept: the next Get tries again.
			c.mu.Lock()
			c.remove(e)
			c.mu.Unlock()
		}
		close(e.done)
	}()
	e.val, e.err = c.parse(cfg.Values, parse)
	return e.val, e.err
}

// Len returns how many configs are kept (parses in flight included).
func (c *Cache[T]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// Parses returns how many times the Cache has called a ParseFunc: for
// tests and diagnostics.
func (c *Cache[T]) Parses() uint64 { return c.parses.Load() }

func (c *Cache[T]) parse(v sdk.Values, parse ParseFunc[T]) (T, error) {
	c.parses.Add(1)
	return parse(v)
}

// put keeps e under its id, replacing any entry of the id, and forgets the
// least recently used entries beyond Max. c.mu must be held.
func (c *Cache[T]) put(e *entry[T]) {
	if c.entries == nil {
		c.entries = make(map[string]*list.Element)
	}
	if old, ok := c.entries[e.id]; ok {
		c.lru.Remove(old)
	}
	c.entries[e.id] = c.lru.PushFront(e)
	limit := c.Max
	if limit <= 0 {
		limit = DefaultMax
	}
	for len(c.entries) > limit {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*entry[T]).id)
	}
}

// remove forgets e if it is still the entry of its id. c.mu must be held.
func (c *Cache[T]) remove(e *entry[T]) {
	if el, ok := c.entries[e.id]; ok && el.Value.(*entry[T]) == e {
		c.lru.Remove(el)
		delete(c.entries, e.id)
	}
}
