// Package pidwatch lets the tests of plugin processes see whether a
// process has ended, through a pidfd: unlike a pid, it stays bound to the
// process it was opened for, even after the pid is reused. Linux only.
package pidwatch

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Process is a process being watched.
type Process struct {
	pid, fd int
}

// Watch opens a pidfd for the running process pid, failing the test when
// it cannot. The pidfd is closed when the test ends.
func Watch(t testing.TB, pid int) Process {
	t.Helper()
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", pid, err)
	}
	t.Cleanup(func() { _ = unix.Close(fd) })
	return Process{pid: pid, fd: fd}
}

// Pid is the process's id when Watch was called.
func (p Process) Pid() int { return p.pid }

// Exited reports whether the process has ended, without waiting: a zombie
// counts as ended.
func (p Process) Exited(t testing.TB) bool {
	t.Helper()
	return p.poll(t, 0)
}

// WaitExited waits up to limit for the process to end and reports whether
// it did.
func (p Process) WaitExited(t testing.TB, limit time.Duration) bool {
	t.Helper()
	return p.poll(t, limit)
}

// poll waits up to limit for the pidfd to become readable, which it does
// when the process ends.
func (p Process) poll(t testing.TB, limit time.Duration) bool {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(p.fd), Events: unix.POLLIN}}
	deadline := time.Now().Add(limit)
	for {
		n, err := unix.Poll(fds, int(max(time.Until(deadline), 0).Milliseconds()))
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			t.Fatalf("polling the pidfd of process %d: %v", p.pid, err)
		}
		return n > 0
	}
}
