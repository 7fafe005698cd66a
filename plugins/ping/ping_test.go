package ping

import (
	"context"
	"errors"
	"net"
	"reflect"
	"regexp"
	"slices"
	"testing"
	"time"

	probing "github.com/prometheus-community/pro-bing"
	"golang.org/x/net/icmp"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// openError tries to open an ICMP socket of a kind ("ip4:icmp" raw,
// "udp4" datagram, and their IPv6 forms) and says why it could not.
func openError(network, addr string) error {
	c, err := icmp.ListenPacket(network, addr)
	if err != nil {
		return err
	}
	return c.Close()
}

// fast makes a ping quick: 3 requests 50ms apart, with a timeout that a
// loaded machine still meets for loopback.
func fast(v sdk.Values) sdk.Values {
	v["count"], v["interval"], v["timeout"] = 3, "50ms", "30s"
	return v
}

// okOutput is a healthy loopback ping's output; rtt is any number.
var (
	okOutput = regexp.MustCompile(`^PING OK - Packet loss = 0%, RTA = [0-9]+\.[0-9]{3} ms$`)
	okLong   = func(host, addr string) *regexp.Regexp {
		return regexp.MustCompile(`^PING ` + regexp.QuoteMeta(host) + ` \(` + addr + `\): 3 sent, 3 received, rtt min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms$`)
	}
)

func TestCheck(t *testing.T) {
	rawErr, datagramErr := openError("ip4:icmp", "127.0.0.1"), openError("udp4", "127.0.0.1")
	if rawErr != nil && datagramErr != nil {
		t.Skipf("this machine allows no ICMP socket to this process (raw: %v; datagram: %v): "+
			"run as root or allow the group in net.ipv4.ping_group_range", rawErr, datagramErr)
	}
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)

	healthy := []struct {
		name   string
		values sdk.Values
		host   sdk.Host
		long   *regexp.Regexp
	}{
		{name: "127.0.0.1", values: fast(sdk.Values{"host": "127.0.0.1"}), host: sdk.Host{Name: "elsewhere"}, long: okLong("127.0.0.1", `127\.0\.0\.1`)},
		{name: "the check's host address", values: fast(sdk.Values{}), host: plugintest.Localhost(), long: okLong("127.0.0.1", `127\.0\.0\.1`)},
		{name: "a name from /etc/hosts", values: fast(sdk.Values{"host": "localhost"}), host: sdk.Host{}, long: okLong("localhost", `(127\.0\.0\.1|::1)`)},
		{name: "no thresholds", values: fast(sdk.Values{"host": "127.0.0.1", "rta_warning": "", "rta_critical": "", "pl_warning": "", "pl_critical": ""}),
			host: plugintest.Localhost(), long: okLong("127.0.0.1", `127\.0\.0\.1`)},
	}
	for _, tt := range healthy {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "ping", Host: tt.host})
			if err != nil {
				t.Fatal(err)
			}
			if got.State != check.OK || !okOutput.MatchString(got.Output) || !tt.long.MatchString(got.Long) {
				t.Fatalf("got %v %q, long %q; want OK %s, long %s", got.State, got.Output, got.Long, okOutput, tt.long)
			}
		})
	}

	thresholds := []struct {
		name   string
		values sdk.Values
		state  check.State
		output *regexp.Regexp
	}{
		{name: "packet loss warning", values: fast(sdk.Values{"host": "127.0.0.1", "pl_warning": "@0"}),
			state: check.Warning, output: regexp.MustCompile(`^PING WARNING - Packet loss = 0%, RTA = [0-9]+\.[0-9]{3} ms$`)},
		{name: "packet loss critical", values: fast(sdk.Values{"host": "127.0.0.1", "pl_warning": "@0", "pl_critical": "@0"}),
			state: check.Critical, output: regexp.MustCompile(`^PING CRITICAL - Packet loss = 0%, RTA = [0-9]+\.[0-9]{3} ms$`)},
		{name: "round trip warning", values: fast(sdk.Values{"host": "127.0.0.1", "rta_warning": "@0:"}),
			state: check.Warning, output: regexp.MustCompile(`^PING WARNING - Packet loss = 0%, RTA = [0-9]+\.[0-9]{3} ms$`)},
		{name: "round trip critical", values: fast(sdk.Values{"host": "127.0.0.1", "rta_warning": "@0:", "rta_critical": "@0:"}),
			state: check.Critical, output: regexp.MustCompile(`^PING CRITICAL - Packet loss = 0%, RTA = [0-9]+\.[0-9]{3} ms$`)},
	}
	for _, tt := range thresholds {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "ping", Host: plugintest.Localhost()})
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tt.state || !tt.output.MatchString(got.Output) {
				t.Fatalf("got %v %q; want %v %s", got.State, got.Output, tt.state, tt.output)
			}
		})
	}

	t.Run("perfdata", func(t *testing.T) {
		got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: fast(sdk.Values{})}, Check: "ping", Host: plugintest.Localhost()})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Perfdata) != 2 || got.Perfdata[0].Value <= 0 {
			t.Fatalf("perfdata %v: want rta (positive) and pl", got.Perfdata)
		}
		got.Perfdata[0].Value = 0
		zero, hundred := 0.0, 100.0
		r := func(s string) *check.Range { x := check.MustRange(s); return &x }
		want := []check.Perf{
			{Label: "rta", UOM: "ms", Warn: r("100"), Crit: r("500"), Min: &zero},
			{Label: "pl", Value: 0, UOM: "%", Warn: r("20"), Crit: r("60"), Min: &zero, Max: &hundred},
		}
		if !reflect.DeepEqual(got.Perfdata, want) {
			t.Fatalf("perfdata\n got %s\nwant %s", check.FormatPerfdata(got.Perfdata), check.FormatPerfdata(want))
		}
	})

	// Each kind of socket, with the result this machine allows.
	sockets := []struct {
		privileged string
		err        error
		denied     string
	}{
		{privileged: "true", err: rawErr, denied: "PING UNKNOWN - raw ICMP sockets need root or CAP_NET_RAW: "},
		{privileged: "false", err: datagramErr, denied: "PING UNKNOWN - unprivileged ICMP sockets are not allowed for this group (sysctl net.ipv4.ping_group_range): "},
		{privileged: "auto"},
	}
	for _, tt := range sockets {
		t.Run("privileged "+tt.privileged, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: fast(sdk.Values{"privileged": tt.privileged})}, Check: "ping", Host: plugintest.Localhost()})
			if err != nil {
				t.Fatal(err)
			}
			if tt.err == nil {
				if got.State != check.OK || !okOutput.MatchString(got.Output) {
					t.Fatalf("got %v %q; want OK %s", got.State, got.Output, okOutput)
				}
				return
			}
			// pro-bing listens on every address; the refusal is the same.
			if want := tt.denied + openError(map[string]string{"true": "ip4:icmp", "false": "udp4"}[tt.privileged], "").Error(); got.State != check.Unknown || got.Output != want {
				t.Fatalf("got %v %q; want UNKNOWN %q", got.State, got.Output, want)
			}
		})
	}

	t.Run("no host", func(t *testing.T) {
		got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: fast(sdk.Values{})}, Check: "ping", Host: sdk.Host{}})
		if err != nil {
			t.Fatal(err)
		}
		if want := "PING UNKNOWN - no host to ping: set host, or run the check for a host"; got.State != check.Unknown || got.Output != want {
			t.Fatalf("got %v %q; want UNKNOWN %q", got.State, got.Output, want)
		}
	})
}

