package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestPluginDirFlag: --plugin-dir is repeatable and comma-separated the
// same way in check, validate, plugins and run.
func TestPluginDirFlag(t *testing.T) {
	args := []string{"--plugin-dir", "/a,/b", "--plugin-dir", " /c ", "--plugin-dir", "/d,,"}
	want := []string{"/a", "/b", "/c", "/d"}
	var g globals
	tests := []struct {
		name string
		cmd  *cobra.Command
	}{
		{"check", newCheckCmd(&g)},
		{"validate", newValidateCmd(&g)},
		{"plugins", newPluginsCmd(&g)},
		{"run", newRunCmd(&g)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cmd.ParseFlags(args); err != nil {
				t.Fatal(err)
			}
			got, err := tc.cmd.Flags().GetStringSlice("plugin-dir")
			if err != nil {
				t.Fatal(err)
			}
			if got := pluginDirList(got); !slices.Equal(got, want) {
				t.Errorf("--plugin-dir %q = %q, want %q", args, got, want)
			}
		})
	}
	// run resolves it through its settings.
	s, err := resolveSettings(t, args...)
	if err != nil || !slices.Equal(s.PluginDirs, want) {
		t.Errorf("vakt run plugin_dirs = %q (%v), want %q", s.PluginDirs, err, want)
	}
}

func TestValidateNoChecks(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "hosts.hcl"), "host \"web1\" {}\n")
	tests := []struct {
		name, path, stderr string
	}{
		{"no files", t.TempDir(), "warning: No configuration files\n  The folder DIR holds no *.hcl files.\nno checks found in DIR\n"},
		{"hosts only", dir, "no checks found in DIR\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := vakt(t, "validate", tc.path)
			want := strings.ReplaceAll(tc.stderr, "DIR", tc.path)
			if code != 3 || stdout != "" || stderr != want {
				t.Errorf("vakt validate: exit %d, stdout %q, stderr %q; want 3, \"\", %q", code, stdout, stderr, want)
			}
			// vakt check agrees.
			if code, _, _ := vakt(t, "check", tc.path); code != 3 {
				t.Errorf("vakt check: exit %d, want 3", code)
			}
		})
	}
}

func TestPluginsMissingFolder(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nonexistent")
	tests := []struct {
		name string
		args []string
	}{
		{"argument", []string{"plugins", missing}},
		{"plugin dir", []string{"plugins", "--plugin-dir", missing}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := vakt(t, tc.args...)
			want := "vakt plugins: stat " + missing + ": no such file or directory\n"
			if code != 1 || stdout != "" || stderr != want {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1, \"\", %q", code, stdout, stderr, want)
			}
		})
	}
}

// TestParentWithoutHostAlive: a host whose parent has no host_alive check
// is a warning with the host's file:line; validate still exits 0.
func TestParentWithoutHostAlive(t *testing.T) {
	requirePlugins(t)
	hosts := "host \"router\" {\n  address = \"127.0.0.1\"\n}\n\nhost \"web\" {\n  address = \"127.0.0.1\"\n  parent  = \"router\"\n}\n"
	alive := func(tags string) string {
		return fmt.Sprintf("check \"alive\" {\n  hosts   = [\"router\", \"web\"]\n%s  command = [\"%s/check_dummy\", \"0\"]\n}\n", tags, pluginDir)
	}
	tests := []struct {
		name, checks, stderr string
	}{
		{"no host_alive", alive(""), `FILE:5:1: warning: Parent without a host_alive check
  5 | host "web" {
    | ^^^^^^^^^^
  Host "web" has parent "router", which has no check tagged host_alive = "true": the parent has no effect on the checks of "web". Tag the check that says "router" is reachable (a ping) with tags = { host_alive = "true" }.
`},
		{"host_alive", alive("  tags    = { host_alive = \"true\" }\n"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pack.hcl")
			writeFile(t, path, hosts+tc.checks)
			code, stdout, stderr := vakt(t, "validate", path)
			want := strings.ReplaceAll(tc.stderr, "FILE", path)
			if code != 0 || stdout != "ok: 2 hosts, 2 checks\n" || stderr != want {
				t.Errorf("vakt validate: exit %d, stdout %q, stderr:\n%s\nwant 0 and stderr:\n%s", code, stdout, stderr, want)
			}
		})
	}
}

// TestShippedPackValidates: the shipped checks.d loads without a warning.
func TestShippedPackValidates(t *testing.T) {
	code, stdout, stderr := vakt(t, "validate", "../../checks.d")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "ok: ") {
		t.Errorf("vakt validate checks.d: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
}

// TestShippedChecksBareMachine: a plain `vakt check checks.d` on a machine
// with no sshd, nothing on 8484 and none of the VAKT_LOCAL_* variables
// set: every shipped check is OK (the tcp and http examples take a refused
// connection as OK unless told what to watch).
func TestShippedChecksBareMachine(t *testing.T) {
	requirePlugins(t)
	if conn, err := net.DialTimeout("tcp", "127.0.0.1:8484", time.Second); err == nil {
		conn.Close()
		t.Skip("skipped: something listens on 127.0.0.1:8484 (a vakt run?), so this machine is not bare")
	}
	for _, name := range []string{"VAKT_LOCAL_TCP_PORT", "VAKT_LOCAL_HTTP_URL"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	code, stdout, stderr := vakt(t, "check", "--format", "junit", "../../checks.d")
	if code != 0 {
		t.Fatalf("vakt check checks.d exited %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	suite := parseJUnit(t, stdout)
	if len(suite.Cases) < 20 {
		t.Fatalf("%d checks ran, want the whole pack", len(suite.Cases))
	}
	for _, c := range suite.Cases {
		if c.Failure != nil {
			t.Errorf("%s/%s is not OK: %s", c.Class, c.Name, c.Failure.Message)
		}
	}
	if stderr != "" {
		t.Errorf("stderr: %s", stderr)
	}
}

// TestValidateBinaryFile: a 5 MB binary file is one error, a few lines.
func TestValidateBinaryFile(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 5))
	blob := make([]byte, 5<<20)
	for i := range blob {
		blob[i] = byte(r.Uint32())
	}
	path := filepath.Join(dir, "blob.hcl")
	if err := os.WriteFile(path, blob, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := vakt(t, "validate", dir)
	want := fmt.Sprintf("%s:1:1: error: Not a text file\n  %s is not a text file (a NUL byte at offset %d); it was not read. Check files are UTF-8 HCL text.\n1 error(s) found\n",
		path, path, bytes.IndexByte(blob, 0))
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("vakt validate: exit %d, stdout %q, stderr (%d bytes):\n%s\nwant 1 and (%d bytes):\n%s", code, stdout, len(stderr), stderr, len(want), want)
	}
}
