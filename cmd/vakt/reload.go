package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/server"
)

func newReloadCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "reload",
		Short: "Make the running vakt reload its checks; exit 1 with the errors if they are broken",
		Long: `reload asks the running vakt (POST /api/v1/reload on the listen address of the
settings, with the first API token) to read its checks folder again. Checks
that stay keep their state and schedule, removed ones stop, new ones start.
A folder with errors is refused: vakt keeps running the configuration it has,
and reload prints the errors and exits 1. So is a configuration that would
remove every running check (an emptied or unmounted folder), unless --force.
Sending SIGHUP to vakt run does the same, without the answer and without
--force.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := apiClient(cmd)
			if err != nil {
				return err
			}
			report, err := client.ReloadWith(cmd.Context(), force)
			if errors.Is(err, server.ErrReloadRefused) {
				fmt.Fprint(cmd.ErrOrStderr(), report.Diagnostics)
				fmt.Fprintf(cmd.ErrOrStderr(), "vakt: %s\n", report.Error)
				return exitError{code: 1}
			}
			if err != nil {
				return err
			}
			fmt.Fprint(cmd.ErrOrStderr(), report.Diagnostics) // warnings
			fmt.Fprintf(cmd.OutOrStdout(), "reloaded: %d checks (%d added, %d removed, %d kept)\n",
				report.Checks, report.Added, report.Removed, report.Kept)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "take a configuration that removes every running check")
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}
