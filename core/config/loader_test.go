package config

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// writeTree writes files (path relative to dir: content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// summaries lists "severity: summary: detail" of each diagnostic.
func summaries(diags hcl.Diagnostics) []string {
	var out []string
	for _, d := range diags {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		out = append(out, sev+": "+d.Summary+": "+d.Detail)
	}
	return out
}

func checkIDs(cfg *Config) []string {
	var ids []string
	for _, c := range cfg.Checks {
		ids = append(ids, c.ID())
	}
	return ids
}

const dummy = `command = ["/usr/lib/nagios/plugins/check_dummy", "0"]`

func TestLoadWithoutPaths(t *testing.T) {
	cfg, diags := NewLoader().Load()
	if cfg != nil || strings.Join(summaries(diags), "\n") != "error: No configuration: No file or folder was given to load checks from." {
		t.Errorf("cfg %v, diags %q", cfg, summaries(diags))
	}
}

func TestLoadMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	cfg, diags := NewLoader().Load(missing)
	want := "error: Cannot read configuration: " + missing + ": no such file or directory."
	if cfg != nil || strings.Join(summaries(diags), "\n") != want {
		t.Errorf("cfg %v, diags %q, want %q", cfg, summaries(diags), want)
	}
}

func TestLoadDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"ok.hcl": `check "a" {` + dummy + `}`})
	link := filepath.Join(dir, "broken.hcl")
	if err := os.Symlink(filepath.Join(dir, "gone.hcl"), link); err != nil {
		t.Fatal(err)
	}
	cfg, diags := NewLoader().Load(dir)
	want := "error: Cannot read configuration: " + link + ": no such file or directory."
	if cfg != nil || strings.Join(summaries(diags), "\n") != want {
		t.Errorf("cfg %v, diags %q, want %q", cfg, summaries(diags), want)
	}
}

func TestLoadFolderWithoutConfiguration(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"README.md":      "not hcl {",
		".hidden.hcl":    "not hcl {",
		".git/x.hcl":     "not hcl {",
		"sub/notes.conf": "not hcl {",
	})
	cfg, diags := NewLoader().Load(dir)
	want := "warning: No configuration files: The folder " + dir + " holds no *.hcl files."
	if strings.Join(summaries(diags), "\n") != want {
		t.Fatalf("diags %q, want %q", summaries(diags), want)
	}
	if cfg == nil || len(cfg.Checks) != 0 || len(cfg.Hosts) != 0 {
		t.Errorf("cfg = %+v, want an empty Config", cfg)
	}
}

// TestLoadPaths loads folders and files together: a file named twice is
// read once, a file named directly is read whatever its extension, and all
// files share one namespace.
func TestLoadPaths(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"a/hosts.hcl":     `host "web1" {}`,
		"a/b/checks.hcl":  `check "ssh" { template = "t" }`,
		"a/templates.hcl": "template \"t\" {\n  host = \"web1\"\n  " + dummy + "\n}",
		"extra.conf":      `check "extra" {` + dummy + `}`,
	})
	cfg, diags := NewLoader().Load(filepath.Join(dir, "a"), filepath.Join(dir, "a/b/checks.hcl"), filepath.Join(dir, "extra.conf"))
	if len(diags) > 0 {
		t.Fatalf("diags %q", summaries(diags))
	}
	if got, want := strings.Join(checkIDs(cfg), " "), "web1/ssh localhost/extra"; got != want {
		t.Errorf("checks %q, want %q", got, want)
	}
}

// TestDefaultsScope: a defaults block applies to its folder and those below,
// not to sibling folders, not to parent folders, and not to a folder of
// another root.
func TestDefaultsScope(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"root/top.hcl":             `check "top" {` + dummy + `}`,
		"root/team-a/defaults.hcl": `defaults { interval = "1m" }`,
		"root/team-a/a.hcl":        `check "a" {` + dummy + `}`,
		"root/team-a/deep/d.hcl":   `check "deep" {` + dummy + `}`,
		"root/team-b/b.hcl":        `check "b" {` + dummy + `}`,
		"other/team-a/o.hcl":       `check "other" {` + dummy + `}`,
	})
	cfg, diags := NewLoader().Load(filepath.Join(dir, "root"), filepath.Join(dir, "other"))
	if len(diags) > 0 {
		t.Fatalf("diags %q", summaries(diags))
	}
	got := map[string]time.Duration{}
	for _, c := range cfg.Checks {
		got[c.Name] = c.Interval
	}
	want := map[string]time.Duration{"top": 5 * time.Minute, "a": time.Minute, "deep": time.Minute, "b": 5 * time.Minute, "other": 5 * time.Minute}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: interval %v, want %v", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("checks %v, want %v", got, want)
	}
}

// TestDefaultsOfUnloadedFiles: loading one file does not read the defaults
// block of its folder from a file that was not named.
func TestDefaultsOfUnloadedFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"defaults.hcl": `defaults { interval = "1m" }`,
		"a.hcl":        `check "a" {` + dummy + `}`,
	})
	cfg, diags := NewLoader().Load(filepath.Join(dir, "a.hcl"))
	if len(diags) > 0 || cfg.Checks[0].Interval != DefaultInterval {
		t.Errorf("diags %q, interval %v", summaries(diags), cfg.Checks[0].Interval)
	}
}

