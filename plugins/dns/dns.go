// Package dns is vakt's built-in dns check plugin. Like the
// monitoring-plugins' check_dns it looks a name up, optionally with a
// chosen DNS server, compares the answers with the expected ones and judges
// the response time.
//
// Lookups use the Go standard library's net.Resolver: the system's
// resolver by default, or Go's own resolver talking to the chosen server.
// vakt serves the plugin out of process as `vakt plugin-serve dns`; see
// README.md for the configuration and sample.hcl (SampleConfig) for a
// commented example.
package dns

import (
	"context"
	_ "embed"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/configcache"
	"github.com/vakt/vakt/plugins/sdk"
)

// Name is the plugin's name, as a check's plugin attribute gives it.
const Name = "dns"

// Version is the plugin's version.
const Version = "1.0.0"

//go:embed sample.hcl
var sampleConfig string

// SampleConfig returns a check that uses the plugin with every attribute
// documented, Telegraf-style: set attributes are required or typical,
// commented ones show their default or an example.
func SampleConfig() string { return sampleConfig }

// Checker is the dns check plugin. It keeps each config's parsed settings
// by config id, parsed once when the config is configured; Check uses
// them, parsing a config it has not seen (and keeping it). Use it through
// New: it must not be copied.
type Checker struct {
	settings configcache.Cache[settings]
}

// New returns the plugin, for the built-in registry.
func New() sdk.Checker { return &Checker{} }

const defaultTimeout = 10 * time.Second

// recordTypes returns the record types the plugin looks up.
func recordTypes() []string { return []string{"A", "AAAA", "CNAME", "MX", "TXT", "NS", "PTR", "SRV"} }

// Info describes the plugin and its configuration schema.
func (*Checker) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{
		Name:    Name,
		Version: Version,
		Description: "Looks a name up (A, AAAA, CNAME, MX, TXT, NS, PTR or SRV), with the system's resolver or a chosen DNS server, " +
			"compares the answers with the expected ones and checks the response time, as check_dns does.",
		Schema: schema(),
	}, nil
}

func schema() sdk.Schema {
	return sdk.Schema{
		{Name: "name", Type: sdk.TypeString, Required: true, Description: "the name to look up; for PTR, an IP address"},
		{Name: "type", Type: sdk.TypeString, Default: "A", Description: "the record type: " + strings.Join(recordTypes(), ", ")},
		{Name: "expect", Type: sdk.TypeListOfString, Description: "the answers expected, compared as a set; CRITICAL when they differ"},
		{Name: "resolver", Type: sdk.TypeString, Description: "the DNS server to ask, an IP address with an optional port (\"127.0.0.1:5353\"); default: the system's resolver"},
		{Name: "time_warning", Type: sdk.TypeString, Description: "range of response seconds, e.g. \"0.5\"; WARNING outside it"},
		{Name: "time_critical", Type: sdk.TypeString, Description: "range of response seconds, e.g. \"2\"; CRITICAL outside it"},
		{Name: "timeout", Type: sdk.TypeDuration, Default: defaultTimeout, Description: "how long to wait for the answer"},
	}
}

// settings is a config read and checked.
type settings struct {
	name     string   // as written, for output
	qtype    string   // one of recordTypes()
	expect   []string // normalized by normalize, sorted, unique; nil: any answer
	resolver string   // "ip:port", or empty for the system's resolver

	timeWarn, timeCrit *check.Range
	timeout            time.Duration
}

// Configure checks what the schema cannot: the record type, the name of a
// PTR lookup, the expected answers, the resolver, the ranges.
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
		name:    strings.TrimSpace(v.String("name")),
		qtype:   strings.ToUpper(strings.TrimSpace(v.String("type"))),
		timeout: v.Duration("timeout"),
	}
	typeOK := slices.Contains(recordTypes(), s.qtype)
	if !typeOK {
		add("type", "unknown record type %q: want one of %s", v.String("type"), strings.Join(recordTypes(), ", "))
	}
	switch {
	case s.name == "":
		add("name", "must not be empty")
	case s.qtype == "PTR":
		if _, err := netip.ParseAddr(s.name); err != nil {
			add("name", "a PTR lookup takes an IP address, got %q", s.name)
		}
	}
	if typeOK {
		for _, answer := range v.List("expect") {
			n, err := normalize(s.qtype, answer)
			if err != nil {
				add("expect", "%v", err)
				continue
			}
			s.expect = append(s.expect, n)
		}
		s.expect = sortedSet(s.expect)
	}
	if text := strings.TrimSpace(v.String("resolver")); text != "" {
		addr, err := parseResolver(text)
		if err != nil {
			add("resolver", "%q is not an IP address with an optional port, e.g. \"127.0.0.1:5353\" or \"[::1]:53\"", text)
		}
		s.resolver = addr
	}
	s.timeWarn = threshold(v.String("time_warning"), "time_warning", add)
	s.timeCrit = threshold(v.String("time_critical"), "time_critical", add)
	if s.timeout <= 0 {
		add("timeout", "must be positive, got %s", s.timeout)
	}
	if len(errs) > 0 {
		return settings{}, errs
	}
	return s, nil
}

