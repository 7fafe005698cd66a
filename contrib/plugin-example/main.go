// Command vakt-plugin-file-age is an example third-party check plugin for
// vakt: it warns when a file has not been modified for too long (a backup
// that stopped running, a log nobody writes any more). Build it, drop the
// executable into a vakt plugin directory, and use it from a check file.
package main

import "github.com/vakt/vakt/plugins/sdk"

func main() { sdk.ServeCheck(fileAge{}) }
