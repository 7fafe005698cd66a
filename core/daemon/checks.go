package daemon

import (
	"context"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/notify"
)

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

// loaded is one loaded configuration and how its jobs run. The
// definitions are the engine's too (engine.Configure): this is the same
// Set, not a copy.
type loaded struct {
	set    *definitions.Set
	runner *execute.Runner
	// warnings are the loader's diagnostics (warnings), as text; notes
	// what the load path found worth a warning besides.
	warnings string
	notes    []string
	// notify and notifiers are the set's notification configuration,
	// converted for the pipeline and the sender once per load.
	notify    notify.Config
	notifiers map[string]notify.Notifier
}

// load reads checks.d through the one load path (core/definitions). A
// configuration with errors is a *ConfigError.
func (d *Daemon) load(ctx context.Context) (*loaded, error) {
	src, _ := d.opts.Plugins.(definitions.SchemaSource)
	res := definitions.Load(ctx, definitions.Options{Paths: d.opts.Checks, Plugins: src, FreeOSMemory: true})
	if res.Set == nil {
		return nil, &ConfigError{Diagnostics: res.Diagnostics, Text: res.Text}
	}
	return &loaded{
		set:       res.Set,
		runner:    &execute.Runner{Exec: d.exec, Plugins: d.opts.Plugins},
		warnings:  res.Text,
		notes:     res.Warnings,
		notify:    notifyConfig(res.Set.Notifications()),
		notifiers: notifiersOf(res.Set.Notifications()),
	}, nil
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
