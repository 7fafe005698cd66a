package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/core/report"
	"github.com/vakt/vakt/core/runner"
)

func newCheckCmd(g *globals) *cobra.Command {
	var (
		format, output string
		verbose        bool
		concurrency    int
		pluginDirs     []string
	)
	cmd := &cobra.Command{
		Use:   "check DIR|FILE...",
		Short: "Run every check once and exit with the worst state (0 ok, 1 warning, 2 critical, 3 unknown)",
		Long: `check loads the HCL check definitions in the given folders (every *.hcl under
them) and files, runs every check once, concurrently, prints a table of the
results and exits with the worst Nagios state: 0 ok, 1 warning, 2 critical,
3 unknown (critical ranks above unknown). --format json|junit writes
machine-readable results to stdout or to --output FILE. A file that does not
load is reported with file:line:col, nothing runs, and the exit code is 3;
so it is when the folders hold no check at all.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := report.CheckFormat(format); err != nil {
				return err
			}
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			tracker, stopProcs, err := g.startProcs(log)
			if err != nil {
				return err
			}
			defer stopProcs() // last: reaps what escaped the plugins
			l, nerr, err := loadChecks(ctx, log, args, pluginDirs, cmd.ErrOrStderr(), tracker)
			if err != nil {
				return err
			}
			if l == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d error(s) found; nothing was run\n", nerr)
				return exitError{code: 3}
			}
			defer l.Close()
			if l.set.Len() == 0 {
				// A CI job pointed at the wrong folder must not pass.
				fmt.Fprintf(cmd.ErrOrStderr(), "no checks found in %s; nothing was run\n", strings.Join(args, ", "))
				return exitError{code: 3}
			}

			// Open --output before running anything, so that a path that
			// cannot be written fails at once rather than after the run.
			out := cmd.OutOrStdout()
			var file *os.File
			if output != "" {
				if file, err = os.Create(output); err != nil {
					return fmt.Errorf("creating --output file: %w", err)
				}
				defer file.Close() // a second Close after the one below is harmless
				out = file
			}

			ex := execute.NewExec(log)
			ex.Procs = tracker
			r := &execute.Runner{Exec: ex, Plugins: l.plugins}
			results := runner.RunAll(ctx, r, l.set.Jobs(), concurrency)
			if err := report.Write(out, format, results, report.Options{Verbose: verbose}); err != nil {
				return err
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return fmt.Errorf("writing --output file: %w", err)
				}
			}
			return exitError{code: int(report.Worst(results))}
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: "+report.Formats)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the results to this file instead of stdout")
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "add long output, perfdata and parser notes to the table")
	cmd.Flags().IntVarP(&concurrency, "concurrency", "j", 8*runtime.NumCPU(), "how many checks run at once")
	addPluginDirFlag(cmd, &pluginDirs)
	return cmd
}
