package memory

import (
	"bufio"
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

const (
	memPerf  = "mem_used_pct=75%;90;95;0;100 mem_used=6442450944B;;;0;8589934592 mem_available=2147483648B;;;0;8589934592"
	swapPerf = "swap_used_pct=50%;;;0;100 swap_used=1073741824B;;;0;2147483648"
	memOut   = "75.0% used (6.0 GiB of 8.0 GiB, 2.0 GiB available)"
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
		{"defaults, with swap", "testdata/swap", sdk.Values{}, check.OK,
			"MEMORY OK - " + memOut + ", swap 50.0% used (1.0 GiB of 2.0 GiB)", "", memPerf + " " + swapPerf},
		{"memory and swap thresholds", "testdata/swap", sdk.Values{"warning": "70", "swap_warning": "40", "swap_critical": "60"}, check.Warning,
			"MEMORY WARNING - " + memOut + ", swap 50.0% used (1.0 GiB of 2.0 GiB)",
			"memory used 75.00% is WARNING (range 70)\nswap used 50.00% is WARNING (range 40)",
			"mem_used_pct=75%;70;95;0;100 mem_used=6442450944B;;;0;8589934592 mem_available=2147483648B;;;0;8589934592 swap_used_pct=50%;40;60;0;100 swap_used=1073741824B;;;0;2147483648"},
		{"an @ range includes its ends", "testdata/swap", sdk.Values{"swap_critical": "@50:100"}, check.Critical,
			"MEMORY CRITICAL - " + memOut + ", swap 50.0% used (1.0 GiB of 2.0 GiB)",
			"swap used 50.00% is CRITICAL (range @50:100)",
			memPerf + " swap_used_pct=50%;;@50:100;0;100 swap_used=1073741824B;;;0;2147483648"},
		{"memory critical", "testdata/swap", sdk.Values{"critical": "74.99"}, check.Critical,
			"MEMORY CRITICAL - " + memOut + ", swap 50.0% used (1.0 GiB of 2.0 GiB)",
			"memory used 75.00% is CRITICAL (range 74.99)",
			"mem_used_pct=75%;90;74.99;0;100 mem_used=6442450944B;;;0;8589934592 mem_available=2147483648B;;;0;8589934592 " + swapPerf},
		{"no swap is ok by default", "testdata/no-swap", sdk.Values{"swap_critical": "10"}, check.OK,
			"MEMORY OK - " + memOut + ", no swap", "", memPerf},
		{"no swap as critical", "testdata/no-swap", sdk.Values{"no_swap": "critical"}, check.Critical,
			"MEMORY CRITICAL - " + memOut + ", no swap", "no swap is CRITICAL (no_swap)", memPerf},
		{"no swap as WARNING", "testdata/no-swap", sdk.Values{"no_swap": "WARNING"}, check.Warning,
			"MEMORY WARNING - " + memOut + ", no swap", "no swap is WARNING (no_swap)", memPerf},
		{"no MemAvailable", "testdata/no-memavailable", sdk.Values{}, check.Unknown,
			"MEMORY UNKNOWN - reading the memory usage: testdata/no-memavailable/meminfo has no MemAvailable (kernels before 3.14 do not have it)", "", ""},
		{"a value that is no number", "testdata/bad-value", sdk.Values{}, check.Unknown,
			`MEMORY UNKNOWN - reading the memory usage: MemAvailable in testdata/bad-value/meminfo: "plenty kB" is not a number of kB`, "", ""},
		{"a value in another unit", "testdata/bad-unit", sdk.Values{}, check.Unknown,
			`MEMORY UNKNOWN - reading the memory usage: MemTotal in testdata/bad-unit/meminfo: "8388608 MB" is not a number of kB`, "", ""},
		{"no memory", "testdata/total-zero", sdk.Values{}, check.Unknown,
			"MEMORY UNKNOWN - reading the memory usage: testdata/total-zero/meminfo says MemTotal is 0", "", ""},
		{"more available than total", "testdata/avail-over-total", sdk.Values{}, check.Unknown,
			"MEMORY UNKNOWN - reading the memory usage: testdata/avail-over-total/meminfo says MemAvailable (9000000 kB) is more than MemTotal (8388608 kB)", "", ""},
		{"more swap free than total", "testdata/swapfree-over-total", sdk.Values{}, check.Unknown,
			"MEMORY UNKNOWN - reading the memory usage: testdata/swapfree-over-total/meminfo says SwapFree (3000000 kB) is more than SwapTotal (2097152 kB)", "", ""},
		{"a field twice", "testdata/twice", sdk.Values{}, check.Unknown,
			"MEMORY UNKNOWN - reading the memory usage: SwapFree appears twice in testdata/twice/meminfo", "", ""},
		{"no meminfo", "testdata/missing", sdk.Values{}, check.Unknown,
			"MEMORY UNKNOWN - reading the memory usage: open testdata/missing/meminfo: no such file or directory", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := sdktest.ServeCheck(t, &Plugin{procDir: tt.procDir})
			got := plugintest.Run(t, c, "memory", tt.values)
			plugintest.WantResult(t, got, tt.state, tt.output, tt.long, tt.perf)
		})
	}
}

