package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/execute"
)

func newPluginsCmd(g *globals) *cobra.Command {
	var pluginDirs []string
	cmd := &cobra.Command{
		Use:   "plugins [DIR...]",
		Short: "List the check plugins vakt can run, with their versions and config attributes",
		Long: `plugins lists the built-in check plugins, those in --plugin-dir folders and
those in the plugins/ folders of the given check folders (team plugins), each
with its version, sha256 and the config attributes it takes. A plugin that
does not start is listed with the reason, and the exit code is 1; so it is
when a folder named does not exist.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			dirs := pluginDirList(pluginDirs)
			// A folder that is not there is a typo, not an empty list.
			var missing bool
			for _, p := range append(slices.Clone(args), dirs...) {
				if _, err := os.Stat(p); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "vakt plugins: %v\n", err)
					missing = true
				}
			}
			if missing {
				return exitError{code: 1}
			}
			host := newPluginHost(execute.PluginOptions{Log: log, Dirs: dirs, ConfigRoots: args})
			defer closePlugins(host, log)
			if failed := writePlugins(cmd.OutOrStdout(), host.List(cmd.Context())); failed > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	addPluginDirFlag(cmd, &pluginDirs)
	return cmd
}

// writePlugins writes one paragraph per plugin and returns how many could
// not be listed.
func writePlugins(w io.Writer, listing []execute.PluginListing) (failed int) {
	for i, p := range listing {
		if i > 0 {
			fmt.Fprintln(w)
		}
		where := p.Path
		if p.Builtin {
			where = "built in"
		}
		if p.Err != nil {
			failed++
			fmt.Fprintf(w, "%s (%s): error: %v\n", p.Name, where, p.Err)
			continue
		}
		fmt.Fprintf(w, "%s %s (%s)\n", p.Info.Name, p.Info.Version, where)
		if p.Info.Description != "" {
			fmt.Fprintf(w, "  %s\n", firstLine(p.Info.Description))
		}
		if !p.Builtin {
			fmt.Fprintf(w, "  sha256 %s\n", p.SHA256)
		}
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, a := range p.Info.Schema {
			req := "optional"
			if a.Required {
				req = "required"
			}
			desc := firstLine(a.Description)
			if a.Default != nil {
				desc += fmt.Sprintf(" (default %v)", a.Default)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Name, a.Type, req, desc)
		}
		_ = tw.Flush()
	}
	return failed
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
