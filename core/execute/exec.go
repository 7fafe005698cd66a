// Package execute runs checks and turns what they did into a check.Result.
//
// Exec runs legacy Nagios plugins: any executable that follows the Nagios
// plugin API (SPEC.md sections 1 and 2). Each run is one child process,
// started without a shell from an argv list, with stdin on /dev/null, in a
// process group of its own that is killed as a whole on timeout or
// cancellation, and with its output capped.
//
// PluginHost runs go-plugin check plugins (the built-ins inside the vakt
// binary and third-party vakt-plugin-NAME executables): one long-lived
// process per plugin, shared by all its checks, restarted with backoff
// when it fails. Both yield the same check.Result.
//
// What runs is a Job: plain data (it survives a JSON round trip) of either
// kind, a command or a plugin call with its config already decoded, which
// Runner runs with the runner of its kind. Nothing here knows HCL or the
// configuration: core/definitions makes the jobs.
package execute

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sys/unix"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/procs"
)

// Defaults used where a Job or an Exec leaves a setting at its zero value.
const (
	// DefaultTimeout is how long a plugin may run: Nagios'
	// service_check_timeout.
	DefaultTimeout = 60 * time.Second
	// DefaultOutputLimit is how much of stdout, and of stderr, is kept.
	DefaultOutputLimit = 64 << 10
	// DefaultKillGrace is how long a process group has between SIGTERM
	// and SIGKILL once its check timed out or was cancelled.
	DefaultKillGrace = 2 * time.Second
	// DefaultPipeDelay is how long Run waits, once the plugin and its
	// process group are gone, for its output pipes to close; they stay open
	// only when the plugin left a process in another process group or
	// session holding them.
	DefaultPipeDelay = 2 * time.Second
)

// Job is one run of a check: plain data, which a JSON round trip keeps
// intact, so that it can be handed to another process or machine. Kind says
// which of its two kinds it is: a legacy plugin (exec: Argv, Shell, Env,
// OutputLimit) or a go-plugin (plugin: Plugin, PluginSHA256, PluginDirs,
// Config). Runner.Run runs either.
type Job struct {
	// Kind is KindExec or KindPlugin; empty means KindExec.
	Kind Kind `json:"kind,omitempty"`

	Check   string `json:"check"`             // the check's name, for the result, logs and macros
	Host    string `json:"host"`              // the host it runs for
	Address string `json:"address,omitempty"` // the host's address; the host name when empty

	// Argv is the plugin path and its arguments, passed as they are,
	// without a shell. A path without a slash is looked up in the
	// daemon's PATH.
	Argv []string `json:"argv,omitempty"`
	// Shell is an explicit opt-in for a command line that needs a shell
	// (pipes, redirections, globs): Argv must then hold exactly one
	// string, run as /bin/sh -c Argv[0].
	Shell bool `json:"shell,omitempty"`

	// Timeout is how long the plugin may run; 0 means Exec.DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// TimeoutState is the state of a timed-out run; nil means CRITICAL, as
	// Nagios' service_check_timeout_state does by default.
	TimeoutState *check.State `json:"timeout_state,omitempty"`
	// OutputLimit is how many bytes of stdout, and of stderr, are kept;
	// 0 means DefaultOutputLimit. The rest is read and thrown away.
	OutputLimit int `json:"output_limit,omitempty"`
	// Env holds extra environment variables. A plugin's environment is
	// Exec.Environ (see BaseEnviron), then the macros VAKT_CHECK,
	// VAKT_HOSTNAME, VAKT_HOSTADDRESS and Nagios' NAGIOS_SERVICEDESC,
	// NAGIOS_HOSTNAME, NAGIOS_HOSTADDRESS, ... (see env.go), then Env;
	// later ones win.
	Env map[string]string `json:"env,omitempty"`

	// Plugin names the go-plugin of a plugin job (see PluginHost).
	Plugin string `json:"plugin,omitempty"`
	// PluginSHA256 pins the plugin's executable (64 lowercase hex
	// digits); empty for none.
	PluginSHA256 string `json:"plugin_sha256,omitempty"`
	// PluginDirs are the check's team plugin folders, nearest first
	// (TeamPluginDirs), searched before the host's global ones.
	PluginDirs []string `json:"plugin_dirs,omitempty"`
	// Config is the check's plugin config, decoded at load time against
	// the plugin's schema and encoded by EncodeConfig; the plugin host
	// decodes it against the schema again (DecodeConfig). Empty means no
	// attribute set.
	Config []byte `json:"config,omitempty"`
	// Results, when not empty, maps the exit code and output of a plugin
	// that exited by itself to the state, first matching rule first (see
	// results.go).
	Results []check.ResultRule `json:"results,omitempty"`
}

