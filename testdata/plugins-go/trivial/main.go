// Command trivial is a test check plugin that answers OK at once; see package pluginkit.
package main

import (
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/plugins-go/pluginkit"
)

func main() { sdk.ServeCheck(pluginkit.Trivial{}) }
