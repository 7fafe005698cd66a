// Package disk is vakt's built-in disk check plugin: used space, free
// space and used inodes per filesystem against Nagios ranges, and a fill
// forecast that warns when a filesystem, at its recent growth rate, will be
// full within a given number of hours. See README.md.
//
// It reads /proc/self/mountinfo and calls statfs(2); it runs on Linux only.
package disk

import (
	"context"
	_ "embed" // for the sample configuration
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/sdk"
)

//go:embed sample.hcl
var sampleConfig string

// usage is what statfs(2) says about one filesystem, in bytes and inodes.
type usage struct {
	size  uint64 // total
	free  uint64 // free, root's reserve included
	avail uint64 // free for users other than root
	// inodes and inodesFree are 0 for filesystems that do not count inodes
	// (btrfs, vfat).
	inodes, inodesFree uint64
}

// statfsFunc reads the usage of the filesystem holding path.
type statfsFunc func(path string) (usage, error)

// statfs is the real statfsFunc.
func statfs(path string) (usage, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return usage{}, err
	}
	block := uint64(st.Frsize)
	if block == 0 {
		block = uint64(st.Bsize)
	}
	return usage{
		size:       st.Blocks * block,
		free:       st.Bfree * block,
		avail:      st.Bavail * block,
		inodes:     st.Files,
		inodesFree: st.Ffree,
	}, nil
}

// Plugin is the disk check plugin. One plugin process serves every disk
// check; it keeps each check's recent samples for the forecast, by config
// id, for as long as it runs.
type Plugin struct {
	procDir  string           // where proc(5) is mounted
	statfs   statfsFunc       // reads a filesystem's usage
	now      func() time.Time // the clock the forecast's samples are taken by
	history  *history
	settings configcache.Cache[settings] // parsed configs by id
}

// New returns the disk plugin, reading the real /proc and statfs(2).
func New() sdk.Checker {
	return &Plugin{procDir: "/proc", statfs: statfs, now: time.Now, history: newHistory()}
}

// SampleConfig returns a check file with the plugin's configuration: every
// attribute, commented out, at its default or with an example value.
func SampleConfig() string { return sampleConfig }

// Info describes the plugin and its configuration.
func (p *Plugin) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:        "disk",
		Version:     "1.0.0",
		Description: "Used space, free space and inodes per filesystem, and a fill forecast from the recent growth rate.",
		Schema:      schema(),
	}, nil
}

// Configure checks what the schema cannot: the ranges, paths and forecast
// settings.
func (p *Plugin) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := p.settings.Configure(cfg, parseSettings)
	return err
}

// target is one filesystem to check.
type target struct {
	path string // as reported: the mount point, or the path as configured
	// listed is set for a path from the mounts attribute; an unlisted
	// filesystem that cannot be read (gone, or closed to vakt) is skipped.
	listed bool
	// notMounted is set when exact_match is on and path is no mount point.
	notMounted bool
}

// report is the outcome for one filesystem.
type report struct {
	path     string
	state    check.State
	summary  string   // for the first line of output
	problems []string // one line each, for the long output
	perf     []check.Perf
	skipped  string // why an unlisted filesystem was left out
}

// Check measures every chosen filesystem and returns the worst state.
func (p *Plugin) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	s, err := p.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{}, fmt.Errorf("reading the config: %w", err)
	}
	targets, err := p.targets(s)
	if err != nil {
		return check.Result{State: check.Unknown, Output: "DISK UNKNOWN - " + err.Error()}, nil
	}
	now := p.now()
	p.history.prune(now)
	usages, errs := p.statAll(ctx, targets)

	var reports []report
	var skipped []string
	for i, t := range targets {
		r := p.measure(req.Config.ID, s, t, usages[i], errs[i], now)
		if r.skipped != "" {
			skipped = append(skipped, r.skipped)
			continue
		}
		reports = append(reports, r)
	}
	if len(reports) == 0 {
		return check.Result{State: check.Unknown, Output: "DISK UNKNOWN - no filesystem to check: every one was left out",
			Long: strings.Join(skipped, "\n")}, nil
	}
	// Problems first, so that the first line starts with what is wrong.
	sort.SliceStable(reports, func(i, j int) bool { return severity(reports[i].state) > severity(reports[j].state) })
	state := check.OK
	var summaries, long []string
	var perf []check.Perf
	for _, r := range reports {
		state = check.Worse(state, r.state)
		summaries = append(summaries, r.summary)
		long = append(long, r.problems...)
		perf = append(perf, r.perf...)
	}
	long = append(long, skipped...)
	return check.Result{
		State:    state,
		Output:   fmt.Sprintf("DISK %s - %s", state, strings.Join(summaries, "; ")),
		Long:     strings.Join(long, "\n"),
		Perfdata: perf,
	}, nil
}

