package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/state"
	"github.com/vakt/vakt/core/store"
)

// Defaults for Options left at zero.
const (
	DefaultMaxPassiveChecks     = 10_000
	DefaultMaxPassivePerSource  = 2_000
	DefaultPassiveExpiry        = 72 * time.Hour
	DefaultMaxQueuedTransitions = 1_000_000
	DefaultMaxQueuedPerf        = 200_000
	DefaultTickInterval         = time.Second
	DefaultRetryBackoff         = 100 * time.Millisecond
	DefaultMaxRetryBackoff      = 5 * time.Second
	DefaultFeedSize             = 10_000
	// DefaultCloseTimeout bounds the last commit at shutdown, so a daemon
	// on a full disk still stops when told to.
	DefaultCloseTimeout = 5 * time.Second
)

// Errors of the result and command paths, for errors.Is.
var (
	// ErrBackpressure: too many transitions wait for the store; the
	// result was not applied.
	ErrBackpressure = errors.New("the store is not taking writes and too many transitions wait for it")
	// ErrTooManyPassiveChecks: the result would create a dynamic passive
	// check past a limit.
	ErrTooManyPassiveChecks = errors.New("too many passive checks")
	// ErrNoTarget: a command names no check that exists.
	ErrNoTarget = errors.New("no such check")
	// ErrClosed: the engine has stopped.
	ErrClosed = errors.New("the engine has stopped")
)

// Committer is the store as the engine writes to it (*store.Store).
type Committer interface {
	Commit(ctx context.Context, b store.Batch) ([]store.Change, error)
}

