// Command othercookie is a check plugin built for another host program: it
// expects another magic cookie, so it refuses to start under vakt.
package main

import (
	"github.com/hashicorp/go-plugin"

	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/sdkplugins/testplugin"
)

func main() {
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{ProtocolVersion: 1, MagicCookieKey: "OTHER_PLUGIN", MagicCookieValue: "other"},
		Plugins:         plugin.PluginSet{sdk.CheckPluginName: &sdk.CheckPlugin{Impl: testplugin.NewChecker()}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
