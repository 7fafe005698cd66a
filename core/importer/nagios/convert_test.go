package nagios

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/importer"
)

var update = flag.Bool("update", false, "rewrite the golden folders of testdata/import")

const testdata = "../../../testdata/import"

// TestConvertGolden converts each sample and compares the HCL files and the
// problems with its golden folder, then loads the golden folder as vakt
// validate does.
func TestConvertGolden(t *testing.T) {
	for _, tt := range []struct {
		name, main, golden string
		errors             int
		checks             int
	}{
		// Debian's nagios4-common sample objects and monitoring-plugins-basic
		// commands, as installed (localhost.cfg only).
		{"debian", "nagios4/nagios.cfg", "nagios4.golden", 0, 9},
		// The same with the printer, switch and Windows examples, whose
		// check_nt and check_hpjd commands Debian's basic plugins do not
		// define.
		{"debian-all", "nagios4/nagios-all.cfg", "nagios4-all.golden", 8, 17},
		{"constructs", "nagios/constructs/nagios.cfg", "nagios/constructs.golden", 0, 14},
		{"malformed", "nagios/malformed/nagios.cfg", "nagios/malformed.golden", 16, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Convert(filepath.Join(testdata, tt.main))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(testdata, tt.golden)
			if err := importer.CompareGolden(res, golden, *update); err != nil {
				t.Fatal(err)
			}
			if got := res.Errors(); got != tt.errors {
				t.Errorf("%d errors, want %d:\n%s", got, tt.errors, problems(res))
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

func problems(res *importer.Result) string {
	var b strings.Builder
	_ = res.WriteProblems(&b)
	return b.String()
}

// TestConvertedChecks asserts what the constructs sample becomes, check by
// check, through vakt's own loader: hosts, commands, intervals, attempts,
// timeouts and tags.
func TestConvertedChecks(t *testing.T) {
	res, err := Convert(filepath.Join(testdata, "nagios/constructs/nagios.cfg"))
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
	type got struct {
		argv                    string
		interval, retry         string
		attempts                int
		timeout, timeoutState   string
		hostAlive, servicegroup string
	}
	checks := map[string]got{}
	for _, c := range cfg.Checks {
		checks[c.ID()] = got{
			argv: strings.Join(c.Command, "|"), interval: c.Interval.String(), retry: c.RetryInterval.String(),
			attempts: c.MaxAttempts, timeout: c.Timeout.String(), timeoutState: c.TimeoutState.String(),
			hostAlive: c.Tags["host_alive"], servicegroup: c.Tags["servicegroup:frontend"],
		}
	}
	const p = "/usr/lib/nagios/plugins/"
	ping := p + "check_ping|-H|%s|-w|3000.0,80%|-c|5000.0,100%|-p|5"
	want := map[string]got{
		// interval_length 30: check_interval 2 is 1m; host_check_timeout 20.
		"router/host": {strings.Replace(ping, "%s", "192.0.2.1", 1), "1m0s", "30s", 5, "20s", "UNKNOWN", "true", ""},
		"web1/host":   {strings.Replace(ping, "%s", "192.0.2.11", 1), "1m0s", "30s", 5, "20s", "UNKNOWN", "true", ""},
		// use web-host,db-host: web-host's chain sets max_check_attempts 5 and wins over db-host's 8.
		"web2/host": {strings.Replace(ping, "%s", "192.0.2.12", 1), "1m0s", "30s", 5, "20s", "UNKNOWN", "true", ""},
		// use base-service,fast-service: base's check_interval 10 (5m), fast's retry_interval 1 (30s); \! is a literal !.
		"router/Ping!": {p + "check_dummy|0|ok ! all fine", "5m0s", "30s", 4, "1m30s", "UNKNOWN", "", ""},
		// the host group service, but web2's own HTTP wins there.
		"web1/HTTP": {p + "check_tcp|-H|192.0.2.11|-p|80", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", "true"},
		"web2/HTTP": {p + "check_tcp|-H|192.0.2.12|-p|8080|-w|2", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		// all-servers (web + db, nested) minus !web1; check_interval null is Nagios' default 5.
		"web2/Description": {p + "check_dummy|0|Description on web2 (web2)", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		"db1/Description":  {p + "check_dummy|0|Description on db1 (db1)", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		// * is every host; $_HOSTCOMMUNITY$ inherited (web2 overrides it, db1 has none).
		"router/SNMP": {p + "check_snmp|-H|192.0.2.1|-C|public|-o|.1.3.6.1.2.1.1.3.0|-P|s3cret", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		"web1/SNMP":   {p + "check_snmp|-H|192.0.2.11|-C|public|-o|.1.3.6.1.2.1.1.3.0|-P|s3cret", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		"web2/SNMP":   {p + "check_snmp|-H|192.0.2.12|-C|private|-o|.1.3.6.1.2.1.1.3.0|-P|s3cret", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		"db1/SNMP":    {p + "check_snmp|-H|192.0.2.21|-C||-o|.1.3.6.1.2.1.1.3.0|-P|s3cret", "5m0s", "1m0s", 4, "1m30s", "UNKNOWN", "", ""},
		// a pipe needs the shell; $$ is a literal $ for it.
		"db1/Pipe": {`/bin/echo "load $HOME" | /usr/bin/grep -q load && echo OK`, "5m0s", "1m0s", 100, "1m30s", "UNKNOWN", "", ""},
		// a macro vakt cannot fill stays as written, without a shell.
		"db1/State": {p + "check_dummy|0|$SERVICESTATE$", "5m0s", "1m0s", 3, "1m30s", "UNKNOWN", "", ""},
	}
	for id, w := range want {
		if g, ok := checks[id]; !ok {
			t.Errorf("%s: missing", id)
		} else if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", id, g, w)
		}
	}
	var extra []string
	for id := range checks {
		if _, ok := want[id]; !ok {
			extra = append(extra, id)
		}
	}
	if len(extra) > 0 {
		t.Errorf("unexpected checks %v", extra)
	}
	hosts := map[string]string{}
	for name, h := range cfg.Hosts {
		hosts[name] = h.Parent
	}
	if w := map[string]string{"router": "", "web1": "router", "web2": "router", "db1": ""}; !mapsEqual(hosts, w) {
		t.Errorf("hosts and parents %v, want %v", hosts, w)
	}
	if got := cfg.Hosts["db1"].Tags; got["hostgroup:db"] != "true" || got["hostgroup:backup"] != "true" || got["hostgroup:all-servers"] != "true" || got["hostgroup:web"] != "" {
		t.Errorf("db1 tags %v: want hostgroups db, backup (+ additive) and all-servers (nested)", got)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestSplitCheckCommand(t *testing.T) {
	for _, tt := range []struct {
		in   string
		name string
		args []string
	}{
		{"check_ping", "check_ping", nil},
		{"check_ping!100.0,20%!500.0,60%", "check_ping", []string{"100.0,20%", "500.0,60%"}},
		{`check_dummy!0!a \! b`, "check_dummy", []string{"0", "a ! b"}},
		{"c!!x", "c", []string{"", "x"}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			name, args := splitCheckCommand(tt.in)
			if name != tt.name || !slices.Equal(args, tt.args) {
				t.Errorf("got %q %q, want %q %q", name, args, tt.name, tt.args)
			}
		})
	}
}

func TestSplitWords(t *testing.T) {
	for _, tt := range []struct {
		in    string
		words []string
		shell bool
		err   string
	}{
		{"/p/check_x -w 80% -c 90%", []string{"/p/check_x", "-w", "80%", "-c", "90%"}, false, ""},
		{`/p/x -H '10.0.0.1' ''`, []string{"/p/x", "-H", "10.0.0.1", ""}, false, ""},
		{`/p/x "a b" c\ d 'e"f'`, []string{"/p/x", "a b", "c d", `e"f`}, false, ""},
		{`/p/x "say \"hi\""`, []string{"/p/x", `say "hi"`}, false, ""},
		{"/p/x -w ~:10", []string{"/p/x", "-w", "~:10"}, false, ""},
		{"/p/x | grep y", nil, true, ""},
		{"/p/x > /tmp/out", nil, true, ""},
		{"/p/x $HOME", nil, true, ""},
		{`/p/x "$HOME"`, nil, true, ""},
		{"/p/x ~/file", nil, true, ""},
		{"/p/x *.log", nil, true, ""},
		{"/p/x 'open", nil, false, "unterminated ' quote"},
		{`/p/x "open`, nil, false, `unterminated " quote`},
	} {
		t.Run(tt.in, func(t *testing.T) {
			words, shell, err := splitWords(tt.in)
			var es string
			if err != nil {
				es = err.Error()
			}
			if !slices.Equal(words, tt.words) || shell != tt.shell || es != tt.err {
				t.Errorf("got %q shell=%v err=%q, want %q shell=%v err=%q", words, shell, es, tt.words, tt.shell, tt.err)
			}
		})
	}
}

// TestInstalledDebianSample converts /etc/nagios4/nagios.cfg when Debian's
// nagios4-common is installed, and checks that the object files convert to
// the same HCL as the copies in testdata (so the copies are still what the
// package installs). It is skipped where the package is not installed.
func TestInstalledDebianSample(t *testing.T) {
	const main = "/etc/nagios4/nagios.cfg"
	if _, err := os.Stat(main); err != nil {
		t.Skipf("nagios4-common is not installed (%v); the testdata copies are tested instead", err)
	}
	res, err := Convert(main)
	if err != nil {
		t.Fatal(err)
	}
	var compared int
	for _, f := range res.Files {
		if !strings.HasPrefix(f.Name, "objects/") {
			continue
		}
		want, err := os.ReadFile(filepath.Join(testdata, "nagios4.golden", f.Name))
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if string(want) != string(f.Content) {
			t.Errorf("%s converted from %s differs from the testdata copy's golden output: refresh testdata/import/nagios4 from the package", f.Name, main)
		}
		compared++
	}
	if compared != 5 {
		t.Errorf("compared %d object files, want 5", compared)
	}
}
