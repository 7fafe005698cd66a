package execute

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

// TestJobJSONRoundTrip: a job of either kind survives JSON intact, and a
// plugin job's config decodes against the plugin's schema to the values it
// was made from, each of its attribute's Go type.
func TestJobJSONRoundTrip(t *testing.T) {
	warning := check.Warning
	values := sdk.Values{
		"message":   "hello <web1> & \"friends\"",
		"state":     "warning",
		"threshold": 5.5,
		"verbose":   true,
		"tags":      []string{"a", "b"},
		"labels":    map[string]string{"dc": "ams", "env": "prod"},
		"interval":  90 * time.Second,
	}
	config, err := EncodeConfig(values)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		job  Job
	}{
		{"exec", Job{Kind: KindExec, Check: "disk", Host: "web1", Address: "192.0.2.1",
			Argv: []string{"/usr/lib/nagios/plugins/check_disk", "-w", "10%"}, Timeout: 30 * time.Second,
			TimeoutState: &warning, OutputLimit: 4096, Env: map[string]string{"LANG": "C"}}},
		{"shell", Job{Kind: KindExec, Check: "pipe", Host: "localhost", Argv: []string{"df -P | tail -1"}, Shell: true}},
		{"plugin", Job{Kind: KindPlugin, Check: "echo", Host: "web1", Address: "192.0.2.1", Timeout: time.Minute,
			Plugin: "echo", PluginSHA256: strings.Repeat("ab", 32), PluginDirs: []string{"/etc/vakt/checks.d/web/plugins", "/etc/vakt/checks.d/plugins"},
			Config: config}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.job)
			if err != nil {
				t.Fatal(err)
			}
			var got Job
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.job) {
				t.Errorf("after a JSON round trip:\n got %+v\nwant %+v\n(JSON %s)", got, tt.job, data)
			}
			if got.ConfigID() != tt.job.ConfigID() {
				t.Errorf("ConfigID changed: %s, want %s", got.ConfigID(), tt.job.ConfigID())
			}
		})
	}
	got, err := DecodeConfig(pluginkit.EchoSchema(), tests[2].job.Config)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, values) {
		t.Errorf("DecodeConfig:\n got %#v\nwant %#v", got, values)
	}
}

