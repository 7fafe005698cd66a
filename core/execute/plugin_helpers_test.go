package execute

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
)

// The plugin tests run real plugin processes: the mains of
// testdata/plugins-go, the SDK's wrongversion plugin and the vakt binary,
// built once per run of the test binary into a folder TestMain removes.

// pluginWait is how long a test waits for what takes milliseconds, so that a
// loaded CI machine does not fail it.
const pluginWait = 2 * time.Minute

// testPluginNames are the test plugin mains, built under these names.
var testPluginMains = map[string]string{
	"echo":         "./testdata/plugins-go/echo",
	"trivial":      "./testdata/plugins-go/trivial",
	"panic":        "./testdata/plugins-go/panic",
	"exit":         "./testdata/plugins-go/exit",
	"hang":         "./testdata/plugins-go/hang",
	"ignorectx":    "./testdata/plugins-go/ignorectx",
	"wrongversion": "./testdata/sdkplugins/wrongversion",
}

// builds holds what the test binary built, shared by the tests.
type builds struct {
	dir string // removed by TestMain

	pluginsOnce sync.Once
	pluginsErr  error
	vaktOnce    sync.Once
	vaktErr     error
}

var testBuilds builds

func TestMain(m *testing.M) {
	code := m.Run()
	if testBuilds.dir != "" {
		_ = os.RemoveAll(testBuilds.dir)
	}
	os.Exit(code)
}

// buildDir returns the folder builds go to, creating it on first use.
func (b *builds) buildDir() (string, error) {
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "vakt-plugin-test-")
		if err != nil {
			return "", err
		}
		b.dir = dir
	}
	return b.dir, nil
}

// goBuild runs go build from the repository's root.
func goBuild(args ...string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is needed to build the test plugins: %w", err)
	}
	cmd := exec.Command(goTool, append([]string{"build"}, args...)...)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// pluginBinary returns the path of the built test plugin name.
func pluginBinary(t testing.TB, name string) string {
	t.Helper()
	b := &testBuilds
	b.pluginsOnce.Do(func() {
		dir, err := b.buildDir()
		if err != nil {
			b.pluginsErr = err
			return
		}
		args := []string{"-o", dir + string(filepath.Separator)}
		for _, pkg := range testPluginMains {
			args = append(args, pkg)
		}
		b.pluginsErr = goBuild(args...)
	})
	if b.pluginsErr != nil {
		t.Fatalf("building the test plugins: %v", b.pluginsErr)
	}
	main, ok := testPluginMains[name]
	if !ok {
		t.Fatalf("no test plugin %q", name)
	}
	return filepath.Join(b.dir, filepath.Base(main))
}

// vaktBinary returns the path of the vakt binary, built from cmd/vakt.
func vaktBinary(t testing.TB) string {
	t.Helper()
	b := &testBuilds
	b.vaktOnce.Do(func() {
		dir, err := b.buildDir()
		if err != nil {
			b.vaktErr = err
			return
		}
		b.vaktErr = goBuild("-o", filepath.Join(dir, "vakt"), "./cmd/vakt")
	})
	if b.vaktErr != nil {
		t.Fatalf("building vakt: %v", b.vaktErr)
	}
	return filepath.Join(b.dir, "vakt")
}

// installPlugins makes dir a plugin folder holding, for each name => test
// plugin, the file vakt-plugin-<name>, a copy of the plugin's executable.
func installPlugins(t testing.TB, dir string, plugins map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, plugin := range plugins {
		copyTestFile(t, pluginBinary(t, plugin), filepath.Join(dir, PluginFilePrefix+name), 0o755)
	}
}

func copyTestFile(t testing.TB, from, to string, mode os.FileMode) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}

