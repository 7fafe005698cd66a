// Package http is vakt's built-in http check plugin. Like the
// monitoring-plugins' check_http it sends one HTTP(S) request and judges the
// status code, the body, the response headers, the response time and the
// days left on the server's certificate.
//
// vakt serves it out of process as `vakt plugin-serve http`; see README.md
// for the configuration and sample.hcl (SampleConfig) for a commented
// example.
package http

import (
	"context"
	_ "embed"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/internal/configcheck"
	"github.com/vakt/vakt/plugins/internal/tlscert"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a check's plugin attribute gives it.
const Name = "http"

// Version is the plugin's version; the User-Agent carries it.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a check that uses the plugin with every attribute
// documented, Telegraf-style: set attributes are required or typical,
// commented ones show their default or an example.
func SampleConfig() string { return sampleConfig }

// Checker is the http check plugin. It keeps each config's parsed settings
// by config id, parsed once when the config is configured; Check uses
// them, parsing a config it has not seen (and keeping it). Use it through
// New: it must not be copied.
type Checker struct {
	settings configcache.Cache[settings]
}

// New returns the plugin, for the built-in registry.
func New() sdk.Checker { return &Checker{} }

// Defaults and limits of the optional attributes.
const (
	defaultTimeout = 10 * time.Second
	maxRedirects   = 100
)

// Info describes the plugin and its configuration schema.
func (*Checker) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:    Name,
		Version: Version,
		Description: "Sends one HTTP(S) request and checks the status code, body, headers, response time " +
			"and the days left on the certificate, as check_http does.",
		Schema: schema(),
	}, nil
}

func schema() sdk.Schema {
	return sdk.Schema{
		{Name: "url", Type: sdk.TypeString, Description: "the URL to request; default: http://ADDRESS/ with the check's host address"},
		{Name: "method", Type: sdk.TypeString, Default: "GET", Description: "the request method"},
		{Name: "request_headers", Type: sdk.TypeMapOfString, Description: "headers to send; Host sets the request's host"},
		{Name: "request_body", Type: sdk.TypeString, Description: "the request body"},
		{Name: "expect_status", Type: sdk.TypeListOfString, Description: "status codes (\"200\") or classes (\"2xx\") that are OK, others CRITICAL; default: 5xx CRITICAL, 4xx WARNING, others OK"},
		{Name: "body_regexp", Type: sdk.TypeString, Description: "a regular expression (Go RE2 syntax) the body must match, else CRITICAL"},
		{Name: "expect_headers", Type: sdk.TypeMapOfString, Description: "response headers by name, each with a regular expression its value must match, else CRITICAL"},
		{Name: "follow_redirects", Type: sdk.TypeNumber, Default: 0, Description: "redirects to follow; more is CRITICAL; 0 judges the redirect itself"},
		{Name: "refuse", Type: sdk.TypeString, Default: "critical", Description: "the state when the connection is refused (nothing listens): ok, warning, critical or unknown, as the tcp plugin's refuse"},
		{Name: "time_warning", Type: sdk.TypeString, Description: "range of response seconds, e.g. \"1\"; WARNING outside it"},
		{Name: "time_critical", Type: sdk.TypeString, Description: "range of response seconds, e.g. \"5\"; CRITICAL outside it"},
		{Name: "cert_warning", Type: sdk.TypeString, Description: "range of days left on the certificate, e.g. \"30:\"; WARNING outside it"},
		{Name: "cert_critical", Type: sdk.TypeString, Description: "range of days left on the certificate, e.g. \"7:\"; CRITICAL outside it"},
		{Name: "tls_insecure", Type: sdk.TypeBool, Default: false, Description: "accept any certificate (its days left are still checked)"},
		{Name: "ca_file", Type: sdk.TypeString, Description: "a PEM file of the certificate authorities to trust instead of the system's"},
		{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "for the whole exchange, redirects included"},
	}
}

// settings is a config read and checked.
type settings struct {
	url             *url.URL // nil: built from the check's host
	method          string
	requestHeaders  map[string]string
	requestBody     string
	expectStatus    []string // codes such as "200" and classes such as "2xx"
	bodyRegexp      *regexp.Regexp
	expectHeaders   []headerExpectation // sorted by name
	followRedirects int

	timeWarn, timeCrit *check.Range
	cert               tlscert.Expiry
	insecure           bool
	caFile             string
	timeout            time.Duration
	refuse             check.State // the state of a refused connection
}

// headerExpectation is one entry of expect_headers.
type headerExpectation struct {
	name    string
	pattern *regexp.Regexp
}

