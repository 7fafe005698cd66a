package config

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/vakt/vakt/core/check"
)

// testEnv is the environment the tests give env(): VAKT_TEST_TOKEN is set,
// nothing else is.
func testEnv(key string) (string, bool) {
	if key == "VAKT_TEST_TOKEN" {
		return "s3cret", true
	}
	return "", false
}

func newTestLoader() *Loader {
	l := NewLoader()
	l.LookupEnv = testEnv
	return l
}

// gotHost and gotCheck are the comparable parts of Host and Check.
type gotHost struct {
	Name, Address string
	Tags          map[string]string
	Parent        string
	Decl          string
}

type gotCheck struct {
	ID      string
	Command []string
	Shell   bool
	Plugin  string
	// Config is the plugin's config block evaluated with the check's
	// EvalContext, values as strings; nil for a command check.
	Config                           map[string]string
	Interval, RetryInterval, Timeout time.Duration
	MaxAttempts                      int
	TimeoutState                     check.State
	UnknownAs                        check.Level
	OutputLimit                      int
	Tags                             map[string]string
	Decl                             string
}

func decl(rng hcl.Range) string {
	if rng.Filename == "" {
		return ""
	}
	return position(rng)
}

func flattenHosts(t *testing.T, hosts map[string]*Host) []gotHost {
	t.Helper()
	var out []gotHost
	for name, h := range hosts {
		if name != h.Name {
			t.Errorf("Hosts[%q] holds host %q", name, h.Name)
		}
		out = append(out, gotHost{h.Name, h.Address, h.Tags, h.Parent, decl(h.DeclRange)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func flattenCheck(t *testing.T, c *Check) gotCheck {
	t.Helper()
	g := gotCheck{
		ID: c.ID(), Command: c.Command, Shell: c.Shell, Plugin: c.Plugin,
		Interval: c.Interval, RetryInterval: c.RetryInterval, Timeout: c.Timeout,
		MaxAttempts: c.MaxAttempts, TimeoutState: c.TimeoutState, UnknownAs: c.UnknownAs,
		OutputLimit: c.OutputLimit, Tags: c.Tags, Decl: decl(c.DeclRange),
	}
	if c.EvalContext == nil {
		t.Errorf("%s: no EvalContext", c.ID())
	}
	if c.Plugin == "" {
		if c.PluginConfig != nil {
			t.Errorf("%s: a command check has a PluginConfig", c.ID())
		}
		return g
	}
	attrs, diags := c.PluginConfig.JustAttributes()
	if diags.HasErrors() {
		t.Fatalf("%s: config: %s", c.ID(), diags.Error())
	}
	g.Config = map[string]string{}
	for name, a := range attrs {
		v, diags := a.Expr.Value(c.EvalContext)
		if diags.HasErrors() {
			t.Fatalf("%s: config %s: %s", c.ID(), name, diags.Error())
		}
		s, err := convert.Convert(v, cty.String)
		if err != nil {
			t.Fatalf("%s: config %s: %v", c.ID(), name, err)
		}
		g.Config[name] = s.AsString()
	}
	return g
}

// want returns a check with every built-in default.
func want(id, decl string) gotCheck {
	return gotCheck{
		ID: id, Interval: 5 * time.Minute, RetryInterval: time.Minute, Timeout: time.Minute,
		MaxAttempts: 3, TimeoutState: check.Critical, UnknownAs: check.LevelError,
		OutputLimit: 65536, Tags: map[string]string{}, Decl: decl,
	}
}

func implicitLocalhost() gotHost {
	return gotHost{Name: "localhost", Address: "127.0.0.1", Tags: map[string]string{}}
}

func commandCheck(id, decl string, argv ...string) gotCheck {
	c := want(id, decl)
	c.Command = argv
	return c
}

type goodCase struct {
	path   string
	hosts  []gotHost // sorted by name
	checks []gotCheck
}

func goodCases() []goodCase {
	const dir = "testdata/config/good/"
	const plugins = "/usr/lib/nagios/plugins/"
	var cases []goodCase

	{
		f := dir + "hosts.hcl"
		ping := func(host, addr string) gotCheck {
			return commandCheck(host+"/ping", f+":19:1", plugins+"check_ping", "-H", addr, "-w", "100,20%", "-c", "500,60%")
		}
		cases = append(cases, goodCase{f,
			[]gotHost{
				{"db1.example.com", "db1.example.com", map[string]string{"role": "db", "tier": "2"}, "switch1", f + ":14:1"},
				{"router1", "192.0.2.1", map[string]string{}, "", f + ":5:1"},
				{"switch1", "switch1", map[string]string{"rack": "a1"}, "router1", f + ":9:1"},
			},
			[]gotCheck{ping("router1", "192.0.2.1"), ping("switch1", "switch1"), ping("db1.example.com", "db1.example.com")},
		})
	}
	{
		f := dir + "checks.hcl"
		disk := commandCheck("localhost/disk-root", f+":8:1", plugins+"check_disk", "-w", "10%", "-c", "5%", "-p", "/")
		disk.Interval, disk.RetryInterval, disk.MaxAttempts, disk.Timeout = 10*time.Minute, 2*time.Minute, 5, 30*time.Second
		disk.TimeoutState, disk.UnknownAs, disk.OutputLimit = check.Unknown, check.LevelWarning, 4096
		disk.Tags = map[string]string{"kind": "disk", "mount": "/"}
		vr := commandCheck("localhost/Disk usage /var", f+":23:1", plugins+"check_disk", "-w", "10%", "-c", "5%", "-p", "/var")
		vr.TimeoutState, vr.UnknownAs = check.OK, check.LevelOK
		cases = append(cases, goodCase{f,
			[]gotHost{implicitLocalhost()},
			[]gotCheck{
				commandCheck("localhost/load", f+":4:1", plugins+"check_load", "-w", "5,4,3", "-c", "10,8,6"),
				disk, vr,
			},
		})
	}
	{
		f := dir + "shell.hcl"
		c := commandCheck("localhost/tmp-files", f+":3:1",
			"test $(ls /tmp | wc -l) -lt 10000 && echo 'OK - few files' || { echo 'WARNING - many files'; exit 1; }")
		c.Shell = true
		cases = append(cases, goodCase{f, []gotHost{implicitLocalhost()}, []gotCheck{c}})
	}
	{
		f := dir + "localhost.hcl"
		ssh := commandCheck("localhost/ssh", f+":12:1", plugins+"check_ssh", "-H", "::1")
		ssh.Tags = map[string]string{"site": "lab"}
		cases = append(cases, goodCase{f,
			[]gotHost{{"localhost", "::1", map[string]string{"site": "lab"}, "", f + ":3:1"}},
			[]gotCheck{commandCheck("localhost/users", f+":8:1", plugins+"check_users", "-w", "20", "-c", "50"), ssh},
		})
	}
	{
		f := dir + "templates.hcl"
		fast := func(c gotCheck) gotCheck {
			c.Interval, c.RetryInterval, c.MaxAttempts = 30*time.Second, 30*time.Second, 5
			c.Tags = map[string]string{"managed": "vakt", "speed": "fast"}
			return c
		}
		tcp := []string{plugins + "check_tcp", "-H", "app1", "-p", "8080"}
		app := fast(commandCheck("app1/app", f+":24:1", tcp...))
		slow := fast(commandCheck("app1/app-slow", f+":29:1", tcp...))
		slow.Interval = 10 * time.Minute
		slow.Tags = map[string]string{"managed": "vakt", "speed": "slow"}
		plugin := fast(want("localhost/app-plugin", f+":38:1"))
		plugin.Plugin, plugin.Config = "tcp", map[string]string{"port": "22"}
		cases = append(cases, goodCase{f,
			[]gotHost{{"app1", "app1", map[string]string{"port": "8080"}, "", f + ":20:1"}, implicitLocalhost()},
			[]gotCheck{app, slow, plugin},
		})
	}
	{
		f := dir + "apply.hcl"
		http := func(host, addr string) gotCheck {
			return commandCheck(host+"/http", f+":17:1", plugins+"check_http", "-H", addr, "-u", "/health")
		}
		ssh := func(host string) gotCheck {
			c := commandCheck(host+"/prod-ssh", f+":22:1", plugins+"check_ssh", host)
			c.Tags = map[string]string{"env": "prod"}
			return c
		}
		ping := func(host, addr string) gotCheck {
			return commandCheck(host+"/ping", f+":28:1", plugins+"check_ping", "-H", addr, "-w", "100,20%", "-c", "500,60%")
		}
		cases = append(cases, goodCase{f,
			[]gotHost{
				{"db1", "db1", map[string]string{"role": "db", "env": "prod"}, "", f + ":13:1"},
				{"web1", "web1", map[string]string{"role": "web", "env": "prod"}, "", f + ":4:1"},
				{"web2", "192.0.2.22", map[string]string{"role": "web", "env": "test"}, "", f + ":8:1"},
			},
			[]gotCheck{
				http("web1", "web1"), http("web2", "192.0.2.22"),
				ssh("db1"), ssh("web1"),
				ping("web2", "192.0.2.22"), ping("db1", "db1"),
			},
		})
	}
	{
		f := dir + "variables.hcl"
		age := commandCheck("localhost/profile-age", f+":29:1", plugins+"check_file_age", "-f", "/home/vakt/.profile", "-w", "3600")
		age.Tags = map[string]string{"token": "s3cret", "host": "LOCALHOST", "path": "a:b", "low": "abc"}
		cases = append(cases, goodCase{f,
			[]gotHost{implicitLocalhost()},
			[]gotCheck{commandCheck("localhost/load", f+":25:1", plugins+"check_load", "-w", "5,4,3", "-c", "10,8,6"), age},
		})
	}
	{
		f := dir + "durations.hcl"
		daily := commandCheck("localhost/daily", f+":3:1", plugins+"check_dummy", "0")
		daily.Interval, daily.RetryInterval, daily.Timeout = 24*time.Hour, 90*time.Minute, 90*time.Second
		odd := commandCheck("localhost/odd", f+":10:1", plugins+"check_dummy", "0")
		odd.Interval, odd.RetryInterval, odd.Timeout = 60*time.Hour, 90*time.Minute, 90*time.Second
		cases = append(cases, goodCase{f, []gotHost{implicitLocalhost()}, []gotCheck{daily, odd}})
	}
	{
		f := dir + "plugin.hcl"
		http := want("web1/http", f+":19:1")
		http.Plugin, http.Config = "http", map[string]string{"url": "http://192.0.2.10/health"}
		tls := want("web1/http-tls", f+":24:1")
		tls.Plugin, tls.Config = "http", map[string]string{"url": "https://web1/", "expect": "200"}
		tcp := want("localhost/tcp", f+":33:1")
		tcp.Plugin, tcp.Config = "tcp", map[string]string{}
		cases = append(cases, goodCase{f,
			[]gotHost{implicitLocalhost(), {"web1", "192.0.2.10", map[string]string{}, "", f + ":8:1"}},
			[]gotCheck{http, tls, tcp},
		})
	}
	{
		d := dir + "teams"
		ops := func(c gotCheck) gotCheck {
			c.Interval = 2 * time.Minute
			c.Tags = map[string]string{"org": "acme", "team": "ops"}
			return c
		}
		pg := ops(commandCheck("localhost/pg", d+"/db/checks.hcl:2:1", plugins+"check_pgsql", "-H", "127.0.0.1"))
		pg.Timeout = 10 * time.Second
		lag := ops(commandCheck("localhost/replica-lag", d+"/db/replica/replica.hcl:6:1", plugins+"check_dummy", "0", "lag 0s"))
		lag.MaxAttempts, lag.Tags["team"] = 10, "db"
		ntp := ops(commandCheck("localhost/ntp", d+"/defaults.hcl:7:1", plugins+"check_ntp_time", "-H", "pool.ntp.org"))
		web := func(c gotCheck) gotCheck {
			c = ops(c)
			c.Interval, c.RetryInterval, c.MaxAttempts, c.Tags["team"] = 4*time.Minute, 20*time.Second, 4, "web"
			return c
		}
		http := web(commandCheck("localhost/http", d+"/web/checks.hcl:1:1", plugins+"check_http", "-H", "www.example.com"))
		fast := web(commandCheck("localhost/http-fast", d+"/web/checks.hcl:5:1", plugins+"check_http", "-H", "shop.example.com"))
		fast.Interval, fast.Tags["page"] = 30*time.Second, "shop"
		cases = append(cases, goodCase{d, []gotHost{implicitLocalhost()}, []gotCheck{pg, lag, ntp, http, fast}})
	}
	return cases
}

// TestLoadGood loads each good file (and the teams folder) and compares the
// whole decoded configuration.
func TestLoadGood(t *testing.T) {
	t.Chdir("../..") // so that paths, and positions, are relative to the repository
	for _, tc := range goodCases() {
		t.Run(strings.TrimPrefix(tc.path, "testdata/config/good/"), func(t *testing.T) {
			l := newTestLoader()
			cfg, diags := l.Load(tc.path)
			if len(diags) > 0 {
				var b strings.Builder
				_ = l.WriteDiagnostics(&b, diags)
				t.Fatalf("diagnostics:\n%s", b.String())
			}
			if got := flattenHosts(t, cfg.Hosts); !reflect.DeepEqual(got, tc.hosts) {
				t.Errorf("hosts:\n got %+v\nwant %+v", got, tc.hosts)
			}
			var got []gotCheck
			for _, c := range cfg.Checks {
				got = append(got, flattenCheck(t, c))
			}
			for i := 0; i < max(len(got), len(tc.checks)); i++ {
				switch {
				case i >= len(got):
					t.Errorf("check %d missing, want %+v", i, tc.checks[i])
				case i >= len(tc.checks):
					t.Errorf("check %d unexpected: %+v", i, got[i])
				case !reflect.DeepEqual(got[i], tc.checks[i]):
					t.Errorf("check %d:\n got %+v\nwant %+v", i, got[i], tc.checks[i])
				}
			}
		})
	}
}

// TestCheckID joins host and name with a slash.
func TestCheckID(t *testing.T) {
	c := &Check{Name: "Disk usage /var", Host: "db1.example.com"}
	if got, want := c.ID(), "db1.example.com/Disk usage /var"; got != want {
		t.Errorf("ID() = %q, want %q", got, want)
	}
}

func Example() {
	l := NewLoader()
	cfg, diags := l.Load("../../testdata/config/good/apply.hcl")
	if diags.HasErrors() {
		_ = l.WriteDiagnostics(os.Stdout, diags)
		return
	}
	for _, c := range cfg.Checks {
		fmt.Println(c.ID(), c.Interval, strings.Join(c.Command[1:], " "))
	}
	// Output:
	// web1/http 5m0s -H web1 -u /health
	// web2/http 5m0s -H 192.0.2.22 -u /health
	// db1/prod-ssh 5m0s db1
	// web1/prod-ssh 5m0s web1
	// web2/ping 5m0s -H 192.0.2.22 -w 100,20% -c 500,60%
	// db1/ping 5m0s -H db1 -w 100,20% -c 500,60%
}
