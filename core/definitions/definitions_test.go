package definitions_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
)

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// load loads root without a plugin host, failing the test on errors.
func load(t testing.TB, root string) definitions.Result {
	t.Helper()
	res := definitions.Load(context.Background(), definitions.Options{Paths: []string{root}})
	if res.Set == nil {
		t.Fatalf("Load:\n%s", res.Text)
	}
	return res
}

// TestLoad covers what a definition holds: ID, job, schedule entry, state
// settings with resolved parents, tags, team and source.
func TestLoad(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "hosts.hcl"), `
host "router1" {
  address = "192.0.2.1"
}
host "web1" {
  address = "192.0.2.10"
  parent  = "router1"
  tags    = { role = "web" }
}
host "web2" {
  parent = "router1"
  tags   = { role = "web" }
}
host "db1" {
  parent = "web1"
}
check "router-ping" {
  host    = "router1"
  command = ["/usr/lib/nagios/plugins/check_ping", "-H", host.address]
  tags    = { host_alive = "true" }
}
`)
	writeFile(t, filepath.Join(root, "web", "checks.hcl"), `
check "http" {
  host_tags      = { role = "web" }
  command        = ["/usr/lib/nagios/plugins/check_http", "-H", host.address]
  interval       = "2m"
  retry_interval = "30s"
  max_attempts   = 5
  timeout        = "10s"
  timeout_state  = "unknown"
  unknown_as     = "warning"
  output_limit   = 4096
  tags           = { team = "web" }
}
check "pipe" {
  host    = "web1"
  shell   = true
  command = "df -P | tail -1"
  tags    = { team = "web" }
}
`)
	res := load(t, root)
	set := res.Set
	if set.Len() != 4 || set.Hosts() != 4 {
		t.Fatalf("%d checks on %d hosts, want 4 on 4", set.Len(), set.Hosts())
	}
	var ids []string
	for _, d := range set.Checks() {
		ids = append(ids, d.ID)
	}
	if want := []string{"router1/router-ping", "web1/http", "web2/http", "web1/pipe"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("checks in order %v, want %v", ids, want)
	}

	unknown := check.Unknown
	critical := check.Critical
	http, _ := set.Lookup("web1/http")
	want := definitions.Definition{
		ID: "web1/http", Host: "web1", Name: "http",
		Job: execute.Job{Kind: execute.KindExec, Check: "http", Host: "web1", Address: "192.0.2.10",
			Argv:    []string{"/usr/lib/nagios/plugins/check_http", "-H", "192.0.2.10"},
			Timeout: 10 * time.Second, TimeoutState: &unknown, OutputLimit: 4096},
		Schedule: schedule.Entry{ID: "web1/http", Interval: 2 * time.Minute, RetryInterval: 30 * time.Second},
		State:    state.Settings{MaxAttempts: 5, UnknownAs: check.LevelWarning, Parents: []string{"router1/router-ping"}},
		Tags:     map[string]string{"team": "web"},
		Team:     "web",
		Source:   http.Source,
	}
	if !reflect.DeepEqual(*http, want) {
		t.Errorf("web1/http:\n got %+v\nwant %+v", *http, want)
	}
	if http.Source.File != filepath.Join(root, "web", "checks.hcl") || http.Source.Line != 2 {
		t.Errorf("Source = %s, want web/checks.hcl line 2", http.Source)
	}
	ping, _ := set.Lookup("router1/router-ping")
	if !ping.HostAlive || ping.Team != "" || ping.State.Parents != nil || *ping.Job.TimeoutState != critical ||
		ping.Schedule.Interval != 5*time.Minute || ping.State.MaxAttempts != 3 || ping.State.UnknownAs != check.LevelError {
		t.Errorf("router1/router-ping = %+v; want host_alive, no team, no parents, the built-in defaults", *ping)
	}
	pipe, _ := set.Lookup("web1/pipe")
	if !pipe.Job.Shell || !reflect.DeepEqual(pipe.Job.Argv, []string{"df -P | tail -1"}) {
		t.Errorf("web1/pipe job = %+v, want the shell command", pipe.Job)
	}
	// Equal tag maps are one map.
	web2, _ := set.Lookup("web2/http")
	if reflect.ValueOf(web2.Tags).UnsafePointer() != reflect.ValueOf(pipe.Tags).UnsafePointer() {
		t.Errorf("equal tags are not shared")
	}
	if web2.Job.Address != "web2" {
		t.Errorf("web2's address = %q, want its name", web2.Job.Address)
	}

	// Hosts and parents.
	if h, ok := set.Host("web1"); !ok || h.Address != "192.0.2.10" || h.Parent != "router1" || h.Tags["role"] != "web" {
		t.Errorf("Host(web1) = %+v, %v", h, ok)
	}
	if got := set.ParentsOf("web2"); !reflect.DeepEqual(got, []string{"router1/router-ping"}) {
		t.Errorf("ParentsOf(web2) = %v", got)
	}
	if got := set.ParentsOf("router1"); got != nil {
		t.Errorf("ParentsOf(router1) = %v, want none", got)
	}
	// A parent without a host_alive check is a warning at the host's
	// file:line, in the diagnostics every command prints.
	var warned []string
	for _, d := range res.Diagnostics {
		if d.Severity == hcl.DiagWarning && d.Subject != nil {
			warned = append(warned, fmt.Sprintf("%s:%d %s", filepath.Base(d.Subject.Filename), d.Subject.Start.Line, d.Summary))
		}
	}
	if len(warned) != 1 || !strings.HasSuffix(warned[0], " Parent without a host_alive check") || res.Set == nil {
		t.Errorf("warnings = %q, want one \"Parent without a host_alive check\" at db1's block", warned)
	}
	wantPassive := state.Settings{MaxAttempts: 1, UnknownAs: check.LevelError, TTL: time.Hour, Parents: []string{"router1/router-ping"}}
	if got := set.PassiveSettings("web1/agent", time.Hour); !reflect.DeepEqual(got, wantPassive) {
		t.Errorf("PassiveSettings = %+v, want %+v", got, wantPassive)
	}
	if got := set.PassiveSettings("unknownhost/agent", 0); got.Parents != nil || got.MaxAttempts != 1 {
		t.Errorf("PassiveSettings of an unknown host = %+v", got)
	}

	// The settings are what the state machine accepts.
	if _, err := state.New(time.Now(), set.Settings(), nil); err != nil {
		t.Errorf("state.New refuses the settings: %v", err)
	}
	if entries := set.Entries(); len(entries) != 4 || entries[1] != http.Schedule {
		t.Errorf("Entries = %+v", entries)
	}
	if jobs := set.Jobs(); len(jobs) != 4 || !reflect.DeepEqual(jobs[1], http.Job) {
		t.Errorf("Jobs = %+v", jobs)
	}
}

