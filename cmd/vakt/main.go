// Command vakt is the one vakt binary: `vakt check` runs a check pack once
// for CI, `vakt validate` checks HCL files without running anything.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