// targets lists the filesystems to check: the configured paths, or every
// real filesystem. It reads mountinfo only when it needs it.
func (p *Plugin) targets(s settings) ([]target, error) {
	if s.mounts != nil && !s.exactMatch {
		out := make([]target, len(s.mounts))
		for i, m := range s.mounts {
			out[i] = target{path: m, listed: true}
		}
		return out, nil
	}
	file := filepath.Join(p.procDir, "self", "mountinfo")
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the mount table: %w", err)
	}
	mounts, err := parseMountinfo(data)
	if err != nil {
		return nil, fmt.Errorf("reading the mount table %s: %w", file, err)
	}
	if s.mounts != nil {
		out := make([]target, len(s.mounts))
		for i, m := range s.mounts {
			out[i] = target{path: m, listed: true, notMounted: !isMountPoint(mounts, m)}
		}
		return out, nil
	}
	var out []target
	for _, m := range realFilesystems(mounts, s.ignoreFS) {
		out = append(out, target{path: m.point})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no filesystem to check in %s: all are of ignored types (ignore_fs)", file)
	}
	return out, nil
}

// statAll reads every target's usage at once. A statfs that does not
// return by the call's deadline (a hung network filesystem) is reported as
// such; its goroutine ends whenever the kernel answers.
func (p *Plugin) statAll(ctx context.Context, targets []target) ([]usage, []error) {
	type answer struct {
		i   int
		u   usage
		err error
	}
	answers := make(chan answer, len(targets))
	usages, errs := make([]usage, len(targets)), make([]error, len(targets))
	answered := make([]bool, len(targets))
	pending := 0
	for i, t := range targets {
		if t.notMounted {
			continue
		}
		pending++
		go func() {
			u, err := p.statfs(t.path)
			answers <- answer{i, u, err}
		}()
	}
	for ; pending > 0; pending-- {
		select {
		case a := <-answers:
			usages[a.i], errs[a.i], answered[a.i] = a.u, a.err, true
		case <-ctx.Done():
			for i, t := range targets {
				if !t.notMounted && !answered[i] {
					errs[i] = fmt.Errorf("statfs gave no answer in time: %w", ctx.Err())
				}
			}
			return usages, errs
		}
	}
	return usages, errs
}

// measure judges one filesystem.
func (p *Plugin) measure(configID string, s settings, t target, u usage, statErr error, now time.Time) report {
	r := report{path: t.path}
	switch {
	case t.notMounted:
		r.state = check.Critical
		r.summary = t.path + " is not mounted"
		r.problems = []string{t.path + ": no filesystem is mounted there (exact_match is on)"}
		return r
	case statErr != nil && !t.listed && (errors.Is(statErr, fs.ErrNotExist) || errors.Is(statErr, fs.ErrPermission)):
		r.skipped = fmt.Sprintf("%s: left out: %v", t.path, statErr)
		return r
	case statErr != nil:
		r.state = check.Critical
		r.summary = fmt.Sprintf("%s cannot be read", t.path)
		r.problems = []string{fmt.Sprintf("%s: statfs: %v", t.path, statErr)}
		return r
	case u.size == 0 && !t.listed:
		r.skipped = t.path + ": left out: the filesystem reports no size"
		return r
	case u.size == 0:
		r.state = check.Unknown
		r.summary = t.path + " has no size"
		r.problems = []string{t.path + ": the filesystem reports a size of 0 (a pseudo filesystem?)"}
		return r
	case u.free > u.size || u.avail > u.size || u.inodesFree > u.inodes:
		r.state = check.Unknown
		r.summary = t.path + " cannot be measured"
		r.problems = []string{fmt.Sprintf("%s: statfs contradicts itself: size %d, free %d, available %d bytes; %d inodes, %d free",
			t.path, u.size, u.free, u.avail, u.inodes, u.inodesFree)}
		return r
	}

	used := float64(u.size - u.free)
	avail := float64(u.avail)
	usedPct := 100.0
	if used+avail > 0 {
		usedPct = used / (used + avail) * 100 // as df computes Use%: root's reserve does not count as free
	}
	size := float64(u.size)
	r.summary = fmt.Sprintf("%s %s%% used (%s free of %s)", t.path, formatFloat(usedPct, 1), formatBytes(avail), formatBytes(size))
	r.judge("used", formatFloat(usedPct, 2)+"%", usedPct, s.usedPct)
	r.judge("used space", formatBytes(used), used, s.usedBytes)
	r.judge("free space", formatBytes(avail), avail, s.freeBytes)
	r.perf = append(r.perf,
		perfItem(t.path+":used_pct", round(usedPct, 2), "%", s.usedPct, 0, 100),
		perfItem(t.path+":used", used, "B", s.usedBytes, 0, size),
		perfItem(t.path+":free", avail, "B", s.freeBytes, 0, size),
	)
	if u.inodes > 0 {
		inodesPct := float64(u.inodes-u.inodesFree) / float64(u.inodes) * 100
		r.summary += fmt.Sprintf(", inodes %s%% used", formatFloat(inodesPct, 1))
		r.judge("inodes used", formatFloat(inodesPct, 2)+"%", inodesPct, s.inodesPct)
		r.perf = append(r.perf, perfItem(t.path+":inodes_used_pct", round(inodesPct, 2), "%", s.inodesPct, 0, 100))
	}
	if configID != "" {
		g := p.history.record(seriesKey{configID, t.path}, now, used, u.size, s.window, s.minSpan)
		r.forecast(s, g, avail)
	}
	return r
}

