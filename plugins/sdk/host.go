package sdk

import (
	"fmt"
	"os/exec"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"
)

// NewClientConfig returns the go-plugin client configuration for starting
// the plugin executable of cmd: vakt's handshake, gRPC only, automatic
// mTLS, and the plugin's log lines (and anything it prints to stdout or
// stderr after starting) written into log tagged with plugin=<name>. It
// adds LogLevelEnv to cmd.Env so that the plugin does not send what log
// would drop. The caller may set more fields (SecureConfig, StartTimeout)
// before plugin.NewClient.
func NewClientConfig(cmd *exec.Cmd, log zerolog.Logger, name string) *plugin.ClientConfig {
	logger := NewHCLogger(log, name)
	cmd.Env = append(cmd.Env, LogLevelEnv+"="+hclogLevelName(effectiveLevel(log)))
	return &plugin.ClientConfig{
		HandshakeConfig:  Handshake(),
		Plugins:          PluginMap(),
		Cmd:              cmd,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		AutoMTLS:         true,
		Logger:           logger,
		SyncStdout:       &lineLogger{log: logger, level: hclog.Info, args: []any{"stream", "stdout"}},
		SyncStderr:       &lineLogger{log: logger, level: hclog.Info, args: []any{"stream", "stderr"}},
	}
}

// DispenseChecker starts the plugin process of c if it is not running and
// returns its check plugin. A plugin that does not serve one fails its
// first call with an error that says so.
func DispenseChecker(c *plugin.Client) (Checker, error) {
	raw, err := dispense(c, CheckPluginName)
	if err != nil {
		return nil, err
	}
	checker, ok := raw.(Checker)
	if !ok {
		return nil, fmt.Errorf("dispensing the check plugin: got a %T, not a Checker (was the client built with PluginMap?)", raw)
	}
	return checker, nil
}

// DispenseNotifier starts the plugin process of c if it is not running and
// returns its notifier plugin, as DispenseChecker does.
func DispenseNotifier(c *plugin.Client) (Notifier, error) {
	raw, err := dispense(c, NotifierPluginName)
	if err != nil {
		return nil, err
	}
	notifier, ok := raw.(Notifier)
	if !ok {
		return nil, fmt.Errorf("dispensing the notifier plugin: got a %T, not a Notifier (was the client built with PluginMap?)", raw)
	}
	return notifier, nil
}

func dispense(c *plugin.Client, name string) (any, error) {
	rpc, err := c.Client()
	if err != nil {
		return nil, fmt.Errorf("starting the plugin: %w", err)
	}
	raw, err := rpc.Dispense(name)
	if err != nil {
		return nil, fmt.Errorf("dispensing the %s plugin: %w", name, err)
	}
	return raw, nil
}