// TestErrorsInAllFiles: every file's errors are reported, sorted by file in
// load order, then by position.
func TestErrorsInAllFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"1.hcl": "check \"x\" {\n  command = [\n}\n",
		"2.hcl": "check \"y\" {\n  interval = \"1x\"\n" + dummy + "\n}\ncheck \"z\" {\n  host = \"nope\"\n" + dummy + "\n}\n",
		"3.hcl": "host \"h\" { parent = \"h\" }\n",
	})
	_, diags := newTestLoader().Load(dir)
	var got []string
	for _, d := range diags {
		got = append(got, filepath.Base(d.Subject.Filename)+":"+d.Summary)
	}
	want := "1.hcl:Invalid expression|2.hcl:Invalid duration|2.hcl:Unknown host|3.hcl:Parent cycle"
	if strings.Join(got, "|") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
}

// TestEnvironment: NewLoader reads the process environment; LookupEnv
// replaces it, and a nil LookupEnv falls back to it.
func TestEnvironment(t *testing.T) {
	t.Setenv("VAKT_CONFIG_TEST_PORT", "2222")
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.hcl": `check "ssh" { command = ["check_ssh", "-p", env("VAKT_CONFIG_TEST_PORT")] }`})
	port := func(l *Loader) string {
		t.Helper()
		cfg, diags := l.Load(dir)
		if diags.HasErrors() {
			return strings.Join(summaries(diags), "\n")
		}
		return cfg.Checks[0].Command[2]
	}
	if got := port(NewLoader()); got != "2222" {
		t.Errorf("NewLoader: %q, want 2222", got)
	}
	l := NewLoader()
	l.LookupEnv = func(key string) (string, bool) { return "22", key == "VAKT_CONFIG_TEST_PORT" }
	if got := port(l); got != "22" {
		t.Errorf("LookupEnv: %q, want 22", got)
	}
	if got := port(&Loader{}); got != "2222" {
		t.Errorf("zero Loader: %q, want 2222", got)
	}
}

// TestLoaderRemembersLastLoad: WriteDiagnostics shows the source of the
// files of the last Load only.
func TestLoaderRemembersLastLoad(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.hcl": "check \"a\" {\n  interval = \"1x\"\n" + dummy + "\n}\n", "b.hcl": `check "b" {` + dummy + `}`})
	l := NewLoader()
	_, diags := l.Load(filepath.Join(dir, "a.hcl"))
	var first strings.Builder
	_ = l.WriteDiagnostics(&first, diags)
	if !strings.Contains(first.String(), `  2 |   interval = "1x"`) {
		t.Errorf("no source line in\n%s", first.String())
	}
	if _, more := l.Load(filepath.Join(dir, "b.hcl")); len(more) > 0 {
		t.Fatalf("b.hcl: %q", summaries(more))
	}
	var second strings.Builder
	_ = l.WriteDiagnostics(&second, diags)
	if strings.Contains(second.String(), "interval") {
		t.Errorf("source of an earlier load still shown:\n%s", second.String())
	}
}

// TestImplicitLocalhost: localhost appears in Hosts only when used, by a
// check or as a parent, and a declared localhost replaces it.
func TestImplicitLocalhost(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      string // the hosts, sorted, as name=address
	}{
		{"unused", `host "web1" {}` + "\n" + "check \"a\" {\n  host = \"web1\"\n" + dummy + "\n}", "web1=web1"},
		{"check without host", `check "a" {` + dummy + `}`, "localhost=127.0.0.1"},
		{"in a hosts list", `host "web1" {}` + "\n" + "check \"a\" {\n  hosts = [\"web1\", \"localhost\"]\n" + dummy + "\n}", "localhost=127.0.0.1 web1=web1"},
		{"as a parent", `host "web1" { parent = "localhost" }`, "localhost=127.0.0.1 web1=web1"},
		{"declared", `host "localhost" { address = "::1" }` + "\n" + `check "a" {` + dummy + `}`, "localhost=::1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{"a.hcl": tc.src})
			cfg, diags := NewLoader().Load(dir)
			if len(diags) > 0 {
				t.Fatalf("diags %q", summaries(diags))
			}
			var got []string
			for _, h := range cfg.Hosts {
				got = append(got, h.Name+"="+h.Address)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != tc.want {
				t.Errorf("hosts %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

// TestSyntaxErrorInBlock: a block the parser could read only in part is
// not also reported for what it lacks.
func TestSyntaxErrorInBlock(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"a.hcl": "check \"a\" { interval = \"1m\"\n  " + dummy + "\n}\n"})
	_, diags := NewLoader().Load(dir)
	want := "error: Invalid single-argument block definition: An argument definition on the same line as its containing block creates a single-line block definition, which must also be closed on the same line. Place the block's closing brace immediately after the argument definition."
	if got := strings.Join(summaries(diags), "\n"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