// forecast adds the fill forecast: hours until the free space is gone at
// the fitted growth rate.
func (r *report) forecast(s settings, g growth, avail float64) {
	var warn, crit *check.Range
	if s.forecastWarn > 0 {
		rg := check.MustRange(strconv.FormatFloat(s.forecastWarn, 'f', -1, 64) + ":")
		warn = &rg
	}
	if s.forecastCrit > 0 {
		rg := check.MustRange(strconv.FormatFloat(s.forecastCrit, 'f', -1, 64) + ":")
		crit = &rg
	}
	hoursPerf := check.Perf{Label: r.path + ":hours_to_full", Undetermined: true, Warn: warn, Crit: crit}
	growthPerf := check.Perf{Label: r.path + ":growth_per_hour", Undetermined: true, UOM: "B"}
	switch {
	case !g.known:
	case g.perHour <= 0:
		growthPerf.Undetermined, growthPerf.Value = false, round(g.perHour, 0)
		r.summary += ", not growing"
	default:
		growthPerf.Undetermined, growthPerf.Value = false, round(g.perHour, 0)
		hours := avail / g.perHour
		hoursPerf.Undetermined, hoursPerf.Value = false, round(hours, 2)
		r.summary += fmt.Sprintf(", full in %s h", formatFloat(hours, 1))
		r.judge("full in", formatFloat(hours, 2)+" h at "+formatBytes(g.perHour)+"/h", hours, thresholds{warn, crit})
	}
	r.perf = append(r.perf, growthPerf, hoursPerf)
}

// judge evaluates one value against its thresholds and keeps the worse
// state, with a line saying why when it is not OK.
func (r *report) judge(what, shown string, v float64, t thresholds) {
	st := check.Evaluate(v, t.warn, t.crit)
	if st == check.OK {
		return
	}
	rg := t.warn
	if st == check.Critical {
		rg = t.crit
	}
	r.problems = append(r.problems, fmt.Sprintf("%s: %s %s is %s (range %s)", r.path, what, shown, st, rg))
	r.state = check.Worse(r.state, st)
}

// perfItem builds one perfdata item with its thresholds and bounds.
func perfItem(label string, v float64, uom string, t thresholds, lo, hi float64) check.Perf {
	return check.Perf{Label: label, Value: v, UOM: uom, Warn: t.warn, Crit: t.crit, Min: &lo, Max: &hi}
}

// severity orders states as check.Worse does: OK, WARNING, UNKNOWN, CRITICAL.
func severity(s check.State) int {
	switch s {
	case check.OK:
		return 0
	case check.Warning:
		return 1
	case check.Unknown:
		return 2
	}
	return 3
}

func round(v float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(v*f) / f
}

func formatFloat(v float64, decimals int) string {
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
