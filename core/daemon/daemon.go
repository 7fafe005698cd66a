package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/notify"
	"github.com/vakt/vakt/core/passive"
	"github.com/vakt/vakt/core/runner"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/server"
	"github.com/vakt/vakt/core/store"
)

// Defaults used where Options leave a setting at its zero value.
const (
	// DefaultMaintenanceInterval is how often perfdata is rolled up and
	// pruned.
	DefaultMaintenanceInterval = 5 * time.Minute
	// shutdownGrace is how long in-flight HTTP requests get at shutdown.
	shutdownGrace = 5 * time.Second
)

// Options configure a Daemon.
type Options struct {
	// Checks are the checks.d folders and files to load; required.
	Checks []string
	// StatePath is the store's SQLite file, created when missing; required.
	// From New to Close the Daemon holds an exclusive lock on
	// StatePath+".lock": one daemon per store.
	StatePath string
	// Listen is the HTTP API's address (host:port); "" runs no HTTP API.
	Listen string
	// BBListen is the Big Brother listener's address; "" runs none.
	BBListen string
	// BB holds the Big Brother listener's allow-lists and limits; the
	// zero value is loopback only with the passive.Default* limits.
	BB passive.BBConfig
	// Tokens are the API's bearer tokens, for passive results and reload.
	// Without any, passive results over HTTP are off and reload is taken
	// from loopback only.
	Tokens []string
	// Concurrency is the most check runs at once; 0 means
	// schedule.DefaultConcurrency.
	Concurrency int
	// Engine tunes the engine (tick interval, passive check limits, the
	// queue kept while the store fails); its Store, Logger and History
	// are set by New.
	Engine engine.Options
	// MaintenanceInterval is how often perfdata samples are rolled up and
	// those past their retention deleted (store.Downsample, store.Prune);
	// 0 means DefaultMaintenanceInterval. It also runs once at start.
	MaintenanceInterval time.Duration
	// Logger gets a line per check run (debug), per transition (info),
	// and every problem.
	Logger zerolog.Logger
	// Exec runs legacy plugins; nil means execute.NewExec(Logger).
	Exec runner.Executor
	// NotifyInterval is how often the notification pipeline looks at what
	// is due (repeats, escalations) and the sender at the outbox; 0 means
	// DefaultNotifyInterval.
	NotifyInterval time.Duration
	// Plugins runs go-plugin checks; nil leaves such checks UNKNOWN,
	// saying that no plugin runner is configured. When it also has
	// Validate(ctx, *config.Config) hcl.Diagnostics, as
	// execute.PluginHost does, plugin checks are validated against their
	// plugins at start and at every reload, and a problem there is a
	// configuration error. The caller closes it after Run.
	Plugins runner.PluginExecutor
}

// Daemon is a running vakt: make it with New, then call Run.
type Daemon struct {
	opts Options
	log  zerolog.Logger
	exec runner.Executor

	lock   *os.File // flock of StatePath+".lock", held until close
	store  *store.Store
	engine *engine.Engine
	sched  *schedule.Scheduler
	api    http.Handler
	bb     *passive.BBServer
	// pipeline and sender are nil when the configuration at start has
	// neither a notifier nor a route. Only runPipeline's goroutine uses
	// the pipeline: a reload leaves its routes in notifyReload, which
	// that goroutine takes before its next step (no lock is held while
	// the pipeline writes to the store).
	pipeline     *notify.Pipeline
	sender       *notify.Sender
	notifyReload atomic.Pointer[notify.Config]

	httpLn, bbLn net.Listener

	// cfg is the running configuration; runs read it without locking.
	cfg atomic.Pointer[loaded]
	// reloadMu makes reloads one at a time.
	reloadMu sync.Mutex

	running   atomic.Bool
	closeOnce sync.Once
	closeErr  error

	runs, runsRefused       atomic.Uint64
	reloads, reloadFailures atomic.Uint64
	storeErrors             atomic.Uint64 // maintenance the store refused
}

