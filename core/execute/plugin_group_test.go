package execute

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vakt/vakt/core/check"
)

// TestPluginWrapperStartTimeout: a plugin that is a wrapper script whose
// child never answers the handshake (and holds the script's output pipes)
// fails its start at StartTimeout with the usual message, and the child
// is killed with it, rather than the start waiting as long as the child
// lives (an hour here) and the child outliving vakt.
func TestPluginWrapperStartTimeout(t *testing.T) {
	root := t.TempDir()
	plugins := filepath.Join(root, "plugins")
	childPID := filepath.Join(root, "child.pid")
	writeTestFiles(t, root, map[string]string{
		"plugins/vakt-plugin-wrapper": "#!/bin/sh\nsleep 3600 &\necho $! > " + childPID + "\nwait\n",
		"checks.hcl":                  "check \"wrapped\" {\n  plugin = \"wrapper\"\n}\n",
	})
	if err := os.Chmod(filepath.Join(plugins, "vakt-plugin-wrapper"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the child of a failing run must not outlive the test
		if b, err := os.ReadFile(childPID); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	cfg, checks := loadChecks(t, root)
	h := newTestHost(t, PluginOptions{ConfigRoots: []string{root}, StartTimeout: 2 * time.Second})

	assertPluginResult(t, runPluginCheck(t, h, cfg, checks["localhost/wrapped"]), pluginResult{
		Check: "wrapped", Host: "localhost", State: check.Unknown, ExitCode: -1,
		Output: `(Plugin "wrapper" is not available: it could not be started: timeout while waiting for plugin to start)`})

	b, err := os.ReadFile(childPID)
	if err != nil {
		t.Fatalf("the wrapper did not start its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("child pid file %q: %v", b, err)
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return // gone and reaped already
	}
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", pid, err)
	}
	defer unix.Close(fd)
	// The pidfd becomes readable when the process ends (a zombie counts).
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(pluginWait.Milliseconds()))
	if err != nil {
		t.Fatalf("poll pidfd: %v", err)
	}
	if n == 0 {
		t.Errorf("the wrapper's child %d still runs %s after the failed start", pid, pluginWait)
	}
}