func TestCheckIPv6(t *testing.T) {
	rawErr, datagramErr := openError("ip6:ipv6-icmp", "::1"), openError("udp6", "::1")
	if rawErr != nil && datagramErr != nil {
		t.Skipf("no ICMPv6 socket on ::1 for this process (raw: %v; datagram: %v)", rawErr, datagramErr)
	}
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: fast(sdk.Values{})}, Check: "ping6",
		Host: sdk.Host{Name: "localhost6", Address: "::1"}})
	if err != nil {
		t.Fatal(err)
	}
	if long := okLong("::1", "::1"); got.State != check.OK || !okOutput.MatchString(got.Output) || !long.MatchString(got.Long) {
		t.Fatalf("got %v %q, long %q; want OK", got.State, got.Output, got.Long)
	}
}

// TestJudge covers what loopback cannot produce: lost packets and slow
// replies, as statistics pro-bing would report them.
func TestJudge(t *testing.T) {
	defaults, err := parseSettings(mustValues(t, sdk.Values{}))
	if err != nil {
		t.Fatal(err)
	}
	addr := &net.IPAddr{IP: net.IPv4(127, 0, 0, 1)}
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	tests := []struct {
		name   string
		stats  probing.Statistics
		state  check.State
		output string
		long   string
		rta    string // the rta perfdata item
		pl     string
	}{
		{name: "all back", stats: probing.Statistics{PacketsSent: 5, PacketsRecv: 5, AvgRtt: ms(0.25), MinRtt: ms(0.1), MaxRtt: ms(0.5)},
			state: check.OK, output: "PING OK - Packet loss = 0%, RTA = 0.250 ms",
			long: "PING h (127.0.0.1): 5 sent, 5 received, rtt min/avg/max = 0.100/0.250/0.500 ms",
			rta:  "rta=0.25ms;100;500;0", pl: "pl=0%;20;60;0;100"},
		{name: "loss at the warning edge is ok", stats: probing.Statistics{PacketsSent: 5, PacketsRecv: 4, PacketLoss: 20, AvgRtt: ms(1)},
			state: check.OK, output: "PING OK - Packet loss = 20%, RTA = 1.000 ms",
			long: "PING h (127.0.0.1): 5 sent, 4 received, rtt min/avg/max = 0.000/1.000/0.000 ms",
			rta:  "rta=1ms;100;500;0", pl: "pl=20%;20;60;0;100"},
		{name: "loss warning", stats: probing.Statistics{PacketsSent: 3, PacketsRecv: 2, PacketLoss: 100.0 / 3, AvgRtt: ms(1)},
			state: check.Warning, output: "PING WARNING - Packet loss = 33.33%, RTA = 1.000 ms",
			long: "PING h (127.0.0.1): 3 sent, 2 received, rtt min/avg/max = 0.000/1.000/0.000 ms",
			rta:  "rta=1ms;100;500;0", pl: "pl=33.33%;20;60;0;100"},
		{name: "loss critical", stats: probing.Statistics{PacketsSent: 5, PacketsRecv: 1, PacketLoss: 80, AvgRtt: ms(1)},
			state: check.Critical, output: "PING CRITICAL - Packet loss = 80%, RTA = 1.000 ms",
			long: "PING h (127.0.0.1): 5 sent, 1 received, rtt min/avg/max = 0.000/1.000/0.000 ms",
			rta:  "rta=1ms;100;500;0", pl: "pl=80%;20;60;0;100"},
		{name: "slow warning", stats: probing.Statistics{PacketsSent: 5, PacketsRecv: 5, AvgRtt: ms(150)},
			state: check.Warning, output: "PING WARNING - Packet loss = 0%, RTA = 150.000 ms",
			long: "PING h (127.0.0.1): 5 sent, 5 received, rtt min/avg/max = 0.000/150.000/0.000 ms",
			rta:  "rta=150ms;100;500;0", pl: "pl=0%;20;60;0;100"},
		{name: "slow critical beats loss warning", stats: probing.Statistics{PacketsSent: 5, PacketsRecv: 3, PacketLoss: 40, AvgRtt: ms(750)},
			state: check.Critical, output: "PING CRITICAL - Packet loss = 40%, RTA = 750.000 ms",
			long: "PING h (127.0.0.1): 5 sent, 3 received, rtt min/avg/max = 0.000/750.000/0.000 ms",
			rta:  "rta=750ms;100;500;0", pl: "pl=40%;20;60;0;100"},
		{name: "nothing back", stats: probing.Statistics{PacketsSent: 5, PacketLoss: 100},
			state: check.Critical, output: "PING CRITICAL - Packet loss = 100%",
			long: "PING h (127.0.0.1): 5 sent, 0 received",
			rta:  "rta=U;100;500;0", pl: "pl=100%;20;60;0;100"},
		{name: "nothing sent", stats: probing.Statistics{},
			state: check.Unknown, output: "PING UNKNOWN - no echo request could be sent before the timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.stats.IPAddr = addr
			got := judge(&tt.stats, defaults, "h")
			if got.State != tt.state || got.Output != tt.output || got.Long != tt.long {
				t.Fatalf("got %v %q %q\nwant %v %q %q", got.State, got.Output, got.Long, tt.state, tt.output, tt.long)
			}
			var perf []string
			for _, p := range got.Perfdata {
				perf = append(perf, p.String())
			}
			var want []string
			if tt.rta != "" {
				want = []string{tt.rta, tt.pl}
			}
			if !slices.Equal(perf, want) {
				t.Fatalf("perfdata %q, want %q", perf, want)
			}
		})
	}
}

