package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/vakt/vakt/core/importer"
	"github.com/vakt/vakt/core/importer/bigsister"
	"github.com/vakt/vakt/core/importer/nagios"
)

// importFlags are the flags of the import subcommands.
type importFlags struct {
	out        string
	check      bool
	force      bool
	pluginDirs []string
}

func newImportCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import nagios|bigsister SOURCE --out DIR",
		Short: "Convert a Nagios object configuration or a Big Sister agent configuration into HCL checks",
		Long: `import converts another monitoring system's configuration into vakt HCL files,
then validates them as vakt validate does.

  vakt import nagios /etc/nagios4/nagios.cfg --out checks.d/imported
  vakt import bigsister /etc/bigsister --out checks.d/imported

Whatever cannot be converted is listed as file:line: note|error: why, and is
left as a comment in the output; nothing is dropped silently. --check only
reports: it converts and validates in a temporary folder and writes nothing.
The exit code is 0 when everything was read (notes are fine), 1 when the
input had errors (what could be read is still converted) or the output does
not validate.`,
	}
	cmd.AddCommand(
		importSubcommand(g, "nagios MAIN_CFG", "Convert nagios.cfg and the object files it names (Nagios, Naemon, Icinga 1)", nagios.Convert),
		importSubcommand(g, "bigsister DIR|UXMON_NET", "Convert Big Sister's uxmon-net (and bb_event_generator.cfg beside it)", bigsister.Convert),
	)
	return cmd
}

func importSubcommand(g *globals, use, short string, convert func(string) (*importer.Result, error)) *cobra.Command {
	var f importFlags
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !f.check && f.out == "" {
				return errors.New("--out DIR is required (or --check to only report)")
			}
			res, err := convert(args[0])
			if err != nil {
				return err
			}
			return finishImport(cmd, g, &f, res)
		},
	}
	cmd.Flags().StringVar(&f.out, "out", "", "the folder to write the HCL files to; it must be empty or new unless --force")
	cmd.Flags().BoolVar(&f.check, "check", false, "only report what would not convert; write nothing")
	cmd.Flags().BoolVar(&f.force, "force", false, "write into --out even when it holds files (files of the same name are replaced)")
	addPluginDirFlag(cmd, &f.pluginDirs)
	return cmd
}

// finishImport writes the files (or a temporary copy for --check), lists
// the problems, and validates the output.
func finishImport(cmd *cobra.Command, g *globals, f *importFlags, res *importer.Result) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if err := res.WriteProblems(stdout); err != nil {
		return err
	}
	dir := f.out
	if f.check {
		tmp, err := os.MkdirTemp("", "vakt-import-")
		if err != nil {
			return fmt.Errorf("creating a folder to validate in: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := checkOutDir(dir, f.force); err != nil {
		return err
	}
	if err := res.WriteFiles(dir); err != nil {
		return err
	}
	log, err := g.logger(stderr)
	if err != nil {
		return err
	}
	l, nerr, err := loadChecks(cmd.Context(), log, []string{dir}, f.pluginDirs, stderr, nil)
	if err != nil {
		return err
	}
	hosts, checks := 0, 0
	if l != nil {
		hosts, checks = l.set.Hosts(), l.set.Len()
		l.Close()
	}
	where := "written to " + dir
	if f.check {
		where = "nothing written (--check)"
	}
	fmt.Fprintf(stdout, "%d file(s), %d hosts, %d checks; %d error(s), %d note(s) in the input; %s\n",
		len(res.Files), hosts, checks, res.Errors(), len(res.Problems)-res.Errors(), where)
	if l == nil {
		fmt.Fprintf(stderr, "the converted files do not validate: %d error(s)\n", nerr)
		return exitError{code: 1}
	}
	if res.Errors() > 0 {
		return exitError{code: 1}
	}
	return nil
}

// checkOutDir refuses an output folder that holds files, unless force.
func checkOutDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the output folder: %w", err)
	}
	if len(entries) > 0 && !force {
		return fmt.Errorf("the output folder %s is not empty; choose a new one or pass --force", dir)
	}
	return nil
}