// New loads the configuration, opens the store, restores the state saved in
// it, schedules every check and binds the listeners; Run then starts them. A
// configuration with errors returns a *ConfigError holding the diagnostics.
func New(ctx context.Context, opts Options) (_ *Daemon, err error) {
	switch {
	case len(opts.Checks) == 0:
		return nil, errors.New("starting vakt: no checks folder or file given")
	case opts.StatePath == "":
		return nil, errors.New("starting vakt: no state file given")
	case opts.Concurrency < 0:
		return nil, fmt.Errorf("starting vakt: concurrency %d is negative", opts.Concurrency)
	case opts.MaintenanceInterval < 0:
		return nil, fmt.Errorf("starting vakt: maintenance interval %s is negative", opts.MaintenanceInterval)
	case opts.NotifyInterval < 0:
		return nil, fmt.Errorf("starting vakt: notify interval %s is negative", opts.NotifyInterval)
	}
	if opts.NotifyInterval == 0 {
		opts.NotifyInterval = DefaultNotifyInterval
	}
	if opts.MaintenanceInterval == 0 {
		opts.MaintenanceInterval = DefaultMaintenanceInterval
	}
	d := &Daemon{opts: opts, log: opts.Logger, exec: opts.Exec}
	if d.exec == nil {
		d.exec = execute.NewExec(opts.Logger)
	}

	l, err := d.load(ctx)
	if err != nil {
		return nil, err
	}
	l.logNotes(d.log)

	defer func() {
		if err != nil {
			_ = d.close()
		}
	}()
	if d.lock, err = lockStateFile(opts.StatePath); err != nil {
		return nil, fmt.Errorf("starting vakt: %w", err)
	}
	if d.store, err = store.Open(ctx, opts.StatePath, store.Options{}); err != nil {
		return nil, fmt.Errorf("starting vakt: %w", err)
	}
	saved, err := d.store.States(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting vakt: restoring state: %w", err)
	}
	eopts := opts.Engine
	eopts.Store, eopts.History, eopts.Logger = d.store, d.store, d.log
	if d.engine, err = engine.New(eopts, l.set, saved); err != nil {
		return nil, fmt.Errorf("starting vakt: %w", err)
	}
	saved = nil
	d.sched, err = schedule.New(schedule.Options{
		Runner:      schedule.RunnerFunc(d.runCheck),
		Concurrency: opts.Concurrency,
		Logger:      d.log,
	})
	if err != nil {
		return nil, fmt.Errorf("starting vakt: %w", err)
	}
	d.cfg.Store(l)
	if !l.set.Notifications().Empty() {
		if err := d.startNotify(ctx, l); err != nil {
			return nil, err
		}
	}
	for _, def := range l.set.Checks() {
		if err := d.sched.Add(def.Schedule); err != nil {
			return nil, fmt.Errorf("starting vakt: %w", err)
		}
	}
	// A check restored in a SOFT problem has its retries to run: run it
	// now rather than a whole interval later.
	for _, v := range d.engine.Statuses() {
		if _, scheduled := l.set.Lookup(v.Check); scheduled && v.Retrying() {
			_ = d.sched.RunNow(v.Check)
		}
	}
	if err := d.listen(); err != nil {
		return nil, fmt.Errorf("starting vakt: %w", err)
	}
	// Loading a big checks.d and restoring its states leaves a heap many
	// times the size of what stays: give it back now, not some minutes
	// later.
	debug.FreeOSMemory()
	return d, nil
}

// listen binds the HTTP API and the Big Brother listener and builds their
// servers.
func (d *Daemon) listen() error {
	if d.opts.BBListen != "" {
		ln, err := net.Listen("tcp", d.opts.BBListen)
		if err != nil {
			return fmt.Errorf("listening for Big Brother messages: %w", err)
		}
		d.bbLn = ln
		d.bb = &passive.BBServer{BBConfig: d.opts.BB, Sink: d.engine, Log: d.log.With().Str("listener", "bigbrother").Logger()}
	}
	if d.opts.Listen != "" {
		var results http.Handler
		if len(d.opts.Tokens) > 0 {
			h, err := passive.NewResultsHandler(d.opts.Tokens, d.engine, d.log.With().Str("listener", "http").Logger())
			if err != nil {
				return err
			}
			results = h
		}
		api, err := server.New(server.Options{Backend: d, Commands: d.engine, Results: results, Tokens: d.opts.Tokens, Logger: d.log})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", d.opts.Listen)
		if err != nil {
			return fmt.Errorf("listening for the HTTP API: %w", err)
		}
		d.httpLn, d.api = ln, api
	}
	return nil
}

// HTTPAddr is the address the HTTP API listens on, "" when it is off.
func (d *Daemon) HTTPAddr() string { return addrOf(d.httpLn) }

// BBAddr is the address the Big Brother listener listens on, "" when it is
// off.
func (d *Daemon) BBAddr() string { return addrOf(d.bbLn) }

func addrOf(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	return ln.Addr().String()
}

