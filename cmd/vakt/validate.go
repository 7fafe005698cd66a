package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/config"
)

func newValidateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "validate DIR|FILE...",
		Short: "Check HCL files without running anything; exit 1 with every error found",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			loader := config.NewLoader()
			cfg, diags := loader.Load(args...)
			if len(diags) > 0 {
				if err := loader.WriteDiagnostics(cmd.ErrOrStderr(), diags); err != nil {
					return fmt.Errorf("writing diagnostics: %w", err)
				}
			}
			if diags.HasErrors() {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d error(s) found\n", len(diags.Errs()))
				return exitError{code: 1}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ok: %d hosts, %d checks\n", len(cfg.Hosts), len(cfg.Checks))
			return nil
		},
	}
}
