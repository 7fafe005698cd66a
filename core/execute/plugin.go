package execute

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/procs"
	"github.com/vakt/vakt/plugins/sdk"
)

// This file is the go-plugin runner, PluginHost.
//
// A plugin is found by the name a check gives (plugin = "NAME"): the
// executable vakt-plugin-NAME in the check's team plugin folders (a folder
// called plugins next to the check's file or in a folder above it, up to
// the configuration root), then in the global plugin folders, then a
// built-in plugin, which vakt serves by starting itself as
// `vakt plugin-serve NAME`. The nearest wins, so a team may replace a
// global or built-in plugin for its own checks only.
//
// Each plugin runs as one long-lived process shared by all its checks,
// which call it concurrently over one gRPC connection (go-plugin, automatic
// mutual TLS). A check's config is configured on the process once, under an
// id derived from the job's content (Job.ConfigID), and again after a
// restart; a reload that hands over an identical job does not configure it
// again, a changed one does. A plugin that crashes,
// exits or stops answering gives its checks UNKNOWN saying why, is
// restarted with exponential backoff, and never affects other plugins.

// Defaults for a PluginHost's options left at zero.
const (
	// DefaultPluginStartTimeout bounds a plugin's start: the handshake
	// and its Info call.
	DefaultPluginStartTimeout = 30 * time.Second
	// DefaultRestartBackoff is the wait before restarting a plugin after
	// a first failure; it doubles with each failure in a row.
	DefaultRestartBackoff = time.Second
	// DefaultMaxRestartBackoff caps that wait.
	DefaultMaxRestartBackoff = time.Minute
	// DefaultTimeoutsBeforeRestart is how many calls of a plugin in a row
	// may time out before the plugin is taken for hung and restarted.
	DefaultTimeoutsBeforeRestart = 10
)

// PluginOptions configure a PluginHost. The zero value searches no plugin
// folders and serves no built-in plugins.
type PluginOptions struct {
	// Log receives the plugins' log lines (tagged plugin=NAME), their
	// starts and failures.
	Log zerolog.Logger
	// Dirs are the global plugin folders, searched in order after a
	// check's team plugin folders.
	Dirs []string
	// ConfigRoots are the files and folders the configuration was loaded
	// from; List discovers every plugins folder under them. (A job
	// carries its own team plugin folders: Job.PluginDirs.)
	ConfigRoots []string
	// SelfExe is the vakt executable, which serves a built-in plugin NAME
	// as `SelfExe plugin-serve NAME`; empty means os.Executable().
	SelfExe string
	// Builtins names the built-in check plugins (cmd/vakt hands in
	// plugins/builtin's names); none when empty.
	Builtins []string
	// StartTimeout bounds a plugin's start; 0 means
	// DefaultPluginStartTimeout.
	StartTimeout time.Duration
	// RestartBackoff and MaxRestartBackoff set the wait before a failed
	// plugin is started again: RestartBackoff after one failure, doubling
	// with each failure in a row up to MaxRestartBackoff. A call that
	// comes back from the plugin ends the row. 0 means the defaults.
	RestartBackoff, MaxRestartBackoff time.Duration
	// TimeoutsBeforeRestart is how many calls of a plugin in a row, with
	// none coming back in time in between, may time out before the plugin
	// is killed and restarted; 0 means DefaultTimeoutsBeforeRestart, a
	// negative number never.
	TimeoutsBeforeRestart int
	// DefaultTimeout applies to checks without a timeout; 0 means
	// DefaultTimeout.
	DefaultTimeout time.Duration
	// Procs, when set, registers every plugin process and marks its
	// environment (see package procs).
	Procs *procs.Tracker
}

// PluginHost runs go-plugin check plugins. It runs plugin jobs (Run),
// describes a plugin (Schema) and configures a job on its plugin
// (Configure) for the load path, and lists the plugins (List). Its methods
// are safe for concurrent use. Close stops every plugin process.
type PluginHost struct {
	log                zerolog.Logger
	dirs, roots        []string
	selfExe            string
	selfExeErr         error
	builtins           map[string]bool
	builtinNames       []string
	startTimeout       time.Duration
	restartBackoff     time.Duration
	maxRestartBackoff  time.Duration
	timeoutsBeforeKill int
	defaultTimeout     time.Duration
	tracker            *procs.Tracker

	closed atomic.Bool
	wg     sync.WaitGroup // start attempts and post-mortems

	mu    sync.Mutex
	procs map[pluginKey]*pluginProcess

	checksMu sync.RWMutex
	checks   map[string]*checkEntry // by config ID
	byCheck  map[string]string      // the current config ID of each check ID
}

