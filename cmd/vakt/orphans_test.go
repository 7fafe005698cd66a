package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vakt/vakt/testdata/plugins-go/pidwatch"
)

// TestPluginsDieWithDaemon: a kill -9 of vakt run leaves no plugin process
// behind, and a SIGTERM to the daemon's whole process group (as Ctrl-C or
// a service manager sends) stops the plugins through vakt, not by the
// signal: they are in their own process group.
func TestPluginsDieWithDaemon(t *testing.T) {
	bin := daemonBinary(t)
	dir := newDaemonDir(t)
	writeFile(t, filepath.Join(dir.checks, "checks.hcl"), "check \"load\" {\n  plugin = \"load\"\n  interval = \"1s\"\n}\n")
	p := startDaemon(t, bin, nil, dir.args()...)
	p.waitFor(t, "the plugin check ran", func() bool { return p.runs("localhost/load") >= 1 })

	children := pluginChildren(t, p.cmd.Process.Pid)
	if len(children) != 1 {
		t.Fatalf("found %d plugin-serve children of vakt run, want 1 (the load plugin)", len(children))
	}
	plugin := pidwatch.Watch(t, children[0])
	if pgid, err := syscall.Getpgid(children[0]); err != nil || pgid == p.cmd.Process.Pid || pgid != children[0] {
		t.Errorf("plugin process group = %d (%v); want its own (%d), not vakt's (%d)", pgid, err, children[0], p.cmd.Process.Pid)
	}
	p.kill9(t)
	if !plugin.WaitExited(t, daemonWait) {
		t.Fatalf("plugin process %d still runs after vakt was killed with SIGKILL", plugin.Pid())
	}
}

// pluginChildren returns the pids of parent's child processes that serve
// a built-in plugin.
func pluginChildren(t *testing.T, parent int) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ")".
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(parent) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if strings.Contains(string(cmdline), "plugin-serve\x00") {
			pids = append(pids, pid)
		}
	}
	return pids
}
