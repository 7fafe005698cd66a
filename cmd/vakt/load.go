package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/procs"
	"github.com/vakt/vakt/plugins/builtin"
)

// pluginClose bounds how long stopping the plugin processes may take.
const pluginClose = 10 * time.Second

// loaded is a checked configuration with the plugin host that validated
// its plugin checks; the host's plugin processes keep running for the run
// that follows. Close stops them.
type loaded struct {
	set     *definitions.Set
	plugins *execute.PluginHost
	log     zerolog.Logger
}

// Close stops the plugin processes, waiting at most pluginClose. A plugin
// that does not stop is logged; it does not change the run's result.
func (l *loaded) Close() {
	closePlugins(l.plugins, l.log)
}

func closePlugins(h *execute.PluginHost, log zerolog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), pluginClose)
	defer cancel()
	if err := h.Close(ctx); err != nil {
		log.Warn().Err(err).Msg("stopping plugin processes")
	}
}

// addPluginDirFlag adds --plugin-dir, the global plugin folders: repeated
// or comma-separated, as vakt run's --plugin-dir. Read the folders with
// pluginDirList.
func addPluginDirFlag(cmd *cobra.Command, dirs *[]string) {
	cmd.Flags().StringSliceVar(dirs, "plugin-dir", nil, "folder of third-party go-plugins, vakt-plugin-NAME (repeatable, or comma-separated)")
}

// pluginDirList is the --plugin-dir folders with spaces trimmed and empty
// items dropped, as vakt run reads its plugin_dirs.
func pluginDirList(dirs []string) []string {
	out, _ := listSetting(dirs) // a []string is never an error
	return out
}

// newPluginHost is execute.NewPluginHost serving the built-in plugins of
// this binary.
func newPluginHost(opts execute.PluginOptions) *execute.PluginHost {
	opts.Builtins = builtin.Names()
	return execute.NewPluginHost(opts)
}

// loadChecks loads the HCL files at paths through the one load path
// (definitions.Load, as `vakt run` and reload do), which checks every
// plugin check's config block against its plugin's schema. Diagnostics and
// warnings go to diagOut; with errors it returns a nil *loaded and the
// number of errors. The plugin processes are registered with tracker,
// which may be nil.
func loadChecks(ctx context.Context, log zerolog.Logger, paths, pluginDirs []string, diagOut io.Writer, tracker *procs.Tracker) (*loaded, int, error) {
	host := newPluginHost(execute.PluginOptions{Log: log, Dirs: pluginDirList(pluginDirs), ConfigRoots: paths, Procs: tracker})
	res := definitions.Load(ctx, definitions.Options{Paths: paths, Plugins: host})
	l := &loaded{set: res.Set, plugins: host, log: log}
	if _, err := io.WriteString(diagOut, res.Text); err != nil {
		l.Close()
		return nil, 0, fmt.Errorf("writing diagnostics: %w", err)
	}
	for _, w := range res.Warnings {
		if _, err := fmt.Fprintf(diagOut, "warning: %s\n", w); err != nil {
			l.Close()
			return nil, 0, fmt.Errorf("writing diagnostics: %w", err)
		}
	}
	if res.Set == nil {
		l.Close()
		return nil, res.Errors(), nil
	}
	return l, 0, nil
}
