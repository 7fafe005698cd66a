package daemon

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/runner"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
)

// HostAliveTag marks the checks that say whether a host is reachable at all
// (a ping, an ssh banner): tagged host_alive = "true", they are the parents
// of the checks on the hosts that have this host as parent.
const HostAliveTag = "host_alive"

// passiveMaxAttempts is the max_attempts of a dynamic passive check: Big
// Sister knows no soft states, a red status is a problem at once.
const passiveMaxAttempts = 1

// ConfigError is a configuration that cannot be used: checks.d has errors.
type ConfigError struct {
	Diagnostics hcl.Diagnostics
	// Text is the diagnostics rendered with file, line, column and the
	// source line (config.Loader.WriteDiagnostics).
	Text string
}

func (e *ConfigError) Error() string {
	return "checks.d has errors:\n" + strings.TrimRight(e.Text, "\n")
}

// loaded is one loaded configuration and what the daemon derives from it.
type loaded struct {
	config   *config.Config
	byID     map[string]*config.Check
	runner   *runner.Runner
	entries  []schedule.Entry
	settings map[string]state.Settings // configured checks only
	// alive holds, per host, the IDs of its checks tagged host_alive.
	alive map[string][]string
	// warnings are the loader's warnings, as text; notes what the daemon
	// itself found worth a warning.
	warnings string
	notes    []string
}

// configValidator is implemented by a plugin runner that checks plugin
// checks' config blocks against their plugins' schemas
// (execute.PluginHost).
type configValidator interface {
	Validate(ctx context.Context, cfg *config.Config) hcl.Diagnostics
}

// load reads checks.d and, when Options.Plugins can, validates the plugin
// checks against their plugins. A configuration with errors is a
// *ConfigError.
func (d *Daemon) load(ctx context.Context) (*loaded, error) {
	loader := config.NewLoader()
	cfg, diags := loader.Load(d.opts.Checks...)
	if !diags.HasErrors() {
		diags = append(diags, scheduleDiagnostics(cfg)...)
	}
	if v, ok := d.opts.Plugins.(configValidator); ok && !diags.HasErrors() {
		diags = append(diags, v.Validate(ctx, cfg)...)
	}
	var text strings.Builder
	if len(diags) > 0 {
		if err := loader.WriteDiagnostics(&text, diags); err != nil {
			text.WriteString(diags.Error())
		}
	}
	if diags.HasErrors() {
		return nil, &ConfigError{Diagnostics: diags, Text: text.String()}
	}
	l := &loaded{
		config:   cfg,
		byID:     make(map[string]*config.Check, len(cfg.Checks)),
		runner:   &runner.Runner{Config: cfg, Exec: d.exec, Plugins: d.opts.Plugins},
		entries:  make([]schedule.Entry, 0, len(cfg.Checks)),
		settings: make(map[string]state.Settings, len(cfg.Checks)),
		alive:    make(map[string][]string),
		warnings: text.String(),
	}
	for _, c := range cfg.Checks {
		id := c.ID()
		l.byID[id] = c
		l.entries = append(l.entries, schedule.Entry{ID: id, Interval: c.Interval, RetryInterval: c.RetryInterval})
		if strings.EqualFold(c.Tags[HostAliveTag], "true") {
			l.alive[c.Host] = append(l.alive[c.Host], id)
		}
	}
	for _, c := range cfg.Checks {
		l.settings[c.ID()] = state.Settings{
			MaxAttempts: c.MaxAttempts,
			UnknownAs:   c.UnknownAs,
			Parents:     l.parentsOf(c.Host),
		}
	}
	hosts := make([]string, 0, len(cfg.Hosts))
	for name := range cfg.Hosts {
		hosts = append(hosts, name)
	}
	sort.Strings(hosts)
	for _, name := range hosts {
		h := cfg.Hosts[name]
		if h.Parent != "" && len(l.alive[h.Parent]) == 0 {
			l.notes = append(l.notes, fmt.Sprintf("host %q has parent %q, which has no check tagged %s = \"true\": the parent has no effect on the checks of %q",
				name, h.Parent, HostAliveTag, name))
		}
	}
	return l, nil
}

// scheduleDiagnostics reports what the loader accepts but the scheduler
// cannot: intervals longer than schedule.MaxInterval.
func scheduleDiagnostics(cfg *config.Config) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, c := range cfg.Checks {
		if c.Interval > schedule.MaxInterval || c.RetryInterval > schedule.MaxInterval {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Interval too long",
				Detail: fmt.Sprintf("Check %s: interval (%s) and retry_interval (%s) may be at most %s.",
					c.ID(), c.Interval, c.RetryInterval, schedule.MaxInterval),
				Subject: c.DeclRange.Ptr(),
			})
		}
	}
	return diags
}

// parentsOf returns the parent check IDs of the checks on host: the
// host_alive checks of its parent host.
func (l *loaded) parentsOf(host string) []string {
	h, ok := l.config.Hosts[host]
	if !ok || h.Parent == "" {
		return nil
	}
	return l.alive[h.Parent]
}

// passiveSettings are the state settings of a dynamic passive check.
func (l *loaded) passiveSettings(id string, ttl time.Duration) state.Settings {
	host, _, _ := strings.Cut(id, "/")
	return state.Settings{
		MaxAttempts: passiveMaxAttempts,
		UnknownAs:   check.LevelError,
		TTL:         ttl,
		Parents:     l.parentsOf(host),
	}
}

// logNotes logs the loader's warnings and the daemon's notes.
func (l *loaded) logNotes(log zerolog.Logger) {
	if l.warnings != "" {
		log.Warn().Str("diagnostics", l.warnings).Msg("checks.d has warnings")
	}
	for _, n := range l.notes {
		log.Warn().Msg(n)
	}
}
