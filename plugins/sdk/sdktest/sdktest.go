// Package sdktest serves a vakt plugin inside a Go test, so that a plugin's
// own tests go through the same gRPC protocol, schema validation and result
// checks as a real plugin process, without building one. For tests that do
// run plugin processes, LogLines collects the log lines a host files them
// under, so that a test can wait for one.
package sdktest

import (
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/plugins/sdk"
)

// ServeCheck serves impl in-process over go-plugin's gRPC test connection
// and returns the host side's Checker for it, as vakt would get it. The
// plugin's log lines go to t.Log. Everything is stopped when the test ends.
func ServeCheck(t testing.TB, impl sdk.Checker) sdk.Checker {
	t.Helper()
	raw := serve(t, sdk.CheckPluginName, &sdk.CheckPlugin{Impl: impl, Logger: testLogger(t)})
	checker, ok := raw.(sdk.Checker)
	if !ok {
		t.Fatalf("sdktest: dispensed a %T, not an sdk.Checker", raw)
	}
	return checker
}

// ServeNotifier serves impl in-process, as ServeCheck does, and returns
// the host side's Notifier for it.
func ServeNotifier(t testing.TB, impl sdk.Notifier) sdk.Notifier {
	t.Helper()
	raw := serve(t, sdk.NotifierPluginName, &sdk.NotifierPlugin{Impl: impl, Logger: testLogger(t)})
	notifier, ok := raw.(sdk.Notifier)
	if !ok {
		t.Fatalf("sdktest: dispensed a %T, not an sdk.Notifier", raw)
	}
	return notifier
}

func testLogger(t testing.TB) hclog.Logger {
	return sdk.NewHCLogger(zerolog.New(zerolog.NewTestWriter(t)), "sdktest")
}

func serve(t testing.TB, name string, p plugin.Plugin) any {
	t.Helper()
	client, server := plugin.TestPluginGRPCConn(t, false, plugin.PluginSet{name: p})
	// Cleanups run last first: stop the server, then close the client, so
	// that the client's shutdown call finds no server to race with.
	t.Cleanup(func() { _ = client.Close() })
	t.Cleanup(server.Stop)
	raw, err := client.Dispense(name)
	if err != nil {
		t.Fatalf("sdktest: dispensing the %s plugin: %v", name, err)
	}
	return raw
}
