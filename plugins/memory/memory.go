// Package memory is vakt's built-in memory check plugin: used memory and
// used swap in percent, from /proc/meminfo, against Nagios ranges, with a
// chosen state for a machine without swap (check_swap -n). See README.md.
package memory

import (
	"bufio"
	"bytes"
	"context"
	_ "embed" // for the sample configuration
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/sdk"
)

//go:embed sample.hcl
var sampleConfig string

// Plugin is the memory check plugin.
type Plugin struct {
	procDir  string                      // where proc(5) is mounted
	settings configcache.Cache[settings] // parsed configs by id
}

// New returns the memory plugin, reading the real /proc.
func New() sdk.Checker { return &Plugin{procDir: "/proc"} }

// SampleConfig returns a check file with the plugin's configuration: every
// attribute, commented out, at its default or with an example value.
func SampleConfig() string { return sampleConfig }

// Info describes the plugin and its configuration.
func (p *Plugin) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:        "memory",
		Version:     "1.0.0",
		Description: "Used memory (by MemAvailable) and used swap, in percent.",
		Schema: sdk.Schema{
			{Name: "warning", Type: sdk.TypeString, Default: "90",
				Description: "range for the used memory percent; WARNING outside it"},
			{Name: "critical", Type: sdk.TypeString, Default: "95",
				Description: "range for the used memory percent; CRITICAL outside it"},
			{Name: "swap_warning", Type: sdk.TypeString,
				Description: "range for the used swap percent; WARNING outside it"},
			{Name: "swap_critical", Type: sdk.TypeString,
				Description: "range for the used swap percent; CRITICAL outside it"},
			{Name: "no_swap", Type: sdk.TypeString, Default: "ok",
				Description: "the state of a machine without swap: ok, warning, critical or unknown (check_swap -n)"},
		},
	}, nil
}

// settings is one configuration, parsed.
type settings struct {
	memWarn, memCrit   *check.Range
	swapWarn, swapCrit *check.Range
	noSwap             check.State
}

// parseSettings reads validated Values, reporting every bad one.
func parseSettings(v sdk.Values) (settings, error) {
	var p configcheck.Problems
	s := settings{
		memWarn: p.SetRange(v, "warning"), memCrit: p.SetRange(v, "critical"),
		swapWarn: p.SetRange(v, "swap_warning"), swapCrit: p.SetRange(v, "swap_critical"),
		noSwap: p.State("no_swap", v.String("no_swap")),
	}
	if err := p.ErrByAttribute(); err != nil {
		return settings{}, err
	}
	return s, nil
}

// Configure checks the ranges and the no_swap state.
func (p *Plugin) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := p.settings.Configure(cfg, parseSettings)
	return err
}

// meminfo is what the check needs from /proc/meminfo, in bytes.
type meminfo struct {
	memTotal, memAvailable uint64
	swapTotal, swapFree    uint64
}

// Check reads /proc/meminfo and compares the used percentages.
func (p *Plugin) Check(_ context.Context, req sdk.Request) (check.Result, error) {
	s, err := p.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{}, fmt.Errorf("reading the config: %w", err)
	}
	m, err := readMeminfo(filepath.Join(p.procDir, "meminfo"))
	if err != nil {
		return check.Result{State: check.Unknown, Output: "MEMORY UNKNOWN - " + err.Error()}, nil
	}

	var long []string
	judge := func(what string, v float64, warn, crit *check.Range) check.State {
		st := check.Evaluate(v, warn, crit)
		if st != check.OK {
			rg := warn
			if st == check.Critical {
				rg = crit
			}
			long = append(long, fmt.Sprintf("%s used %s%% is %s (range %s)", what, strconv.FormatFloat(v, 'f', 2, 64), st, rg))
		}
		return st
	}
	zero, hundred := 0.0, 100.0
	total, used := float64(m.memTotal), float64(m.memTotal-m.memAvailable)
	memPct := round2(used / total * 100)
	state := judge("memory", memPct, s.memWarn, s.memCrit)
	output := fmt.Sprintf("%s%% used (%s of %s, %s available)", formatFloat1(memPct), formatBytes(used), formatBytes(total), formatBytes(float64(m.memAvailable)))
	perf := []check.Perf{
		{Label: "mem_used_pct", Value: memPct, UOM: "%", Warn: s.memWarn, Crit: s.memCrit, Min: &zero, Max: &hundred},
		{Label: "mem_used", Value: used, UOM: "B", Min: &zero, Max: &total},
		{Label: "mem_available", Value: float64(m.memAvailable), UOM: "B", Min: &zero, Max: &total},
	}

	if m.swapTotal == 0 {
		output += ", no swap"
		if s.noSwap != check.OK {
			long = append(long, fmt.Sprintf("no swap is %s (no_swap)", s.noSwap))
		}
		state = check.Worse(state, s.noSwap)
	} else {
		swapTotal, swapUsed := float64(m.swapTotal), float64(m.swapTotal-m.swapFree)
		swapPct := round2(swapUsed / swapTotal * 100)
		state = check.Worse(state, judge("swap", swapPct, s.swapWarn, s.swapCrit))
		output += fmt.Sprintf(", swap %s%% used (%s of %s)", formatFloat1(swapPct), formatBytes(swapUsed), formatBytes(swapTotal))
		perf = append(perf,
			check.Perf{Label: "swap_used_pct", Value: swapPct, UOM: "%", Warn: s.swapWarn, Crit: s.swapCrit, Min: &zero, Max: &hundred},
			check.Perf{Label: "swap_used", Value: swapUsed, UOM: "B", Min: &zero, Max: &swapTotal},
		)
	}
	return check.Result{
		State:    state,
		Output:   fmt.Sprintf("MEMORY %s - %s", state, output),
		Long:     strings.Join(long, "\n"),
		Perfdata: perf,
	}, nil
}

