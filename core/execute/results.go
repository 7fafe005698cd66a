package execute

import (
	"regexp"
	"strings"

	"github.com/vakt/vakt/core/check"
)

// applyResults applies a check's result rules (check.ResultRule) to a run:
// the first rule whose exit code and output pattern match decides the
// state, and its text, if any, becomes the short output while what the
// plugin printed moves to the long output. Only a plugin that exited by
// itself is mapped; a timeout, a signal, a cancelled run or a plugin that
// could not start keep the state they have. With no matching rule the exit
// code decides as usual.
func applyResults(res *check.Result, rules []check.ResultRule) {
	if len(rules) == 0 || res.ExitCode < 0 || res.TimedOut {
		return
	}
	said := joinLines(res.Output, res.Long)
	if res.ExitCode > 3 {
		// fill explained the out-of-range code in the short output and
		// moved what the plugin printed to the long output; a rule that
		// maps the code replaces the explanation.
		said = res.Long
	}
	for _, r := range rules {
		if r.ExitCode != nil && *r.ExitCode != res.ExitCode {
			continue
		}
		if r.Output != "" {
			// Checked at load; a pattern that does not compile (a job
			// made by hand) matches nothing.
			re, err := regexp.Compile(r.Output)
			if err != nil || !re.MatchString(said) {
				continue
			}
		}
		res.State = r.State
		if r.Text != "" {
			res.Output, res.Long = r.Text, said
		} else {
			res.Output, res.Long, _ = strings.Cut(said, "\n")
		}
		return
	}
}