// Run runs checks, serves the listeners and lets time pass for the state
// machine until ctx is cancelled. Then it stops taking passive results, lets
// the runs in progress finish, commits what the engine holds and closes the
// store. A Daemon runs once.
func (d *Daemon) Run(ctx context.Context) error {
	if !d.running.CompareAndSwap(false, true) {
		return errors.New("running vakt: already running")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg      sync.WaitGroup
		errMu   sync.Mutex
		runErrs []error
	)
	fail := func(err error) {
		errMu.Lock()
		runErrs = append(runErrs, err)
		errMu.Unlock()
		cancel()
	}

	wg.Go(func() {
		if err := d.sched.Run(ctx); err != nil {
			fail(err)
		}
	})
	// The engine stops after everything that feeds it: its own context
	// ends once the scheduler and the listeners have returned.
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEngine()
	engineDone := make(chan error, 1)
	go func() { engineDone <- d.engine.Run(engineCtx) }()
	wg.Go(func() {
		d.maintain(ctx) // at start too: a daemon restarted often still rolls up
		d.every(ctx, d.opts.MaintenanceInterval, d.maintain)
	})
	if d.pipeline != nil {
		// They read what the engine commits and write the outbox: they
		// stop with ctx, before the store closes.
		wg.Go(func() { d.runPipeline(ctx, d.opts.NotifyInterval) })
		wg.Go(func() { _ = d.sender.Run(ctx, d.opts.NotifyInterval) })
	}
	if d.bb != nil {
		wg.Go(func() {
			if err := d.bb.Serve(ctx, d.bbLn); err != nil {
				fail(fmt.Errorf("serving Big Brother messages: %w", err))
			}
		})
	}
	if d.httpLn != nil {
		srv := server.NewHTTPServer(d.api, server.Timeouts{})
		wg.Go(func() {
			if err := srv.Serve(d.httpLn); !errors.Is(err, http.ErrServerClosed) {
				fail(fmt.Errorf("serving the HTTP API: %w", err))
			}
		})
		wg.Go(func() {
			<-ctx.Done()
			sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
			defer scancel()
			_ = srv.Shutdown(sctx)
		})
	}
	d.log.Info().Int("checks", d.cfg.Load().set.Len()).Str("http_addr", d.HTTPAddr()).
		Str("bb_addr", d.BBAddr()).Str("store", d.store.Path()).Msg("vakt running")

	wg.Wait()
	stopEngine()
	if err := <-engineDone; err != nil {
		runErrs = append(runErrs, err)
	}
	if err := d.close(); err != nil {
		runErrs = append(runErrs, err)
	}
	d.log.Info().Msg("vakt stopped")
	return errors.Join(runErrs...)
}

// Close releases what New acquired, for a Daemon whose Run was never
// called (Run closes it itself). It is safe to call more than once.
func (d *Daemon) Close() error { return d.close() }

func (d *Daemon) close() error {
	d.closeOnce.Do(func() {
		var errs []error
		for _, ln := range []net.Listener{d.httpLn, d.bbLn} {
			if ln != nil {
				_ = ln.Close() // Serve has closed it already after Run
			}
		}
		if d.store != nil {
			if err := d.store.Close(); err != nil {
				errs = append(errs, fmt.Errorf("stopping vakt: %w", err))
			}
		}
		if d.lock != nil {
			_ = d.lock.Close() // releases the flock; the file stays for the next start
		}
		d.closeErr = errors.Join(errs...)
	})
	return d.closeErr
}

// every calls do every interval until ctx is cancelled.
func (d *Daemon) every(ctx context.Context, interval time.Duration, do func(context.Context)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			do(ctx)
		}
	}
}

// maintain rolls perfdata samples up and deletes what is past its
// retention. Shutdown cuts it short; the next run resumes where it stopped.
func (d *Daemon) maintain(ctx context.Context) {
	now := time.Now()
	rolled, err := d.store.Downsample(ctx, now)
	if err == nil {
		var pruned store.PruneStats
		pruned, err = d.store.Prune(ctx, now)
		if err == nil {
			d.log.Debug().Int64("buckets_5m", rolled.Buckets5m).Int64("buckets_1h", rolled.Buckets1h).
				Int64("raw_deleted", pruned.Raw).Int64("rollups_deleted", pruned.Rollups).
				Dur("took", time.Since(now)).Msg("perfdata rolled up and pruned")
			return
		}
	}
	if ctx.Err() != nil {
		return
	}
	d.storeErrors.Add(1)
	d.log.Error().Err(err).Msg("perfdata maintenance failed; it is retried at the next interval")
}
