package bigsister

import (
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/importer"
)

var update = flag.Bool("update", false, "rewrite the golden folders of testdata/import")

const testdata = "../../../testdata/import/bigsister"

// TestConvertGolden converts each sample and compares the HCL files and the
// problems with its golden folder, then loads the golden folder as vakt's
// loader does (the plugin configs are validated by cmd/vakt's import test).
func TestConvertGolden(t *testing.T) {
	for _, tt := range []struct {
		name, in, golden string
		errors, checks   int
	}{
		{"sample", "sample", "sample.golden", 0, 19},
		{"malformed", "malformed/uxmon-net", "malformed.golden", 14, 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Convert(filepath.Join(testdata, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(testdata, tt.golden)
			if err := importer.CompareGolden(res, golden, *update); err != nil {
				t.Fatal(err)
			}
			if got := res.Errors(); got != tt.errors {
				var b strings.Builder
				_ = res.WriteProblems(&b)
				t.Errorf("%d errors, want %d:\n%s", got, tt.errors, b.String())
			}
			cfg, diags := config.NewLoader().Load(golden)
			if diags.HasErrors() {
				t.Fatalf("the output does not load: %s", diags.Error())
			}
			if len(cfg.Checks) != tt.checks {
				t.Errorf("%d checks, want %d", len(cfg.Checks), tt.checks)
			}
		})
	}
}

// TestCommandResults asserts the result rules that Big Sister's results=
// becomes, through vakt's loader.
func TestCommandResults(t *testing.T) {
	res, err := Convert(filepath.Join(testdata, "sample"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := res.WriteFiles(dir); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.NewLoader().Load(dir)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	rules := map[string][]string{}
	timeouts := map[string]string{}
	for _, c := range cfg.Checks {
		if c.Command == nil {
			continue
		}
		var list []string
		for _, r := range c.Results {
			s := "*"
			if r.ExitCode != nil {
				s = "exit " + string(rune('0'+*r.ExitCode))
			}
			if r.Output != "" {
				s = "/" + r.Output + "/"
			}
			list = append(list, s+" "+r.State.String()+" "+r.Text)
		}
		rules[c.ID()] = list
		timeouts[c.ID()] = c.Timeout.String() + " " + c.TimeoutState.String()
	}
	for id, want := range map[string][]string{
		"localhost/ntp": {"exit 0 OK ntp OK", "/stratum 16/ WARNING ntp running but not synchronized", "* CRITICAL ntp FAILURE"},
		// without results=: exit 0 is green, anything else red.
		"localhost/plain": {"exit 0 OK ", "* CRITICAL "},
		// !command swaps green and red.
		"localhost/nologin": {"exit 0 CRITICAL ", "* OK "},
		// !tcp and !procs run the Nagios plugin under negate: no rules.
		"localhost/telnet":        nil,
		"localhost/procs telnetd": nil,
	} {
		if got := rules[id]; !slices.Equal(got, want) {
			t.Errorf("%s: rules %q, want %q", id, got, want)
		}
	}
	if got := timeouts["localhost/ntp"]; got != "10s CRITICAL" {
		t.Errorf("ntp timeout %q, want 10s CRITICAL (time=10, timeout:red)", got)
	}
	if got := timeouts["localhost/plain"]; got != "5s CRITICAL" {
		t.Errorf("plain timeout %q, want Big Sister's default 5s", got)
	}
}
