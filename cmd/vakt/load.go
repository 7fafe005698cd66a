package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/core/definitions"
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

// parentDiagnostics warns of every host whose parent has no check tagged
// host_alive = "true": its parent has no effect (see core/daemon).
func parentDiagnostics(cfg *config.Config) hcl.Diagnostics {
	names := make([]string, 0, len(cfg.Hosts))
	for name := range cfg.Hosts {
		names = append(names, name)
	}
	// In file order, as the loader's diagnostics.
	sort.Slice(names, func(i, j int) bool {
		a, b := cfg.Hosts[names[i]].DeclRange, cfg.Hosts[names[j]].DeclRange
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Start.Byte != b.Start.Byte {
			return a.Start.Byte < b.Start.Byte
		}
		return names[i] < names[j]
	})
	alive := map[string]bool{}
	for _, c := range cfg.Checks {
		if strings.EqualFold(c.Tags[definitions.HostAliveTag], "true") {
			alive[c.Host] = true
		}
	}
	var diags hcl.Diagnostics
	for _, name := range names {
		h := cfg.Hosts[name]
		if h.Parent == "" || alive[h.Parent] {
			continue
		}
		d := &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Parent without a host_alive check",
			Detail: fmt.Sprintf("Host %q has parent %q, which has no check tagged %s = \"true\": the parent has no effect on the checks of %q. Tag the check that says %q is reachable (a ping) with tags = { %s = \"true\" }.",
				name, h.Parent, definitions.HostAliveTag, name, h.Parent, definitions.HostAliveTag),
		}
		if h.DeclRange.Filename != "" {
			d.Subject = h.DeclRange.Ptr()
		}
		diags = append(diags, d)
	}
	return diags
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
	host := execute.NewPluginHost(execute.PluginOptions{Log: log, Dirs: pluginDirList(pluginDirs), ConfigRoots: paths, Procs: tracker})
	diags = append(diags, parentDiagnostics(cfg)...)
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
