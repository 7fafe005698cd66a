// Command wrongversion is a check plugin that speaks plugin protocol
// version 2, which vakt must refuse with a clear error.
package main

import (
	"github.com/hashicorp/go-plugin"

	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/testdata/sdkplugins/testplugin"
)

func main() {
	handshake := sdk.Handshake()
	handshake.ProtocolVersion = 2
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: handshake,
		Plugins:         plugin.PluginSet{sdk.CheckPluginName: &sdk.CheckPlugin{Impl: testplugin.NewChecker()}},
		GRPCServer:      plugin.DefaultGRPCServer,
	})
}
