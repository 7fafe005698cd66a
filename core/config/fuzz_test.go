package config

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader as one file. It must never
// panic; every diagnostic must point into the file; and a configuration
// without errors must hold only valid checks.
func FuzzLoad(f *testing.F) {
	for _, root := range []string{"../../testdata/config", checksDir} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".hcl") {
				if src, err := os.ReadFile(path); err == nil {
					f.Add(src)
				}
			}
			return nil
		})
	}
	f.Add([]byte("check \"a\" {\n  hosts = [\"localhost\"]\n  command = [\"x\", host.tags[\"k\"]]\n}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		l := newTestLoader()
		cfg, diags := l.load([]source{{name: "fuzz.hcl", dir: "/fuzz", src: src}})
		if err := l.WriteDiagnostics(io.Discard, diags); err != nil {
			t.Fatal(err)
		}
		for _, d := range diags {
			if d.Subject == nil || d.Subject.Filename != "fuzz.hcl" {
				t.Fatalf("diagnostic %q does not point into the file: %v", d.Summary, d.Subject)
			}
		}
		if diags.HasErrors() {
			return
		}
		for name, h := range cfg.Hosts {
			if name != h.Name || h.Address == "" || h.Tags == nil {
				t.Fatalf("invalid host %+v", h)
			}
			if h.Parent != "" && cfg.Hosts[h.Parent] == nil {
				t.Fatalf("host %s has unknown parent %q", name, h.Parent)
			}
		}
		ids := map[string]bool{}
		for _, c := range cfg.Checks {
			switch {
			case ids[c.ID()]:
				t.Fatalf("duplicate check %s", c.ID())
			case cfg.Hosts[c.Host] == nil:
				t.Fatalf("check %s on unknown host", c.ID())
			case (len(c.Command) == 0) == (c.Plugin == ""):
				t.Fatalf("check %s: command %q, plugin %q", c.ID(), c.Command, c.Plugin)
			case len(c.Command) > 0 && c.Command[0] == "":
				t.Fatalf("check %s: empty program", c.ID())
			case c.Shell && len(c.Command) != 1:
				t.Fatalf("check %s: shell with %d arguments", c.ID(), len(c.Command))
			case c.Plugin != "" && c.PluginConfig == nil:
				t.Fatalf("check %s: plugin without config body", c.ID())
			case c.Interval < time.Second || c.RetryInterval < time.Second || c.Timeout < time.Second:
				t.Fatalf("check %s: durations %v %v %v", c.ID(), c.Interval, c.RetryInterval, c.Timeout)
			case c.MaxAttempts < 1 || c.OutputLimit < 1 || c.OutputLimit > MaxOutputLimit:
				t.Fatalf("check %s: max_attempts %d, output_limit %d", c.ID(), c.MaxAttempts, c.OutputLimit)
			case !c.TimeoutState.Valid() || c.Tags == nil || c.EvalContext == nil:
				t.Fatalf("check %s: %+v", c.ID(), c)
			}
			ids[c.ID()] = true
		}
	})
}
