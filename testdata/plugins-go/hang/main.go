// Command hang is a test check plugin that blocks in Check until its context ends; see package pluginkit.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

func main() { sdk.ServeCheck(pluginkit.Hang()) }
