package procs

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// helperEnv makes the test binary a helper process instead of running the
// tests: it runs until its stdin is closed, so that tests can count real
// processes with the names and arguments they choose.
const helperEnv = "VAKT_PROCS_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startHelpers starts n helper processes from the executable path (the test
// binary or a link to it, whose name becomes their comm), each with the
// command line "vakt-procs-helper ARGS...". They are stopped when the
// test ends; stop stops them earlier. exec.Cmd.Start returns once the
// program runs, so they are in /proc with their name and arguments when
// startHelpers returns.
func startHelpers(t *testing.T, path string, n int, args ...string) (stop func()) {
	t.Helper()
	var cmds []*exec.Cmd
	var stdins []io.Closer
	for i := 0; i < n; i++ {
		cmd := &exec.Cmd{Path: path, Args: append([]string{"vakt-procs-helper"}, args...), Env: append(os.Environ(), helperEnv+"=1")}
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting a helper process: %v", err)
		}
		cmds, stdins = append(cmds, cmd), append(stdins, stdin)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		for i, cmd := range cmds {
			_ = stdins[i].Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("helper process %d: %v", cmd.Process.Pid, err)
			}
		}
	}
	t.Cleanup(stop)
	return stop
}

func TestCheckFixtures(t *testing.T) {
	tests := []struct {
		name    string
		procDir string
		selfPID int
		values  sdk.Values
		state   check.State
		output  string
		long    string
		perf    string
	}{
		{"every process, zombies and exited ones not counted", "testdata/basic", 0, sdk.Values{"all": true, "critical": "1:"},
			check.OK, "PROCS OK - 9 processes", "", "procs=9;;1:;0"},
		{"by name", "testdata/basic", 0, sdk.Values{"name": "sshd", "warning": "1:1", "critical": "1:"},
			check.Warning, `PROCS WARNING - 2 processes with name "sshd"`, "process count 2 is WARNING (range 1:1)", "procs=2;1:1;1:;0"},
		{"by name and user name", "testdata/basic", 0, sdk.Values{"name": "sshd", "user": "root", "warning": "1:1"},
			check.OK, `PROCS OK - 1 process with name "sshd", user root`, "", "procs=1;1:1;;0"},
		{"by uid", "testdata/basic", 0, sdk.Values{"user": "1000"},
			check.OK, "PROCS OK - 3 processes with user 1000", "", "procs=3;;;0"},
		{"by command line", "testdata/basic", 0, sdk.Values{"cmdline_regexp": `^/opt/my prog/bin/my prog --config /etc/my\.conf$`},
			check.OK, `PROCS OK - 1 process with command line matching "^/opt/my prog/bin/my prog --config /etc/my\\.conf$"`, "", "procs=1;;;0"},
		{"a kernel thread's command line is its name in brackets", "testdata/basic", 0, sdk.Values{"cmdline_regexp": `^\[kworker/`},
			check.OK, `PROCS OK - 1 process with command line matching "^\\[kworker/"`, "", "procs=1;;;0"},
		{"every readable command line", "testdata/basic", 0, sdk.Values{"cmdline_regexp": "."},
			check.OK, `PROCS OK - 8 processes with command line matching "."`, "", "procs=8;;;0"},
		{"a name with parentheses", "testdata/basic", 0, sdk.Values{"name": "(sd-pam)"},
			check.OK, `PROCS OK - 1 process with name "(sd-pam)"`, "", "procs=1;;;0"},
		{"a name with a space", "testdata/basic", 0, sdk.Values{"name": "my prog"},
			check.OK, `PROCS OK - 1 process with name "my prog"`, "", "procs=1;;;0"},
		{"a name longer than comm", "testdata/basic", 0, sdk.Values{"name": "longprocessname-daemon"},
			check.OK, `PROCS OK - 1 process with name "longprocessname-daemon"`, "", "procs=1;;;0"},
		{"a name and a user that do not go together", "testdata/basic", 0, sdk.Values{"name": "python3", "user": "0", "critical": "1:"},
			check.Critical, `PROCS CRITICAL - 0 processes with name "python3", user 0`, "process count 0 is CRITICAL (range 1:)", "procs=0;;1:;0"},
		{"the plugin's own process is not counted", "testdata/basic", 800, sdk.Values{"cmdline_regexp": "vakt-helper"},
			check.OK, `PROCS OK - 0 processes with command line matching "vakt-helper"`, "", "procs=0;;;0"},
		{"an @ range alerts inside", "testdata/basic", 0, sdk.Values{"name": "sshd", "critical": "@2:5"},
			check.Critical, `PROCS CRITICAL - 2 processes with name "sshd"`, "process count 2 is CRITICAL (range @2:5)", "procs=2;;@2:5;0"},
		{"malformed stat", "testdata/bad-stat", 0, sdk.Values{"all": true},
			check.Unknown, `PROCS UNKNOWN - reading testdata/bad-stat/2/stat: "garbage without a name" does not start with "PID (name) STATE"`, "", ""},
		{"stat without a state", "testdata/short-stat", 0, sdk.Values{"all": true},
			check.Unknown, `PROCS UNKNOWN - reading testdata/short-stat/1/stat: "1 (init)" does not start with "PID (name) STATE"`, "", ""},
		{"a Uid line without effective uid", "testdata/bad-status", 0, sdk.Values{"user": "0"},
			check.Unknown, `PROCS UNKNOWN - reading testdata/bad-status/1/status: Uid line "Uid:\t0" has no effective uid`, "", ""},
		{"a uid that is no number", "testdata/bad-uid", 0, sdk.Values{"user": "0"},
			check.Unknown, `PROCS UNKNOWN - reading testdata/bad-uid/1/status: effective uid "zero" is not a number`, "", ""},
		{"no Uid line", "testdata/no-uid", 0, sdk.Values{"user": "0"},
			check.Unknown, "PROCS UNKNOWN - reading testdata/no-uid/1/status: no Uid line", "", ""},
		{"status is not read without a user", "testdata/no-uid", 0, sdk.Values{"name": "init"},
			check.OK, `PROCS OK - 1 process with name "init"`, "", "procs=1;;;0"},
		{"no /proc", "testdata/missing", 0, sdk.Values{"all": true},
			check.Unknown, "PROCS UNKNOWN - listing processes: open testdata/missing: no such file or directory", "", ""},
		{"an unknown user", "testdata/basic", 0, sdk.Values{"user": "no-such-user-vakt"},
			check.Unknown, `PROCS UNKNOWN - looking up user "no-such-user-vakt": user: unknown user no-such-user-vakt`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sdktest.ServeCheck(t, &Plugin{procDir: tt.procDir, selfPID: tt.selfPID})
			got := plugintest.Run(t, c, "procs", tt.values)
			plugintest.WantResult(t, got, tt.state, tt.output, tt.long, tt.perf)
		})
	}
}

