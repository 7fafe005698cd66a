package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

var update = flag.Bool("update", false, "rewrite the .golden files of testdata/config/bad")

// TestLoadBad loads each file and folder of testdata/config/bad and compares
// the rendered diagnostics with its .golden file. Run with -update to
// rewrite them, then read the diff.
func TestLoadBad(t *testing.T) {
	t.Chdir("../..") // so that paths in diagnostics are relative to the repository
	const dir = "testdata/config/bad"
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tested int
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && !strings.HasSuffix(name, ".hcl") {
			continue
		}
		tested++
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			l := newTestLoader()
			cfg, diags := l.Load(path)
			if cfg != nil {
				t.Errorf("Load returned a Config despite errors")
			}
			if !diags.HasErrors() {
				t.Fatalf("no errors")
			}
			for _, d := range diags {
				if d.Subject == nil || d.Subject.Filename == "" || d.Subject.Start.Line < 1 {
					t.Errorf("diagnostic %q has no position", d.Summary)
				}
			}
			var got bytes.Buffer
			if err := l.WriteDiagnostics(&got, diags); err != nil {
				t.Fatal(err)
			}
			golden := strings.TrimSuffix(path, ".hcl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run the test with -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("diagnostics differ from %s (run with -update and read the diff)\n--- got:\n%s\n--- want:\n%s", golden, got.String(), want)
			}
		})
	}
	if tested < 10 {
		t.Fatalf("only %d bad cases found in %s", tested, dir)
	}
}

// TestDiagnosticCounts pins how many errors and warnings some bad files
// give, so that a regenerated golden file cannot silently lose one.
func TestDiagnosticCounts(t *testing.T) {
	t.Chdir("../..")
	for _, tc := range []struct {
		path             string
		errors, warnings int
	}{
		{"testdata/config/bad/multi", 9, 0},
		{"testdata/config/bad/duplicates.hcl", 5, 0},
		{"testdata/config/bad/cycles.hcl", 4, 0},
		{"testdata/config/bad/templates.hcl", 3, 0},
		{"testdata/config/bad/apply.hcl", 6, 1},
		{"testdata/config/bad/per_host.hcl", 2, 0},
		{"testdata/config/bad/notify_references.hcl", 13, 0},
		{"testdata/config/bad/notify_values.hcl", 24, 0},
		{"testdata/config/bad/notify_duplicates.hcl", 8, 0},
		{"testdata/config/bad/notify_escalation.hcl", 7, 0},
		{"testdata/config/bad/notify_teams", 4, 0},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, diags := newTestLoader().Load(tc.path)
			var errs, warns int
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					errs++
				} else {
					warns++
				}
			}
			if errs != tc.errors || warns != tc.warnings {
				t.Errorf("%d errors and %d warnings, want %d and %d:\n%s", errs, warns, tc.errors, tc.warnings, diags.Error())
			}
		})
	}
}
