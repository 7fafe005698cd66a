package load

import (
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

func TestCheckFixtures(t *testing.T) {
	tests := []struct {
		name    string
		procDir string
		values  sdk.Values
		state   check.State
		output  string
		long    string
		perf    string
	}{
		{
			name:    "per average thresholds",
			procDir: "testdata/busy",
			values:  sdk.Values{"warning": []string{"5", "4", "3"}, "critical": []string{"10", "8", "6"}},
			state:   check.Warning,
			output:  "LOAD WARNING - load average: 6.50, 4.20, 2.10",
			long:    "load1 6.50 is WARNING (range 5)\nload5 4.20 is WARNING (range 4)",
			perf:    "load1=6.5;5;10;0 load5=4.2;4;8;0 load15=2.1;3;6;0",
		},
		{
			name:    "per CPU, one range for all three",
			procDir: "testdata/busy",
			values:  sdk.Values{"warning": []string{"1"}, "critical": []string{"1.5"}, "per_cpu": true},
			state:   check.Critical,
			output:  "LOAD CRITICAL - load average per CPU: 1.63, 1.05, 0.53 (4 CPUs, load average: 6.50, 4.20, 2.10)",
			long:    "load1 per CPU 1.63 is CRITICAL (range 1.5)\nload5 per CPU 1.05 is WARNING (range 1)",
			perf:    "load1=6.5;;;0 load5=4.2;;;0 load15=2.1;;;0 scaled_load1=1.63;1;1.5;0 scaled_load5=1.05;1;1.5;0 scaled_load15=0.53;1;1.5;0",
		},
		{
			name:    "no thresholds, one CPU",
			procDir: "testdata/single-cpu",
			values:  sdk.Values{"per_cpu": true},
			state:   check.OK,
			output:  "LOAD OK - load average per CPU: 0.00, 0.01, 0.05 (1 CPU, load average: 0.00, 0.01, 0.05)",
			perf:    "load1=0;;;0 load5=0.01;;;0 load15=0.05;;;0 scaled_load1=0;;;0 scaled_load5=0.01;;;0 scaled_load15=0.05;;;0",
		},
		{
			name:    "an @ range alerts inside",
			procDir: "testdata/single-cpu",
			values:  sdk.Values{"critical": []string{"@0:0.005", "~:100", "~:100"}},
			state:   check.Critical,
			output:  "LOAD CRITICAL - load average: 0.00, 0.01, 0.05",
			long:    "load1 0.00 is CRITICAL (range @0:0.005)",
			perf:    "load1=0;;@0:0.005;0 load5=0.01;;~:100;0 load15=0.05;;~:100;0",
		},
		{
			name:    "garbage in loadavg",
			procDir: "testdata/garbage",
			values:  sdk.Values{},
			state:   check.Unknown,
			output:  `LOAD UNKNOWN - reading the load averages: the 1 minute average "load" in testdata/garbage/loadavg is not a load`,
		},
		{
			name:    "two numbers in loadavg",
			procDir: "testdata/two-fields",
			values:  sdk.Values{},
			state:   check.Unknown,
			output:  `LOAD UNKNOWN - reading the load averages: testdata/two-fields/loadavg holds "1.00 2.00", not three numbers`,
		},
		{
			name:    "negative load",
			procDir: "testdata/negative",
			values:  sdk.Values{},
			state:   check.Unknown,
			output:  `LOAD UNKNOWN - reading the load averages: the 1 minute average "-1.00" in testdata/negative/loadavg is not a load`,
		},
		{
			name:    "no loadavg",
			procDir: "testdata/missing",
			values:  sdk.Values{},
			state:   check.Unknown,
			output:  "LOAD UNKNOWN - reading the load averages: open testdata/missing/loadavg: no such file or directory",
		},
		{
			name:    "no cpuN lines in stat",
			procDir: "testdata/no-cpus",
			values:  sdk.Values{"per_cpu": true},
			state:   check.Unknown,
			output:  "LOAD UNKNOWN - counting the CPUs: testdata/no-cpus/stat has no cpuN lines",
		},
		{
			name:    "no stat, per CPU",
			procDir: "testdata/only-loadavg",
			values:  sdk.Values{"per_cpu": true},
			state:   check.Unknown,
			output:  "LOAD UNKNOWN - counting the CPUs: open testdata/only-loadavg/stat: no such file or directory",
		},
		{
			name:    "no stat is fine without per CPU",
			procDir: "testdata/only-loadavg",
			values:  sdk.Values{"warning": []string{"1"}},
			state:   check.OK,
			output:  "LOAD OK - load average: 1.00, 1.00, 1.00",
			perf:    "load1=1;1;;0 load5=1;1;;0 load15=1;1;;0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sdktest.ServeCheck(t, &Plugin{procDir: tt.procDir})
			got := plugintest.Run(t, c, "load", tt.values)
			plugintest.WantResult(t, got, tt.state, tt.output, tt.long, tt.perf)
		})
	}
}

