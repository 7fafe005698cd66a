package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/server"
)

func newDowntimeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "downtime",
		Short: "Schedule, list and cancel downtimes in the running vakt",
		Long: `downtime schedules maintenance windows (downtime add), lists them (downtime
list) and cancels them (downtime cancel) through the HTTP API of the running
vakt, with the first API token for add and cancel. While a downtime is
active, problem notifications of its checks are suppressed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newDowntimeAddCmd(), newDowntimeListCmd(), newDowntimeCancelCmd())
	return cmd
}

// downtimeFlags are the flags of downtime add, as given.
type downtimeFlags struct {
	start, end, duration string
	flexible             bool
	comment, author      string
}

// request checks the flags against now and builds the API request.
func (f downtimeFlags) request(t engine.Target, now time.Time) (server.DowntimeRequest, error) {
	req := server.DowntimeRequest{Check: t.Check, Host: t.Host, Tag: t.Tag, Flexible: f.flexible,
		Author: f.author, Comment: f.comment}
	if strings.TrimSpace(f.author) == "" {
		return req, errors.New("--author is empty: a downtime needs an author")
	}
	start := now
	if f.start != "" {
		s, err := time.Parse(time.RFC3339, f.start)
		if err != nil {
			return req, fmt.Errorf("--start %q: want a time as RFC 3339, e.g. 2026-05-01T22:00:00+02:00", f.start)
		}
		req.Start, start = s, s
	}
	var d time.Duration
	if f.duration != "" {
		var err error
		d, err = time.ParseDuration(f.duration)
		if err != nil || d <= 0 {
			return req, fmt.Errorf("--duration %q: want a positive duration such as 90m or 2h", f.duration)
		}
		req.Duration = d.String()
	}
	if f.end != "" {
		e, err := time.Parse(time.RFC3339, f.end)
		if err != nil {
			return req, fmt.Errorf("--end %q: want a time as RFC 3339, e.g. 2026-05-01T23:00:00+02:00", f.end)
		}
		if !e.After(start) {
			return req, fmt.Errorf("--end %s is not after the start, %s", e.Format(time.RFC3339), start.Format(time.RFC3339))
		}
		req.End = e
	}
	switch {
	case f.flexible && d == 0:
		return req, errors.New("--flexible needs --duration: how long the downtime lasts once a problem starts it (--end closes the window in which it may start)")
	case !f.flexible && f.end != "" && d != 0:
		return req, errors.New("give --end or --duration, not both (a --flexible downtime takes both)")
	case f.end == "" && d == 0:
		return req, errors.New("a downtime needs --end or --duration")
	}
	return req, nil
}

func newDowntimeAddCmd() *cobra.Command {
	var (
		tf targetFlags
		f  downtimeFlags
	)
	cmd := &cobra.Command{
		Use:   "add [HOST/CHECK | --host HOST | --tag KEY=VALUE] (--end TIME | --duration D)",
		Short: "Schedule a downtime on a check, a host or a tag",
		Long: `downtime add schedules a downtime on a check, or on every check of a host or
with a tag (POST /api/v1/downtimes). A fixed downtime runs from --start (now
by default) to --end, or for --duration. A --flexible one starts when a
problem starts between --start and --end (--start plus --duration by default)
and lasts --duration. Times are RFC 3339. It prints the downtime's reference
(for downtime cancel) and its checks, and exits 0; bad input, a refusal by vakt
run or no answer exits 1.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := tf.target(args)
			if err != nil {
				return refuse(cmd, err)
			}
			req, err := f.request(t, time.Now())
			if err != nil {
				return refuse(cmd, err)
			}
			client, err := apiClient(cmd)
			if err != nil {
				return refuse(cmd, err)
			}
			resp, err := client.ScheduleDowntime(cmd.Context(), req)
			if err != nil {
				return refuse(cmd, err)
			}
			ids := make([]string, len(resp.Downtimes))
			for i, dt := range resp.Downtimes {
				ids[i] = dt.Check
			}
			kind := "fixed"
			if f.flexible {
				kind = "flexible"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "scheduled %s downtime %s on %s\n", kind, resp.Ref, checksList(ids))
			return nil
		},
	}
	tf.add(cmd.Flags())
	cmd.Flags().StringVar(&f.start, "start", "", "when it starts (RFC 3339); default now")
	cmd.Flags().StringVar(&f.end, "end", "", "when it ends (RFC 3339); for --flexible, when its window closes")
	cmd.Flags().StringVar(&f.duration, "duration", "", "how long it lasts, e.g. 2h (from --start, or once a problem starts it if --flexible)")
	cmd.Flags().BoolVar(&f.flexible, "flexible", false, "start only when a problem starts inside the window, and last --duration")
	cmd.Flags().StringVarP(&f.comment, "comment", "c", "", "why: shown with the downtime")
	cmd.Flags().StringVar(&f.author, "author", defaultAuthor(), "who schedules it")
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}

func newDowntimeListCmd() *cobra.Command {
	return newListCmd("List the downtimes not yet ended", "downtimes",
		func(ctx context.Context, c *server.Client) ([]engine.Downtime, error) { return c.Downtimes(ctx) },
		writeDowntimes)
}

// writeDowntimes writes one line per downtime of one check.
func writeDowntimes(w io.Writer, dts []engine.Downtime) error {
	if len(dts) == 0 {
		_, err := fmt.Fprintln(w, "No downtimes.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tCHECK\tPHASE\tSTART\tEND\tAUTHOR\tCOMMENT")
	for _, dt := range dts {
		phase := string(dt.Phase)
		if !dt.Fixed {
			phase += " (flexible " + shortDuration(dt.Duration) + ")"
		}
		comment := oneLine(dt.Comment)
		if comment == "" {
			comment = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", dt.Ref, dt.Check, phase,
			dt.Start.Local().Format(time.RFC3339), dt.End.Local().Format(time.RFC3339), oneLine(dt.Author), comment)
	}
	return tw.Flush()
}

// shortDuration is d without zero minutes and seconds: 2h, 30m, 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func newDowntimeCancelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cancel REF",
		Short: "Cancel a downtime by the reference downtime add printed (or downtime list shows)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 || args[0] == "" {
				return refuse(cmd, fmt.Errorf("downtime cancel takes one reference (as downtime list shows it), got %d arguments", len(args)))
			}
			client, err := apiClient(cmd)
			if err != nil {
				return refuse(cmd, err)
			}
			resp, err := client.CancelDowntime(cmd.Context(), args[0])
			if err != nil {
				return refuse(cmd, err)
			}
			ids := make([]string, len(resp.Downtimes))
			for i, dt := range resp.Downtimes {
				ids[i] = dt.Check
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cancelled downtime %s on %s\n", args[0], checksList(ids))
			return nil
		},
	}
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}