// Options configure an Engine. Only Store is required.
type Options struct {
	Store  Committer
	Logger zerolog.Logger
	// History reads committed transitions that have left the in-memory
	// feed (*store.Store); nil: Transitions only serves the feed.
	History HistoryReader

	MaxPassiveChecks    int           // dynamic passive checks in all; 0: default
	MaxPassivePerSource int           // per sender address; 0: default, <0: no limit
	PassiveExpiry       time.Duration // stale this long: removed; 0: default, <0: never

	MaxQueuedTransitions int // waiting for the store before results are refused
	MaxQueuedPerf        int // results' perfdata kept while the store fails

	TickInterval    time.Duration // time passes for the state machine
	RetryBackoff    time.Duration // first wait after a failed commit
	MaxRetryBackoff time.Duration
	CloseTimeout    time.Duration
	FeedSize        int // committed transitions kept in memory for consumers

	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o *Options) defaults() error {
	if o.Store == nil {
		return errors.New("no store given")
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.TickInterval, DefaultTickInterval}, {&o.RetryBackoff, DefaultRetryBackoff},
		{&o.MaxRetryBackoff, DefaultMaxRetryBackoff}, {&o.CloseTimeout, DefaultCloseTimeout},
		{&o.PassiveExpiry, DefaultPassiveExpiry}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	for _, d := range []struct {
		v   *int
		def int
	}{{&o.MaxPassiveChecks, DefaultMaxPassiveChecks}, {&o.MaxPassivePerSource, DefaultMaxPassivePerSource},
		{&o.MaxQueuedTransitions, DefaultMaxQueuedTransitions}, {&o.MaxQueuedPerf, DefaultMaxQueuedPerf},
		{&o.FeedSize, DefaultFeedSize}} {
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	switch {
	case o.TickInterval < 0 || o.RetryBackoff < 0 || o.MaxRetryBackoff < 0 || o.CloseTimeout < 0:
		return errors.New("durations must not be negative")
	case o.MaxPassiveChecks < 0 || o.MaxQueuedTransitions < 0 || o.MaxQueuedPerf < 0 || o.FeedSize < 0:
		return errors.New("limits must not be negative")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return nil
}

// passiveCheck is what makes a check a dynamic passive one.
type passiveCheck struct {
	TTL     time.Duration `json:"ttl"`
	Source  string        `json:"source,omitempty"` // the sender's address that created it
	Created time.Time     `json:"created,omitzero"` // when it was created
}

// savedStatus is the JSON blob of a check's row in the store: its
// state.Status, and for a dynamic passive check what makes it one.
type savedStatus struct {
	state.Status
	Passive *passiveCheck `json:"passive,omitempty"`
}

// Engine applies results and commands; see the package documentation.
type Engine struct {
	opts Options
	log  zerolog.Logger

	defs atomic.Pointer[definitions.Set]

	// mu guards the machine, the passive checks and the queue.
	mu        sync.Mutex
	machine   *state.Machine
	passive   map[string]*passiveCheck
	perSource map[string]int
	queue     *batch
	seq       uint64 // of the last item queued
	closed    bool

	kick chan struct{} // wakes the committer

	// committed is the seq the store holds everything up to; waiters
	// wait on durable, which is closed and replaced at each commit.
	syncMu    sync.Mutex
	committed uint64
	durable   chan struct{}

	queuedTransitions atomic.Int64
	queuedPerf        atomic.Int64

	health healthState
	feed   *feed
	stats  counters

	runOnce sync.Once
	done    chan struct{}
}

// New makes an Engine for the definitions in set and the states saved in
// the store (store.States), restoring each check where it was. A saved
// row that cannot be used is logged and skipped: that check starts
// pending.
func New(opts Options, set *definitions.Set, saved []store.CheckState) (*Engine, error) {
	if err := opts.defaults(); err != nil {
		return nil, fmt.Errorf("making the engine: %w", err)
	}
	if set == nil {
		return nil, errors.New("making the engine: no definitions")
	}
	e := &Engine{
		opts:      opts,
		log:       opts.Logger,
		passive:   make(map[string]*passiveCheck),
		perSource: make(map[string]int),
		queue:     newBatch(),
		kick:      make(chan struct{}, 1),
		durable:   make(chan struct{}),
		feed:      newFeed(opts.FeedSize, opts.History),
		done:      make(chan struct{}),
	}
	settings := set.Settings()
	statuses := make([]state.Status, 0, len(saved))
	for _, row := range saved {
		st, err := decodeStatus(row)
		if err != nil {
			e.log.Error().Err(err).Str("check", row.CheckID).Msg("saved state not restored: the check starts pending")
			continue
		}
		if st.Passive != nil {
			if _, configured := settings[row.CheckID]; !configured {
				p := *st.Passive
				e.passive[row.CheckID] = &p
				e.perSource[p.Source]++
				settings[row.CheckID] = set.PassiveSettings(row.CheckID, p.TTL)
			}
		}
		statuses = append(statuses, st.Status)
	}
	m, err := state.New(opts.Now(), settings, statuses)
	if err != nil {
		return nil, fmt.Errorf("restoring state: %w", err)
	}
	e.machine = m
	e.defs.Store(set)
	e.log.Info().Int("saved", len(saved)).Int("restored", len(statuses)).Int("passive", len(e.passive)).Msg("state restored")
	return e, nil
}

func decodeStatus(row store.CheckState) (savedStatus, error) {
	var st savedStatus
	if len(row.Status) == 0 {
		return st, errors.New("the stored state has no status blob")
	}
	if err := json.Unmarshal(row.Status, &st); err != nil {
		return st, fmt.Errorf("decoding the stored status: %w", err)
	}
	if st.Check != row.CheckID {
		return st, fmt.Errorf("the stored status is for check %q, not %q", st.Check, row.CheckID)
	}
	if err := st.Validate(); err != nil {
		return st, err
	}
	if st.Passive != nil && st.Passive.TTL < 0 {
		return st, fmt.Errorf("the stored passive check has a negative ttl (%s)", st.Passive.TTL)
	}
	return st, nil
}

// Definitions returns the running definitions.
func (e *Engine) Definitions() *definitions.Set { return e.defs.Load() }

// Run commits what is queued and lets time pass for the state machine
// until ctx is cancelled; then it commits what is left, waiting at most
// Options.CloseTimeout for a failing store, and returns. It runs once.
func (e *Engine) Run(ctx context.Context) error {
	started := false
	e.runOnce.Do(func() { started = true })
	if !started {
		return errors.New("running the engine: already running")
	}
	defer close(e.done)
	var wg sync.WaitGroup
	tickCtx, stopTicks := context.WithCancel(ctx)
	defer stopTicks()
	wg.Go(func() {
		t := time.NewTicker(e.opts.TickInterval)
		defer t.Stop()
		for {
			select {
			case <-tickCtx.Done():
				return
			case <-t.C:
				e.Tick()
			}
		}
	})
	e.commitLoop(ctx)
	stopTicks()
	wg.Wait()
	return e.finalCommit()
}

// Done is closed once Run has returned.
func (e *Engine) Done() <-chan struct{} { return e.done }

// Configure makes set the running definitions (a reload): checks that stay
// keep their status, removed ones are forgotten (their stored state is
// deleted, their history stays), new ones start pending, and dynamic
// passive checks stay unless set now defines them. It returns the IDs of
// the checks removed.
func (e *Engine) Configure(set *definitions.Set) ([]string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	settings := set.Settings()
	passive := make(map[string]*passiveCheck, len(e.passive))
	for id, p := range e.passive {
		if _, configured := settings[id]; configured {
			continue // now a check of checks.d
		}
		passive[id] = p
		settings[id] = set.PassiveSettings(id, p.TTL)
	}
	old := e.machine.Statuses()
	if err := e.machine.Configure(e.opts.Now(), settings); err != nil {
		return nil, fmt.Errorf("reconfiguring: %w", err)
	}
	var removed []string
	for _, st := range old {
		if _, ok := settings[st.Check]; !ok {
			removed = append(removed, st.Check)
			e.queue.remove(st.Check)
		}
	}
	e.perSource = make(map[string]int, len(e.perSource))
	for _, p := range passive {
		e.perSource[p.Source]++
	}
	e.passive = passive
	e.defs.Store(set)
	if len(removed) > 0 {
		e.seq++
		e.queue.seq = e.seq
		e.signal()
	}
	return removed, nil
}
