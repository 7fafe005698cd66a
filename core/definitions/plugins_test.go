package definitions_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
)

// pluginWait bounds what takes milliseconds, for a loaded CI machine.
const pluginWait = 2 * time.Minute

// The test plugins, built once per run of the test binary.
var builds struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builds.dir != "" {
		_ = os.RemoveAll(builds.dir)
	}
	os.Exit(code)
}

// installPlugins builds the echo and wrongversion test plugins (once) and
// copies them into dir as vakt-plugin-echo and vakt-plugin-wrongversion.
func installPlugins(t testing.TB, dir string) {
	t.Helper()
	builds.once.Do(func() {
		builds.dir, builds.err = os.MkdirTemp("", "vakt-definitions-test-")
		if builds.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", builds.dir+string(filepath.Separator),
			"./testdata/plugins-go/echo", "./testdata/sdkplugins/wrongversion")
		cmd.Dir = filepath.Join("..", "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			builds.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if builds.err != nil {
		t.Fatalf("building the test plugins: %v", builds.err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"echo", "wrongversion"} {
		data, err := os.ReadFile(filepath.Join(builds.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, execute.PluginFilePrefix+name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

func newHost(t testing.TB, opts execute.PluginOptions) *execute.PluginHost {
	t.Helper()
	opts.Log = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	h := execute.NewPluginHost(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

func sha256Of(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// renderDiagnostics writes each diagnostic as "file:line:col: summary:
// detail", with dir cut from file names.
func renderDiagnostics(diags hcl.Diagnostics, dir string) []string {
	var out []string
	for _, d := range diags {
		where := "?"
		if d.Subject != nil {
			name, _ := filepath.Rel(dir, d.Subject.Filename)
			where = fmt.Sprintf("%s:%d:%d", name, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		out = append(out, fmt.Sprintf("%s: %s: %s", where, d.Summary, d.Detail))
	}
	return out
}

const validateChecks = `template "echo" {
  plugin = "echo"
  config {
    message = "from ${host.name}"
    colour  = "red"
  }
}
host "a" {}
host "b" {}
check "templated" {
  hosts    = ["a", "b"]
  template = "echo"
}
check "good" {
  plugin = "echo"
  config {
    message = "fine"
    tags    = ["x"]
  }
}
check "types" {
  plugin = "echo"
  config {
    message   = "x"
    threshold = "many"
    verbose   = "maybe"
    labels    = "env=prod"
    interval  = 30
  }
}
check "missing" {
  plugin = "echo"
  config {
    state = "ok"
  }
}
check "rejected" {
  plugin = "echo"
  config {
    message = "reject"
    state   = "purple"
  }
}
check "unknown" {
  plugin = "ecko"
}
check "old" {
  plugin = "wrongversion"
}
check "pinned-wrong" {
  plugin        = "echo"
  plugin_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
  config {
    message = "x"
  }
}
check "pinned-right" {
  plugin        = "echo"
  plugin_sha256 = "PIN"
  config {
    message = "x"
  }
}
check "command" {
  command = ["/bin/true"]
}
`

// TestLoadPlugins validates plugin checks against the echo plugin's schema
// and its Configure: each problem is reported once, at its file:line:column.
// Then the checks that validated run through the host with the config
// decoded at load, without another Configure, in the processes Load
// started.
func TestLoadPlugins(t *testing.T) {
	root := t.TempDir()
	plugins := filepath.Join(t.TempDir(), "global")
	installPlugins(t, plugins)
	echo := filepath.Join(plugins, "vakt-plugin-echo")
	digest := sha256Of(t, echo)
	if err := os.WriteFile(filepath.Join(root, "checks.hcl"), []byte(strings.Replace(validateChecks, "PIN", digest, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHost(t, execute.PluginOptions{Dirs: []string{plugins}, ConfigRoots: []string{root}})
	ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
	defer cancel()

	res := definitions.Load(ctx, definitions.Options{Paths: []string{root}, Plugins: h})
	if res.Set != nil {
		t.Errorf("a Set despite errors")
	}
	got := renderDiagnostics(res.Diagnostics, root)
	want := []string{
		`checks.hcl:5:5: Unsupported plugin attribute: Plugin "echo" has no attribute "colour"; it accepts interval, labels, message, state, tags, threshold and verbose.`,
		`checks.hcl:25:17: Invalid value: threshold must be a number, not "many".`,
		`checks.hcl:26:17: Invalid value: verbose must be true or false, not a string.`,
		`checks.hcl:27:17: Invalid value: labels must be a map of strings, like { role = "web" }, not a string.`,
		`checks.hcl:28:17: Invalid duration: interval needs a unit: write a string like "30s", "5m", "1h30m" or "1d" (a bare number is ambiguous; Nagios counts minutes).`,
		`checks.hcl:33:10: Missing required plugin attribute: Plugin "echo" requires "message" (string: what to print); set it in its config block.`,
		`checks.hcl:40:15: Plugin rejected the config: Plugin "echo": attribute "message": the word "reject" is refused.`,
		`checks.hcl:41:15: Plugin rejected the config: Plugin "echo": attribute "state": unknown state "purple": want ok, warning, critical or unknown.`,
		`checks.hcl:45:12: Unknown plugin: No plugin "ecko": no file vakt-plugin-ecko is found (it is not in ` +
			filepath.Join(root, "plugins") + ", " + plugins + `) and there are no built-in plugins.`,
		`checks.hcl:48:12: Plugin not available: Plugin "wrongversion" (` + filepath.Join(plugins, "vakt-plugin-wrongversion") +
			`) is not available: it could not be started: incompatible API version with plugin. Plugin version: 2, Client versions: [1].`,
		`checks.hcl:52:19: Plugin checksum mismatch: The executable of plugin "echo" is not the pinned one: ` + echo + ` has SHA-256 ` + digest +
			`, but plugin_sha256 pins 0000000000000000000000000000000000000000000000000000000000000000. Check the file, then pin its new digest (sha256sum prints it) if it is trusted.`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("diagnostics:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if !strings.Contains(res.Text, "checks.hcl:25:17: error: Invalid value\n  25 |     threshold = \"many\"\n     |                 ^^^^^^\n") {
		t.Errorf("Text does not show the source line of the threshold error:\n%s", res.Text)
	}
}

// TestPluginJobFromLoad: a plugin check's config block, with variables,
// host attributes and values of every type, reaches the plugin decoded at
// load against its schema, and runs through the host.
func TestPluginJobFromLoad(t *testing.T) {
	root := t.TempDir()
	plugins := filepath.Join(t.TempDir(), "global")
	installPlugins(t, plugins)
	writeFile(t, filepath.Join(root, "checks.hcl"), `
variable "word" {
  default = "hello"
}
host "web1" {
  address = "192.0.2.10"
}
check "greet" {
  host   = "web1"
  plugin = "echo"
  timeout = "20s"
  config {
    message   = "${var.word} ${host.name}"
    state     = "warning"
    threshold = "5"
    tags      = ["a", "b"]
    labels    = { env = "prod", dc = "ams" }
    interval  = "1m"
  }
}
`)
	h := newHost(t, execute.PluginOptions{Dirs: []string{plugins}})
	ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
	defer cancel()
	res := definitions.Load(ctx, definitions.Options{Paths: []string{root}, Plugins: h})
	if res.Set == nil {
		t.Fatalf("Load:\n%s", res.Text)
	}
	d, ok := res.Set.Lookup("web1/greet")
	if !ok {
		t.Fatal("no web1/greet")
	}
	wantConfig := `{"interval":"1m0s","labels":{"dc":"ams","env":"prod"},"message":"hello web1","state":"warning","tags":["a","b"],"threshold":5,"verbose":false}`
	if d.Job.Kind != execute.KindPlugin || d.Job.Plugin != "echo" || string(d.Job.Config) != wantConfig ||
		d.Job.Address != "192.0.2.10" || d.Job.Timeout != 20*time.Second ||
		!reflect.DeepEqual(d.Job.PluginDirs, []string{filepath.Join(root, "plugins")}) {
		t.Errorf("job = %+v (config %s)\nwant the echo plugin job with config %s", d.Job, d.Job.Config, wantConfig)
	}
	got := h.Run(ctx, d.Job)
	wantLong := "config: " + d.Job.ConfigID() + "\nthreshold: 5\nverbose: false\ntags: a,b\nlabels: dc=ams,env=prod\ninterval: 1m0s\ntimeout: 20s"
	if got.State != check.Warning || got.Output != "hello web1 on web1 (192.0.2.10)" || got.Long != wantLong {
		t.Errorf("run: %s %q %q\nwant WARNING %q %q", got.State, got.Output, got.Long, "hello web1 on web1 (192.0.2.10)", wantLong)
	}
}