// parseResolver reads "ip", "ip:port" or "[ipv6]:port" into "ip:port",
// port 53 by default.
func parseResolver(text string) (string, error) {
	if ap, err := netip.ParseAddrPort(text); err == nil {
		if ap.Port() == 0 {
			return "", fmt.Errorf("port 0")
		}
		return ap.String(), nil
	}
	addr, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(text, "["), "]"))
	if err != nil {
		return "", err
	}
	return netip.AddrPortFrom(addr, 53).String(), nil
}

// normalize writes an answer of a record type the one way answers are
// compared: addresses in canonical form, names in lower case without the
// final dot, MX as "PREFERENCE HOST", SRV as "PRIORITY WEIGHT PORT TARGET",
// TXT as it is.
func normalize(qtype, answer string) (string, error) {
	text := strings.TrimSpace(answer)
	switch qtype {
	case "A", "AAAA":
		addr, err := netip.ParseAddr(text)
		if err != nil || (qtype == "A") != addr.Is4() || addr.Is4In6() || addr.Zone() != "" {
			return "", fmt.Errorf("%q is not an %s address", answer, map[string]string{"A": "IPv4", "AAAA": "IPv6"}[qtype])
		}
		return addr.String(), nil
	case "CNAME", "NS", "PTR":
		if name := hostName(text); name != "" && !strings.ContainsAny(name, " \t") {
			return name, nil
		}
		return "", fmt.Errorf("%q is not a host name", answer)
	case "MX":
		f := strings.Fields(text)
		if len(f) == 2 {
			if pref, err := strconv.ParseUint(f[0], 10, 16); err == nil && hostName(f[1]) != "" {
				return fmt.Sprintf("%d %s", pref, hostName(f[1])), nil
			}
		}
		return "", fmt.Errorf("%q is not an MX answer such as \"10 mail.example.com\"", answer)
	case "SRV":
		f := strings.Fields(text)
		if len(f) == 4 && hostName(f[3]) != "" {
			var n [3]uint64
			var err error
			for i := range n {
				if n[i], err = strconv.ParseUint(f[i], 10, 16); err != nil {
					break
				}
			}
			if err == nil {
				return fmt.Sprintf("%d %d %d %s", n[0], n[1], n[2], hostName(f[3])), nil
			}
		}
		return "", fmt.Errorf("%q is not an SRV answer such as \"10 5 5060 sip.example.com\"", answer)
	}
	return answer, nil
}

// hostName lower-cases a DNS name and drops its final dot.
func hostName(s string) string { return strings.ToLower(strings.TrimSuffix(s, ".")) }

// sortedSet sorts answers and drops repeats.
func sortedSet(answers []string) []string {
	slices.Sort(answers)
	return slices.Compact(answers)
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

// Check looks the name up once and judges the answers.
func (c *Checker) Check(ctx context.Context, req sdk.Request) (check.Result, error) {
	s, err := c.settings.Get(req.Config, parseSettings)
	if err != nil {
		return check.Result{State: check.Unknown, Output: "DNS UNKNOWN - invalid config: " + err.Error()}, nil
	}
	result := resolve(ctx, s)
	if err := ctx.Err(); err != nil {
		// vakt's own deadline ended the check, not the plugin's timeout:
		// vakt reports that itself.
		return check.Result{}, fmt.Errorf("looking up %s %s: %w", s.name, s.qtype, err)
	}
	return result, nil
}

// newResolver returns the system's resolver, or Go's resolver sending
// every query to the chosen server.
func newResolver(server string) *net.Resolver {
	if server == "" {
		return &net.Resolver{}
	}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
}
