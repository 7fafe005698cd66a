// Package check holds the result model shared by every step of vakt: the
// Nagios plugin states, a Result with its output and performance data, the
// parser for plugin output (SPEC.md sections 2 and 3) and the threshold range
// evaluator (SPEC.md section 4).
package check

import (
	"fmt"
	"strings"
	"time"
)

// State is a Nagios plugin state, numbered as the plugin exit codes are.
type State int8

// The four plugin states, in the order of their exit codes.
const (
	OK       State = 0
	Warning  State = 1
	Critical State = 2
	Unknown  State = 3
)

// String returns the Nagios name of the state: OK, WARNING, CRITICAL, UNKNOWN.
func (s State) String() string {
	switch s {
	case OK:
		return "OK"
	case Warning:
		return "WARNING"
	case Critical:
		return "CRITICAL"
	case Unknown:
		return "UNKNOWN"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Valid reports whether s is one of the four plugin states.
func (s State) Valid() bool { return s >= OK && s <= Unknown }

// ParseState reads a state name as written in configuration: ok, warning,
// critical, unknown (any case), or the digits 0 to 3.
func ParseState(name string) (State, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "ok", "0":
		return OK, nil
	case "warning", "warn", "1":
		return Warning, nil
	case "critical", "crit", "2":
		return Critical, nil
	case "unknown", "3":
		return Unknown, nil
	}
	return Unknown, fmt.Errorf("unknown state %q: want ok, warning, critical or unknown", name)
}

// Worse returns the more severe of two states in the order a CI run reports
// them: OK < WARNING < UNKNOWN < CRITICAL, as Nagios' worst-state logic
// ranks them. Use WorstExit for the exit code.
func Worse(a, b State) State {
	if severity(b) > severity(a) {
		return b
	}
	return a
}

func severity(s State) int {
	switch s {
	case OK:
		return 0
	case Warning:
		return 1
	case Unknown:
		return 2
	}
	return 3
}

// Result is what one run of a check produced, whichever way it ran.
type Result struct {
	Check    string        // the check's name
	Host     string        // the host it ran for
	State    State         // the plugin state after exit-code mapping
	Output   string        // the first line of output, without perfdata
	Long     string        // long output: lines 2..n without perfdata
	Perfdata []Perf        // parsed performance data, malformed items left out
	Notes    []string      // what the parser skipped and why (malformed perfdata, cut output)
	ExitCode int           // the process exit code, -1 when it did not exit normally
	Start    time.Time     // when the run started
	Duration time.Duration // how long it took
	TimedOut bool          // the run was killed for exceeding its timeout

	// RawPerfdata is the perfdata exactly as the plugin printed it (see
	// Parsed.PerfText), malformed items and all, for graphers that read
	// Nagios' perfdata string; empty for results that had no text.
	RawPerfdata string `json:"raw_perfdata"`
}