func TestConfigureRejects(t *testing.T) {
	c := sdktest.ServeCheck(t, New())
	plugintest.WantRejections(t, c, []plugintest.Rejection{
		{Name: "two ranges", Values: sdk.Values{"warning": []string{"1", "2"}},
			Want: sdk.ConfigErrors{{Attribute: "warning", Message: `attribute "warning": give one range for all three averages or three (1, 5 and 15 minutes), not 2; leave it unset for none`}}},
		{Name: "empty list", Values: sdk.Values{"critical": []string{}},
			Want: sdk.ConfigErrors{{Attribute: "critical", Message: `attribute "critical": give one range for all three averages or three (1, 5 and 15 minutes), not 0; leave it unset for none`}}},
		{Name: "bad ranges in both", Values: sdk.Values{"warning": []string{"1", "2", "3:1"}, "critical": []string{"x"}},
			Want: sdk.ConfigErrors{
				{Attribute: "critical", Message: `attribute "critical": load1: parsing range "x": end: "x" is not a number`},
				{Attribute: "warning", Message: `attribute "warning": load15: parsing range "3:1": start 3 is greater than end 1`},
			}},
		{Name: "unknown attribute", Values: sdk.Values{"per_core": true},
			Want: sdk.ConfigErrors{{Attribute: "per_core", Message: `unknown attribute "per_core"; this plugin accepts critical, per_cpu, warning`}}},
		{Name: "wrong type", Values: sdk.Values{"warning": "5,4,3"},
			Want: sdk.ConfigErrors{{Attribute: "warning", Message: `attribute "warning": want list(string), got string`}}},
	})
}

// TestCheckRealProc reads this machine's /proc. The CPU count is checked
// against another source, /sys/devices/system/cpu/online.
func TestCheckRealProc(t *testing.T) {
	c := sdktest.ServeCheck(t, New())
	online, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Fatalf("reading the online CPUs to compare with: %v", err)
	}
	cpus := countRangeList(t, strings.TrimSpace(string(online)))

	t.Run("generous thresholds", func(t *testing.T) {
		got := plugintest.Run(t, c, "load", sdk.Values{"warning": []string{"1000"}, "critical": []string{"2000"}, "per_cpu": true})
		cpuWord := " CPUs, "
		if cpus == 1 {
			cpuWord = " CPU, "
		}
		if got.State != check.OK || !strings.HasPrefix(got.Output, "LOAD OK - load average per CPU: ") ||
			!strings.Contains(got.Output, " ("+strconv.Itoa(cpus)+cpuWord+"load average: ") || got.Long != "" {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
		var labels []string
		for _, p := range got.Perfdata {
			labels = append(labels, p.Label)
			if p.Value < 0 {
				t.Errorf("%s is negative: %v", p.Label, p.Value)
			}
		}
		want := []string{"load1", "load5", "load15", "scaled_load1", "scaled_load5", "scaled_load15"}
		if !reflect.DeepEqual(labels, want) {
			t.Errorf("perfdata labels %q, want %q", labels, want)
		}
	})
	t.Run("always critical", func(t *testing.T) {
		got := plugintest.Run(t, c, "load", sdk.Values{"critical": []string{"@0:100000"}})
		lines := strings.Split(got.Long, "\n")
		if got.State != check.Critical || !strings.HasPrefix(got.Output, "LOAD CRITICAL - load average: ") || len(lines) != 3 ||
			!strings.HasPrefix(lines[2], "load15 ") || !strings.HasSuffix(lines[2], " is CRITICAL (range @0:100000)") {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
	})
}

// countRangeList counts the CPUs of a kernel CPU list such as "0-3,6,8-9".
func countRangeList(t *testing.T, list string) int {
	t.Helper()
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || b < a {
			t.Fatalf("CPU list %q: cannot read %q", list, part)
		}
		n += b - a + 1
	}
	return n
}

// TestParsesOncePerConfig checks that Check uses the settings kept for a
// config id, from Configure or from the first Check of an id never
// configured, instead of parsing the request's values again. The host
// never sends other values under an id, so a Check that does shows which
// settings were used. A config without an id is parsed every time.
func TestParsesOncePerConfig(t *testing.T) {
	p := &Plugin{procDir: "testdata/busy"}
	ctx := plugintest.Context(t)
	valid := func(v sdk.Values) sdk.Values {
		t.Helper()
		info, err := p.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		values, err := info.Schema.ValidateValues(v)
		if err != nil {
			t.Fatal(err)
		}
		return values
	}
	calm := sdk.Values{"warning": []string{"50"}}
	strict := sdk.Values{"warning": []string{"5", "4", "3"}}
	const (
		okOut   = "LOAD OK - load average: 6.50, 4.20, 2.10"
		warnOut = "LOAD WARNING - load average: 6.50, 4.20, 2.10"
	)
	if err := p.Configure(ctx, sdk.Config{ID: "calm", Values: valid(calm)}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		id     string
		values sdk.Values
		state  check.State
		output string
		parses uint64 // in total after the step
	}{
		{"calm", calm, check.OK, okOut, 1},
		{"calm", strict, check.OK, okOut, 1},
		{"strict", strict, check.Warning, warnOut, 2},
		{"strict", calm, check.Warning, warnOut, 2},
		{"calm", strict, check.OK, okOut, 2},
		{"", strict, check.Warning, warnOut, 3},
		{"", calm, check.OK, okOut, 4},
	} {
		got, err := p.Check(ctx, sdk.Request{Config: sdk.Config{ID: step.id, Values: valid(step.values)}, Host: plugintest.Localhost()})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != step.state || got.Output != step.output {
			t.Fatalf("Check of %q: got %v %q, want %v %q", step.id, got.State, got.Output, step.state, step.output)
		}
		if got := p.settings.Parses(); got != step.parses {
			t.Fatalf("after a Check of %q: parsed %d times, want %d", step.id, got, step.parses)
		}
	}
}