// Configure checks what the schema cannot: the URL, method, header names,
// status patterns, regular expressions, ranges and the CA file.
func (c *Checker) Configure(_ context.Context, cfg sdk.Config) error {
	_, err := c.settings.Configure(cfg, parseSettings)
	return err
}

var (
	statusCode  = regexp.MustCompile(`^[1-5][0-9][0-9]$`)
	statusClass = regexp.MustCompile(`^[1-5]xx$`)
)

// parseSettings reads validated values into settings, or returns
// sdk.ConfigErrors naming every attribute at fault.
func parseSettings(v sdk.Values) (settings, error) {
	var p configcheck.Problems
	s := settings{
		method:         v.String("method"),
		requestHeaders: v.Map("request_headers"),
		requestBody:    v.String("request_body"),
		insecure:       v.Bool("tls_insecure"),
		refuse:         p.State("refuse", v.String("refuse")),
		caFile:         v.String("ca_file"),
		timeout:        v.Duration("timeout"),
	}
	if text := v.String("url"); text != "" {
		s.url = p.HTTPURL("url", text)
	}
	if !configcheck.IsToken(s.method) {
		p.Add("method", "%q is not an HTTP method", s.method)
	}
	for _, name := range slices.Sorted(maps.Keys(s.requestHeaders)) {
		if !configcheck.IsToken(name) {
			p.Add("request_headers", "%q is not a header name", name)
		} else if strings.ContainsAny(s.requestHeaders[name], "\r\n\x00") {
			p.Add("request_headers", "the value of %s holds a line break or NUL", name)
		}
	}
	for _, code := range v.List("expect_status") {
		code = strings.ToLower(strings.TrimSpace(code))
		if !statusCode.MatchString(code) && !statusClass.MatchString(code) {
			p.Add("expect_status", "%q is not a status code such as 200 or a class such as 2xx", code)
			continue
		}
		s.expectStatus = append(s.expectStatus, code)
	}
	if text := v.String("body_regexp"); text != "" {
		re, err := regexp.Compile(text)
		if err != nil {
			p.Add("body_regexp", "invalid regular expression: %v", err)
		}
		s.bodyRegexp = re
	}
	expect := v.Map("expect_headers")
	for _, name := range slices.Sorted(maps.Keys(expect)) {
		if !configcheck.IsToken(name) {
			p.Add("expect_headers", "%q is not a header name", name)
			continue
		}
		re, err := regexp.Compile(expect[name])
		if err != nil {
			p.Add("expect_headers", "%s: invalid regular expression: %v", name, err)
			continue
		}
		s.expectHeaders = append(s.expectHeaders, headerExpectation{name: name, pattern: re})
	}
	s.followRedirects = p.WholeNumber("follow_redirects", v.Number("follow_redirects"), 0, maxRedirects)
	s.timeWarn = p.Threshold("time_warning", v.String("time_warning"))
	s.timeCrit = p.Threshold("time_critical", v.String("time_critical"))
	s.cert.Warn = p.Threshold("cert_warning", v.String("cert_warning"))
	s.cert.Crit = p.Threshold("cert_critical", v.String("cert_critical"))
	if s.timeout <= 0 {
		p.Add("timeout", "must be positive, got %s", s.timeout)
	}
	if s.url == nil || s.url.Scheme != "https" {
		for _, name := range []string{"cert_warning", "cert_critical", "ca_file"} {
			if v.String(name) != "" {
				p.Add(name, "needs an https url")
			}
		}
		if s.insecure {
			p.Add("tls_insecure", "needs an https url")
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

// defaultURL is the URL of a check that sets none: the host's root page.
func defaultURL(host string) *url.URL {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return &url.URL{Scheme: "http", Host: host, Path: "/"}
}

// Check sends the request once and judges the response.
func (c *Checker) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	s, err := c.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{State: check.Unknown, Output: "HTTP UNKNOWN - invalid config: " + err.Error()}, nil
	}
	target := s.url
	if target == nil {
		host := req.Host.Address
		if host == "" {
			host = req.Host.Name
		}
		if host == "" {
			return check.Result{State: check.Unknown,
				Output: "HTTP UNKNOWN - no URL to request: set url, or run the check for a host"}, nil
		}
		target = defaultURL(host)
	}
	result := fetch(ctx, s, target)
	if err := ctx.Err(); err != nil {
		// vakt's own deadline ended the check, not the plugin's timeout:
		// vakt reports that itself.
		return check.Result{}, fmt.Errorf("requesting %s: %w", target.Redacted(), err)
	}
	return result, nil
}
