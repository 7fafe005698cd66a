package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/server"
)

func newPassiveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "passive",
		Short: "List and remove the dynamic passive checks of the running vakt",
		Long: `passive lists (passive list) and removes (passive rm) the dynamic passive
checks: those vakt run made for results it received (over HTTP or from Big
Brother agents) for checks that checks.d does not define.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newPassiveListCmd(), newPassiveRmCmd())
	return cmd
}

func newPassiveListCmd() *cobra.Command {
	return newListCmd("List the dynamic passive checks", "passive checks",
		func(ctx context.Context, c *server.Client) ([]engine.PassiveCheck, error) {
			return c.PassiveChecks(ctx)
		},
		writePassive)
}

// writePassive writes one line per dynamic passive check.
func writePassive(w io.Writer, checks []engine.PassiveCheck) error {
	if len(checks) == 0 {
		_, err := fmt.Fprintln(w, "No dynamic passive checks.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATE\tSTALE\tTTL\tSOURCE\tCREATED\tLAST CHECK")
	for _, c := range checks {
		created, last, ttl := "-", "-", c.TTL
		if !c.Created.IsZero() {
			created = c.Created.Local().Format(time.RFC3339)
		}
		if !c.LastCheck.IsZero() {
			last = c.LastCheck.Local().Format(time.RFC3339)
		}
		if ttl == "0s" || ttl == "" {
			ttl = "-"
		}
		stale := "no"
		if c.Stale {
			stale = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.State, stale, ttl, oneLine(c.Source), created, last)
	}
	return tw.Flush()
}

func newPassiveRmCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rm HOST/CHECK",
		Short: "Remove a dynamic passive check (a later result makes it again)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return refuse(cmd, fmt.Errorf("passive rm takes one check, HOST/CHECK, got %d arguments", len(args)))
			}
			id := args[0]
			if host, name, ok := strings.Cut(id, "/"); !ok || host == "" || name == "" || strings.Contains(name, "/") {
				return refuse(cmd, fmt.Errorf("check %q: want HOST/CHECK (e.g. web1/disk)", id))
			}
			client, err := apiClient(cmd)
			if err != nil {
				return refuse(cmd, err)
			}
			if err := client.RemovePassive(cmd.Context(), id); err != nil {
				return refuse(cmd, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed passive check %s\n", id)
			return nil
		},
	}
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}
