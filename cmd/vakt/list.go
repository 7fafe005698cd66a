package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/server"
)

// newListCmd makes a `... list` command: it asks the running daemon for a
// list with fetch and prints it with write; what names the list in errors.
func newListCmd[T any](short, what string, fetch func(context.Context, *server.Client) ([]T, error), write func(io.Writer, []T) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := apiClient(cmd)
			if err != nil {
				return refuse(cmd, err)
			}
			items, err := fetch(cmd.Context(), client)
			if err != nil {
				return refuse(cmd, err)
			}
			if err := write(cmd.OutOrStdout(), items); err != nil {
				return fmt.Errorf("writing the %s: %w", what, err)
			}
			return nil
		},
	}
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}