// Exec runs legacy Nagios plugins. The zero value is ready to use; NewExec
// gives one that logs and computes the base environment once. Run is safe
// for concurrent use; change the fields only before the first Run.
type Exec struct {
	// Log receives one debug line per run and a warning per timeout.
	Log zerolog.Logger
	// Environ is the environment every plugin starts from; nil means
	// BaseEnviron(os.Environ()) at each run.
	Environ []string
	// DefaultTimeout applies to jobs without a Timeout; 0 means
	// DefaultTimeout.
	DefaultTimeout time.Duration
	// KillGrace is the time between SIGTERM and SIGKILL; 0 means
	// DefaultKillGrace, a negative value SIGKILL at once.
	KillGrace time.Duration
	// PipeDelay bounds the wait for output pipes held open by an escaped
	// process; 0 means DefaultPipeDelay.
	PipeDelay time.Duration
	// Procs, when set, registers every plugin process and marks its
	// environment (VAKT_RUN_ID, VAKT_CHILD), so that the processes that
	// escape a plugin's process group are found and reaped (see package
	// procs); nil means plugins are neither marked nor registered.
	Procs *procs.Tracker
}

// NewExec returns an Exec that logs to log and starts every plugin from
// BaseEnviron(os.Environ()) as it is now.
func NewExec(log zerolog.Logger) *Exec {
	return &Exec{Log: log, Environ: BaseEnviron(os.Environ())}
}

// The texts Nagios Core 4 gives to exit codes that are not plugin states
// (SPEC.md section 1).
const (
	notExecutableText = "(Return code of 126 is out of bounds. Check if plugin is executable)"
	notFoundText      = "(Return code of 127 is out of bounds. Check if plugin exists)"
	noOutputText      = "(No output returned from plugin)"
	noStdoutText      = "(No output on stdout) stderr: "
)

// Run runs job and returns its result. It never returns an error: a job that
// is malformed, a plugin that cannot start, hangs, crashes or floods its
// output each yield a Result whose state and output say what happened.
// Cancelling ctx ends the run the way a timeout does, with state UNKNOWN.
// ExitCode is -1 unless the plugin ran and exited by itself.
func (e *Exec) Run(ctx context.Context, job Job) (res check.Result) {
	start := time.Now()
	res = check.Result{Check: job.Check, Host: job.Host, Start: start, ExitCode: -1}
	defer func() { res.Duration = time.Since(start) }()

	argv, err := job.command()
	if err != nil {
		res.State = check.Unknown
		res.Output = "(Invalid check job: " + err.Error() + ")"
		e.Log.Warn().Str("check", job.Check).Str("host", job.Host).Err(err).Msg("invalid check job")
		return res
	}
	if err := ctx.Err(); err != nil {
		res.State = check.Unknown
		res.Output = "(Check cancelled before it started: " + err.Error() + ")"
		return res
	}
	limit := job.OutputLimit
	if limit == 0 {
		limit = DefaultOutputLimit
	}
	base := e.Environ
	if base == nil {
		base = BaseEnviron(os.Environ())
	}
	timeout := job.Timeout
	if timeout == 0 {
		timeout = e.DefaultTimeout
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}

	p := e.runProcess(ctx, argv, buildEnv(base, job, start), timeout, limit)
	e.fill(&res, job, p, timeout)
	applyResults(&res, job.Results)
	e.Log.Debug().Str("check", job.Check).Str("host", job.Host).
		Stringer("state", res.State).Int("exit_code", res.ExitCode).
		Stringer("duration", time.Since(start)).Bool("timed_out", res.TimedOut).
		Msg("plugin ran")
	return res
}

// command checks the job and returns the argv to execute.
func (job Job) command() ([]string, error) {
	switch {
	case job.Kind != "" && job.Kind != KindExec:
		return nil, fmt.Errorf("a %s job is not a command", job.Kind)
	case len(job.Argv) == 0:
		return nil, errors.New("no command: argv is empty")
	case job.Argv[0] == "":
		return nil, errors.New("no command: argv[0] is empty")
	case job.Shell && len(job.Argv) != 1:
		return nil, fmt.Errorf("a shell command is one string, got argv with %d elements", len(job.Argv))
	case job.Timeout < 0:
		return nil, fmt.Errorf("negative timeout %s", job.Timeout)
	case job.OutputLimit < 0:
		return nil, fmt.Errorf("negative output limit %d", job.OutputLimit)
	case job.TimeoutState != nil && !job.TimeoutState.Valid():
		return nil, fmt.Errorf("timeout state %d is not OK, WARNING, CRITICAL or UNKNOWN", int(*job.TimeoutState))
	}
	for i, a := range job.Argv {
		if strings.IndexByte(a, 0) >= 0 {
			return nil, fmt.Errorf("argv[%d] %q contains a NUL byte", i, a)
		}
	}
	for k, v := range job.Env {
		if err := checkEnvVar(k, v); err != nil {
			return nil, err
		}
	}
	if job.Shell {
		return []string{"/bin/sh", "-c", job.Argv[0]}, nil
	}
	return job.Argv, nil
}

