// Package sdk is what a vakt plugin imports, and what vakt itself uses to
// talk to plugins.
//
// A check plugin implements Checker, a notifier plugin implements Notifier;
// its main function is one line:
//
//	func main() { sdk.ServeCheck(&filesAge{}) }
//
// The plugin then runs as a long-lived process started by vakt through
// hashicorp/go-plugin, speaking the gRPC protocol in plugins/proto/pluginv1
// (one Check call per run of a check, no fork per run). Every call's
// context carries the deadline vakt set; Logger(ctx) is the logger whose
// lines vakt files under the plugin's name.
//
// The SDK validates configuration against the plugin's Schema before the
// plugin sees it, keeps configured instances by id, and checks what the
// plugin sends back. On the host side, NewClientConfig, DispenseChecker and
// DispenseNotifier give vakt the same Checker and Notifier interfaces
// backed by a plugin process; the sdktest package serves a plugin
// in-process for its own tests.
package sdk

import (
	"context"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/vakt/vakt/core/check"
)

// The go-plugin handshake. A plugin and vakt must agree on all three; a
// plugin built against another protocol version is refused with an error
// that names both versions.
const (
	// ProtocolVersion is the plugin protocol's major version, the v1 of
	// package vakt.plugin.v1.
	ProtocolVersion = 1
	// MagicCookieKey is the environment variable vakt sets for its plugins.
	MagicCookieKey = "VAKT_PLUGIN"
	// MagicCookieValue is its value. It is not a secret: it only lets a
	// plugin tell that vakt started it.
	MagicCookieValue = "8d3c1f6e2b7a4e59a0c4d2f1b6e8a3c7"
)

// The names under which the plugin kinds are served and dispensed.
const (
	CheckPluginName    = "check"
	NotifierPluginName = "notifier"
)

// LogLevelEnv is the environment variable vakt sets to the lowest level it
// keeps (trace, debug, info, warn, error); a plugin's logger drops anything
// below it. Unset means info.
const LogLevelEnv = "VAKT_PLUGIN_LOG_LEVEL"

// Handshake returns the go-plugin handshake of vakt plugins.
func Handshake() plugin.HandshakeConfig {
	return plugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}

// PluginMap returns the plugin set vakt dispenses from: both kinds, host
// side (no implementation).
func PluginMap() plugin.PluginSet {
	return plugin.PluginSet{
		CheckPluginName:    &CheckPlugin{},
		NotifierPluginName: &NotifierPlugin{},
	}
}

// Info describes a plugin.
type Info struct {
	// Name is the plugin's short name, e.g. "file_age".
	Name string
	// Version is the plugin's own version, e.g. "1.2.0".
	Version     string
	Description string
	// Schema is the configuration the plugin accepts.
	Schema Schema
}

// Config is one configuration instance: the config of one check, or of
// one notifier (e.g. one SMTP relay).
type Config struct {
	// ID names the instance, chosen by vakt (e.g. the check's name).
	ID string
	// Values are complete and valid by the plugin's schema when a plugin
	// receives them. On the host side, nil Values in a Request or
	// Notification mean "use the config configured under ID"; non-nil
	// (even empty) Values are sent along, configured and used.
	Values Values
}

// Host is the host a check runs for.
type Host struct {
	Name string
	// Address is what to connect to (a DNS name or an IP address); may be
	// empty for local checks.
	Address string
}

// Request asks a check plugin for one run of a check.
type Request struct {
	Config Config
	// Check is the name of the check being run, for logs.
	Check string
	Host  Host
	// Timeout is how long vakt waits for the result. The call's context
	// has the same deadline; a plugin stops when it is done. On the host
	// side a positive Timeout is applied to the call's context.
	Timeout time.Duration
}

// Checker is a check plugin.
type Checker interface {
	// Info describes the plugin. It is called often: return a constant.
	Info(ctx context.Context) (Info, error)
	// Configure accepts or rejects one configuration, already validated
	// against the schema and completed with defaults. Return ConfigErrors
	// to reject attributes (any other error rejects the whole config).
	// Keep what you precompute under cfg.ID; Check receives the same
	// Config.
	Configure(ctx context.Context, cfg Config) error
	// Check runs the check once. Set State, Output, and as needed Long,
	// Perfdata and Notes of the result; vakt fills in the rest. Return an
	// error only when the check could not run at all; vakt turns it into
	// an UNKNOWN result that says why.
	Check(ctx context.Context, req Request) (check.Result, error)
}

// Recipient is one person or system a notification goes to.
type Recipient struct {
	Name string
	// Address is where to deliver: a mail address, a phone number, a URL.
	Address string
}

// Notification asks a notifier plugin to deliver one event.
type Notification struct {
	Config Config
	// ID is unique per notification and the same on every retry of it.
	ID    string
	Check string
	Host  string
	State check.State
	Level check.Level
	// Kind is what happened: problem, recovery, acknowledgement,
	// flapping_start, flapping_stop, downtime_start, downtime_end, custom.
	Kind       string
	Output     string
	Long       string
	Time       time.Time
	Recipients []Recipient
	// Extra holds anything else a route passes on.
	Extra map[string]string
}

// Notifier is a notifier plugin.
type Notifier interface {
	// Info describes the plugin. It is called often: return a constant.
	Info(ctx context.Context) (Info, error)
	// Configure accepts or rejects one configuration, as Checker's does.
	Configure(ctx context.Context, cfg Config) error
	// Notify delivers one notification. An error is retried with backoff
	// unless marked with Permanent.
	Notify(ctx context.Context, n Notification) error
}
