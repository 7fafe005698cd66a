package config

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// checksDir is the shipped check pack, relative to this package.
const checksDir = "../../checks.d"

// TestChecksDirectoryLoads loads the shipped checks.d as `vakt check
// checks.d` does, and each of its files on its own, and wants no
// diagnostics at all, not even warnings. Every example file must yield at
// least one check, except defaults.hcl and notifications.hcl, which show
// blocks that declare none.
func TestChecksDirectoryLoads(t *testing.T) {
	l := NewLoader()
	cfg, diags := l.Load(checksDir)
	if len(diags) > 0 {
		var b strings.Builder
		_ = l.WriteDiagnostics(&b, diags)
		t.Fatalf("checks.d:\n%s", b.String())
	}
	perFile := map[string]int{}
	for _, c := range cfg.Checks {
		perFile[c.DeclRange.Filename]++
	}

	var files []string
	err := filepath.WalkDir(checksDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".hcl") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var examples int
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, checksDir+"/"), func(t *testing.T) {
			l := NewLoader()
			if _, diags := l.Load(f); len(diags) > 0 {
				var b strings.Builder
				_ = l.WriteDiagnostics(&b, diags)
				t.Errorf("on its own:\n%s", b.String())
			}
			if !strings.Contains(f, "/examples/") || filepath.Base(f) == "defaults.hcl" || filepath.Base(f) == "notifications.hcl" {
				return
			}
			examples++
			if perFile[f] == 0 {
				t.Errorf("yields no check")
			}
		})
	}
	if examples < 8 {
		t.Errorf("%d example files with checks in %s/examples, want one per feature (at least 8)", examples, checksDir)
	}
}
