package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/importer/nagios"
)

const importData = "../../testdata/import"

// TestImportCommands runs vakt import on the samples: exit codes, the
// summary line, --check, and a refused non-empty output folder.
func TestImportCommands(t *testing.T) {
	requirePlugins(t)
	for _, tt := range []struct {
		name    string
		args    []string
		code    int
		summary string
	}{
		{"debian nagios4", []string{"nagios", importData + "/nagios4/nagios.cfg"}, 0,
			"23 file(s), 1 hosts, 9 checks; 0 error(s), 53 note(s) in the input"},
		{"nagios constructs", []string{"nagios", importData + "/nagios/constructs/nagios.cfg"}, 0,
			"5 file(s), 4 hosts, 14 checks; 0 error(s), 18 note(s) in the input"},
		{"nagios malformed", []string{"nagios", importData + "/nagios/malformed/nagios.cfg"}, 1,
			"3 file(s), 1 hosts, 3 checks; 16 error(s), 0 note(s) in the input"},
		// Big Sister's checks become built-in plugins, whose configs are
		// validated by the plugins themselves.
		{"bigsister sample", []string{"bigsister", importData + "/bigsister/sample"}, 0,
			"3 file(s), 3 hosts, 19 checks; 0 error(s), 5 note(s) in the input"},
		{"bigsister malformed", []string{"bigsister", importData + "/bigsister/malformed/uxmon-net"}, 1,
			"2 file(s), 1 hosts, 4 checks; 14 error(s), 3 note(s) in the input"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "imported")
			code, stdout, stderr := vakt(t, append([]string{"import"}, append(tt.args, "--out", out)...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			if want := tt.summary + "; written to " + out + "\n"; !strings.HasSuffix(stdout, want) {
				t.Errorf("stdout ends %q, want %q", lastLine(stdout), want)
			}
			if code, _, stderr := vakt(t, "validate", out); code != 0 {
				t.Errorf("vakt validate of the output: exit %d\n%s", code, stderr)
			}

			// --check: the same report, nothing written.
			checkOut := filepath.Join(t.TempDir(), "not-written")
			code, stdout, stderr = vakt(t, append([]string{"import"}, append(tt.args, "--out", checkOut, "--check")...)...)
			if code != tt.code || !strings.HasSuffix(stdout, tt.summary+"; nothing written (--check)\n") {
				t.Errorf("--check: exit %d, stdout ends %q\n%s", code, lastLine(stdout), stderr)
			}
			if _, err := os.Stat(checkOut); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("--check wrote %s (%v)", checkOut, err)
			}

			// A folder with files in it is refused without --force.
			code, _, stderr = vakt(t, append([]string{"import"}, append(tt.args, "--out", out)...)...)
			if code != 3 || !strings.Contains(stderr, "is not empty; choose a new one or pass --force") {
				t.Errorf("second import into %s: exit %d, stderr %q", out, code, stderr)
			}
			if code, _, stderr = vakt(t, append([]string{"import"}, append(tt.args, "--out", out, "--force")...)...); code != tt.code {
				t.Errorf("--force: exit %d\n%s", code, stderr)
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		code, _, stderr := vakt(t, "import", "nagios", importData+"/nagios4/nagios.cfg")
		if code != 3 || !strings.Contains(stderr, "--out DIR is required (or --check to only report)") {
			t.Errorf("no --out: exit %d, stderr %q", code, stderr)
		}
		code, _, stderr = vakt(t, "import", "nagios", "/nonexistent/nagios.cfg", "--check")
		if code != 3 || !strings.Contains(stderr, "reading the main configuration file: open /nonexistent/nagios.cfg: no such file or directory") {
			t.Errorf("missing main file: exit %d, stderr %q", code, stderr)
		}
		code, _, stderr = vakt(t, "import", "bigsister", t.TempDir(), "--check")
		if code != 3 || !strings.Contains(stderr, "holds no uxmon-net file") {
			t.Errorf("empty Big Sister folder: exit %d, stderr %q", code, stderr)
		}
	})
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestImportRoundTrip imports Debian's nagios4 sample and runs it with vakt
// check, and runs every command line the way Nagios would (macros
// substituted, through /bin/sh -c) just before and just after, comparing
// the states. A check whose reference runs disagree with each other (a load
// average crossing a threshold meanwhile) is skipped and listed, as is one
// whose plugin is not on this machine.
func TestImportRoundTrip(t *testing.T) {
	requirePlugins(t)
	main := importData + "/nagios4/nagios.cfg"
	out := filepath.Join(t.TempDir(), "imported")
	if code, stdout, stderr := vakt(t, "import", "nagios", main, "--out", out); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	want, err := nagios.Commands(main)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(want))
	for id, line := range want {
		plugin := strings.Fields(line)[0]
		if _, err := os.Stat(plugin); err != nil {
			t.Logf("skipped %s: its plugin %s is not on this machine (%v)", id, plugin, err)
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if len(want) != 9 {
		t.Fatalf("Nagios has %d checks, want 9: %v", len(want), want)
	}
	before := nagiosStates(t, ids, want)
	_, stdout, stderr := vakt(t, "check", "--format", "json", out)
	after := nagiosStates(t, ids, want)
	var report struct {
		Results []struct {
			Check, Host, State, Output string
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("vakt check output: %v\n%s\n%s", err, stdout, stderr)
	}
	got := map[string]string{}
	for _, r := range report.Results {
		got[r.Host+"/"+r.Check] = r.State + " (" + r.Output + ")"
	}
	if len(got) != 9 {
		t.Fatalf("vakt ran %d checks, want 9: %v", len(got), got)
	}
	compared := 0
	for _, id := range ids {
		if before[id] != after[id] {
			t.Logf("skipped %s: Nagios' command line gave %s, then %s: the value moved across a threshold", id, before[id], after[id])
			continue
		}
		if state, _, _ := strings.Cut(got[id], " "); state != before[id] {
			t.Errorf("%s: vakt says %s; Nagios' command line %q gives %s", id, got[id], want[id], before[id])
			continue
		}
		t.Logf("%s: %s in both", id, before[id])
		compared++
	}
	if compared == 0 {
		t.Errorf("no check compared")
	}
}

// nagiosStates runs each command line as Nagios 4 would, with /bin/sh -c,
// and returns the state its exit code means.
func nagiosStates(t *testing.T, ids []string, lines map[string]string) map[string]string {
	t.Helper()
	states := []string{"OK", "WARNING", "CRITICAL", "UNKNOWN"}
	out := map[string]string{}
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := exec.CommandContext(ctx, "/bin/sh", "-c", lines[id]).Run()
		cancel()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("%s: running %q: %v", id, lines[id], err)
		}
		out[id] = "CRITICAL" // Nagios 4: any other code
		if code >= 0 && code <= 3 {
			out[id] = states[code]
		}
	}
	return out
}

// TestImportBigSisterCommands imports Big Sister command checks and runs
// them with vakt check: the result rules give the colours Big Sister would
// show.
func TestImportBigSisterCommands(t *testing.T) {
	requirePlugins(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "uxmon-net"), `DEFAULT frequency=1 ALL
localhost exec="`+pluginDir+`/check_dummy 1 'stratum 16'" item=ntp \
  results="0:green:ntp OK;stratum 16:yellow:ntp running but not synchronized;*:red:ntp FAILURE" command
localhost exec="`+pluginDir+`/check_dummy 0 synced" item=ntp-ok \
  results="0:green:ntp OK;stratum 16:yellow:ntp running but not synchronized;*:red:ntp FAILURE" command
localhost exec=/bin/false item=plain command
localhost exec=/bin/true item=plain-ok command
localhost exec="/bin/sh -c 'exit 7'" item=seven results="7:green:seven is fine;*:red" command
localhost exec=/bin/true item=negated !command
localhost exec="/bin/echo hello | /bin/grep -q hello" item=pipe command
localhost exec="/bin/sleep 5" time=1 item=slow results="timeout:yellow;*:green" command
`)
	out := filepath.Join(t.TempDir(), "imported")
	if code, stdout, stderr := vakt(t, "import", "bigsister", dir, "--out", out); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	_, stdout, stderr := vakt(t, "check", "--format", "json", out)
	var report struct {
		Results []struct{ Check, State, Output string } `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("vakt check output: %v\n%s\n%s", err, stdout, stderr)
	}
	got := map[string]string{}
	for _, r := range report.Results {
		got[r.Check] = r.State + " " + r.Output
	}
	want := map[string]string{
		"ntp":      "WARNING ntp running but not synchronized",
		"ntp-ok":   "OK ntp OK",
		"plain":    "CRITICAL (No output on stdout) stderr:",
		"plain-ok": "OK (No output on stdout) stderr:",
		"seven":    "OK seven is fine",
		"negated":  "CRITICAL (No output on stdout) stderr:",
		"pipe":     "OK (No output on stdout) stderr:",
		"slow":     "WARNING (Service check timed out after 1.00 seconds)",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("ran %d checks, want %d: %v", len(got), len(want), got)
	}
}
