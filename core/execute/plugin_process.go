package execute

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/procs"
	"github.com/vakt/vakt/plugins/sdk"
)

// pluginKey names one plugin process: the executable, its arguments and
// the digest the checks using it pin. Checks that pin a plugin and checks
// that do not use separate processes, so that a pinned check never causes
// an executable it did not pin to be run.
type pluginKey struct {
	path, args, pin string
}

// pluginProcess is one plugin as vakt runs it: at most one instance (a
// process) at a time, started when a check first needs it and restarted
// with backoff after it fails.
type pluginProcess struct {
	host *PluginHost
	ref  pluginRef
	pin  string
	log  zerolog.Logger

	// current is the running instance; nil while none is.
	current atomic.Pointer[pluginInstance]
	// failuresInRow counts failed starts and instances that died since a
	// call last succeeded; it sets the backoff.
	failuresInRow atomic.Int32

	mu       sync.Mutex
	starting *startAttempt // the start in progress, if any
	retryAt  time.Time     // no start before, after a failure
	failed   *failure      // the last failure, while retryAt is ahead
}

// failure is why a plugin is not available. done is closed once reason and
// err are final (a dead instance is examined before they are).
type failure struct {
	done   chan struct{}
	reason string // says what happened, e.g. "its process exited with exit status 2: panic: boom"
	err    error  // the error of a failed start; nil for an instance that died
}

func finishedFailure(reason string, err error) *failure {
	f := &failure{done: make(chan struct{}), reason: reason, err: err}
	close(f.done)
	return f
}

// startAttempt is one start of an instance; done is closed when inst or
// fail is set.
type startAttempt struct {
	done chan struct{}
	inst *pluginInstance
	fail *failure
}

// pluginInstance is one running plugin process.
type pluginInstance struct {
	proc    *pluginProcess
	client  *plugin.Client
	cmd     *exec.Cmd
	checker sdk.Checker
	info    sdk.Info
	pid     int
	stderr  *stderrTail
	child   *procs.Child // Done once the process is gone

	timeoutsInRow atomic.Int32
	failed        atomic.Bool // set first thing by fail
	failOnce      sync.Once
	failure       *failure // set by fail
}

// notAvailableError is returned for a call to a plugin that is down.
type notAvailableError struct{ f *failure }

func (e *notAvailableError) Error() string { return e.f.reason }
func (e *notAvailableError) Unwrap() error { return e.f.err }