// TestLoadErrors: what the loader refuses and what only the load path
// refuses (an interval beyond what the scheduler takes) are diagnostics
// alike, at file:line:col with the source line, and give no Set.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, src string
		text      string
	}{
		{"interval beyond the scheduler", `check "yearly" {
  command  = ["/bin/true"]
  interval = "400d"
}
`, `checks.hcl:1:1: error: Interval too long
  1 | check "yearly" {
    | ^^^^^^^^^^^^^^
  Check localhost/yearly: interval (9600h0m0s) and retry_interval (1m0s) may be at most 8784h0m0s.
`},
		{"retry interval beyond the scheduler", `check "r" {
  command        = ["/bin/true"]
  retry_interval = "367d"
}
`, `checks.hcl:1:1: error: Interval too long
  1 | check "r" {
    | ^^^^^^^^^
  Check localhost/r: interval (5m0s) and retry_interval (8808h0m0s) may be at most 8784h0m0s.
`},
		{"bad duration", `check "x" {
  command  = ["/bin/true"]
  interval = "5x"
}
`, `checks.hcl:3:14: error: Invalid duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, filepath.Join(root, "checks.hcl"), tt.src)
			res := definitions.Load(context.Background(), definitions.Options{Paths: []string{root}})
			if res.Set != nil || res.Errors() != 1 {
				t.Errorf("Set %v with %d errors; want no Set and one error", res.Set, res.Errors())
			}
			text := strings.ReplaceAll(res.Text, root+string(filepath.Separator), "")
			if !strings.HasPrefix(text, tt.text) {
				t.Errorf("Text:\n%s\nwant it to start with\n%s", text, tt.text)
			}
			for _, d := range res.Diagnostics {
				if d.Expression != nil || d.EvalContext != nil {
					t.Errorf("a diagnostic keeps an expression or evaluation context: %v", d)
				}
			}
		})
	}
}

// TestLoadTeams: the team is the first folder below the root, "" at the
// top, also when the root is given as a file.
func TestLoadTeams(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "top.hcl"), `check "top" { command = ["/bin/true"] }`)
	writeFile(t, filepath.Join(root, "db", "pg", "deep.hcl"), `check "deep" { command = ["/bin/true"] }`)
	set := load(t, root).Set
	for id, want := range map[string]string{"localhost/top": "", "localhost/deep": "db"} {
		if d, ok := set.Lookup(id); !ok || d.Team != want {
			t.Errorf("%s: team %q, want %q", id, d.Team, want)
		}
	}
	res := definitions.Load(context.Background(), definitions.Options{Paths: []string{filepath.Join(root, "db", "pg", "deep.hcl")}})
	if d, ok := res.Set.Lookup("localhost/deep"); !ok || d.Team != "" {
		t.Errorf("a file given as root: team %q, want none", d.Team)
	}
}

// TestLoadPluginChecksWithoutHost: without a SchemaSource, plugin checks
// are neither validated nor decoded: their job names the plugin and its
// team folders, with no config.
func TestLoadPluginChecksWithoutHost(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "team", "checks.hcl"), `
check "web" {
  plugin = "http"
  config {
    url = "http://127.0.0.1/"
  }
}
`)
	d, _ := load(t, root).Set.Lookup("localhost/web")
	want := []string{filepath.Join(root, "team", "plugins"), filepath.Join(root, "plugins")}
	if d.Job.Kind != execute.KindPlugin || d.Job.Plugin != "http" || d.Job.Config != nil || !reflect.DeepEqual(d.Job.PluginDirs, want) {
		t.Errorf("job = %+v, want the http plugin with team folders %q and no config", d.Job, want)
	}
}
