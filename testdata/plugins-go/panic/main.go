// Command panic is a test check plugin that panics in Check; see package pluginkit.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

func main() { sdk.ServeCheck(pluginkit.Panic()) }
