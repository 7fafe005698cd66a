// Command ignorectx is a test check plugin that blocks in Check ignoring its context; see package pluginkit.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

func main() { sdk.ServeCheck(pluginkit.IgnoreContext()) }