func TestConfigureRejects(t *testing.T) {
	c := sdktest.ServeCheck(t, New())
	plugintest.WantRejections(t, c, []plugintest.Rejection{
		{Name: "bad ranges and state", Values: sdk.Values{"warning": "abc", "swap_critical": "5:1", "no_swap": "maybe"},
			Want: sdk.ConfigErrors{
				{Attribute: "no_swap", Message: `attribute "no_swap": unknown state "maybe": want ok, warning, critical or unknown`},
				{Attribute: "swap_critical", Message: `attribute "swap_critical": parsing range "5:1": start 5 is greater than end 1`},
				{Attribute: "warning", Message: `attribute "warning": parsing range "abc": end: "abc" is not a number`},
			}},
		{Name: "empty range", Values: sdk.Values{"critical": ""},
			Want: sdk.ConfigErrors{{Attribute: "critical", Message: `attribute "critical": parsing range "": empty`}}},
		{Name: "unknown attribute", Values: sdk.Values{"swap": "50"},
			Want: sdk.ConfigErrors{{Attribute: "swap", Message: `unknown attribute "swap"; this plugin accepts critical, no_swap, swap_critical, swap_warning, warning`}}},
		{Name: "wrong type", Values: sdk.Values{"no_swap": true},
			Want: sdk.ConfigErrors{{Attribute: "no_swap", Message: `attribute "no_swap": want string, got bool`}}},
	})
}

// TestCheckRealProc reads this machine's /proc/meminfo; MemTotal and
// SwapTotal do not change while it runs, so they are compared exactly.
func TestCheckRealProc(t *testing.T) {
	memTotal, swapTotal := meminfoField(t, "MemTotal"), meminfoField(t, "SwapTotal")
	c := sdktest.ServeCheck(t, New())

	t.Run("generous thresholds", func(t *testing.T) {
		got := plugintest.Run(t, c, "memory", sdk.Values{"warning": "100", "critical": "100", "swap_warning": "100"})
		if got.State != check.OK || !strings.HasPrefix(got.Output, "MEMORY OK - ") || got.Long != "" {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
		var labels []string
		for _, p := range got.Perfdata {
			labels = append(labels, p.Label)
		}
		want := []string{"mem_used_pct", "mem_used", "mem_available"}
		if swapTotal > 0 {
			want = append(want, "swap_used_pct", "swap_used")
		} else if !strings.HasSuffix(got.Output, ", no swap") {
			t.Errorf("output %q does not say there is no swap", got.Output)
		}
		if !reflect.DeepEqual(labels, want) {
			t.Fatalf("perfdata labels %q, want %q", labels, want)
		}
		if m := got.Perfdata[1].Max; m == nil || *m != float64(memTotal*1024) {
			t.Errorf("mem_used max %v, want MemTotal %d kB", m, memTotal)
		}
		if pct := got.Perfdata[0].Value; pct < 0 || pct > 100 {
			t.Errorf("mem_used_pct %v", pct)
		}
	})
	t.Run("always critical", func(t *testing.T) {
		got := plugintest.Run(t, c, "memory", sdk.Values{"critical": "@0:100"})
		if got.State != check.Critical || !strings.HasPrefix(got.Output, "MEMORY CRITICAL - ") ||
			!strings.HasPrefix(got.Long, "memory used ") || !strings.HasSuffix(got.Long, "% is CRITICAL (range @0:100)") {
			t.Fatalf("got %v %q long %q", got.State, got.Output, got.Long)
		}
	})
}

// meminfoField reads one kB field of the real /proc/meminfo.
func meminfoField(t *testing.T, name string) uint64 {
	t.Helper()
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == name+":" {
			v, err := strconv.ParseUint(fields[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("/proc/meminfo has no %s", name)
	return 0
}