// instance returns the running instance, starting one when none runs and
// no backoff is pending. It waits for a start in progress until ctx ends.
func (p *pluginProcess) instance(ctx context.Context) (*pluginInstance, error) {
	if in := p.current.Load(); in != nil {
		return in, nil
	}
	p.mu.Lock()
	if in := p.current.Load(); in != nil {
		p.mu.Unlock()
		return in, nil
	}
	if p.host.isClosed() {
		p.mu.Unlock()
		return nil, errHostClosed
	}
	attempt := p.starting
	if attempt == nil {
		if f := p.failed; f != nil && time.Now().Before(p.retryAt) {
			p.mu.Unlock()
			select {
			case <-f.done:
				return nil, &notAvailableError{f: f}
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		attempt = &startAttempt{done: make(chan struct{})}
		p.starting = attempt
		p.host.wg.Add(1)
		go p.start(attempt)
	}
	p.mu.Unlock()
	select {
	case <-attempt.done:
		if attempt.fail != nil {
			return nil, &notAvailableError{f: attempt.fail}
		}
		return attempt.inst, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// start runs one start attempt and publishes its outcome.
func (p *pluginProcess) start(attempt *startAttempt) {
	defer p.host.wg.Done()
	inst, err := p.launch()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starting = nil
	switch {
	case err == nil && p.host.isClosed():
		inst.client.Kill()
		inst.child.Done()
		err = errHostClosed
	case err == nil:
		p.current.Store(inst)
		p.failed = nil
		p.log.Info().Int("pid", inst.pid).Str("version", inst.info.Version).Msg("plugin started")
		attempt.inst = inst
		close(attempt.done)
		return
	}
	// The SDK's "starting the plugin" would say it twice.
	why, _ := strings.CutPrefix(err.Error(), "starting the plugin: ")
	attempt.fail = finishedFailure("it could not be started: "+why, err)
	if !errors.Is(err, errHostClosed) {
		p.setBackoff(attempt.fail)
		p.log.Error().Err(err).Msg("plugin could not be started")
	}
	close(attempt.done)
}

// setBackoff records a failure and when the next start may be tried: the
// backoff doubles with each failure in a row, up to the maximum. p.mu must
// be held.
func (p *pluginProcess) setBackoff(f *failure) {
	n := p.failuresInRow.Add(1)
	p.failed = f
	p.retryAt = time.Now().Add(p.host.backoffAfter(int(n)))
}

// backoffAfter is the wait before a start after n failures in a row:
// RestartBackoff doubled n-1 times, at most MaxRestartBackoff.
func (h *PluginHost) backoffAfter(n int) time.Duration {
	wait := h.restartBackoff
	for i := 1; i < n && wait < h.maxRestartBackoff; i++ {
		wait *= 2
	}
	return min(wait, h.maxRestartBackoff)
}

// succeeded notes a call that reached the plugin and came back: the plugin
// works, so its backoff starts over.
func (p *pluginProcess) succeeded() {
	if p.failuresInRow.Load() != 0 {
		p.failuresInRow.Store(0)
	}
}

// launch starts a process of the plugin and asks it for its Info.
func (p *pluginProcess) launch() (*pluginInstance, error) {
	var secure *plugin.SecureConfig
	if p.pin != "" {
		got, err := fileSHA256(p.ref.path)
		if err != nil {
			return nil, fmt.Errorf("verifying the plugin's checksum: %w", err)
		}
		if got != p.pin {
			return nil, &checksumError{path: p.ref.path, got: got, want: p.pin}
		}
		sum, _ := hex.DecodeString(p.pin) // 64 hex digits, checked by config
		// go-plugin checks again right before it starts the file.
		secure = &plugin.SecureConfig{Checksum: sum, Hash: sha256.New()}
	}
	cmd := exec.Command(p.ref.path, p.ref.args...)
	// A plugin gets its own process group, so that a signal to vakt's group
	// (Ctrl-C, a service manager's SIGTERM) reaches vakt alone, which then
	// stops its plugins itself; and it dies with vakt, so a kill -9 of vakt
	// leaves no orphans. (Pdeathsig fires when the thread that started the
	// child exits; Go parks idle threads rather than ending them.)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	child := p.host.tracker.Begin()
	cmd.Env = child.Env() // go-plugin adds vakt's environment after these
	cfg := sdk.NewClientConfig(cmd, p.host.log, p.ref.name)
	cfg.SecureConfig = secure
	cfg.StartTimeout = p.host.startTimeout
	tail := &stderrTail{}
	cfg.Stderr = tail
	client := plugin.NewClient(cfg)

	checker, err := sdk.DispenseChecker(client)
	if err != nil {
		killGroup(cmd)
		client.Kill()
		child.Done()
		return nil, startError(err, cmd, tail)
	}
	child.Started(cmd.Process.Pid)
	inst := &pluginInstance{proc: p, client: client, cmd: cmd, checker: checker, pid: cmd.Process.Pid, stderr: tail, child: child}
	ctx, cancel := context.WithTimeout(context.Background(), p.host.startTimeout)
	defer cancel()
	inst.info, err = checker.Info(ctx)
	if err != nil {
		killGroup(cmd)
		client.Kill()
		child.Done()
		return nil, startError(err, cmd, tail)
	}
	return inst, nil
}

// killGroup kills the plugin's whole process group (it runs with Setpgid,
// so the group's id is its pid). Killing the process alone is not enough
// for a plugin that is a wrapper script: its child keeps the output pipes
// open, and go-plugin waits for them to close before it says the process
// is gone, so a failed start or a kill would wait as long as that child
// lives.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// startError makes the error of a failed start one line that says what
// happened, with what the plugin said on stderr. go-plugin reports a
// plugin that exits before its handshake in one of two ways, depending on
// which it notices first, each with a paragraph of advice; both become
// "the plugin exited before its handshake". The process has ended.
func startError(err error, cmd *exec.Cmd, tail *stderrTail) error {
	msg := err.Error()
	if strings.Contains(msg, "plugin exited before we could connect") ||
		strings.Contains(msg, "Failed to read any lines from plugin's stdout") {
		msg = "the plugin exited before its handshake"
		if cmd.ProcessState != nil {
			msg += ", with " + cmd.ProcessState.String()
		}
	} else if advice := strings.Index(msg, "\nThis usually means"); advice >= 0 {
		msg = msg[:advice]
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if s := tail.summary(); s != "" {
		msg += " (its stderr: " + s + ")"
	}
	return &startFailedError{msg: msg, err: err}
}

// startFailedError is a failed start, said in one line.
type startFailedError struct {
	msg string
	err error
}

func (e *startFailedError) Error() string { return e.msg }
func (e *startFailedError) Unwrap() error { return e.err }

// fail takes a failed instance out of service once: later calls wait for a
// restart after backoff. kill says to kill the process at once rather than
// ask it to exit (it does not answer). It returns the failure, whose done
// channel closes once the process is gone and the reason is known.
func (in *pluginInstance) fail(why string, kill bool) *failure {
	in.failed.Store(true)
	in.failOnce.Do(func() {
		p := in.proc
		f := &failure{done: make(chan struct{})}
		in.failure = f
		bury := func() {
			if kill {
				killGroup(in.cmd)
			}
			in.client.Kill()
			in.child.Done()
			f.reason = in.postMortem(why)
			close(f.done)
		}
		p.mu.Lock()
		p.current.CompareAndSwap(in, nil)
		closed := p.host.isClosed()
		if !closed {
			p.setBackoff(f)
			p.host.wg.Add(1) // under p.mu: Close waits for it
		}
		p.mu.Unlock()
		if closed {
			// Close is stopping every process and does not wait for a
			// post-mortem begun after it looked.
			bury()
			return
		}
		go func() {
			defer p.host.wg.Done()
			bury()
			p.log.Error().Int("pid", in.pid).Str("reason", f.reason).Msg("plugin failed; restarting it after backoff")
		}()
	})
	return in.failure
}

// postMortem says why an instance ended, once its process is gone.
func (in *pluginInstance) postMortem(why string) string {
	if why == "" {
		why = "its process exited"
		if st := in.cmd.ProcessState; st != nil {
			why += " with " + st.String()
		}
	}
	if s := in.stderr.summary(); s != "" {
		why += ": " + s
	}
	return why
}

// exitGracefully asks the process to exit and waits until it has; when
// ctx ends first, it kills the process and still waits. It reports
// whether the process exited on its own.
func (in *pluginInstance) exitGracefully(ctx context.Context) bool {
	defer in.child.Done()
	if ctx.Err() != nil {
		killGroup(in.cmd)
		in.client.Kill()
		return false
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.client.Kill()
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		killGroup(in.cmd)
		<-done
		return false
	}
}

// stderrTailSize is how much of a plugin's raw stderr is kept, to say why
// it died.
const stderrTailSize = 8 << 10

// stderrTail keeps the end of a plugin's raw stderr: where a Go plugin's
// panic message and a failed start's complaint land.
type stderrTail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - stderrTailSize; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

// summary returns the line that says best why the plugin ended: a Go
// panic or fatal error, else the last line that is not a JSON log line
// (those reached the log already). It is cut to 300 bytes.
func (t *stderrTail) summary() string {
	t.mu.Lock()
	text := string(t.buf)
	t.mu.Unlock()
	var last string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
			return cut(line, 300)
		}
		if line != "" && !strings.HasPrefix(line, "{") {
			last = line
		}
	}
	return cut(last, 300)
}

// cut shortens s to at most n bytes of valid UTF-8, marking a cut with "…".
func cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
