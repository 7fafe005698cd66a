package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// buildVakt builds the vakt binary: the plugin host starts it again as
// `vakt plugin-serve NAME` for the built-in plugins, and a test binary
// cannot serve them.
func buildVakt(t *testing.T) string {
	t.Helper()
	bin, err := vaktBinary()
	if err != nil {
		t.Fatalf("building vakt: %v", err)
	}
	return bin
}

func runBinary(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), out.String(), errOut.String()
	} else if err != nil {
		t.Fatalf("running %s: %v", bin, err)
	}
	return 0, out.String(), errOut.String()
}

func TestPluginsList(t *testing.T) {
	bin := buildVakt(t)
	code, stdout, stderr := runBinary(t, bin, "plugins")
	if code != 0 {
		t.Fatalf("vakt plugins exited %d\n%s", code, stderr)
	}
	for _, name := range []string{"disk", "dns", "http", "load", "memory", "ping", "procs", "tcp"} {
		if !regexp.MustCompile(`(?m)^` + name + ` \d+\.\d+\.\d+ \(built in\)$`).MatchString(stdout) {
			t.Errorf("built-in %s not listed with its version:\n%s", name, stdout)
		}
	}
	if !regexp.MustCompile(`(?m)^  url +string +optional +the URL to request`).MatchString(stdout) {
		t.Errorf("http's url attribute not listed:\n%s", stdout)
	}
}

// TestTeamPlugin builds the example third-party plugin from contrib/ into a
// team folder's plugins/ and runs a check pack that uses it, pinned by its
// sha256 and with a wrong pin.
func TestTeamPlugin(t *testing.T) {
	bin := buildVakt(t)
	dir := t.TempDir()
	team := filepath.Join(dir, "team-a")
	plugin := filepath.Join(team, "plugins", "vakt-plugin-file_age")
	build := exec.Command("go", "build", "-o", plugin, ".")
	build.Dir = "../../contrib/plugin-example"
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the example plugin: %v\n%s", err, out)
	}
	watched := filepath.Join(dir, "watched")
	writeFile(t, watched, "x")
	writeFile(t, filepath.Join(team, "checks.hcl"), `check "fresh" {
  plugin = "file_age"
  config {
    path    = "`+watched+`"
    warning = "1h"
  }
}

check "missing" {
  plugin = "file_age"
  config {
    path = "`+filepath.Join(dir, "nothing-here")+`"
  }
}
`)
	code, stdout, stderr := runBinary(t, bin, "check", dir)
	if code != 2 {
		t.Fatalf("exit %d, want 2 (the missing file is CRITICAL)\n%s\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`(?m)^fresh +localhost +OK `).MatchString(stdout) ||
		!regexp.MustCompile(`(?m)^missing +localhost +CRITICAL `).MatchString(stdout) {
		t.Errorf("unexpected results:\n%s", stdout)
	}

	code, stdout, _ = runBinary(t, bin, "plugins", dir)
	if code != 0 || !strings.Contains(stdout, "file_age ") || !strings.Contains(stdout, plugin) {
		t.Errorf("vakt plugins DIR does not list the team plugin (exit %d):\n%s", code, stdout)
	}

	// A pin that does not match the file refuses to run it.
	writeFile(t, filepath.Join(team, "checks.hcl"), `check "pinned" {
  plugin        = "file_age"
  plugin_sha256 = "`+strings.Repeat("ab", 32)+`"
  config {
    path = "`+watched+`"
  }
}
`)
	code, stdout, stderr = runBinary(t, bin, "check", dir)
	if code == 0 || !strings.Contains(stdout+stderr, "sha256") {
		t.Errorf("a wrong pin ran anyway: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestValidatePluginConfig: a wrong, missing or mistyped attribute of a
// plugin's config block is reported at its file:line.
func TestValidatePluginConfig(t *testing.T) {
	bin := buildVakt(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "web.hcl")
	writeFile(t, path, `check "web" {
  plugin = "http"
  config {
    url            = "http://127.0.0.1:1/"
    follow_redirect = 3
    time_warning   = ["1"]
  }
}

check "lookup" {
  plugin = "dns"
  config {
    type = "A"
  }
}

check "nope" {
  plugin = "no-such-plugin"
}
`)
	code, _, stderr := runBinary(t, bin, "validate", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, stderr)
	}
	for _, want := range []string{path + ":5:", "follow_redirect", path + ":6:", "time_warning", path + ":12:", `"name"`, path + ":18:", "no-such-plugin"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