// mustValues completes values by the schema, as the SDK does before a
// plugin sees them.
func mustValues(t *testing.T, in sdk.Values) sdk.Values {
	t.Helper()
	v, err := schema().ValidateValues(in)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCheckCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New().Check(ctx, sdk.Request{Config: sdk.Config{Values: mustValues(t, sdk.Values{})}, Host: plugintest.Localhost()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: got %v, want context.Canceled", err)
	}
}

func TestConfigure(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	type e = sdk.AttributeError
	plugintest.WantRejections(t, checker, []plugintest.Rejection{
		{Name: "zero count", Values: sdk.Values{"count": 0},
			Want: sdk.ConfigErrors{{Attribute: "count", Message: `attribute "count": want a whole number from 1 to 1000, got 0`}}},
		{Name: "negative count", Values: sdk.Values{"count": -3},
			Want: sdk.ConfigErrors{{Attribute: "count", Message: `attribute "count": want a whole number from 1 to 1000, got -3`}}},
		{Name: "fractional count", Values: sdk.Values{"count": 2.5},
			Want: sdk.ConfigErrors{{Attribute: "count", Message: `attribute "count": want a whole number from 1 to 1000, got 2.5`}}},
		{Name: "count too large", Values: sdk.Values{"count": 1001},
			Want: sdk.ConfigErrors{{Attribute: "count", Message: `attribute "count": want a whole number from 1 to 1000, got 1001`}}},
		{Name: "count as a string", Values: sdk.Values{"count": "5"},
			Want: sdk.ConfigErrors{{Attribute: "count", Message: `attribute "count": want number, got string`}}},
		{Name: "interval too short", Values: sdk.Values{"interval": "1ms"},
			Want: sdk.ConfigErrors{{Attribute: "interval", Message: `attribute "interval": must be at least 10ms, got 1ms`}}},
		{Name: "interval not a duration", Values: sdk.Values{"interval": "1"},
			Want: sdk.ConfigErrors{{Attribute: "interval", Message: `attribute "interval": invalid duration "1" (want e.g. 30s, 5m, 1h30m)`}}},
		{Name: "zero timeout", Values: sdk.Values{"timeout": "0s"},
			Want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`}}},
		{Name: "privileged not a choice", Values: sdk.Values{"privileged": "yes"},
			Want: sdk.ConfigErrors{{Attribute: "privileged", Message: `attribute "privileged": want "auto", "true" or "false", got "yes"`}}},
		{Name: "privileged as a bool", Values: sdk.Values{"privileged": true},
			Want: sdk.ConfigErrors{{Attribute: "privileged", Message: `attribute "privileged": want string, got bool`}}},
		{Name: "bad ranges", Values: sdk.Values{"rta_warning": "fast", "pl_critical": "60:20"},
			Want: sdk.ConfigErrors{
				e{Attribute: "rta_warning", Message: `attribute "rta_warning": parsing range "fast": end: "fast" is not a number`},
				e{Attribute: "pl_critical", Message: `attribute "pl_critical": parsing range "60:20": start 60 is greater than end 20`}}},
		{Name: "unknown attribute", Values: sdk.Values{"hostname": "127.0.0.1"},
			Want: sdk.ConfigErrors{{Attribute: "hostname", Message: `unknown attribute "hostname"; this plugin accepts count, host, interval, pl_critical, pl_warning, privileged, rta_critical, rta_warning, timeout`}}},
	})
}

func TestInfo(t *testing.T) {
	plugintest.CheckInfo(t, New(), "ping", Version)
}

// TestSampleConfig keeps sample.hcl and README.md in step with the schema.
func TestSampleConfig(t *testing.T) {
	plugintest.CheckSample(t, New(), SampleConfig(), plugintest.SampleRules{ShowsDefaults: true, FullAccepted: true})
	plugintest.CheckReadme(t, New(), "README.md")
}

// TestExample runs checks.d/examples/plugin-ping.hcl: 127.0.0.1.
func TestExample(t *testing.T) {
	plugintest.ExampleValues(t, Name, schema()) // decodes, even where it cannot run
	if rawErr, datagramErr := openError("ip4:icmp", ""), openError("udp4", ""); rawErr != nil && datagramErr != nil {
		t.Skipf("this machine allows no ICMP socket to this process (raw: %v; datagram: %v)", rawErr, datagramErr)
	}
	got := plugintest.RunExample(t, New())
	if got.State != check.OK || !okOutput.MatchString(got.Output) {
		t.Fatalf("got %v %q, want OK %s", got.State, got.Output, okOutput)
	}
}
