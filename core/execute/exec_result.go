package execute

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/vakt/vakt/core/check"
)

// cappedBuffer keeps the first limit bytes written to it and counts, then
// throws away, the rest, so that a plugin printing without end never blocks
// on a full pipe and never fills memory.
type cappedBuffer struct {
	limit   int
	buf     []byte
	written int64
}

// Write keeps what fits under the limit and accepts all of p.
func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.written += int64(len(p))
	if room := b.limit - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// ReadFrom reads r to its end, keeping the first limit bytes and counting
// the rest. os/exec copies a plugin's pipes with it, so a run allocates what
// the plugin prints (from 512 bytes up) instead of a 32 KiB copy buffer per
// pipe; only a plugin printing past its limit costs a buffer for draining.
func (b *cappedBuffer) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	var drain []byte
	for {
		var into []byte
		if len(b.buf) < b.limit {
			if len(b.buf) == cap(b.buf) {
				b.buf = slices.Grow(b.buf, min(max(512, cap(b.buf)), b.limit-len(b.buf)))
			}
			into = b.buf[len(b.buf):min(cap(b.buf), b.limit)]
		} else {
			if drain == nil {
				drain = make([]byte, 32<<10)
			}
			into = drain
		}
		n, err := r.Read(into)
		if len(b.buf) < b.limit {
			b.buf = b.buf[:len(b.buf)+n]
		}
		b.written += int64(n)
		total += int64(n)
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// truncated reports whether more was written than kept.
func (b *cappedBuffer) truncated() bool { return b.written > int64(len(b.buf)) }

// fill turns what the process did into res: state, exit code, output, long
// output, perfdata and notes.
func (e *Exec) fill(res *check.Result, job Job, p *process, timeout time.Duration) {
	if p.startErr != nil {
		fillStartError(res, job, p.startErr)
		return
	}

	parsed := check.ParseOutput(p.stdout.buf)
	if p.stdout.truncated() {
		res.Notes = append(res.Notes, fmt.Sprintf("output truncated at %d bytes (plugin wrote %d)", p.stdout.limit, p.stdout.written))
	}
	parsed.Fill(res)
	if p.pipesHeld {
		res.Notes = append(res.Notes, fmt.Sprintf("plugin left a process outside its process group holding its output open; stopped reading %s after it exited", e.pipeDelay()))
	}

	// Nagios 4 reads stdout up to its first NUL byte; only when that is
	// nothing at all does it turn to stderr.
	printed := p.stdout.buf
	if i := bytes.IndexByte(printed, 0); i >= 0 {
		printed = printed[:i]
	}
	stdoutEmpty := len(printed) == 0
	stderr := stderrText(&p.stderr)
	if stderr != "" && p.stderr.truncated() {
		res.Notes = append(res.Notes, fmt.Sprintf("stderr truncated at %d bytes (plugin wrote %d)", p.stderr.limit, p.stderr.written))
	}
	if stderr != "" && !stdoutEmpty {
		// Nagios ignores stderr when there is stdout; keep it for whoever
		// debugs the plugin.
		e.Log.Debug().Str("check", job.Check).Str("host", job.Host).Str("stderr", stderr).Msg("plugin wrote to stderr")
	}

	// What the plugin said, for a run that ended with a plugin state, in
	// Nagios 4.4.6's words when it said nothing: "(No output on stdout)
	// stderr: TEXT" for empty stdout (nothing after the prefix when stderr
	// was empty too), "(No output returned from plugin)" for stdout without
	// a short output (a lone newline, or perfdata only).
	switch {
	case stdoutEmpty:
		first, rest, _ := strings.Cut(stderr, "\n")
		res.Output, res.Long = strings.TrimSpace(noStdoutText+first), rest
	case res.Output == "":
		res.Output = noOutputText
	}
	// For any other ending, our explanation becomes the short output and
	// what the plugin said moves to the long output, so nothing is lost.
	explain := func(text string) {
		said := joinLines(parsed.Output, parsed.Long)
		if stdoutEmpty && stderr != "" {
			said = "stderr: " + stderr
		}
		res.Output, res.Long = text, said
	}

	ws, _ := p.state.Sys().(syscall.WaitStatus)
	switch {
	case p.timedOut:
		res.TimedOut = true
		res.State = check.Critical
		if job.TimeoutState != nil {
			res.State = *job.TimeoutState
		}
		explain(timeoutText(timeout))
	case p.cancelled != nil:
		res.State = check.Unknown
		explain("(Check cancelled before the plugin finished: " + p.cancelled.Error() + ")")
	case ws.Signaled():
		// Nagios 4 keeps what the plugin printed as its output and logs the
		// signal; vakt says it at the end of the long output.
		res.State = check.Unknown
		killed := fmt.Sprintf("(Plugin was killed by signal %d (%s))", int(ws.Signal()), ws.Signal())
		res.Long = joinLines(res.Long, killed)
		e.Log.Warn().Str("check", job.Check).Str("host", job.Host).Int("signal", int(ws.Signal())).Msg("plugin was killed by a signal")
	case p.state.Exited():
		res.ExitCode = p.state.ExitCode()
		switch code := res.ExitCode; {
		case code >= 0 && code <= 3:
			res.State = check.State(code)
		case code == 126:
			res.State = check.Critical
			explain(notExecutableText)
		case code == 127:
			res.State = check.Critical
			explain(notFoundText)
		default:
			res.State = check.Unknown
			explain(outOfBoundsText(code, job))
		}
	default:
		res.State = check.Unknown
		explain("(Plugin ended in an unexpected way: " + p.state.String() + ")")
	}
}

// fillStartError maps a plugin that could not be started to what a shell
// would have reported: 127 when it does not exist, 126 when it cannot be
// executed. The real reason follows the Nagios text in the output.
func fillStartError(res *check.Result, job Job, err error) {
	reason := startErrorReason(job, err)
	switch {
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist):
		res.State = check.Critical
		res.Output = notFoundText + ": " + reason
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.ENOEXEC):
		res.State = check.Critical
		res.Output = notExecutableText + ": " + reason
	default:
		res.State = check.Unknown
		res.Output = "(Could not start plugin: " + reason + ")"
	}
}

