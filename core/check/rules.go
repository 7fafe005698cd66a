package check

// ResultRule maps a plugin run to a state, for programs that do not follow
// the Nagios exit codes (Big Sister's command check). A rule matches when
// every condition it has holds; a rule with no condition matches any run
// (Big Sister's "*"). Plain data: it travels with a check's job.
type ResultRule struct {
	// ExitCode is the exit code to match; nil matches any.
	ExitCode *int `json:"exit_code,omitempty"`
	// Output is a regular expression (Go RE2 syntax, checked at load)
	// matched against the plugin's output (the short output and the long
	// output, joined by a newline; stderr when stdout was empty); ""
	// matches any.
	Output string `json:"output,omitempty"`
	// State is the run's state when the rule matches.
	State State `json:"state"`
	// Text, when not empty, becomes the short output; what the plugin
	// printed moves to the long output.
	Text string `json:"text,omitempty"`
}
