// Command vakt is the one vakt binary: `vakt run` is the daemon, `vakt
// check` runs a check pack once for CI, `vakt validate` checks HCL files
// without running anything.
package main

import (
	"os"

	"github.com/rs/zerolog"
)

// version is vakt's version, set at build time with
// -ldflags "-X main.version=1.2.3"; when empty, the module version from
// the build info, else "dev".
var version string

func main() {
	// Durations in logs read "2s", not a bare number of milliseconds. Set
	// once, here, before anything logs.
	zerolog.DurationFieldFormat = zerolog.DurationFormatString
	os.Exit(runWith(os.Args[1:], os.Stdout, os.Stderr, options{subreaper: true, version: version}))
}
