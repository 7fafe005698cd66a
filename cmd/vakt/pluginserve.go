package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/plugins/builtin"
	"github.com/vakt/vakt/plugins/sdk"
)

// newPluginServeCmd is how vakt runs a built-in plugin out of process: the
// plugin runner starts `vakt plugin-serve NAME` and talks go-plugin to it.
func newPluginServeCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "plugin-serve NAME",
		Short:  "Serve a built-in check plugin over go-plugin (started by vakt itself)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			newChecker, ok := builtin.Checks()[args[0]]
			if !ok {
				return fmt.Errorf("no built-in plugin %q: the built-ins are %s", args[0], strings.Join(builtin.Names(), ", "))
			}
			sdk.ServeCheck(newChecker())
			return nil
		},
	}
}