func TestConfigureRejects(t *testing.T) {
	c := sdktest.ServeCheck(t, New())
	plugintest.WantRejections(t, c, []plugintest.Rejection{
		{Name: "nothing to count", Values: sdk.Values{"critical": "1:"},
			Want: sdk.ConfigErrors{{Message: "choose the processes to count: set name, cmdline_regexp or user, or all = true to count every process"}}},
		{Name: "all = false and nothing else", Values: sdk.Values{"all": false},
			Want: sdk.ConfigErrors{{Message: "choose the processes to count: set name, cmdline_regexp or user, or all = true to count every process"}}},
		{Name: "empty name", Values: sdk.Values{"name": ""},
			Want: sdk.ConfigErrors{{Attribute: "name", Message: `attribute "name": empty; give the program's name, e.g. "sshd"`}}},
		{Name: "empty regexp and user", Values: sdk.Values{"cmdline_regexp": "", "user": ""},
			Want: sdk.ConfigErrors{
				{Attribute: "cmdline_regexp", Message: `attribute "cmdline_regexp": empty; give a regular expression the command line must match`},
				{Attribute: "user", Message: `attribute "user": empty; give a user name or a uid`},
			}},
		{Name: "bad regexp", Values: sdk.Values{"cmdline_regexp": "nginx: (master"},
			Want: sdk.ConfigErrors{{Attribute: "cmdline_regexp", Message: "attribute \"cmdline_regexp\": error parsing regexp: missing closing ): `nginx: (master`"}}},
		{Name: "all with a name", Values: sdk.Values{"all": true, "name": "sshd"},
			Want: sdk.ConfigErrors{{Attribute: "all", Message: `attribute "all": all = true counts every process; it cannot be combined with name, cmdline_regexp or user`}}},
		{Name: "bad ranges", Values: sdk.Values{"name": "sshd", "warning": "1:x", "critical": "5:1"},
			Want: sdk.ConfigErrors{
				{Attribute: "critical", Message: `attribute "critical": parsing range "5:1": start 5 is greater than end 1`},
				{Attribute: "warning", Message: `attribute "warning": parsing range "1:x": end: "x" is not a number`},
			}},
		{Name: "unknown attribute", Values: sdk.Values{"name": "sshd", "command": "sshd"},
			Want: sdk.ConfigErrors{{Attribute: "command", Message: `unknown attribute "command"; this plugin accepts all, cmdline_regexp, critical, name, user, warning`}}},
		{Name: "wrong type", Values: sdk.Values{"user": 0},
			Want: sdk.ConfigErrors{{Attribute: "user", Message: `attribute "user": want string, got number`}}},
	})
}

