// Command exit is a test check plugin that exits with status 1 in Check; see package pluginkit.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

func main() { sdk.ServeCheck(pluginkit.Exit()) }