// writeTestFiles writes files (path relative to dir => content) under dir.
func writeTestFiles(t testing.TB, dir string, files map[string]string) {
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

// testConfig is a loaded configuration as jobs, in config order.
type testConfig struct{ Checks []Job }

// loadChecks loads the configuration under paths, failing the test on
// errors, and returns its jobs, also by check ID. A plugin check's config
// is encoded without its plugin's schema (core/definitions decodes it
// against the schema; these tests exercise the host): each attribute's
// value as JSON, which DecodeConfig decodes against the schema at the host.
func loadChecks(t testing.TB, paths ...string) (*testConfig, map[string]Job) {
	t.Helper()
	cfg, diags := config.NewLoader().Load(paths...)
	if diags.HasErrors() {
		t.Fatalf("loading %v: %v", paths, diags)
	}
	out := &testConfig{}
	byID := map[string]Job{}
	for _, c := range cfg.Checks {
		ts := c.TimeoutState
		job := Job{Kind: KindExec, Check: c.Name, Host: c.Host, Address: cfg.Hosts[c.Host].Address,
			Argv: c.Command, Shell: c.Shell, Timeout: c.Timeout, TimeoutState: &ts, OutputLimit: c.OutputLimit}
		if c.Plugin != "" {
			job.Kind, job.Plugin, job.PluginSHA256 = KindPlugin, c.Plugin, c.PluginSHA256
			job.PluginDirs = TeamPluginDirs(c.DeclRange.Filename, paths)
			job.Config = schemalessConfig(t, c)
		}
		out.Checks = append(out.Checks, job)
		byID[c.ID()] = job
	}
	return out, byID
}

// schemalessConfig encodes a check's config block as a JSON object of its
// attributes' values.
func schemalessConfig(t testing.TB, c *config.Check) []byte {
	t.Helper()
	if c.PluginConfig == nil {
		return nil
	}
	attrs, diags := c.PluginConfig.JustAttributes()
	if diags.HasErrors() {
		t.Fatalf("check %s: %v", c.ID(), diags)
	}
	if len(attrs) == 0 {
		return nil
	}
	values := map[string]json.RawMessage{}
	for name, a := range attrs {
		v, diags := a.Expr.Value(c.EvalContext)
		if diags.HasErrors() {
			t.Fatalf("check %s: %v", c.ID(), diags)
		}
		b, err := ctyjson.SimpleJSONValue{Value: v}.MarshalJSON()
		if err != nil {
			t.Fatalf("check %s: %v", c.ID(), err)
		}
		values[name] = b
	}
	b, err := json.Marshal(values)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newTestHost returns a PluginHost with opts, logging warnings and errors
// to the test's log, that is closed, and checked to close cleanly, when
// the test ends. Unless opts names some, it serves no built-in plugins.
func newTestHost(t testing.TB, opts PluginOptions) *PluginHost {
	t.Helper()
	return newTestHostLogging(t, opts, zerolog.NewTestWriter(t), zerolog.WarnLevel)
}

// runPluginCheck runs job through h with a pluginWait limit on the whole
// call.
func runPluginCheck(t testing.TB, h *PluginHost, _ *testConfig, job Job) check.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
	defer cancel()
	return h.Run(ctx, job)
}

// pluginResult is the part of a Result a test compares exactly: all of it but
// the times.
type pluginResult struct {
	Check, Host string
	State       check.State
	Output      string
	Long        string
	Perfdata    string
	Notes       []string
	ExitCode    int
	TimedOut    bool
}

func (g pluginResult) String() string {
	return fmt.Sprintf("{%s/%s %s exit=%d timedOut=%t output=%q long=%q perf=%q notes=%q}",
		g.Host, g.Check, g.State, g.ExitCode, g.TimedOut, g.Output, g.Long, g.Perfdata, g.Notes)
}

func pluginResultOf(r check.Result) pluginResult {
	var perf []string
	for _, p := range r.Perfdata {
		perf = append(perf, p.String())
	}
	return pluginResult{Check: r.Check, Host: r.Host, State: r.State, Output: r.Output, Long: r.Long,
		Perfdata: strings.Join(perf, " "), Notes: r.Notes, ExitCode: r.ExitCode, TimedOut: r.TimedOut}
}

// assertPluginResult compares a result with want, and checks its times.
func assertPluginResult(t testing.TB, got check.Result, want pluginResult) {
	t.Helper()
	if g := pluginResultOf(got); fmt.Sprint(g) != fmt.Sprint(want) {
		t.Errorf("result:\n got %v\nwant %v", g, want)
	}
	if got.Start.IsZero() || got.Duration <= 0 {
		t.Errorf("result of %s/%s: Start %v, Duration %v; want both set", got.Host, got.Check, got.Start, got.Duration)
	}
}

// runningPID returns the pid of the running process of the plugin c uses,
// or 0 when none runs.
func runningPID(h *PluginHost, c Job) int {
	if inst := h.entry(c).proc.current.Load(); inst != nil {
		return inst.pid
	}
	return 0
}

// allPIDs returns the pids of every plugin process h runs, sorted.
func allPIDs(h *PluginHost) []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	var pids []int
	for _, p := range h.procs {
		if inst := p.current.Load(); inst != nil {
			pids = append(pids, inst.pid)
		}
	}
	sort.Ints(pids)
	return pids
}

// newTestHostLogging is newTestHost with the log written to w at level;
// at info level the plugins send their info lines.
func newTestHostLogging(t testing.TB, opts PluginOptions, w io.Writer, level zerolog.Level) *PluginHost {
	t.Helper()
	opts.Log = zerolog.New(w).Level(level)
	if opts.Builtins == nil {
		opts.Builtins = []string{}
	}
	h := NewPluginHost(opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), pluginWait)
		defer cancel()
		if err := h.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

// newTestLogger logs at info level into w.
func newTestLogger(w io.Writer) zerolog.Logger { return zerolog.New(w).Level(zerolog.InfoLevel) }
