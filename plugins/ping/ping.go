// Package ping is vakt's built-in ping check plugin. Like the
// monitoring-plugins' check_ping it sends ICMP echo requests and judges the
// packet loss and the round-trip average against Nagios threshold ranges.
//
// It pings with github.com/prometheus-community/pro-bing: raw ICMP sockets
// when the process may open them (root or CAP_NET_RAW), else unprivileged
// ICMP datagram sockets ("UDP ping", allowed by the net.ipv4.ping_group_range
// sysctl). vakt serves it out of process as `vakt plugin-serve ping`; see
// README.md for the configuration and sample.hcl (SampleConfig) for a
// commented example.
package ping

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a check's plugin attribute gives it.
const Name = "ping"

// Version is the plugin's version.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a check that uses the plugin with every attribute
// documented, Telegraf-style: set attributes are required or typical,
// commented ones show their default.
func SampleConfig() string { return sampleConfig }

// Checker is the ping check plugin. It keeps each config's parsed settings
// by config id, parsed once when the config is configured; Check uses
// them, parsing a config it has not seen (and keeping it). Use it through
// New: it must not be copied.
type Checker struct {
	settings configcache.Cache[settings]
}

// New returns the plugin, for the built-in registry.
func New() sdk.Checker { return &Checker{} }

// Defaults and limits of the attributes. The thresholds are the ones of
// the Nagios sample configuration for check_ping (100.0,20% and 500.0,60%).
const (
	defaultCount    = 5
	maxCount        = 1000
	defaultInterval = time.Second
	minInterval     = 10 * time.Millisecond
	defaultTimeout  = 10 * time.Second
)

// Info describes the plugin and its configuration schema.
func (*Checker) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:    Name,
		Version: Version,
		Description: "Sends ICMP echo requests (raw ICMP when privileged, else unprivileged ICMP datagram sockets) " +
			"and checks the packet loss and round-trip average, as check_ping does.",
		Schema: schema(),
	}, nil
}

func schema() sdk.Schema {
	return sdk.Schema{
		{Name: "host", Type: sdk.TypeString, Description: "the host to ping; default: the check's host address"},
		{Name: "count", Type: sdk.TypeNumber, Default: defaultCount, Description: "echo requests to send, 1 to 1000"},
		{Name: "interval", Type: sdk.TypeDuration, Default: defaultInterval, Description: "between two requests, at least 10ms"},
		{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "how long the whole ping may take; what has not come back by then is lost"},
		{Name: "privileged", Type: sdk.TypeString, Default: "auto", Description: "true: raw ICMP sockets; false: unprivileged ICMP datagram sockets; auto: raw, else unprivileged"},
		{Name: "rta_warning", Type: sdk.TypeString, Default: "100", Description: "range of the round-trip average in ms; WARNING outside it"},
		{Name: "rta_critical", Type: sdk.TypeString, Default: "500", Description: "range of the round-trip average in ms; CRITICAL outside it"},
		{Name: "pl_warning", Type: sdk.TypeString, Default: "20", Description: "range of the packet loss in percent; WARNING outside it"},
		{Name: "pl_critical", Type: sdk.TypeString, Default: "60", Description: "range of the packet loss in percent; CRITICAL outside it"},
	}
}

// settings is a config read and checked.
type settings struct {
	host              string
	count             int
	interval, timeout time.Duration
	// sockets lists the kinds of socket to try, in order: true for raw
	// ICMP, false for unprivileged ICMP datagram sockets.
	sockets          []bool
	rtaWarn, rtaCrit *check.Range
	plWarn, plCrit   *check.Range
}

// Configure checks what the schema cannot: the count, interval and
// timeout limits, privileged, the threshold ranges.
func (c *Checker) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := c.settings.Configure(cfg, parseSettings)
	return err
}

type addFunc func(attr, format string, args ...any)

// parseSettings reads validated values into settings, or returns
// sdk.ConfigErrors naming every attribute at fault.
func parseSettings(v sdk.Values) (settings, error) {
	var errs sdk.ConfigErrors
	add := func(attr, format string, args ...any) {
		errs = append(errs, sdk.AttributeError{Attribute: attr, Message: fmt.Sprintf("attribute %q: ", attr) + fmt.Sprintf(format, args...)})
	}
	s := settings{
		host:     v.String("host"),
		interval: v.Duration("interval"),
		timeout:  v.Duration("timeout"),
	}
	if f := v.Number("count"); f != math.Trunc(f) || f < 1 || f > maxCount {
		add("count", "want a whole number from 1 to %d, got %v", maxCount, f)
	} else {
		s.count = int(f)
	}
	if s.interval < minInterval {
		add("interval", "must be at least %s, got %s", minInterval, s.interval)
	}
	if s.timeout <= 0 {
		add("timeout", "must be positive, got %s", s.timeout)
	}
	switch p := v.String("privileged"); p {
	case "auto":
		s.sockets = []bool{true, false}
	case "true":
		s.sockets = []bool{true}
	case "false":
		s.sockets = []bool{false}
	default:
		add("privileged", "want \"auto\", \"true\" or \"false\", got %q", p)
	}
	s.rtaWarn = threshold(v.String("rta_warning"), "rta_warning", add)
	s.rtaCrit = threshold(v.String("rta_critical"), "rta_critical", add)
	s.plWarn = threshold(v.String("pl_warning"), "pl_warning", add)
	s.plCrit = threshold(v.String("pl_critical"), "pl_critical", add)
	if len(errs) > 0 {
		return settings{}, errs
	}
	return s, nil
}

// threshold parses a Nagios range; empty means no threshold.
func threshold(text, attr string, add addFunc) *check.Range {
	if text == "" {
		return nil
	}
	r, err := check.ParseRange(text)
	if err != nil {
		add(attr, "%v", err)
		return nil
	}
	return &r
}

// Check pings the host once (count echo requests) and judges the result.
func (c *Checker) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	s, err := c.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{State: check.Unknown, Output: "PING UNKNOWN - invalid config: " + err.Error()}, nil
	}
	host := s.host
	if host == "" {
		host = req.Host.Address
	}
	if host == "" {
		host = req.Host.Name
	}
	if host == "" {
		return check.Result{State: check.Unknown,
			Output: "PING UNKNOWN - no host to ping: set host, or run the check for a host"}, nil
	}
	result := run(ctx, s, host)
	if err := ctx.Err(); err != nil {
		// vakt's own deadline ended the check, not the plugin's timeout:
		// vakt reports that itself.
		return check.Result{}, fmt.Errorf("pinging %s: %w", host, err)
	}
	return result, nil
}
