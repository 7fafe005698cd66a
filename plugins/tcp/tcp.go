// Package tcp is vakt's built-in tcp check plugin. Like the
// monitoring-plugins' check_tcp it connects to a TCP port, optionally over
// TLS, optionally sends a string and expects one in the response, and
// judges the response time and the days left on the server's certificate
// against Nagios threshold ranges.
//
// vakt serves it out of process as `vakt plugin-serve tcp`; see README.md
// for the configuration and sample.hcl (SampleConfig) for a commented
// example.
package tcp

import (
	"context"
	_ "embed"
	"fmt"
	"regexp"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/internal/tlscert"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a check's plugin attribute gives it.
const Name = "tcp"

// Version is the plugin's version.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a check that uses the plugin with every attribute
// documented, Telegraf-style: set attributes are required or typical,
// commented ones show their default.
func SampleConfig() string { return sampleConfig }

// Checker is the tcp check plugin. It keeps each config's parsed settings
// by config id, parsed once when the config is configured; Check uses
// them, parsing a config it has not seen (and keeping it). Use it through
// New: it must not be copied.
type Checker struct {
	settings configcache.Cache[settings]
}

// New returns the plugin, for the built-in registry.
func New() sdk.Checker { return &Checker{} }

// Defaults of the optional attributes.
const (
	defaultTimeout  = 10 * time.Second
	defaultMaxBytes = 4096
)

// Info describes the plugin and its configuration schema.
func (*Checker) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:    Name,
		Version: Version,
		Description: "Connects to a TCP port, optionally over TLS, optionally sends a string and expects one, " +
			"and checks the response time and the days left on the certificate, as check_tcp does.",
		Schema: schema(),
	}, nil
}

func schema() sdk.Schema {
	return sdk.Schema{
		{Name: "host", Type: sdk.TypeString, Description: "the host to connect to; default: the check's host address"},
		{Name: "port", Type: sdk.TypeNumber, Required: true, Description: "the TCP port, 1 to 65535"},
		{Name: "send", Type: sdk.TypeString, Description: "a string to send once connected"},
		{Name: "expect", Type: sdk.TypeString, Description: "a string the response must contain"},
		{Name: "expect_regexp", Type: sdk.TypeString, Description: "a regular expression (Go RE2 syntax) the response must match"},
		{Name: "expect_mismatch", Type: sdk.TypeString, Default: "warning", Description: "the state when the response does not match: ok, warning, critical or unknown"},
		{Name: "quit", Type: sdk.TypeString, Description: "a string to send before closing the connection"},
		{Name: "max_bytes", Type: sdk.TypeNumber, Default: defaultMaxBytes, Description: "read at most this many bytes of the response"},
		{Name: "refuse", Type: sdk.TypeString, Default: "critical", Description: "the state when the connection is refused: ok, warning, critical or unknown"},
		{Name: "tls", Type: sdk.TypeBool, Default: false, Description: "connect with TLS"},
		{Name: "tls_server_name", Type: sdk.TypeString, Description: "the name the certificate must be valid for; default: host"},
		{Name: "tls_insecure", Type: sdk.TypeBool, Default: false, Description: "accept any certificate (its days left are still checked)"},
		{Name: "ca_file", Type: sdk.TypeString, Description: "a PEM file of the certificate authorities to trust instead of the system's"},
		{Name: "cert_warning", Type: sdk.TypeString, Description: "range of days left on the certificate, e.g. \"30:\"; WARNING outside it"},
		{Name: "cert_critical", Type: sdk.TypeString, Description: "range of days left on the certificate, e.g. \"7:\"; CRITICAL outside it"},
		{Name: "time_warning", Type: sdk.TypeString, Description: "range of response seconds, e.g. \"1\"; WARNING outside it"},
		{Name: "time_critical", Type: sdk.TypeString, Description: "range of response seconds, e.g. \"5\"; CRITICAL outside it"},
		{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "how long to wait for the connection and the response"},
	}
}

// settings is a config read and checked.
type settings struct {
	host         string
	port         int
	send, quit   string
	expect       string
	expectRegexp *regexp.Regexp
	mismatch     check.State
	refuse       check.State
	maxBytes     int

	tls        bool
	serverName string
	insecure   bool
	caFile     string
	cert       tlscert.Expiry

	timeWarn, timeCrit *check.Range
	timeout            time.Duration
}

// expecting reports whether the response is read and matched.
func (s settings) expecting() bool { return s.expect != "" || s.expectRegexp != nil }

// Configure checks what the schema cannot: the port's range, the regexp,
// the threshold ranges, the states, the CA file.
func (c *Checker) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := c.settings.Configure(cfg, parseSettings)
	return err
}

// parseSettings reads validated values into settings, or returns
// sdk.ConfigErrors naming every attribute at fault.
func parseSettings(v sdk.Values) (settings, error) {
	var p configcheck.Problems
	s := settings{
		host:       v.String("host"),
		send:       v.String("send"),
		quit:       v.String("quit"),
		expect:     v.String("expect"),
		tls:        v.Bool("tls"),
		serverName: v.String("tls_server_name"),
		insecure:   v.Bool("tls_insecure"),
		caFile:     v.String("ca_file"),
		timeout:    v.Duration("timeout"),
	}
	s.port = p.WholeNumber("port", v.Number("port"), 1, 65535)
	s.maxBytes = p.WholeNumber("max_bytes", v.Number("max_bytes"), 1, 1<<30)
	if text := v.String("expect_regexp"); text != "" {
		re, err := regexp.Compile(text)
		if err != nil {
			p.Add("expect_regexp", "invalid regular expression: %v", err)
		}
		s.expectRegexp = re
	}
	s.mismatch = p.State("expect_mismatch", v.String("expect_mismatch"))
	s.refuse = p.State("refuse", v.String("refuse"))
	s.timeWarn = p.Threshold("time_warning", v.String("time_warning"))
	s.timeCrit = p.Threshold("time_critical", v.String("time_critical"))
	s.cert.Warn = p.Threshold("cert_warning", v.String("cert_warning"))
	s.cert.Crit = p.Threshold("cert_critical", v.String("cert_critical"))
	if s.timeout <= 0 {
		p.Add("timeout", "must be positive, got %s", s.timeout)
	}
	if !s.tls {
		for _, name := range []string{"tls_server_name", "ca_file", "cert_warning", "cert_critical"} {
			if v.String(name) != "" {
				p.Add(name, "needs tls = true")
			}
		}
		if s.insecure {
			p.Add("tls_insecure", "needs tls = true")
		}
	}
	if s.caFile != "" {
		if _, err := tlscert.LoadCAFile(s.caFile); err != nil {
			p.Add("ca_file", "%v", err)
		}
	}
	if err := p.Err(); err != nil {
		return settings{}, err
	}
	return s, nil
}

// Check connects once and judges what happened.
func (c *Checker) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	s, err := c.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{State: check.Unknown, Output: "TCP UNKNOWN - invalid config: " + err.Error()}, nil
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
			Output: "TCP UNKNOWN - no host to connect to: set host, or run the check for a host"}, nil
	}
	result := probe(ctx, s, host)
	if err := ctx.Err(); err != nil {
		// vakt's own deadline ended the check, not the plugin's timeout:
		// vakt reports that itself.
		return check.Result{}, fmt.Errorf("checking %s port %d: %w", host, s.port, err)
	}
	return result, nil
}
