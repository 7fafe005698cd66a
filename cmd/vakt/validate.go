package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newValidateCmd(g *globals) *cobra.Command {
	var pluginDirs []string
	cmd := &cobra.Command{
		Use:   "validate DIR|FILE...",
		Short: "Check HCL files and plugin configs without running any check; exit 1 with every error found, 3 when there is no check",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			l, nerr, err := loadChecks(cmd.Context(), log, args, pluginDirs, cmd.ErrOrStderr(), nil)
			if err != nil {
				return err
			}
			if l == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d error(s) found\n", nerr)
				return exitError{code: 1}
			}
			defer l.Close()
			if l.set.Len() == 0 {
				// As vakt check: a folder with no checks is a mistake.
				fmt.Fprintf(cmd.ErrOrStderr(), "no checks found in %s\n", strings.Join(args, ", "))
				return exitError{code: 3}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d hosts, %d checks\n", l.set.Hosts(), l.set.Len())
			return nil
		},
	}
	addPluginDirFlag(cmd, &pluginDirs)
	return cmd
}