// errHostClosed is the error of a call after Close.
var errHostClosed = errors.New("the plugin runner is shut down")

// NewPluginHost returns a PluginHost with the options applied. Nothing
// starts until a check needs a plugin.
func NewPluginHost(opts PluginOptions) *PluginHost {
	h := &PluginHost{
		log:                opts.Log,
		selfExe:            opts.SelfExe,
		startTimeout:       orDefault(opts.StartTimeout, DefaultPluginStartTimeout),
		restartBackoff:     orDefault(opts.RestartBackoff, DefaultRestartBackoff),
		maxRestartBackoff:  orDefault(opts.MaxRestartBackoff, DefaultMaxRestartBackoff),
		timeoutsBeforeKill: opts.TimeoutsBeforeRestart,
		defaultTimeout:     orDefault(opts.DefaultTimeout, DefaultTimeout),
		tracker:            opts.Procs,
		procs:              map[pluginKey]*pluginProcess{},
		checks:             map[string]*checkEntry{},
		byCheck:            map[string]string{},
	}
	h.maxRestartBackoff = max(h.maxRestartBackoff, h.restartBackoff)
	if h.timeoutsBeforeKill == 0 {
		h.timeoutsBeforeKill = DefaultTimeoutsBeforeRestart
	}
	for _, d := range opts.Dirs {
		h.dirs = append(h.dirs, absPath(d))
	}
	for _, r := range opts.ConfigRoots {
		h.roots = append(h.roots, absPath(r))
	}
	if h.selfExe == "" {
		h.selfExe, h.selfExeErr = os.Executable()
		if h.selfExeErr != nil {
			h.selfExeErr = fmt.Errorf("finding the vakt executable: %w", h.selfExeErr)
		}
	}
	h.builtinNames = append([]string(nil), opts.Builtins...)
	sort.Strings(h.builtinNames)
	h.builtins = make(map[string]bool, len(h.builtinNames))
	for _, n := range h.builtinNames {
		h.builtins[n] = true
	}
	return h
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

func (h *PluginHost) isClosed() bool { return h.closed.Load() }

// checkEntry is what the host keeps per config ID: the job, the plugin it
// resolved to and its decoded config, and the instance it is configured
// on.
type checkEntry struct {
	job      Job
	configID string
	proc     *pluginProcess // nil when err is set
	err      error          // why the plugin could not be found

	mu         sync.Mutex // serializes decoding and configuring
	decodedFor *sdk.Info  // the Info values were decoded with
	values     sdk.Values
	decodeErr  error // of that decoding
	configured atomic.Pointer[pluginInstance]
}

// entry returns the entry of the job's config ID, creating it on first
// use. A new config ID of a check (after a reload changed it) replaces the
// check's old entry.
func (h *PluginHost) entry(job Job) *checkEntry {
	id := job.ConfigID()
	h.checksMu.RLock()
	e := h.checks[id]
	h.checksMu.RUnlock()
	if e != nil {
		return e
	}
	ref, err := h.resolve(job.PluginRef())
	h.checksMu.Lock()
	defer h.checksMu.Unlock()
	if e := h.checks[id]; e != nil {
		return e
	}
	checkID := job.Host + "/" + job.Check
	if old, ok := h.byCheck[checkID]; ok {
		delete(h.checks, old)
	}
	h.byCheck[checkID] = id
	e = &checkEntry{job: job, configID: id, err: err}
	if err == nil {
		e.proc = h.process(ref, job.PluginSHA256)
	}
	h.checks[id] = e
	return e
}

// process returns the process of a plugin, creating it on first use.
func (h *PluginHost) process(ref pluginRef, pin string) *pluginProcess {
	key := pluginKey{path: ref.path, args: strings.Join(ref.args, "\x00"), pin: pin}
	h.mu.Lock()
	defer h.mu.Unlock()
	if p := h.procs[key]; p != nil {
		return p
	}
	log := h.log.With().Str("plugin", ref.name).Str("path", ref.path).Logger()
	p := &pluginProcess{host: h, ref: ref, pin: pin, log: log}
	h.procs[key] = p
	return p
}

// decode returns the job's config decoded against the schema in info,
// decoding it again when info is not the one it was decoded with. e.mu
// must be held.
func (e *checkEntry) decode(info *sdk.Info) (sdk.Values, error) {
	if e.decodedFor != info {
		e.values, e.decodeErr = DecodeConfig(info.Schema, e.job.Config)
		e.decodedFor = info
	}
	return e.values, e.decodeErr
}

// configure makes sure the job's config is configured on inst.
func (e *checkEntry) configure(ctx context.Context, inst *pluginInstance) error {
	if e.configured.Load() == inst {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.configured.Load() == inst {
		return nil
	}
	values, err := e.decode(&inst.info)
	if err != nil {
		return &invalidConfigError{err: err}
	}
	if err := inst.checker.Configure(ctx, sdk.Config{ID: e.configID, Values: values}); err != nil {
		var rejected sdk.ConfigErrors
		if errors.As(err, &rejected) {
			return &rejectedConfigError{errs: rejected}
		}
		return err
	}
	e.configured.Store(inst)
	return nil
}

// invalidConfigError is a job's config that does not decode against the
// plugin's schema (the plugin changed since the job was made).
type invalidConfigError struct{ err error }

func (e *invalidConfigError) Error() string { return e.err.Error() }
func (e *invalidConfigError) Unwrap() error { return e.err }

// rejectedConfigError is a config the plugin's Configure refused.
type rejectedConfigError struct{ errs sdk.ConfigErrors }

func (e *rejectedConfigError) Error() string { return e.errs.Error() }
func (e *rejectedConfigError) Unwrap() error { return e.errs }

// Run runs a plugin job once through its plugin and returns its result. It
// never fails: a job that is not a plugin job, a plugin that cannot be
// found, started or configured, that fails, crashes, or does not answer
// within the job's timeout, gives a Result whose state and output say so.
// The timeout gives the job's TimeoutState (CRITICAL when nil) and "(Service check
// timed out after N.NN seconds)", as for a command check.
func (h *PluginHost) Run(ctx context.Context, job Job) (res check.Result) {
	start := time.Now()
	res = check.Result{Check: job.Check, Host: job.Host, Start: start, ExitCode: -1}
	defer func() { res.Duration = time.Since(start) }()

	if h.isClosed() {
		return unknownResult(res, "("+capitalize(errHostClosed.Error())+")")
	}
	if err := ctx.Err(); err != nil {
		return unknownResult(res, "(Check cancelled before it started: "+err.Error()+")")
	}
	if job.Kind != KindPlugin || job.Plugin == "" {
		return unknownResult(res, "(Invalid check job: not a plugin job)")
	}
	e := h.entry(job)
	if e.err != nil {
		return unknownResult(res, "("+capitalize(e.err.Error())+")")
	}
	timeout := job.Timeout
	if timeout <= 0 {
		timeout = h.defaultTimeout
	}
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	address := job.Address
	if address == "" {
		address = job.Host
	}
	req := sdk.Request{Config: sdk.Config{ID: e.configID}, Check: job.Check,
		Host: sdk.Host{Name: job.Host, Address: address}, Timeout: timeout}
	// One retry: a plugin that lost the config (it was restarted behind
	// our back, which go-plugin does not do) is configured again.
	for attempt := 0; ; attempt++ {
		inst, err := e.proc.instance(callCtx)
		if err == nil {
			err = e.configure(callCtx, inst)
		}
		var got check.Result
		if err == nil {
			got, err = inst.checker.Check(callCtx, req)
		}
		if err == nil {
			inst.timeoutsInRow.Store(0)
			e.proc.succeeded()
			got.Start, got.ExitCode = start, int(got.State)
			return got
		}
		if errors.Is(err, sdk.ErrNotConfigured) && attempt == 0 {
			e.configured.CompareAndSwap(inst, nil)
			continue
		}
		return h.failedResult(res, ctx, callCtx, job, inst, err, timeout)
	}
}

// failedResult turns the error of a plugin call into the result.
func (h *PluginHost) failedResult(res check.Result, ctx, callCtx context.Context, job Job,
	inst *pluginInstance, err error, timeout time.Duration,
) check.Result {
	name := strconv.Quote(job.Plugin)
	var notAvailable *notAvailableError
	var invalid *invalidConfigError
	var rejected *rejectedConfigError
	switch {
	case errors.Is(err, errHostClosed) || h.isClosed():
		return unknownResult(res, "("+capitalize(errHostClosed.Error())+")")
	case ctx.Err() != nil:
		return unknownResult(res, "(Check cancelled before the plugin finished: "+ctx.Err().Error()+")")
	case callCtx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		// The plugin's side of the call may see the deadline pass first
		// and end the call before our timer fires.
		res.State, res.Output, res.TimedOut = check.Critical, timeoutText(timeout), true
		if job.TimeoutState != nil {
			res.State = *job.TimeoutState
		}
		if inst != nil {
			if n := int(inst.timeoutsInRow.Add(1)); h.timeoutsBeforeKill > 0 && n >= h.timeoutsBeforeKill {
				inst.fail(fmt.Sprintf("it was killed after %d calls in a row timed out", n), true)
			}
		}
		return res
	case errors.As(err, &notAvailable):
		return unknownResult(res, "(Plugin "+name+" is not available: "+notAvailable.Error()+")")
	case errors.As(err, &invalid):
		return unknownResult(res, "(Invalid config for plugin "+name+": "+invalid.Error()+")")
	case errors.As(err, &rejected):
		return unknownResult(res, "(Plugin "+name+" rejected the check's config: "+rejected.Error()+")")
	case lostPlugin(err, inst):
		f := inst.fail("", false)
		select {
		case <-f.done:
		case <-ctx.Done():
			return unknownResult(res, "(Check cancelled before the plugin finished: "+ctx.Err().Error()+")")
		}
		return unknownResult(res, "(Plugin "+name+" failed during the check: "+f.reason+")")
	}
	return unknownResult(res, "(Plugin "+name+" could not run the check: "+err.Error()+")")
}

// lostPlugin reports whether err means that the plugin process is gone or
// cannot be reached, rather than that the plugin answered with an error:
// the connection broke (gRPC's Unavailable), the process has exited, or
// the instance was taken out of service (which closes the connection
// under the calls in flight).
func lostPlugin(err error, inst *pluginInstance) bool {
	if inst == nil {
		return false
	}
	return inst.failed.Load() || status.Code(err) == codes.Unavailable || inst.client.Exited()
}

func unknownResult(res check.Result, output string) check.Result {
	res.State, res.Output = check.Unknown, output
	return res
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Close stops every plugin process: each is asked to exit and, if it has
// not when ctx ends, killed. It waits until every process is gone. Calls
// after Close give UNKNOWN. The error names the plugins that had to be
// killed.
func (h *PluginHost) Close(ctx context.Context) error {
	h.closed.Store(true)
	h.mu.Lock()
	procs := make([]*pluginProcess, 0, len(h.procs))
	for _, p := range h.procs {
		procs = append(procs, p)
	}
	h.mu.Unlock()

	// Once each process's lock has been taken, no start or post-mortem
	// begins without seeing the host closed. Those under way end (a start
	// within StartTimeout) and kill what they started.
	for _, p := range procs {
		p.mu.Lock()
		//lint:ignore SA2001 an empty critical section is the barrier
		p.mu.Unlock()
	}
	h.wg.Wait()
	var mu sync.Mutex
	var killed []string
	var wg sync.WaitGroup
	for _, p := range procs {
		inst := p.current.Swap(nil)
		if inst == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !inst.exitGracefully(ctx) {
				mu.Lock()
				killed = append(killed, fmt.Sprintf("%s (pid %d)", p.ref.name, inst.pid))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(killed) > 0 {
		sort.Strings(killed)
		return fmt.Errorf("closing plugins: killed %s, which did not exit in time: %w", strings.Join(killed, ", "), ctx.Err())
	}
	return nil
}
