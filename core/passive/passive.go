// Package passive receives check results that vakt does not run itself.
//
// Two inputs feed one Sink:
//
//   - BBServer speaks the Big Brother / Big Sister / Xymon status protocol on
//     TCP (port 1984): agents send "status HOST.TEST COLOUR text" messages,
//     one per connection, and get no reply. ParseMessage is its parser.
//   - ResultsHandler serves POST /api/v1/results: JSON results, authenticated
//     by a bearer token.
//
// Both turn what they receive into a Result and hand it to the Sink, which
// the daemon implements by feeding the state machine. Malformed input is
// refused with a precise reason and never stops either input. README.md in
// this directory describes the protocol as vakt accepts it.
package passive

import (
	"context"
	"strconv"
	"time"

	"github.com/vakt/vakt/core/check"
)

// Sink receives passive results; the daemon's implementation feeds them into
// the state machine. Submit may be called from many goroutines at once.
type Sink interface {
	Submit(ctx context.Context, r Result) error
}

// CommandSink is implemented by a Sink that also takes the Xymon disable and
// enable commands (downtime for a check, and its end). A BBServer whose Sink
// does not implement it logs such commands and counts them as sink errors.
type CommandSink interface {
	SubmitCommand(ctx context.Context, c Command) error
}

// Result is one passive result.
type Result struct {
	Host  string // the host it is for; Big Brother commas already turned into dots
	Check string // the check (Big Brother: the test name)
	State check.State
	// Output is the first line of text, Long the rest (without perfdata).
	Output, Long string
	// Perfdata is parsed from Nagios output sent over HTTP; Big Brother
	// status text carries none.
	Perfdata []check.Perf
	// RawPerfdata is the perfdata as the sender wrote it.
	RawPerfdata string
	// TTL is the freshness lifetime: after it the check goes stale (Big
	// Sister purple). 0 means none.
	TTL time.Duration
	// Colour is the Big Brother colour as received (green, yellow, red or
	// clear); "" for results that came over HTTP.
	Colour string
	// Notes says what was changed on the way in and why: perfdata items
	// skipped, clear taken as OK.
	Notes []string
	// Received is when vakt received the result.
	Received time.Time
	// Source says where the result came from: "bb:" or "http:" followed by
	// the sender's address, e.g. "bb:192.0.2.7:40312".
	Source string
}

// CommandKind is what a Command asks for.
type CommandKind int

// The Xymon commands vakt accepts besides status.
const (
	// Disable puts a check (or every check of a host) into downtime.
	Disable CommandKind = iota + 1
	// Enable ends such a downtime early.
	Enable
)

// String returns disable or enable.
func (k CommandKind) String() string {
	switch k {
	case Disable:
		return "disable"
	case Enable:
		return "enable"
	}
	return "CommandKind(" + strconv.Itoa(int(k)) + ")"
}

// Command is a Xymon "disable HOST.TEST DURATION [reason]" or
// "enable HOST.TEST" message; the daemon maps it to downtime.
type Command struct {
	Kind CommandKind
	Host string
	// Check is the test name, or "*" for every check of the host.
	Check string
	// Duration is how long a Disable lasts; 0 when UntilOK is set and for
	// Enable.
	Duration time.Duration
	// UntilOK is set by "disable HOST.TEST -1": the downtime lasts until
	// the check is OK again.
	UntilOK bool
	// Reason is the text after the duration of a Disable.
	Reason   string
	Received time.Time
	Source   string // as in Result
}
