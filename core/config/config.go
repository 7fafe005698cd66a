package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/timeperiod"
)

// The built-in defaults of a check, as Nagios Core has them. A defaults or
// template block, or the check itself, overrides each of them.
const (
	DefaultInterval      = 5 * time.Minute
	DefaultRetryInterval = 1 * time.Minute
	DefaultMaxAttempts   = 3
	DefaultTimeout       = 60 * time.Second
	DefaultTimeoutState  = check.Critical
	DefaultUnknownAs     = check.LevelError
	DefaultOutputLimit   = 64 << 10 // bytes

	// MaxOutputLimit is the largest output_limit a check may ask for.
	MaxOutputLimit = 16 << 20

	// LocalhostName is the host a check runs on when it names none.
	LocalhostName = "localhost"
	// LocalhostAddress is the address of localhost when no host "localhost"
	// block declares another one.
	LocalhostAddress = "127.0.0.1"
)

// Config is a loaded checks.d tree: every host and every check, decoded,
// with templates, defaults and variables already applied.
type Config struct {
	// Hosts holds every declared host by name, plus the implicit localhost
	// when a check or a parent refers to it and no host "localhost" is
	// declared.
	Hosts map[string]*Host
	// Checks holds one entry per check and host, in a stable order: by
	// file (in load order), then by position in the file, then, for a check
	// that applies to several hosts, in the order of its hosts list, or by
	// host name for host_tags.
	Checks []*Check

	// The notification language (notify.go), decoded and checked but
	// not yet used by the daemon. The maps are by name and never nil.
	Notifiers   map[string]*Notifier
	TimePeriods map[string]*TimePeriod
	// TimePeriodSet holds the time periods, their exclusions resolved.
	TimePeriodSet *timeperiod.Set
	Contacts      map[string]*Contact
	Teams         map[string]*Team
	// Routes are in the order they are tried: by file (in load order),
	// then by position in the file.
	Routes []*Route
}

// Host is a machine that checks run against.
type Host struct {
	Name string
	// Address is what checks connect to; the host's name when not set.
	Address string
	// Tags are free-form labels; host_tags in a check selects hosts by them.
	// Never nil.
	Tags map[string]string
	// Parent names the host this one is reached through (a router, an
	// uplink), or is empty.
	Parent string
	// DeclRange is the host block's header, or an empty range for the
	// implicit localhost.
	DeclRange hcl.Range
}

// Check is one check on one host, with everything inherited already
// resolved. A check block that applies to several hosts yields one Check per
// host.
type Check struct {
	// Name is the check block's label; Host the host it runs on. Names are
	// unique per host; ID joins the two.
	Name, Host string

	// Command is the argv of a legacy Nagios plugin, after interpolation.
	// When Shell is true it holds exactly one element, a command line for
	// /bin/sh -c. Empty for a plugin check.
	Command []string
	Shell   bool

	// Plugin names a go-plugin check plugin; PluginConfig is its config
	// block, left undecoded, because only the plugin knows its schema (an
	// empty body when the check has no config block). Decode it with
	// EvalContext so that its expressions can use var.*, host.* and the
	// functions. Exactly one of Command and Plugin is set.
	Plugin       string
	PluginConfig hcl.Body
	// PluginSHA256 pins the plugin's executable to a SHA-256 digest (64
	// lowercase hex digits); empty when the check does not pin it.
	// PluginRange and PluginSHA256Range are where plugin and plugin_sha256
	// are set, for diagnostics about them.
	PluginSHA256                   string
	PluginRange, PluginSHA256Range hcl.Range
	// EvalContext holds what the check's expressions may refer to: var,
	// host (this check's host) and the functions. It is shared by the
	// checks of a host: read it, do not change it.
	EvalContext *hcl.EvalContext

	Interval      time.Duration // between checks while OK or HARD
	RetryInterval time.Duration // between checks while SOFT
	Timeout       time.Duration
	MaxAttempts   int         // results in a row before a problem is HARD
	TimeoutState  check.State // the state of a check that timed out
	UnknownAs     check.Level // the level an UNKNOWN result raises
	OutputLimit   int         // bytes of plugin output kept
	// Results maps a command's exit code and output to a state, first
	// matching rule first (see results.go); nil: the Nagios exit codes.
	Results []ResultRule

	// Tags are free-form labels, merged from defaults, templates and the
	// check (see the package documentation). Never nil.
	Tags map[string]string

	// DeclRange is the check block's header.
	DeclRange hcl.Range
}

// ID returns the check's unique name: host, a slash, check name.
func (c *Check) ID() string { return c.Host + "/" + c.Name }
