package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/server"
)

// apiTimeout bounds one request of vakt status and vakt reload.
const apiTimeout = 60 * time.Second

// apiClient builds the client of the running daemon from the settings:
// its listen address, and the first API token (or --api-token).
func apiClient(cmd *cobra.Command) (*server.Client, error) {
	s, err := loadSettings(cmd)
	if err != nil {
		return nil, err
	}
	if s.Listen == "" {
		return nil, fmt.Errorf("the HTTP API is off (setting %s = %s): nothing to talk to", keyListen, listenOff)
	}
	base, err := server.ListenURL(s.Listen)
	if err != nil {
		return nil, fmt.Errorf("setting %s: %w", keyListen, err)
	}
	c := &server.Client{BaseURL: base, HTTP: &http.Client{Timeout: apiTimeout}}
	if len(s.APITokens) > 0 {
		c.Token = s.APITokens[0]
	}
	return c, nil
}

func newStatusCmd() *cobra.Command {
	var all, pendingUnknown bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what is not OK right now; exit with the worst state (0 ok, 1 warning, 2 critical, 3 unknown)",
		Long: `status asks the running vakt (its HTTP API on the listen address of the
settings) for every check that has a result other than OK, prints them as a
table and exits with the worst state, as vakt check does: 0 when everything
is OK, 1 warning, 2 critical, 3 unknown (critical ranks above unknown). It
exits 3 when vakt run cannot be reached. --all lists every check.

A check with no result yet is PENDING: it is listed with --all only and does
not change the exit code, unless --pending-unknown, which lists it and counts
it as UNKNOWN.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, err := apiClient(cmd)
			if err != nil {
				return err
			}
			checks, err := client.Status(cmd.Context(), !all && !pendingUnknown)
			if err != nil {
				return err
			}
			worst := check.OK
			shown := checks[:0:0]
			for _, c := range checks {
				pending := !c.Checked && pendingUnknown
				if all || c.Problem() || pending {
					shown = append(shown, c)
				}
				if pending {
					worst = check.Worse(worst, check.Unknown)
				}
				if !c.Problem() {
					continue
				}
				st, err := check.ParseState(c.State)
				if err != nil {
					return fmt.Errorf("reading status: the daemon answered check %s: %w", c.ID, err)
				}
				worst = check.Worse(worst, st)
			}
			if err := writeStatusTable(cmd.OutOrStdout(), shown, all); err != nil {
				return fmt.Errorf("writing the status: %w", err)
			}
			return exitError{code: int(worst)}
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "list every check, not only those that are not OK")
	cmd.Flags().BoolVar(&pendingUnknown, "pending-unknown", false, "list the checks with no result yet (PENDING) and count them as UNKNOWN in the exit code")
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}

// writeStatusTable writes one line per check: ID, state, type, attempt,
// level, last change, notes and output.
func writeStatusTable(w io.Writer, checks []server.CheckStatus, all bool) error {
	if len(checks) == 0 {
		if all {
			_, err := fmt.Fprintln(w, "No checks.")
			return err
		}
		_, err := fmt.Fprintln(w, "No problems: every check is OK.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHECK\tSTATE\tTYPE\tATTEMPT\tLEVEL\tSINCE\tNOTES\tOUTPUT")
	for _, c := range checks {
		state, since := c.State, "-"
		if !c.Checked {
			state = "PENDING"
		}
		if !c.LastChange.IsZero() {
			since = c.LastChange.Local().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\n", c.ID, state, c.Type, c.Attempt, c.MaxAttempts,
			c.Level, since, statusNotes(c), oneLine(c.Output))
	}
	return tw.Flush()
}

// statusNotes lists what else is true of a check: stale, flapping,
// unreachable, acknowledged, downtime; "-" for none.
func statusNotes(c server.CheckStatus) string {
	var notes []string
	for _, n := range []struct {
		on   bool
		name string
	}{{c.Stale, "stale"}, {c.Flapping, "flapping"}, {c.Unreachable, "unreachable"}, {c.Acknowledged, "acknowledged"}, {c.InDowntime, "downtime"}} {
		if n.on {
			notes = append(notes, n.name)
		}
	}
	if len(notes) == 0 {
		return "-"
	}
	return strings.Join(notes, ",")
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