// startErrorReason says why the plugin could not start in plain words,
// without os/exec's "fork/exec" prefix.
func startErrorReason(job Job, err error) string {
	var pathErr *fs.PathError
	var execErr *exec.Error
	switch {
	case errors.As(err, &execErr):
		return fmt.Sprintf("cannot run %s: %v", execErr.Name, execErr.Err)
	case errors.As(err, &pathErr):
		return fmt.Sprintf("cannot run %s: %v", pathErr.Path, pathErr.Err)
	}
	return fmt.Sprintf("cannot run %s: %v", job.Argv[0], err)
}

// outOfBoundsText is Nagios 4.4.6's output for an exit code that is not a
// plugin state (other than 126 and 127). Nagios makes the run CRITICAL;
// vakt keeps UNKNOWN, as Icinga 2 does (SPEC.md section 1).
func outOfBoundsText(code int, job Job) string {
	return fmt.Sprintf("(Return code of %d for service '%s' on host '%s' was out of bounds)", code, job.Check, job.Host)
}

// stderrText is the kept stderr as valid UTF-8 (bytes that are not UTF-8
// read as Windows-1252, as for stdout), cut at its first NUL byte and
// trimmed of surrounding white space.
func stderrText(b *cappedBuffer) string {
	raw := b.buf
	if i := bytes.IndexByte(raw, 0); i >= 0 {
		raw = raw[:i]
	}
	text, _ := check.DecodeText(raw)
	return strings.TrimSpace(text)
}

// joinLines joins the non-empty texts with newlines.
func joinLines(texts ...string) string {
	var kept []string
	for _, t := range texts {
		if t != "" {
			kept = append(kept, t)
		}
	}
	return strings.Join(kept, "\n")
}

func (e *Exec) pipeDelay() time.Duration {
	if e.PipeDelay == 0 {
		return DefaultPipeDelay
	}
	return e.PipeDelay
}
