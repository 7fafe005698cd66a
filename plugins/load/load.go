// Package load is vakt's built-in load check plugin: the 1, 5 and 15
// minute load averages from /proc/loadavg against Nagios ranges, optionally
// divided by the number of CPUs as check_load -r does. See README.md.
package load

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

// minutes names the three averages, in the order of /proc/loadavg.
var minutes = [3]string{"1", "5", "15"}

// Plugin is the load check plugin.
type Plugin struct {
	procDir  string                      // where proc(5) is mounted
	settings configcache.Cache[settings] // parsed configs by id
}

// New returns the load plugin, reading the real /proc.
func New() sdk.Checker { return &Plugin{procDir: "/proc"} }

// SampleConfig returns a check file with the plugin's configuration: every
// attribute, commented out, at its default or with an example value.
func SampleConfig() string { return sampleConfig }

// Info describes the plugin and its configuration.
func (p *Plugin) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:        "load",
		Version:     "1.0.0",
		Description: "The 1, 5 and 15 minute load averages, optionally per CPU.",
		Schema: sdk.Schema{
			{Name: "warning", Type: sdk.TypeListOfString,
				Description: "ranges for the 1, 5 and 15 minute averages, or one range for all three; WARNING outside"},
			{Name: "critical", Type: sdk.TypeListOfString,
				Description: "ranges for the 1, 5 and 15 minute averages, or one range for all three; CRITICAL outside"},
			{Name: "per_cpu", Type: sdk.TypeBool, Default: false,
				Description: "divide the averages by the number of online CPUs before comparing (check_load -r)"},
		},
	}, nil
}

// settings is one configuration, parsed.
type settings struct {
	warn, crit [3]*check.Range
	perCPU     bool
}

// parseSettings reads validated Values, reporting bad ranges as ConfigErrors.
func parseSettings(v sdk.Values) (settings, error) {
	var p configcheck.Problems
	s := settings{
		warn:   parseRanges(&p, v, "warning"),
		crit:   parseRanges(&p, v, "critical"),
		perCPU: v.Bool("per_cpu"),
	}
	if err := p.ErrByAttribute(); err != nil {
		return settings{}, err
	}
	return s, nil
}

// parseRanges reads a list of one range (for all three averages) or three;
// none when attr is unset.
func parseRanges(p *configcheck.Problems, v sdk.Values, attr string) [3]*check.Range {
	var out [3]*check.Range
	if _, set := v[attr]; !set {
		return out
	}
	texts := v.List(attr)
	switch len(texts) {
	case 1:
		texts = []string{texts[0], texts[0], texts[0]}
	case 3:
	default:
		p.Add(attr, "give one range for all three averages or three (1, 5 and 15 minutes), not %d; leave it unset for none", len(texts))
		return out
	}
	for i, text := range texts {
		r, err := check.ParseRange(text)
		if err != nil {
			p.Add(attr, "load%s: %v", minutes[i], err)
			return [3]*check.Range{}
		}
		out[i] = &r
	}
	return out
}

// Configure checks the ranges.
func (p *Plugin) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := p.settings.Configure(cfg, parseSettings)
	return err
}

// Check reads the load averages and compares them.
func (p *Plugin) Check(_ context.Context, req sdk.Request) (check.Result, error) {
	s, err := p.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{}, fmt.Errorf("reading the config: %w", err)
	}
	loads, err := readLoadavg(filepath.Join(p.procDir, "loadavg"))
	if err != nil {
		return unknown(err), nil
	}
	compared, label := loads, "load"
	cpus := 0
	if s.perCPU {
		if cpus, err = countCPUs(filepath.Join(p.procDir, "stat")); err != nil {
			return unknown(err), nil
		}
		for i := range compared {
			compared[i] = loads[i] / float64(cpus)
		}
		label = "scaled_load"
	}

	state := check.OK
	var long []string
	var raw, judged []check.Perf // with per_cpu: the raw averages, then the scaled ones
	zero := 0.0
	for i, v := range compared {
		st := check.Evaluate(v, s.warn[i], s.crit[i])
		if st != check.OK {
			rg := s.warn[i]
			if st == check.Critical {
				rg = s.crit[i]
			}
			what := "load" + minutes[i]
			if s.perCPU {
				what += " per CPU"
			}
			long = append(long, fmt.Sprintf("%s %s is %s (range %s)", what, format(v), st, rg))
		}
		state = check.Worse(state, st)
		if s.perCPU {
			raw = append(raw, check.Perf{Label: "load" + minutes[i], Value: loads[i], Min: &zero})
		}
		judged = append(judged, check.Perf{Label: label + minutes[i], Value: round2(v), Warn: s.warn[i], Crit: s.crit[i], Min: &zero})
	}

	output := fmt.Sprintf("LOAD %s - load average: %s", state, formatAll(loads))
	if s.perCPU {
		cpuWord := "CPUs"
		if cpus == 1 {
			cpuWord = "CPU"
		}
		output = fmt.Sprintf("LOAD %s - load average per CPU: %s (%d %s, load average: %s)", state, formatAll(compared), cpus, cpuWord, formatAll(loads))
	}
	return check.Result{State: state, Output: output, Long: strings.Join(long, "\n"), Perfdata: append(raw, judged...)}, nil
}

func unknown(err error) check.Result {
	return check.Result{State: check.Unknown, Output: "LOAD UNKNOWN - " + err.Error()}
}

// readLoadavg reads the three averages from /proc/loadavg:
// "0.20 0.18 0.12 1/80 11206".
func readLoadavg(path string) ([3]float64, error) {
	var loads [3]float64
	data, err := os.ReadFile(path)
	if err != nil {
		return loads, fmt.Errorf("reading the load averages: %w", err)
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return loads, fmt.Errorf("reading the load averages: %s holds %q, not three numbers", path, strings.TrimSpace(string(data)))
	}
	for i := range loads {
		v, err := strconv.ParseFloat(fields[i], 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return loads, fmt.Errorf("reading the load averages: the %s minute average %q in %s is not a load", minutes[i], fields[i], path)
		}
		loads[i] = v
	}
	return loads, nil
}

// countCPUs counts the online CPUs: the cpuN lines of /proc/stat.
func countCPUs(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("counting the CPUs: %w", err)
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024) // the intr line is long
	for sc.Scan() {
		line := sc.Text()
		if len(line) > 3 && strings.HasPrefix(line, "cpu") && line[3] >= '0' && line[3] <= '9' {
			n++
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("counting the CPUs in %s: %w", path, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("counting the CPUs: %s has no cpuN lines", path)
	}
	return n, nil
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// format writes a load as perfdata has it: rounded to two decimals.
func format(v float64) string { return strconv.FormatFloat(round2(v), 'f', 2, 64) }

func formatAll(v [3]float64) string {
	return format(v[0]) + ", " + format(v[1]) + ", " + format(v[2])
}
