package main

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vakt/vakt/core/engine"
	"github.com/vakt/vakt/core/server"
)

// targetFlags name the checks a command is for: one check ID as the
// argument, or --host, or --tag.
type targetFlags struct {
	host, tag string
}

func (f *targetFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.host, "host", "", "every check of this host")
	fs.StringVar(&f.tag, "tag", "", "every check with this tag, as key=value")
}

// target checks that args and the flags name exactly one check, host or
// tag, and returns it.
func (f *targetFlags) target(args []string) (engine.Target, error) {
	if len(args) > 1 {
		return engine.Target{}, fmt.Errorf("%d checks named (%s): name one check, or use --host or --tag", len(args), strings.Join(args, " "))
	}
	var t engine.Target
	if len(args) == 1 {
		t.Check = args[0]
	}
	t.Host, t.Tag = f.host, f.tag
	n := 0
	for _, s := range []string{t.Check, t.Host, t.Tag} {
		if s != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return t, errors.New("no target: name a check (HOST/CHECK), or use --host HOST or --tag KEY=VALUE")
	case n > 1:
		return t, errors.New("more than one target: name a check (HOST/CHECK), --host or --tag, only one of them")
	case t.Check != "":
		if host, name, ok := strings.Cut(t.Check, "/"); !ok || host == "" || name == "" || strings.Contains(name, "/") {
			return t, fmt.Errorf("check %q: want a check ID, HOST/CHECK (e.g. localhost/disk)", t.Check)
		}
	case t.Tag != "":
		if key, _, ok := strings.Cut(t.Tag, "="); !ok || key == "" {
			return t, fmt.Errorf("--tag %q: want key=value", t.Tag)
		}
	}
	return t, nil
}

// defaultAuthor is $USER@hostname, who a command is recorded as by
// default.
func defaultAuthor() string {
	name := os.Getenv("USER")
	if name == "" {
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
	}
	if name == "" {
		name = "unknown"
	}
	if host, err := os.Hostname(); err == nil && host != "" {
		name += "@" + host
	}
	return name
}

// refuse prints err as vakt's error and exits 1: for bad input and for
// requests the daemon did not carry out.
func refuse(cmd *cobra.Command, err error) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "vakt: %v\n", err)
	return exitError{code: 1}
}

// checksList is "N check(s): a, b".
func checksList(ids []string) string {
	noun := "checks"
	if len(ids) == 1 {
		noun = "check"
	}
	return fmt.Sprintf("%d %s: %s", len(ids), noun, strings.Join(ids, ", "))
}

func newAckCmd() *cobra.Command {
	var (
		tf                     targetFlags
		comment, author        string
		sticky, notify, remove bool
	)
	cmd := &cobra.Command{
		Use:   "ack [HOST/CHECK | --host HOST | --tag KEY=VALUE]",
		Short: "Acknowledge a problem (or remove an acknowledgement with --remove) in the running vakt",
		Long: `ack acknowledges the problem of a check, or of every check of a host or with a
tag that has one (POST /api/v1/acks on the listen address of the settings,
with the first API token): its problem notifications stop until it recovers.
An ack is removed when the check's state changes, unless --sticky, in which
case it stays until the check is OK. --remove removes the acknowledgements
instead. It prints the checks acted on and exits 0; bad input, a refusal by
vakt run (e.g. no check there has a problem) or no answer exits 1.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := tf.target(args)
			if err != nil {
				return refuse(cmd, err)
			}
			if remove {
				for _, name := range []string{"comment", "author", "sticky", "notify"} {
					if cmd.Flags().Changed(name) {
						return refuse(cmd, fmt.Errorf("--remove takes a target only, not --%s", name))
					}
				}
			}
			if strings.TrimSpace(author) == "" {
				return refuse(cmd, errors.New("--author is empty: an acknowledgement needs an author"))
			}
			client, err := apiClient(cmd)
			if err != nil {
				return refuse(cmd, err)
			}
			if remove {
				ids, err := client.Unacknowledge(cmd.Context(), t)
				if err != nil {
					return refuse(cmd, err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed the acknowledgement of %s\n", checksList(ids))
				return nil
			}
			ids, err := client.Acknowledge(cmd.Context(), server.AckRequest{Check: t.Check, Host: t.Host, Tag: t.Tag,
				Author: author, Comment: comment, Sticky: sticky, Notify: notify})
			if err != nil {
				return refuse(cmd, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "acknowledged %s\n", checksList(ids))
			return nil
		},
	}
	tf.add(cmd.Flags())
	cmd.Flags().StringVarP(&comment, "comment", "c", "", "why: shown with the acknowledgement")
	cmd.Flags().StringVar(&author, "author", defaultAuthor(), "who acknowledges")
	cmd.Flags().BoolVar(&sticky, "sticky", false, "keep the acknowledgement until the check is OK, through changes between problem states")
	cmd.Flags().BoolVar(&notify, "notify", false, "send an acknowledgement notification")
	cmd.Flags().BoolVar(&remove, "remove", false, "remove the acknowledgements of the target instead")
	addSettingFlags(cmd.Flags(), keyListen, keyAPITokens)
	return cmd
}