// process is what running a plugin left behind.
type process struct {
	startErr  error            // the plugin could not be started
	state     *os.ProcessState // how it ended, when it started
	timedOut  bool             // killed because its timeout passed
	cancelled error            // killed because ctx was done: ctx.Err()
	pipesHeld bool             // pipes were closed by force after PipeDelay
	stdout    cappedBuffer
	stderr    cappedBuffer
}

// runProcess starts argv in its own process group and waits for it to end,
// killing the group on timeout or cancellation.
func (e *Exec) runProcess(ctx context.Context, argv, env []string, timeout time.Duration, limit int) *process {
	p := &process{stdout: cappedBuffer{limit: limit}, stderr: cappedBuffer{limit: limit}}
	cmd := exec.Command(argv[0], argv[1:]...)
	child := e.Procs.Begin()
	// The markers come last, so that a job's Env cannot override them.
	cmd.Env = append(env[:len(env):len(env)], child.Env()...)
	// Stdin stays nil: os/exec connects it to /dev/null.
	cmd.Stdout = &p.stdout
	cmd.Stderr = &p.stderr
	// Pdeathsig: the plugin dies with vakt, even by kill -9. (It fires
	// when the thread that started the plugin exits; Go parks idle threads
	// rather than ending them.) What the plugin started outside its group
	// is found by its environment markers (package procs).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = e.pipeDelay()
	if err := cmd.Start(); err != nil {
		child.Failed()
		p.startErr = err
		return p
	}
	child.Started(cmd.Process.Pid)
	// Done after Wait has reaped the plugin: from then on, whatever it
	// left with vakt as parent is an escaped process.
	defer child.Done()
	pgid := cmd.Process.Pid

	// exited is closed once the plugin has exited; waitErr is set before.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		defer close(exited)
		waitErr = waitExited(pgid)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-exited:
	case <-timer.C:
		p.timedOut = true
		e.Log.Warn().Strs("argv", argv).Stringer("timeout", timeout).Msg("plugin timed out; killing its process group")
		e.stopGroup(pgid, exited)
	case <-ctx.Done():
		p.cancelled = ctx.Err()
		e.stopGroup(pgid, exited)
	}
	// Whatever the plugin left in another session or group has vakt as
	// its parent now: look for it.
	e.Procs.Kick()
	if waitErr == nil {
		// The plugin has exited but is not reaped yet, so its pid, which
		// is also the group's id, cannot have been reused: whatever it
		// left running in its group dies now instead of holding the
		// pipes open.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	} else {
		// Without waitid the group cannot be told apart from a reused
		// pid; leave it alone and let cmd.Wait reap the plugin.
		e.Log.Error().Err(waitErr).Int("pid", pgid).Msg("waiting for plugin to exit; reaping it without killing its group")
	}

	err := cmd.Wait()
	p.state = cmd.ProcessState
	if errors.Is(err, exec.ErrWaitDelay) {
		p.pipesHeld = true
	}
	return p
}

// stopGroup sends SIGTERM to the process group, then SIGKILL after the kill
// grace unless the leader exited meanwhile, and waits for the leader to exit.
func (e *Exec) stopGroup(pgid int, exited <-chan struct{}) {
	grace := e.KillGrace
	if grace == 0 {
		grace = DefaultKillGrace
	}
	if grace > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-exited:
			return
		case <-t.C:
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-exited
}

// waitExited blocks until the child pid has exited, without reaping it
// (WNOWAIT), so that its process group id stays reserved until cmd.Wait.
func waitExited(pid int) error {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			if err != nil {
				return fmt.Errorf("waitid for pid %d: %w", pid, err)
			}
			return nil
		}
	}
}

// timeoutText is Nagios 4.4.6's timeout output, "(Service check timed out
// after 6.00 seconds)", with the configured timeout where Nagios has the
// measured run time.
func timeoutText(timeout time.Duration) string {
	return "(Service check timed out after " + strconv.FormatFloat(timeout.Seconds(), 'f', 2, 64) + " seconds)"
}
