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

// maxSeed is the largest file FuzzLoad takes as a seed. The fuzzer
// minimises every input that finds new coverage, at a cost that grows with
// its length: with the larger files of testdata/config as seeds, both
// workers spent the whole -fuzztime minimising and ran about 60 inputs in
// 30 s. Small seeds, and the snippets below for what the larger files
// show, keep it at thousands.
const maxSeed = 256

// fuzzSeeds are small inputs that reach each part of the language.
var fuzzSeeds = []string{
	"check \"a\" {\n  command = [\"x\", \"-w\", \"1\"]\n}\n",
	"host \"h\" {\n  address = \"192.0.2.1\"\n  tags = { role = \"web\" }\n  parent = \"r\"\n}\nhost \"r\" {}\n",
	"check \"p\" {\n  plugin = \"tcp\"\n  config {\n    port = 22\n  }\n}\n",
	"template \"t\" {\n  interval = \"1m\"\n  tags = { a = \"b\" }\n}\ncheck \"c\" {\n  template = \"t\"\n  command = [\"x\"]\n}\n",
	"defaults {\n  timeout = \"10s\"\n  max_attempts = 2\n}\n",
	"variable \"v\" {\n  default = env(\"X\", \"1\")\n}\ncheck \"c\" {\n  command = [\"x\", var.v, host.address]\n}\n",
	"check \"s\" {\n  shell = true\n  command = \"x | y\"\n  timeout_state = \"unknown\"\n  unknown_as = \"warning\"\n}\n",
	"check \"o\" {\n  command = [\"x\"]\n  output_limit = 1024\n  retry_interval = \"30s\"\n}\n",
	"check \"h\" {\n  host_tags = { role = \"web\" }\n  command = [\"x\", \"${host.name}\"]\n}\n",
	"check \"a\" {\n  hosts = [\"localhost\"]\n  command = [\"x\", host.tags[\"k\"]]\n}\n",
}

// FuzzLoad feeds arbitrary bytes to the loader as one file. It must never
// panic; every diagnostic must point into the file; and a configuration
// without errors must hold only valid checks.
func FuzzLoad(f *testing.F) {
	for _, root := range []string{"../../testdata/config", checksDir} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(path, ".hcl") {
				if src, err := os.ReadFile(path); err == nil && len(src) <= maxSeed {
					f.Add(src)
				}
			}
			return nil
		})
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
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
