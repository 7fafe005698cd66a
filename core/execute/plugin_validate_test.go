package execute

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/builtin"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

func sha256Of(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// TestPluginDiscovery checks where plugins are found: a team's plugins
// folder serves the checks in its folder and below, before the global
// folders, and nobody else's; malformed plugin files give clear errors.
func TestPluginDiscovery(t *testing.T) {
	root := t.TempDir()
	global := filepath.Join(t.TempDir(), "global")
	installPlugins(t, global, map[string]string{"echo": "echo", "trivial": "trivial"})
	// Team db's "echo" is the trivial plugin; "dbonly" exists for db only.
	installPlugins(t, filepath.Join(root, "teams", "db", "plugins"), map[string]string{"echo": "trivial", "dbonly": "trivial"})
	writeTestFiles(t, global, map[string]string{
		"vakt-plugin-noexec":          "#!/bin/sh\n",
		"vakt-plugin-isdir/README":    "a folder, not a plugin\n",
		"vakt-plugin-notaplugin":      "#!/bin/sh\necho hello\n",
		"vakt-plugin-dies":            "#!/bin/sh\necho 'cannot read /etc/dies.conf' >&2\nexit 3\n",
		"vakt-plugin-silent":          "#!/bin/sh\nexec sleep 3600\n",
		"README":                      "not a plugin\n",
		"teams/db/plugins/misplaced":  "",
		"vakt-plugin-":                "#!/bin/sh\n",
		"plugins/vakt-plugin-notseen": "#!/bin/sh\n",
	})
	for _, name := range []string{"vakt-plugin-notaplugin", "vakt-plugin-dies", "vakt-plugin-silent"} {
		if err := os.Chmod(filepath.Join(global, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFiles(t, root, map[string]string{
		"teams/db/checks.hcl":           "check \"db-echo\" {\n  plugin = \"echo\"\n}\n",
		"teams/db/replica/replica.hcl":  "check \"replica\" {\n  plugin = \"dbonly\"\n}\n",
		"teams/web/checks.hcl":          "check \"web-echo\" {\n  plugin = \"echo\"\n  config {\n    message = \"web\"\n  }\n}\ncheck \"web-dbonly\" {\n  plugin = \"dbonly\"\n}\n",
		"malformed.hcl":                 "check \"noexec\" {\n  plugin = \"noexec\"\n}\ncheck \"isdir\" {\n  plugin = \"isdir\"\n}\ncheck \"notaplugin\" {\n  plugin = \"notaplugin\"\n}\ncheck \"dies\" {\n  plugin = \"dies\"\n}\ncheck \"silent\" {\n  plugin = \"silent\"\n}\n",
		"teams/db/plugins/notes.hcl.md": "not a check file\n",
	})
	cfg, checks := loadChecks(t, root)
	h := newTestHost(t, PluginOptions{Dirs: []string{global}, ConfigRoots: []string{root}, StartTimeout: 5 * time.Second})

	dbPlugins := filepath.Join(root, "teams", "db", "plugins")
	notFound := func(name string, dirs ...string) string {
		return `(No plugin "` + name + `": no file vakt-plugin-` + name + ` is found (it is not in ` + strings.Join(dirs, ", ") +
			`) and there are no built-in plugins)`
	}
	tests := []struct {
		id   string
		want pluginResult
	}{
		{"localhost/db-echo", pluginResult{Check: "db-echo", Host: "localhost", State: check.OK, Output: "ok"}},
		{"localhost/replica", pluginResult{Check: "replica", Host: "localhost", State: check.OK, Output: "ok"}},
		{"localhost/web-echo", pluginResult{Check: "web-echo", Host: "localhost", State: check.OK, Output: "web on localhost (127.0.0.1)",
			Long:     "config: " + checks["localhost/web-echo"].ConfigID() + "\nthreshold: 10\nverbose: false\ntags: \nlabels: \ninterval: 30s\ntimeout: 1m0s",
			Perfdata: "threshold=10"}},
		{"localhost/web-dbonly", pluginResult{Check: "web-dbonly", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: notFound("dbonly", filepath.Join(root, "teams", "web", "plugins"), filepath.Join(root, "teams", "plugins"),
				filepath.Join(root, "plugins"), global)}},
		{"localhost/noexec", pluginResult{Check: "noexec", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "noexec": ` + filepath.Join(global, "vakt-plugin-noexec") + ` is not executable (chmod +x it))`}},
		{"localhost/isdir", pluginResult{Check: "isdir", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: notFound("isdir", filepath.Join(root, "plugins"), global)}},
		{"localhost/dies", pluginResult{Check: "dies", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "dies" is not available: it could not be started: the plugin exited before its handshake, with exit status 3 (its stderr: cannot read /etc/dies.conf))`}},
		{"localhost/silent", pluginResult{Check: "silent", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "silent" is not available: it could not be started: timeout while waiting for plugin to start)`}},
	}
	for _, c := range cfg.Checks {
		h.entry(c) // config ids numbered in file order
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			assertPluginResult(t, runPluginCheck(t, h, cfg, checks[tt.id]), tt.want)
		})
	}
	t.Run("localhost/notaplugin", func(t *testing.T) {
		res := runPluginCheck(t, h, cfg, checks["localhost/notaplugin"])
		assertPluginResult(t, res, pluginResult{Check: "notaplugin", Host: "localhost", State: check.Unknown, ExitCode: -1,
			Output: `(Plugin "notaplugin" is not available: it could not be started: Unrecognized remote plugin message: hello)`})
	})
	if got, want := h.entry(checks["localhost/db-echo"]).proc.ref.path, filepath.Join(dbPlugins, "vakt-plugin-echo"); got != want {
		t.Errorf("db-echo runs %s, want %s", got, want)
	}
}

// TestPluginBuiltins runs built-in plugins the way vakt does, by starting
// the vakt executable as `vakt plugin-serve NAME`.
func TestPluginBuiltins(t *testing.T) {
	root := t.TempDir()
	writeTestFiles(t, root, map[string]string{"checks.hcl": `
check "self" {
  plugin = "selfecho"
  config {
    message = "built in"
  }
}
check "missing" {
  plugin = "nosuch"
}
`})
	cfg, checks := loadChecks(t, root)

	t.Run("served by the executable given as SelfExe", func(t *testing.T) {
		// The echo plugin stands in for vakt: it serves whatever its
		// arguments say.
		echo := pluginBinary(t, "echo")
		h := newTestHost(t, PluginOptions{SelfExe: echo, Builtins: []string{"selfecho"}})
		res := runPluginCheck(t, h, cfg, checks["localhost/self"])
		if res.State != check.OK || res.Output != "built in on localhost (127.0.0.1)" {
			t.Fatalf("got %s %q", res.State, res.Output)
		}
		inst := h.entry(checks["localhost/self"]).proc.current.Load()
		if want := []string{echo, "plugin-serve", "selfecho"}; !reflect.DeepEqual(inst.cmd.Args, want) {
			t.Errorf("built-in started as %q, want %q", inst.cmd.Args, want)
		}
	})

	t.Run("vakt plugin-serve", func(t *testing.T) {
		vakt := vaktBinary(t)
		names := builtin.Names()
		h := newTestHost(t, PluginOptions{SelfExe: vakt, Builtins: append([]string{"nosuch"}, names...)})
		res := runPluginCheck(t, h, cfg, checks["localhost/missing"])
		want := `(Plugin "nosuch" is not available: it could not be started: the plugin exited before its handshake, with exit status 3 (its stderr: vakt: no built-in plugin "nosuch": the built-ins are`
		if res.State != check.Unknown || !strings.HasPrefix(res.Output, want) {
			t.Fatalf("got %s %q, want UNKNOWN starting %q", res.State, res.Output, want)
		}
		// Every real built-in starts and describes itself.
		ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
		defer cancel()
		listed := map[string]PluginListing{}
		for _, l := range h.List(ctx) {
			listed[l.Name] = l
		}
		for _, name := range names {
			l := listed[name]
			if l.Err != nil || !l.Builtin || l.Path != vakt || l.Info.Name == "" || l.SHA256 != sha256Of(t, vakt) {
				t.Errorf("built-in %s listed as %+v", name, l)
			}
		}
	})
}

// TestPluginList lists the plugins of team folders, global folders and
// built-ins, each started and described.
func TestPluginList(t *testing.T) {
	root := t.TempDir()
	global := filepath.Join(t.TempDir(), "global")
	installPlugins(t, global, map[string]string{"echo": "echo", "trivial": "trivial", "old": "wrongversion"})
	installPlugins(t, filepath.Join(root, "team", "plugins"), map[string]string{"dbcheck": "echo"})
	writeTestFiles(t, root, map[string]string{".hidden/plugins/vakt-plugin-hidden": "", "team/checks.hcl": ""})
	writeTestFiles(t, global, map[string]string{"README": "not a plugin\n"})
	trivial := pluginBinary(t, "trivial")
	h := newTestHost(t, PluginOptions{Dirs: []string{global, filepath.Join(t.TempDir(), "absent")}, ConfigRoots: []string{root},
		SelfExe: trivial, Builtins: []string{"builtin-trivial"}})
	ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
	defer cancel()

	echoInfo, _ := pluginkit.Echo{}.Info(ctx)
	trivialInfo, _ := pluginkit.Trivial{}.Info(ctx)
	echoInfo.Schema[6].Default = 30 * time.Second // as the SDK sends it: normalized
	path := func(dir, name string) string { return filepath.Join(dir, PluginFilePrefix+name) }
	want := []PluginListing{
		{Name: "dbcheck", Path: path(filepath.Join(root, "team", "plugins"), "dbcheck"), Info: echoInfo},
		{Name: "echo", Path: path(global, "echo"), Info: echoInfo},
		{Name: "old", Path: path(global, "old"), Err: nil},
		{Name: "trivial", Path: path(global, "trivial"), Info: trivialInfo},
		{Name: "builtin-trivial", Builtin: true, Path: trivial, Info: trivialInfo},
	}
	got := h.List(ctx)
	if len(got) != len(want) {
		t.Fatalf("listed %d plugins, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		want[i].SHA256 = sha256Of(t, want[i].Path)
		g, w := got[i], want[i]
		if w.Name == "old" {
			wantErr := "it could not be started: incompatible API version with plugin. Plugin version: 2, Client versions: [1]"
			if g.Err == nil || g.Err.Error() != wantErr {
				t.Errorf("old: error %v, want %q", g.Err, wantErr)
			}
			g.Err = nil
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("listing %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// TestBackoffAfter checks the restart backoff: doubling, capped.
func TestBackoffAfter(t *testing.T) {
	h := NewPluginHost(PluginOptions{RestartBackoff: time.Second, MaxRestartBackoff: time.Minute, Builtins: []string{}})
	tests := []struct {
		failures int
		want     time.Duration
	}{
		{1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second}, {6, 32 * time.Second},
		{7, time.Minute}, {100, time.Minute}, {1 << 30, time.Minute},
	}
	for _, tt := range tests {
		if got := h.backoffAfter(tt.failures); got != tt.want {
			t.Errorf("backoffAfter(%d) = %s, want %s", tt.failures, got, tt.want)
		}
	}
	if got := NewPluginHost(PluginOptions{Builtins: []string{}}).backoffAfter(1); got != DefaultRestartBackoff {
		t.Errorf("default backoff %s, want %s", got, DefaultRestartBackoff)
	}
}

// TestStderrTailSummary checks which line of a dead plugin's stderr
// explains its death.
func TestStderrTailSummary(t *testing.T) {
	tests := []struct {
		name, stderr, want string
	}{
		{"nothing", "", ""},
		{"a panic, after log lines", `{"@level":"info","@message":"x"}` + "\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n", "panic: boom"},
		{"a fatal error", "fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 [chan receive]:\n", "fatal error: all goroutines are asleep - deadlock!"},
		{"the last plain line", "first\nsecond\n" + `{"@level":"info"}` + "\n\n", "second"},
		{"only JSON", `{"@level":"info"}` + "\n", ""},
		{"cut long and invalid lines", strings.Repeat("é", 200) + "\xff\n", strings.Repeat("é", 150) + "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tail stderrTail
			// Written in pieces, as go-plugin does (a line, then "\n").
			for _, piece := range strings.SplitAfter(tt.stderr, "\n") {
				_, _ = tail.Write([]byte(piece))
			}
			if got := tail.summary(); got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("keeps the end", func(t *testing.T) {
		var tail stderrTail
		_, _ = tail.Write([]byte("panic: early\n" + strings.Repeat("x", stderrTailSize) + "\nlast words\n"))
		if got := tail.summary(); got != "last words" || len(tail.buf) != stderrTailSize {
			t.Errorf("summary %q with %d bytes kept, want \"last words\" with %d", got, len(tail.buf), stderrTailSize)
		}
	})
}

var _ sdk.Checker = pluginkit.Echo{}

// TestTeamDirs checks which team plugin folders a check's file has.
func TestTeamDirs(t *testing.T) {
	root := t.TempDir()
	other := t.TempDir()
	file := filepath.Join(root, "teams", "db", "checks.hcl")
	tests := []struct {
		name  string
		roots []string
		file  string
		want  []string
	}{
		{"up to the root holding the file", []string{other, root}, file,
			[]string{filepath.Join(root, "teams", "db", "plugins"), filepath.Join(root, "teams", "plugins"), filepath.Join(root, "plugins")}},
		{"a file at the root", []string{root}, filepath.Join(root, "checks.hcl"), []string{filepath.Join(root, "plugins")}},
		{"the root is the file itself", []string{file}, file, []string{filepath.Join(root, "teams", "db", "plugins")}},
		{"no root holds the file", []string{other}, file, []string{filepath.Join(root, "teams", "db", "plugins")}},
		{"no roots", nil, file, []string{filepath.Join(root, "teams", "db", "plugins")}},
		{"a sibling of the root with its name as prefix", []string{filepath.Join(root, "tea")}, file,
			[]string{filepath.Join(root, "teams", "db", "plugins")}},
		{"no file", []string{root}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TeamPluginDirs(tt.file, tt.roots); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TeamPluginDirs(%q):\n got %q\nwant %q", tt.file, got, tt.want)
			}
		})
	}
}
