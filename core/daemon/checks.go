package daemon

import (
	"context"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/runner"
)

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

// loaded is one loaded configuration and how its checks run.
type loaded struct {
	set    *definitions.Set
	byID   map[string]*config.Check
	runner *runner.Runner
	// warnings are the loader's diagnostics and notes, as text.
	warnings string
	notes    []string
}

// load reads checks.d through the one load path (core/definitions). A
// configuration with errors is a *ConfigError.
func (d *Daemon) load(ctx context.Context) (*loaded, error) {
	opts := definitions.Options{Paths: d.opts.Checks}
	if v, ok := d.opts.Plugins.(definitions.SchemaSource); ok {
		opts.Plugins = v
	}
	res := definitions.Load(ctx, opts)
	if res.Set == nil {
		return nil, &ConfigError{Diagnostics: res.Diagnostics, Text: res.Text}
	}
	cfg := res.Set.Config
	l := &loaded{
		set:      res.Set,
		byID:     make(map[string]*config.Check, len(cfg.Checks)),
		runner:   &runner.Runner{Config: cfg, Exec: d.exec, Plugins: d.opts.Plugins},
		warnings: res.Text,
		notes:    res.Warnings,
	}
	for _, c := range cfg.Checks {
		l.byID[c.ID()] = c
	}
	return l, nil
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
