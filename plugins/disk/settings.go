package disk

import (
	"path/filepath"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/sdk"
)

// defaultIgnoreFS are the filesystem types left out when no mounts are
// listed: kernel pseudo filesystems, memory-backed ones, read-only images
// that are always full, and container layers (one overlay per container on
// a container host). The root filesystem is checked whatever its type.
var defaultIgnoreFS = []string{
	"aufs", "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
	"debugfs", "devpts", "devtmpfs", "efivarfs", "fuse.gvfsd-fuse", "fuse.lxcfs",
	"fuse.portal", "fusectl", "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay",
	"proc", "pstore", "ramfs", "rpc_pipefs", "securityfs", "selinuxfs", "squashfs",
	"sysfs", "tmpfs", "tracefs",
}

// schema is the disk plugin's configuration.
func schema() sdk.Schema {
	return sdk.Schema{
		{Name: "mounts", Type: sdk.TypeListOfString,
			Description: "paths to check, each on the filesystem that holds it; unset: every real filesystem in /proc/self/mountinfo"},
		{Name: "exact_match", Type: sdk.TypeBool, Default: false,
			Description: "a path in mounts must be a mount point; one that is not (an unmounted disk) is CRITICAL"},
		{Name: "ignore_fs", Type: sdk.TypeListOfString, Default: append([]string{}, defaultIgnoreFS...),
			Description: "filesystem types left out when mounts is unset (the root filesystem is always checked)"},
		{Name: "warning", Type: sdk.TypeString, Default: "90",
			Description: "range for the used percent of each filesystem; WARNING outside it"},
		{Name: "critical", Type: sdk.TypeString, Default: "95",
			Description: "range for the used percent of each filesystem; CRITICAL outside it"},
		{Name: "free_warning", Type: sdk.TypeString,
			Description: `range in bytes with units for the free space (available to non-root users), e.g. "10GB:"`},
		{Name: "free_critical", Type: sdk.TypeString,
			Description: `range in bytes with units for the free space, e.g. "2GB:"`},
		{Name: "used_warning", Type: sdk.TypeString,
			Description: `range in bytes with units for the used space, e.g. "500GB"`},
		{Name: "used_critical", Type: sdk.TypeString,
			Description: `range in bytes with units for the used space, e.g. "900GB"`},
		{Name: "inodes_warning", Type: sdk.TypeString,
			Description: "range for the used inode percent; filesystems without inode counts are left out"},
		{Name: "inodes_critical", Type: sdk.TypeString,
			Description: "range for the used inode percent"},
		{Name: "forecast_warning", Type: sdk.TypeNumber, Default: 0,
			Description: "WARNING when the filesystem will be full within this many hours at its recent growth rate; 0: off"},
		{Name: "forecast_critical", Type: sdk.TypeNumber, Default: 0,
			Description: "CRITICAL when the filesystem will be full within this many hours; 0: off"},
		{Name: "forecast_window", Type: sdk.TypeDuration, Default: "6h",
			Description: "how far back the growth rate looks"},
		{Name: "forecast_min_span", Type: sdk.TypeDuration, Default: "1h",
			Description: "how much history the forecast needs before it says anything"},
	}
}

// settings is one configuration, parsed.
type settings struct {
	mounts     []string // nil: every real filesystem
	exactMatch bool
	ignoreFS   map[string]bool

	usedPct   thresholds
	freeBytes thresholds
	usedBytes thresholds
	inodesPct thresholds

	forecastWarn, forecastCrit float64 // hours; 0 is off
	window, minSpan            time.Duration
}

// thresholds are an optional warning and critical range.
type thresholds struct{ warn, crit *check.Range }

// parseSettings reads validated Values, reporting every problem the schema
// cannot express as a ConfigErrors.
func parseSettings(v sdk.Values) (settings, error) {
	var p configcheck.Problems
	s := settings{exactMatch: v.Bool("exact_match"), ignoreFS: map[string]bool{}}

	if list, set := v["mounts"]; set && list != nil {
		s.mounts = []string{}
		seen := map[string]bool{}
		for _, m := range v.List("mounts") {
			switch {
			case m == "":
				p.Add("mounts", "an empty path; list paths such as \"/\" or \"/var\"")
			case m[0] != '/':
				p.Add("mounts", "%q is not an absolute path", m)
			default:
				m = filepath.Clean(m)
				if seen[m] {
					p.Add("mounts", "%q is listed twice", m)
				}
			}
			seen[m] = true
			s.mounts = append(s.mounts, m)
		}
		if len(s.mounts) == 0 {
			p.Add("mounts", "the list is empty; leave mounts unset to check every real filesystem")
		}
	}
	for _, fs := range v.List("ignore_fs") {
		s.ignoreFS[fs] = true
	}

	bytes := func(attr string) *check.Range {
		text, set := v[attr].(string)
		if !set {
			return nil
		}
		r, err := parseByteRange(text)
		if err != nil {
			p.Add(attr, "%v", err)
			return nil
		}
		return &r
	}
	s.usedPct = thresholds{p.SetRange(v, "warning"), p.SetRange(v, "critical")}
	s.inodesPct = thresholds{p.SetRange(v, "inodes_warning"), p.SetRange(v, "inodes_critical")}
	s.freeBytes = thresholds{bytes("free_warning"), bytes("free_critical")}
	s.usedBytes = thresholds{bytes("used_warning"), bytes("used_critical")}

	s.forecastWarn, s.forecastCrit = v.Number("forecast_warning"), v.Number("forecast_critical")
	for _, attr := range []string{"forecast_warning", "forecast_critical"} {
		if h := v.Number(attr); h < 0 {
			p.Add(attr, "%v hours is negative; give hours until full (0 turns it off)", h)
		}
	}
	if s.forecastWarn > 0 && s.forecastCrit > s.forecastWarn {
		p.Add("forecast_critical", "%v hours is more than forecast_warning (%v hours); CRITICAL must be the nearer horizon", s.forecastCrit, s.forecastWarn)
	}
	s.window, s.minSpan = v.Duration("forecast_window"), v.Duration("forecast_min_span")
	if s.window <= 0 {
		p.Add("forecast_window", "%s is not positive", s.window)
	}
	if s.minSpan <= 0 {
		p.Add("forecast_min_span", "%s is not positive", s.minSpan)
	} else if s.window > 0 && s.minSpan > s.window {
		p.Add("forecast_min_span", "%s is longer than forecast_window (%s), so no forecast could ever be made", s.minSpan, s.window)
	}
	if err := p.ErrByAttribute(); err != nil {
		return settings{}, err
	}
	return s, nil
}
