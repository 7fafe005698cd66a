package dns

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"testing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

func TestCheck(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	server := plugintest.ServeDNS(t, testZone())
	silent := plugintest.ServeDNS(t, nil)

	// with adds the test server as resolver to values.
	with := func(v sdk.Values) sdk.Values {
		v["resolver"] = server
		return v
	}
	tests := []struct {
		name   string
		values sdk.Values
		state  check.State
		output string // {t} stands for the measured seconds
	}{
		{name: "A", values: with(sdk.Values{"name": "web.vakt.test"}),
			state: check.OK, output: "DNS OK: {t} seconds response time. web.vakt.test A returns 127.0.0.1, 127.0.0.2"},
		{name: "A expected, as a set", values: with(sdk.Values{"name": "web.vakt.test", "expect": []string{"127.0.0.2", "127.0.0.1", "127.0.0.1"}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. web.vakt.test A returns 127.0.0.1, 127.0.0.2"},
		{name: "A not as expected", values: with(sdk.Values{"name": "web.vakt.test", "expect": []string{"127.0.0.1"}}),
			state: check.Critical, output: "DNS CRITICAL - web.vakt.test A returns 127.0.0.1, 127.0.0.2 but expected 127.0.0.1"},
		{name: "A through a CNAME", values: with(sdk.Values{"name": "www.vakt.test"}),
			state: check.OK, output: "DNS OK: {t} seconds response time. www.vakt.test A returns 127.0.0.1, 127.0.0.2"},
		{name: "a name written absolute", values: with(sdk.Values{"name": "WEB.vakt.test."}),
			state: check.OK, output: "DNS OK: {t} seconds response time. WEB.vakt.test. A returns 127.0.0.1, 127.0.0.2"},
		{name: "AAAA", values: with(sdk.Values{"name": "web.vakt.test", "type": "AAAA", "expect": []string{"0:0::1"}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. web.vakt.test AAAA returns ::1"},
		{name: "CNAME", values: with(sdk.Values{"name": "www.vakt.test", "type": "cname", "expect": []string{"Web.Vakt.Test."}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. www.vakt.test CNAME returns web.vakt.test"},
		{name: "MX", values: with(sdk.Values{"name": "vakt.test", "type": "MX", "expect": []string{"20 backup.vakt.test", "10  mail.vakt.test."}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. vakt.test MX returns 10 mail.vakt.test, 20 backup.vakt.test"},
		{name: "MX not as expected", values: with(sdk.Values{"name": "vakt.test", "type": "MX", "expect": []string{"10 mail.vakt.test"}}),
			state: check.Critical, output: "DNS CRITICAL - vakt.test MX returns 10 mail.vakt.test, 20 backup.vakt.test but expected 10 mail.vakt.test"},
		{name: "TXT", values: with(sdk.Values{"name": "vakt.test", "type": "TXT", "expect": []string{"v=spf1 -all", "part one, part two"}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. vakt.test TXT returns part one, part two, v=spf1 -all"},
		{name: "TXT is case-sensitive", values: with(sdk.Values{"name": "vakt.test", "type": "TXT", "expect": []string{"V=SPF1 -ALL", "part one, part two"}}),
			state: check.Critical, output: "DNS CRITICAL - vakt.test TXT returns part one, part two, v=spf1 -all but expected V=SPF1 -ALL, part one, part two"},
		{name: "NS", values: with(sdk.Values{"name": "vakt.test", "type": "NS", "expect": []string{"ns2.vakt.test", "ns1.vakt.test"}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. vakt.test NS returns ns1.vakt.test, ns2.vakt.test"},
		{name: "SRV", values: with(sdk.Values{"name": "_sip._udp.vakt.test", "type": "SRV", "expect": []string{"10 5 5060 sip.vakt.test."}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. _sip._udp.vakt.test SRV returns 10 5 5060 sip.vakt.test"},
		{name: "PTR", values: with(sdk.Values{"name": "127.0.0.2", "type": "PTR", "expect": []string{"web.vakt.test"}}),
			state: check.OK, output: "DNS OK: {t} seconds response time. 127.0.0.2 PTR returns web.vakt.test"},
		{name: "NXDOMAIN", values: with(sdk.Values{"name": "nx.vakt.test"}),
			state: check.Critical, output: "DNS CRITICAL - no A record for nx.vakt.test: not found"},
		{name: "a name without records of the type", values: with(sdk.Values{"name": "vakt.test", "type": "AAAA"}),
			state: check.Critical, output: "DNS CRITICAL - no AAAA record for vakt.test: not found"},
		{name: "SERVFAIL", values: with(sdk.Values{"name": "servfail.vakt.test"}),
			state: check.Critical, output: "DNS CRITICAL - lookup of servfail.vakt.test A with " + server + " failed: server misbehaving"},
		{name: "a server that never answers", values: sdk.Values{"name": "web.vakt.test", "resolver": silent, "timeout": "1s"},
			state: check.Critical, output: "DNS CRITICAL - no answer for web.vakt.test A from " + silent + " within 1s"},
		{name: "response time warning", values: with(sdk.Values{"name": "web.vakt.test", "time_warning": "@0:"}),
			state: check.Warning, output: "DNS WARNING: {t} seconds response time. web.vakt.test A returns 127.0.0.1, 127.0.0.2"},
		{name: "response time critical wins", values: with(sdk.Values{"name": "web.vakt.test", "time_warning": "@0:", "time_critical": "@0:"}),
			state: check.Critical, output: "DNS CRITICAL: {t} seconds response time. web.vakt.test A returns 127.0.0.1, 127.0.0.2"},
		{name: "response time within thresholds", values: with(sdk.Values{"name": "web.vakt.test", "time_warning": "60", "time_critical": "120"}),
			state: check.OK, output: "DNS OK: {t} seconds response time. web.vakt.test A returns 127.0.0.1, 127.0.0.2"},
		{name: "system resolver, /etc/hosts", values: sdk.Values{"name": "localhost", "expect": []string{"127.0.0.1"}},
			state: check.OK, output: "DNS OK: {t} seconds response time. localhost A returns 127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "dns", Host: plugintest.Localhost()})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			plugintest.WantOutput(t, got, tt.state, tt.output)
		})
	}
}

func TestPerfdata(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	server := plugintest.ServeDNS(t, testZone())
	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: sdk.Values{"name": "web.vakt.test", "resolver": server,
		"time_warning": "0.5", "time_critical": "2", "timeout": "5s"}}, Check: "dns", Host: plugintest.Localhost()})
	if err != nil {
		t.Fatal(err)
	}
	zero, five := 0.0, 5.0
	warn, crit := check.MustRange("0.5"), check.MustRange("2")
	plugintest.WantTimedPerfdata(t, got.Perfdata, []check.Perf{{Label: "time", UOM: "s", Warn: &warn, Crit: &crit, Min: &zero, Max: &five}})
}

func TestCheckCancelled(t *testing.T) {
	silent := plugintest.ServeDNS(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	values, err := schema().ValidateValues(sdk.Values{"name": "web.vakt.test", "resolver": silent})
	if err != nil {
		t.Fatal(err)
	}
	_, err = New().Check(ctx, sdk.Request{Config: sdk.Config{Values: values}, Host: plugintest.Localhost()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: got %v, want context.Canceled", err)
	}
}

func TestParseResolver(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{in: "127.0.0.1", want: "127.0.0.1:53"},
		{in: "127.0.0.1:5353", want: "127.0.0.1:5353"},
		{in: "::1", want: "[::1]:53"},
		{in: "[::1]", want: "[::1]:53"},
		{in: "[::1]:5353", want: "[::1]:5353"},
		{in: "127.0.0.1:0", err: "port 0"},
		{in: "127.0.0.1:99999", err: `ParseAddr("127.0.0.1:99999"): unexpected character (at ":99999")`},
		{in: "dns.example:53", err: `ParseAddr("dns.example:53"): unexpected character (at "dns.example:53")`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseResolver(tt.in)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("parseResolver(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parseResolver(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestConfigure(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	type e = sdk.AttributeError
	plugintest.WantRejections(t, checker, []plugintest.Rejection{
		{Name: "missing name", Values: sdk.Values{},
			Want: sdk.ConfigErrors{{Attribute: "name", Message: `missing required attribute "name"`}}},
		{Name: "empty name", Values: sdk.Values{"name": " "},
			Want: sdk.ConfigErrors{{Attribute: "name", Message: `attribute "name": must not be empty`}}},
		{Name: "unknown record type", Values: sdk.Values{"name": "vakt.test", "type": "AXFR", "expect": []string{"x"}},
			Want: sdk.ConfigErrors{{Attribute: "type", Message: `attribute "type": unknown record type "AXFR": want one of A, AAAA, CNAME, MX, TXT, NS, PTR, SRV`}}},
		{Name: "PTR of a name", Values: sdk.Values{"name": "web.vakt.test", "type": "PTR"},
			Want: sdk.ConfigErrors{{Attribute: "name", Message: `attribute "name": a PTR lookup takes an IP address, got "web.vakt.test"`}}},
		{Name: "A answers that are not IPv4", Values: sdk.Values{"name": "vakt.test", "expect": []string{"127.0.0.1", "::1", "web", "::ffff:127.0.0.1"}},
			Want: sdk.ConfigErrors{
				e{Attribute: "expect", Message: `attribute "expect": "::1" is not an IPv4 address`},
				e{Attribute: "expect", Message: `attribute "expect": "web" is not an IPv4 address`},
				e{Attribute: "expect", Message: `attribute "expect": "::ffff:127.0.0.1" is not an IPv4 address`}}},
		{Name: "AAAA answer that is IPv4", Values: sdk.Values{"name": "vakt.test", "type": "AAAA", "expect": []string{"127.0.0.1"}},
			Want: sdk.ConfigErrors{{Attribute: "expect", Message: `attribute "expect": "127.0.0.1" is not an IPv6 address`}}},
		{Name: "MX answers malformed", Values: sdk.Values{"name": "vakt.test", "type": "MX", "expect": []string{"mail.vakt.test", "70000 mail.vakt.test"}},
			Want: sdk.ConfigErrors{
				e{Attribute: "expect", Message: `attribute "expect": "mail.vakt.test" is not an MX answer such as "10 mail.example.com"`},
				e{Attribute: "expect", Message: `attribute "expect": "70000 mail.vakt.test" is not an MX answer such as "10 mail.example.com"`}}},
		{Name: "SRV answer malformed", Values: sdk.Values{"name": "_sip._udp.vakt.test", "type": "SRV", "expect": []string{"10 5 sip.vakt.test"}},
			Want: sdk.ConfigErrors{{Attribute: "expect", Message: `attribute "expect": "10 5 sip.vakt.test" is not an SRV answer such as "10 5 5060 sip.example.com"`}}},
		{Name: "CNAME answer malformed", Values: sdk.Values{"name": "www.vakt.test", "type": "CNAME", "expect": []string{"web vakt"}},
			Want: sdk.ConfigErrors{{Attribute: "expect", Message: `attribute "expect": "web vakt" is not a host name`}}},
		{Name: "expect as one string", Values: sdk.Values{"name": "vakt.test", "expect": "127.0.0.1"},
			Want: sdk.ConfigErrors{{Attribute: "expect", Message: `attribute "expect": want list(string), got string`}}},
		{Name: "resolver by name", Values: sdk.Values{"name": "vakt.test", "resolver": "dns.example:53"},
			Want: sdk.ConfigErrors{{Attribute: "resolver", Message: `attribute "resolver": "dns.example:53" is not an IP address with an optional port, e.g. "127.0.0.1:5353" or "[::1]:53"`}}},
		{Name: "resolver port out of range", Values: sdk.Values{"name": "vakt.test", "resolver": "127.0.0.1:99999"},
			Want: sdk.ConfigErrors{{Attribute: "resolver", Message: `attribute "resolver": "127.0.0.1:99999" is not an IP address with an optional port, e.g. "127.0.0.1:5353" or "[::1]:53"`}}},
		{Name: "bad range", Values: sdk.Values{"name": "vakt.test", "time_critical": "1:0.5"},
			Want: sdk.ConfigErrors{{Attribute: "time_critical", Message: `attribute "time_critical": parsing range "1:0.5": start 1 is greater than end 0.5`}}},
		{Name: "zero timeout", Values: sdk.Values{"name": "vakt.test", "timeout": "0s"},
			Want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`}}},
		{Name: "negative timeout", Values: sdk.Values{"name": "vakt.test", "timeout": "-5s"},
			Want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": must be positive, got -5s`}}},
	})
}

func TestInfo(t *testing.T) {
	info := plugintest.CheckInfo(t, New(), "dns", Version)
	// The type attribute's description lists exactly the types handled.
	a, _ := info.Schema.Attribute("type")
	if listed := regexp.MustCompile(`[A-Z]+`).FindAllString(a.Description, -1); !slices.Equal(listed, recordTypes()) {
		t.Fatalf("type lists %v, want %v", listed, recordTypes())
	}
}

// TestSampleConfig keeps sample.hcl and README.md in step with the schema.
func TestSampleConfig(t *testing.T) {
	plugintest.CheckSample(t, New(), SampleConfig(), plugintest.SampleRules{ShowsDefaults: true, FullAccepted: true})
	plugintest.CheckReadme(t, New(), "README.md")
}

// TestExample runs checks.d/examples/plugin-dns.hcl: localhost from the
// system's resolver.
func TestExample(t *testing.T) {
	got := plugintest.RunExample(t, New())
	want := "DNS OK: {t} seconds response time. localhost A returns 127.0.0.1"
	plugintest.WantOutput(t, got, check.OK, want)
}