// readMeminfo reads the four fields the check needs from /proc/meminfo,
// lines such as "MemAvailable:   24196852 kB". Other lines are not read:
// kernels add fields over time. A needed field that is missing or not a
// number, or numbers that contradict each other, are errors.
func readMeminfo(path string) (meminfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return meminfo{}, fmt.Errorf("reading the memory usage: %w", err)
	}
	fields := map[string]*uint64{}
	var m meminfo
	fields["MemTotal"], fields["MemAvailable"] = &m.memTotal, &m.memAvailable
	fields["SwapTotal"], fields["SwapFree"] = &m.swapTotal, &m.swapFree
	found := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		dst, needed := fields[name]
		if !ok || !needed {
			continue
		}
		if found[name] {
			return meminfo{}, fmt.Errorf("reading the memory usage: %s appears twice in %s", name, path)
		}
		v, err := parseKB(value)
		if err != nil {
			return meminfo{}, fmt.Errorf("reading the memory usage: %s in %s: %w", name, path, err)
		}
		*dst, found[name] = v, true
	}
	if err := sc.Err(); err != nil {
		return meminfo{}, fmt.Errorf("reading the memory usage from %s: %w", path, err)
	}
	for _, name := range []string{"MemTotal", "MemAvailable", "SwapTotal", "SwapFree"} {
		if !found[name] {
			hint := ""
			if name == "MemAvailable" {
				hint = " (kernels before 3.14 do not have it)"
			}
			return meminfo{}, fmt.Errorf("reading the memory usage: %s has no %s%s", path, name, hint)
		}
	}
	switch {
	case m.memTotal == 0:
		return meminfo{}, fmt.Errorf("reading the memory usage: %s says MemTotal is 0", path)
	case m.memAvailable > m.memTotal:
		return meminfo{}, fmt.Errorf("reading the memory usage: %s says MemAvailable (%d kB) is more than MemTotal (%d kB)", path, m.memAvailable/1024, m.memTotal/1024)
	case m.swapFree > m.swapTotal:
		return meminfo{}, fmt.Errorf("reading the memory usage: %s says SwapFree (%d kB) is more than SwapTotal (%d kB)", path, m.swapFree/1024, m.swapTotal/1024)
	}
	return m, nil
}

// parseKB reads a meminfo value, " 24196852 kB", into bytes.
func parseKB(value string) (uint64, error) {
	fields := strings.Fields(value)
	if len(fields) != 2 || fields[1] != "kB" {
		return 0, fmt.Errorf("%q is not a number of kB", strings.TrimSpace(value))
	}
	v, err := strconv.ParseUint(fields[0], 10, 64)
	if err != nil || v > math.MaxUint64/1024 {
		return 0, fmt.Errorf("%q is not a number of kB", strings.TrimSpace(value))
	}
	return v * 1024, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

func formatFloat1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// formatBytes writes a byte count for people: 1024-based, one decimal.
func formatBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(b, 'f', 0, 64) + " B"
	}
	return strconv.FormatFloat(b, 'f', 1, 64) + " " + units[i]
}
