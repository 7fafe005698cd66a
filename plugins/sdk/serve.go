package sdk

import (
	"fmt"
	"os"

	"github.com/hashicorp/go-plugin"
)

// Plugins are what one plugin executable serves: a check plugin, a
// notifier plugin, or both.
type Plugins struct {
	Check    Checker
	Notifier Notifier
}

// ServeCheck serves impl as a check plugin and returns when vakt is done
// with it. Call it from main; it exits the process when vakt did not start
// it (with a message saying so).
func ServeCheck(impl Checker) { Serve(Plugins{Check: impl}) }

// ServeNotifier serves impl as a notifier plugin, as ServeCheck does.
func ServeNotifier(impl Notifier) { Serve(Plugins{Notifier: impl}) }

// Serve serves the plugins in p from one executable, as ServeCheck does.
// With neither set it prints why to stderr and exits with status 1.
func Serve(p Plugins) {
	// The logger must hold the process's stderr before plugin.Serve
	// redirects os.Stderr: go-plugin forwards that stderr to vakt.
	logger := newPluginLogger()
	set := plugin.PluginSet{}
	if p.Check != nil {
		set[CheckPluginName] = &CheckPlugin{Impl: p.Check, Logger: logger}
	}
	if p.Notifier != nil {
		set[NotifierPluginName] = &NotifierPlugin{Impl: p.Notifier, Logger: logger}
	}
	if len(set) == 0 {
		fmt.Fprintln(os.Stderr, "sdk.Serve: no plugin to serve: set Plugins.Check or Plugins.Notifier")
		os.Exit(1)
	}
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake(),
		Plugins:         set,
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          logger,
	})
}
