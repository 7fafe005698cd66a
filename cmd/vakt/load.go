package main

import (
	"context"
	"io"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/procs"
)

// pluginClose bounds how long stopping the plugin processes may take.
const pluginClose = 10 * time.Second

// loaded is a checked configuration with the plugin host that validated
// its plugin checks; the host's plugin processes keep running for the run
// that follows. Close stops them.
type loaded struct {
	cfg     *config.Config
	plugins *execute.PluginHost
	log     zerolog.Logger
}

// Close stops the plugin processes, waiting at most pluginClose. A plugin
// that does not stop is logged; it does not change the run's result.
func (l *loaded) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), pluginClose)
	defer cancel()
	if err := l.plugins.Close(ctx); err != nil {
		l.log.Warn().Err(err).Msg("stopping plugin processes")
	}
}

// addPluginDirFlag adds --plugin-dir, the global plugin folders.
func addPluginDirFlag(cmd *cobra.Command, dirs *[]string) {
	cmd.Flags().StringArrayVar(dirs, "plugin-dir", nil, "a folder of third-party plugins (vakt-plugin-NAME); repeatable")
}

// loadChecks loads the HCL files at paths and checks every plugin check's
// config block against its plugin's schema. Diagnostics go to diagOut;
// with errors it returns a nil *loaded and the number of errors.
// The plugin processes are registered with tracker, which may be nil.
func loadChecks(ctx context.Context, log zerolog.Logger, paths, pluginDirs []string, diagOut io.Writer, tracker *procs.Tracker) (*loaded, int, error) {
	loader := config.NewLoader()
	cfg, diags := loader.Load(paths...)
	if cfg == nil || diags.HasErrors() {
		return nil, len(diags.Errs()), writeDiags(loader, diagOut, diags)
	}
	host := execute.NewPluginHost(execute.PluginOptions{Log: log, Dirs: pluginDirs, ConfigRoots: paths, Procs: tracker})
	diags = append(diags, host.Validate(ctx, cfg)...)
	l := &loaded{cfg: cfg, plugins: host, log: log}
	if err := writeDiags(loader, diagOut, diags); err != nil {
		l.Close()
		return nil, 0, err
	}
	if diags.HasErrors() {
		l.Close()
		return nil, len(diags.Errs()), nil
	}
	return l, 0, nil
}

// writeDiags renders diagnostics, if any, with the loader's source lines.
func writeDiags(loader *config.Loader, w io.Writer, diags hcl.Diagnostics) error {
	if len(diags) == 0 {
		return nil
	}
	return loader.WriteDiagnostics(w, diags) // its error says what it was doing
}
