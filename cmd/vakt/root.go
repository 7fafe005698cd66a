package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
)

// exitError carries an exit code out of a command; its message, if any,
// has been printed already.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// globals are the flags every command shares.
type globals struct {
	logLevel  string
	logFormat string
}

// run builds the command tree, runs it with args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	var g globals
	root := &cobra.Command{
		Use:           "vakt",
		Short:         "vakt runs Nagios-compatible checks and tells the right people",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.logLevel, "log-level", "warn", "log level: debug, info, warn, error")
	root.PersistentFlags().StringVar(&g.logFormat, "log-format", "auto", "log format: json, console, or auto (console on a terminal)")
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(newCheckCmd(&g), newValidateCmd(&g), newPluginsCmd(&g), newPluginServeCmd())
	root.AddCommand(newRunCmd(), newStatusCmd(), newReloadCmd())
	root.AddCommand(newAckCmd())
	root.AddCommand(newDowntimeCmd())
	root.AddCommand(newPassiveCmd())
	root.AddCommand(newImportCmd(&g))

	err := root.Execute()
	var exit exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.code
	}
	fmt.Fprintf(stderr, "vakt: %v\n", err)
	return 3 // UNKNOWN: vakt itself could not do what was asked
}

// logger builds the zerolog logger the flags ask for, writing to w.
func (g *globals) logger(w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(g.logLevel)
	if err != nil {
		return zerolog.Nop(), fmt.Errorf("parsing --log-level: %w", err)
	}
	switch g.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
	case "auto":
		if f, ok := w.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.RFC3339}
		}
	default:
		return zerolog.Nop(), fmt.Errorf("unknown --log-format %q: want json, console or auto", g.logFormat)
	}
	// Checks run concurrently and all log here: serialise the writes for
	// writers that are not safe for concurrent use.
	return zerolog.New(zerolog.SyncWriter(w)).Level(level).With().Timestamp().Logger(), nil
}
