package daemon

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/schedule"
	"github.com/vakt/vakt/core/state"
)

// HostAliveTag marks the checks that say whether a host is reachable at all
// (a ping, an ssh banner): tagged host_alive = "true", they are the parents
// of the checks on the hosts that have this host as parent.
const HostAliveTag = definitions.HostAliveTag

// ConfigError is a configuration that cannot be used: checks.d has errors.
type ConfigError struct {
	Diagnostics hcl.Diagnostics
	// Text is the diagnostics rendered with file, line, column and the
	// source line (definitions.Result.Text).
	Text string
}

func (e *ConfigError) Error() string {
	return "checks.d has errors:\n" + strings.TrimRight(e.Text, "\n")
}

// loaded is one loaded configuration and what the daemon derives from it.
type loaded struct {
	set      *definitions.Set
	byID     map[string]*definitions.Definition
	runner   *execute.Runner
	entries  []schedule.Entry
	settings map[string]state.Settings // configured checks only
	// warnings are the loader's diagnostics (warnings), as text; notes
	// what the load path found worth a warning besides.
	warnings string
	notes    []string
}

// load reads checks.d through the one load path (core/definitions) and,
// when Options.Plugins is a definitions.SchemaSource (execute.PluginHost
// is), validates the plugin checks against their plugins. A
// configuration with errors is a *ConfigError.
func (d *Daemon) load(ctx context.Context) (*loaded, error) {
	src, _ := d.opts.Plugins.(definitions.SchemaSource)
	res := definitions.Load(ctx, definitions.Options{Paths: d.opts.Checks, Plugins: src, FreeOSMemory: true})
	if res.Set == nil {
		return nil, &ConfigError{Diagnostics: res.Diagnostics, Text: res.Text}
	}
	set := res.Set
	l := &loaded{
		set:      set,
		byID:     make(map[string]*definitions.Definition, set.Len()),
		runner:   &execute.Runner{Exec: d.exec, Plugins: d.opts.Plugins},
		entries:  set.Entries(),
		settings: set.Settings(),
		warnings: res.Text,
		notes:    res.Warnings,
	}
	for _, def := range set.Checks() {
		l.byID[def.ID] = def
	}
	return l, nil
}

// passiveSettings are the state settings of a dynamic passive check.
func (l *loaded) passiveSettings(id string, ttl time.Duration) state.Settings {
	return l.set.PassiveSettings(id, ttl)
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