// TestCheckRealProcesses counts processes this test starts, in the real
// /proc, by argument, by name and by user.
func TestCheckRealProcesses(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("vakt-procs-test-%d", os.Getpid())
	markerRE := regexp.QuoteMeta(marker) + "$"
	// A link to the test binary, so that the helpers started through it
	// have a name of their own (comm is the name of the file executed).
	name := fmt.Sprintf("vpt%d", os.Getpid())
	link := filepath.Join(t.TempDir(), name)
	if err := os.Symlink(exe, link); err != nil {
		t.Fatal(err)
	}
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	otherUID := "65534"
	if me.Uid == otherUID {
		otherUID = "0"
	}

	c := sdktest.ServeCheck(t, New())
	stop := startHelpers(t, exe, 3, "--serve", marker)
	startHelpers(t, link, 2, "--named")

	tests := []struct {
		name   string
		values sdk.Values
		state  check.State
		output string
		perf   string
	}{
		{"by argument", sdk.Values{"cmdline_regexp": markerRE, "critical": "3:3"},
			check.OK, fmt.Sprintf("PROCS OK - 3 processes with command line matching %q", markerRE), "procs=3;;3:3;0"},
		{"by name", sdk.Values{"name": name, "critical": "1:"},
			check.OK, fmt.Sprintf("PROCS OK - 2 processes with name %q", name), "procs=2;;1:;0"},
		{"by uid and argument", sdk.Values{"user": me.Uid, "cmdline_regexp": markerRE},
			check.OK, fmt.Sprintf("PROCS OK - 3 processes with command line matching %q, user %s", markerRE, me.Uid), "procs=3;;;0"},
		{"by user name and name", sdk.Values{"user": me.Username, "name": name},
			check.OK, fmt.Sprintf("PROCS OK - 2 processes with name %q, user %s", name, me.Username), "procs=2;;;0"},
		{"another user runs none", sdk.Values{"user": otherUID, "cmdline_regexp": markerRE, "critical": "1:"},
			check.Critical, fmt.Sprintf("PROCS CRITICAL - 0 processes with command line matching %q, user %s", markerRE, otherUID), "procs=0;;1:;0"},
		{"the plugin does not count itself", sdk.Values{"cmdline_regexp": "^" + regexp.QuoteMeta(os.Args[0]) + "( |$)"},
			check.OK, fmt.Sprintf("PROCS OK - 0 processes with command line matching %q", "^"+regexp.QuoteMeta(os.Args[0])+"( |$)"), "procs=0;;;0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plugintest.Run(t, c, "procs", tt.values)
			if got.State != tt.state || got.Output != tt.output {
				t.Errorf("got %v %q long %q\nwant %v %q", got.State, got.Output, got.Long, tt.state, tt.output)
			}
			if perf := check.FormatPerfdata(got.Perfdata); perf != tt.perf {
				t.Errorf("perfdata %s, want %s", perf, tt.perf)
			}
		})
	}

	t.Run("every process", func(t *testing.T) {
		got := plugintest.Run(t, c, "procs", sdk.Values{"all": true, "critical": "6:"})
		if got.State != check.OK || len(got.Perfdata) != 1 || got.Perfdata[0].Value < 6 {
			t.Fatalf("got %v %q %s; want OK and at least the 5 helpers and PID 1", got.State, got.Output, check.FormatPerfdata(got.Perfdata))
		}
		if want := "PROCS OK - " + strconv.Itoa(int(got.Perfdata[0].Value)) + " processes"; got.Output != want {
			t.Fatalf("output %q, want %q", got.Output, want)
		}
	})

	t.Run("gone once stopped", func(t *testing.T) {
		stop()
		got := plugintest.Run(t, c, "procs", sdk.Values{"cmdline_regexp": markerRE, "critical": "1:"})
		want := fmt.Sprintf("PROCS CRITICAL - 0 processes with command line matching %q", markerRE)
		if got.State != check.Critical || got.Output != want || got.Long != "process count 0 is CRITICAL (range 1:)" {
			t.Fatalf("got %v %q long %q, want CRITICAL %q", got.State, got.Output, got.Long, want)
		}
	})
}