// TestDecodeConfig covers configs that do not fit the schema (a plugin that
// changed after the job was made) and defaults.
func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		name, config string
		want         sdk.Values
		err          string
	}{
		{"defaults filled in", `{"message":"x"}`, sdk.Values{"message": "x", "state": "ok", "threshold": 10.0,
			"verbose": false, "interval": 30 * time.Second}, ""},
		{"empty lists and maps stay empty", `{"message":"x","tags":[],"labels":{}}`, sdk.Values{"message": "x", "state": "ok",
			"threshold": 10.0, "verbose": false, "interval": 30 * time.Second, "tags": []string{}, "labels": map[string]string{}}, ""},
		{"missing required", ``, nil, `missing required attribute "message"`},
		{"unknown attribute", `{"message":"x","colour":"red"}`, nil, `unknown attribute "colour"`},
		{"wrong type", `{"message":"x","threshold":"many"}`, nil, `attribute "threshold": want number, got string`},
		{"list of numbers", `{"message":"x","tags":[1]}`, nil, `attribute "tags": want list(string)`},
		{"bad duration", `{"message":"x","interval":"soon"}`, nil, `invalid duration "soon"`},
		{"not JSON", `{"message":`, nil, `decoding plugin config`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeConfig(pluginkit.EchoSchema(), []byte(tt.config))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("DecodeConfig = %v, %v; want an error containing %q", got, err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeConfig = %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

// TestRunnerDispatch: the Runner runs each kind with its runner, names the
// result after the job, and says so when a kind has no runner.
func TestRunnerDispatch(t *testing.T) {
	ctx := context.Background()
	exec := NewExec(zerolog.Nop())
	r := &Runner{Exec: exec}
	res := r.Run(ctx, Job{Check: "true", Host: "web1", Argv: []string{"/bin/sh", "-c", "echo OK fine"}})
	if res.State != check.OK || res.Output != "OK fine" || res.Check != "true" || res.Host != "web1" {
		t.Errorf("exec job: %+v", res)
	}
	res = r.Run(ctx, Job{Kind: KindPlugin, Check: "tcp", Host: "web1", Plugin: "tcp"})
	if want := `(check web1/tcp uses plugin "tcp", but no plugin runner is configured)`; res.State != check.Unknown || res.Output != want || res.ExitCode != -1 {
		t.Errorf("plugin job without a plugin runner: %s %q, want UNKNOWN %q", res.State, res.Output, want)
	}
	res = r.Run(ctx, Job{Kind: "fax", Check: "x", Host: "web1"})
	if want := `(Invalid check job: unknown kind "fax")`; res.State != check.Unknown || res.Output != want {
		t.Errorf("unknown kind: %s %q, want UNKNOWN %q", res.State, res.Output, want)
	}
	// Exec refuses a plugin job handed to it directly.
	res = exec.Run(ctx, Job{Kind: KindPlugin, Check: "tcp", Host: "web1", Plugin: "tcp"})
	if want := "(Invalid check job: a plugin job is not a command)"; res.State != check.Unknown || res.Output != want {
		t.Errorf("exec of a plugin job: %s %q, want UNKNOWN %q", res.State, res.Output, want)
	}
}

// TestPluginReconfigureOnlyOnChange: a job handed over again unchanged (as
// a reload does) keeps its configured state on the plugin; a changed job
// is configured again, under a new config ID, and the old one is dropped.
func TestPluginReconfigureOnlyOnChange(t *testing.T) {
	plugins := filepath.Join(t.TempDir(), "global")
	installPlugins(t, plugins, map[string]string{"echo": "echo"})
	h := newTestHost(t, PluginOptions{Dirs: []string{plugins}})
	encode := func(v sdk.Values) []byte {
		b, err := EncodeConfig(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := Job{Kind: KindPlugin, Check: "echo", Host: "localhost", Address: "127.0.0.1", Plugin: "echo",
		Config: encode(sdk.Values{"message": "first"})}
	res := runPluginCheck(t, h, nil, first)
	if res.State != check.OK || res.Output != "first on localhost (127.0.0.1)" || !strings.HasPrefix(res.Long, "config: "+first.ConfigID()+"\n") {
		t.Fatalf("first run: %s %q %q", res.State, res.Output, res.Long)
	}
	e := h.entry(first)
	inst := e.configured.Load()
	if inst == nil {
		t.Fatal("the job is not configured after its run")
	}

	// The same job, rebuilt from scratch as a reload would.
	again := first
	again.Config = encode(sdk.Values{"message": "first"})
	if again.ConfigID() != first.ConfigID() || h.entry(again) != e {
		t.Fatalf("an identical job got another entry (config ID %s, was %s)", again.ConfigID(), first.ConfigID())
	}
	runPluginCheck(t, h, nil, again)
	if e.configured.Load() != inst {
		t.Errorf("an identical job was configured again")
	}

	changed := first
	changed.Config = encode(sdk.Values{"message": "second"})
	if changed.ConfigID() == first.ConfigID() {
		t.Fatalf("a changed config kept config ID %s", first.ConfigID())
	}
	res = runPluginCheck(t, h, nil, changed)
	if res.Output != "second on localhost (127.0.0.1)" || !strings.HasPrefix(res.Long, "config: "+changed.ConfigID()+"\n") {
		t.Errorf("changed job: %q %q", res.Output, res.Long)
	}
	h.checksMu.RLock()
	_, oldKept := h.checks[first.ConfigID()]
	n := len(h.checks)
	h.checksMu.RUnlock()
	if oldKept || n != 1 {
		t.Errorf("after the change the host keeps %d entries (old one kept: %v), want only the new one", n, oldKept)
	}
	if pids := allPIDs(h); len(pids) != 1 {
		t.Errorf("plugin processes %v, want one: a changed config needs no new process", pids)
	}
}

// TestExecuteDependencies: core/execute runs jobs that are plain data; it
// depends on neither HCL, nor the configuration, nor the built-in plugins
// (cmd/vakt hands their names in).
func TestExecuteDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !contains(deps, "github.com/vakt/vakt/plugins/sdk") {
		t.Fatalf("go list -deps printed %d packages without plugins/sdk: %q", len(deps), out)
	}
	for _, dep := range deps {
		switch {
		case strings.HasPrefix(dep, "github.com/hashicorp/hcl"),
			dep == "github.com/vakt/vakt/core/config",
			dep == "github.com/vakt/vakt/core/definitions",
			strings.HasPrefix(dep, "github.com/vakt/vakt/plugins/") &&
				!strings.HasPrefix(dep, "github.com/vakt/vakt/plugins/sdk") && !strings.HasPrefix(dep, "github.com/vakt/vakt/plugins/proto/"):
			t.Errorf("core/execute depends on %s", dep)
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
