package tcp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/internal/tlscert"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

func TestCheck(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)

	// Plain servers.
	silent := plugintest.Serve(t, "127.0.0.1:0", nil, plugintest.Drain)
	banner := plugintest.Serve(t, "127.0.0.1:0", nil, func(c net.Conn) {
		_, _ = io.WriteString(c, "SSH-2.0-vakt_test\r\n")
		plugintest.Drain(c)
	})
	pong := plugintest.Serve(t, "127.0.0.1:0", nil, func(c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil && line == "PING\r\n" {
			_, _ = io.WriteString(c, "+PONG ready\r\nsecond line\r\n")
		}
		plugintest.Drain(c)
	})
	hangup := plugintest.Serve(t, "127.0.0.1:0", nil, func(c net.Conn) { _, _ = io.WriteString(c, "220 smtp ready\r\n") })
	mute := plugintest.Serve(t, "127.0.0.1:0", nil, func(net.Conn) {})
	refused := plugintest.ClosedPort(t)

	// TLS servers, each with a certificate expiring at a chosen time. Half
	// a day past the whole days keeps the day count away from a boundary.
	now := time.Now()
	in := func(days int) time.Time { return now.Add(time.Duration(days)*24*time.Hour + 12*time.Hour) }
	cert100, cert10, cert3 := plugintest.NewCert(t, "vakt test", in(100)), plugintest.NewCert(t, "vakt test", in(10)), plugintest.NewCert(t, "vakt test", in(3))
	expired := plugintest.NewCert(t, "vakt test", now.Add(-50*time.Hour))
	tls100 := plugintest.Serve(t, "127.0.0.1:0", &cert100, plugintest.Drain)
	tls10 := plugintest.Serve(t, "127.0.0.1:0", &cert10, plugintest.Drain)
	tls3 := plugintest.Serve(t, "127.0.0.1:0", &cert3, plugintest.Drain)
	tlsExpired := plugintest.Serve(t, "127.0.0.1:0", &expired, plugintest.Drain)
	tlsBanner := plugintest.Serve(t, "127.0.0.1:0", &cert100, func(c net.Conn) {
		_, _ = io.WriteString(c, "* OK imap ready\r\n")
		plugintest.Drain(c)
	})
	date := func(c plugintest.Cert) string { return c.Cert.NotAfter.UTC().Format(tlscert.DateFormat) }

	tests := []struct {
		name   string
		values sdk.Values
		host   sdk.Host
		state  check.State
		output string // {t} stands for the measured seconds
	}{
		{name: "connect", values: sdk.Values{"port": silent.Port},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.Port)},
		{name: "host attribute over the check's host", values: sdk.Values{"port": silent.Port, "host": "127.0.0.1"},
			host:  sdk.Host{Name: "elsewhere", Address: "::1"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.Port)},
		{name: "host name when the host has no address", values: sdk.Values{"port": silent.Port},
			host:  sdk.Host{Name: "127.0.0.1"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.Port)},
		{name: "no host at all", values: sdk.Values{"port": silent.Port}, host: sdk.Host{},
			state: check.Unknown, output: "TCP UNKNOWN - no host to connect to: set host, or run the check for a host"},
		{name: "expect a banner", values: sdk.Values{"port": banner.Port, "expect": "SSH-"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]", banner.Port)},
		{name: "expect a banner by regexp", values: sdk.Values{"port": banner.Port, "expect_regexp": `^SSH-2\.0-`},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]", banner.Port)},
		{name: "expect and regexp both match", values: sdk.Values{"port": banner.Port, "expect": "vakt", "expect_regexp": `_test\r\n$`},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]", banner.Port)},
		{name: "send and expect", values: sdk.Values{"port": pong.Port, "send": "PING\r\n", "expect": "PONG", "quit": "QUIT\r\n"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [+PONG ready]", pong.Port)},
		{name: "mismatch is a warning by default", values: sdk.Values{"port": hangup.Port, "expect": "SSH-"},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: 220 smtp ready"},
		{name: "mismatch state chosen", values: sdk.Values{"port": hangup.Port, "expect": "SSH-", "expect_mismatch": "critical"},
			state: check.Critical, output: "TCP CRITICAL - Unexpected response from host/socket: 220 smtp ready"},
		{name: "one of two expectations fails", values: sdk.Values{"port": hangup.Port, "expect": "220", "expect_regexp": "^SSH"},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: 220 smtp ready"},
		{name: "mismatch on a connection left open ends at the timeout", values: sdk.Values{"port": banner.Port, "expect": "nope", "timeout": "3s"},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: SSH-2.0-vakt_test"},
		{name: "max_bytes cuts the response", values: sdk.Values{"port": banner.Port, "expect": "SSH-2", "max_bytes": 3},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: SSH"},
		{name: "no data within the timeout", values: sdk.Values{"port": silent.Port, "expect": "x", "timeout": "1s"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - no data received from 127.0.0.1 port %d within 1s", silent.Port)},
		{name: "closed without data", values: sdk.Values{"port": mute.Port, "expect": "x"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - no data received from 127.0.0.1 port %d: the connection was closed", mute.Port)},
		{name: "refused", values: sdk.Values{"port": refused},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - connect to address 127.0.0.1 and port %d: Connection refused", refused)},
		{name: "refused is ok when asked", values: sdk.Values{"port": refused, "refuse": "ok"},
			state: check.OK, output: fmt.Sprintf("TCP OK - connect to address 127.0.0.1 and port %d: Connection refused", refused)},
		{name: "response time warning", values: sdk.Values{"port": silent.Port, "time_warning": "@0:"},
			state: check.Warning, output: fmt.Sprintf("TCP WARNING - {t} second response time on 127.0.0.1 port %d", silent.Port)},
		{name: "response time critical wins", values: sdk.Values{"port": silent.Port, "time_warning": "@0:", "time_critical": "@0:"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - {t} second response time on 127.0.0.1 port %d", silent.Port)},
		{name: "response time within thresholds", values: sdk.Values{"port": silent.Port, "time_warning": "~:60", "time_critical": "~:120"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.Port)},
		{name: "tls", values: sdk.Values{"port": tls100.Port, "tls": true, "ca_file": cert100.PEMFile},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", tls100.Port)},
		{name: "tls certificate far from expiry", values: sdk.Values{"port": tls100.Port, "tls": true, "ca_file": cert100.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 100 days (%s)", tls100.Port, date(cert100))},
		{name: "tls certificate expires soon", values: sdk.Values{"port": tls10.Port, "tls": true, "ca_file": cert10.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.Warning, output: fmt.Sprintf("TCP WARNING - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 10 days (%s)", tls10.Port, date(cert10))},
		{name: "tls certificate expires very soon", values: sdk.Values{"port": tls3.Port, "tls": true, "ca_file": cert3.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 3 days (%s)", tls3.Port, date(cert3))},
		{name: "tls with expect", values: sdk.Values{"port": tlsBanner.Port, "tls": true, "ca_file": cert100.PEMFile, "expect": "* OK"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [* OK imap ready]", tlsBanner.Port)},
		{name: "tls certificate of an unknown authority", values: sdk.Values{"port": tls100.Port, "tls": true},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d failed: certificate 'vakt test' is signed by an unknown authority", tls100.Port)},
		{name: "tls insecure accepts it", values: sdk.Values{"port": tls10.Port, "tls": true, "tls_insecure": true, "cert_warning": "30:"},
			state: check.Warning, output: fmt.Sprintf("TCP WARNING - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 10 days (%s)", tls10.Port, date(cert10))},
		{name: "tls certificate for another name", values: sdk.Values{"port": tls100.Port, "tls": true, "ca_file": cert100.PEMFile, "tls_server_name": "vakt.invalid"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d failed: certificate 'vakt test' is not valid for vakt.invalid", tls100.Port)},
		{name: "tls certificate by its DNS name", values: sdk.Values{"port": tls100.Port, "tls": true, "ca_file": cert100.PEMFile, "tls_server_name": "localhost"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", tls100.Port)},
		{name: "tls certificate expired", values: sdk.Values{"port": tlsExpired.Port, "tls": true, "ca_file": expired.PEMFile},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d failed: certificate 'vakt test' expired on %s", tlsExpired.Port, date(expired))},
		{name: "tls certificate expired, insecure", values: sdk.Values{"port": tlsExpired.Port, "tls": true, "tls_insecure": true, "cert_critical": "0:"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expired on %s", tlsExpired.Port, date(expired))},
		{name: "tls to a server that does not speak it", values: sdk.Values{"port": silent.Port, "tls": true, "timeout": "1s"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d: timed out after 1s", silent.Port)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := tt.host
			if host == (sdk.Host{}) && tt.name != "no host at all" {
				host = plugintest.Localhost()
			}
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "tcp", Host: host})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			plugintest.WantOutput(t, got, tt.state, tt.output)
		})
	}
}

func TestCheckIPv6(t *testing.T) {
	if _, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("this machine has no IPv6 loopback: %v", err)
	}
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	srv := plugintest.Serve(t, "[::1]:0", nil, func(c net.Conn) {
		_, _ = io.WriteString(c, "hello over v6\n")
		plugintest.Drain(c)
	})
	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: sdk.Values{"port": srv.Port, "expect": "hello"}},
		Check: "tcp6", Host: sdk.Host{Name: "localhost6", Address: "::1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("TCP OK - {t} second response time on ::1 port %d [hello over v6]", srv.Port)
	plugintest.WantOutput(t, got, check.OK, want)
}

func TestPerfdata(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	cert := plugintest.NewCert(t, "vakt test", time.Now().Add(40*24*time.Hour+12*time.Hour))
	plain := plugintest.Serve(t, "127.0.0.1:0", nil, plugintest.Drain)
	secure := plugintest.Serve(t, "127.0.0.1:0", &cert, plugintest.Drain)
	ptr := func(f float64) *float64 { return &f }
	rng := func(s string) *check.Range { r := check.MustRange(s); return &r }

	tests := []struct {
		name   string
		values sdk.Values
		want   []check.Perf // Value of time is not compared
	}{
		{name: "time with thresholds", values: sdk.Values{"port": plain.Port, "time_warning": "1", "time_critical": "5", "timeout": "8s"},
			want: []check.Perf{{Label: "time", UOM: "s", Warn: rng("1"), Crit: rng("5"), Min: ptr(0), Max: ptr(8)}}},
		{name: "time without thresholds", values: sdk.Values{"port": plain.Port},
			want: []check.Perf{{Label: "time", UOM: "s", Min: ptr(0), Max: ptr(10)}}},
		{name: "tls adds cert_days", values: sdk.Values{"port": secure.Port, "tls": true, "ca_file": cert.PEMFile, "cert_warning": "30:", "cert_critical": "7:"},
			want: []check.Perf{{Label: "time", UOM: "s", Min: ptr(0), Max: ptr(10)}, {Label: "cert_days", Value: 40, Warn: rng("30:"), Crit: rng("7:")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "tcp", Host: plugintest.Localhost()})
			if err != nil {
				t.Fatal(err)
			}
			plugintest.WantTimedPerfdata(t, got.Perfdata, tt.want)
		})
	}
}

func TestCheckCancelled(t *testing.T) {
	// vakt's own deadline ending the call is an error for vakt to report,
	// not a result of the plugin.
	silent := plugintest.Serve(t, "127.0.0.1:0", nil, plugintest.Drain)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New().Check(ctx, sdk.Request{Config: sdk.Config{Values: mustValues(t, sdk.Values{"port": silent.Port, "expect": "x"})}, Host: plugintest.Localhost()})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Check with a cancelled context: got %v, want context.Canceled", err)
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

func TestConfigure(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx := plugintest.Context(t)
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	type e = sdk.AttributeError

	plugintest.WantRejections(t, checker, []plugintest.Rejection{
		{Name: "missing port", Values: sdk.Values{},
			Want: sdk.ConfigErrors{{Attribute: "port", Message: `missing required attribute "port"`}}},
		{Name: "port as a string", Values: sdk.Values{"port": "22"},
			Want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want number, got string`}}},
		{Name: "port zero", Values: sdk.Values{"port": 0},
			Want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got 0`}}},
		{Name: "port too large", Values: sdk.Values{"port": 70000},
			Want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got 70000`}}},
		{Name: "port not whole", Values: sdk.Values{"port": 22.5},
			Want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got 22.5`}}},
		{Name: "negative max_bytes", Values: sdk.Values{"port": 22, "max_bytes": -1},
			Want: sdk.ConfigErrors{{Attribute: "max_bytes", Message: `attribute "max_bytes": want a whole number from 1 to 1073741824, got -1`}}},
		{Name: "bad regexp", Values: sdk.Values{"port": 22, "expect_regexp": "(SSH"},
			Want: sdk.ConfigErrors{{Attribute: "expect_regexp", Message: "attribute \"expect_regexp\": invalid regular expression: error parsing regexp: missing closing ): `(SSH`"}}},
		{Name: "bad range", Values: sdk.Values{"port": 22, "time_warning": "2:1"},
			Want: sdk.ConfigErrors{{Attribute: "time_warning", Message: `attribute "time_warning": parsing range "2:1": start 2 is greater than end 1`}}},
		{Name: "range not a number", Values: sdk.Values{"port": 22, "time_critical": "fast"},
			Want: sdk.ConfigErrors{{Attribute: "time_critical", Message: `attribute "time_critical": parsing range "fast": end: "fast" is not a number`}}},
		{Name: "bad mismatch state", Values: sdk.Values{"port": 22, "expect_mismatch": "maybe"},
			Want: sdk.ConfigErrors{{Attribute: "expect_mismatch", Message: `attribute "expect_mismatch": unknown state "maybe": want ok, warning, critical or unknown`}}},
		{Name: "bad refuse state", Values: sdk.Values{"port": 22, "refuse": ""},
			Want: sdk.ConfigErrors{{Attribute: "refuse", Message: `attribute "refuse": unknown state "": want ok, warning, critical or unknown`}}},
		{Name: "zero timeout", Values: sdk.Values{"port": 22, "timeout": "0s"},
			Want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`}}},
		{Name: "timeout not a duration", Values: sdk.Values{"port": 22, "timeout": "soon"},
			Want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": invalid duration "soon" (want e.g. 30s, 5m, 1h30m)`}}},
		{Name: "tls settings without tls", Values: sdk.Values{"port": 22, "cert_warning": "30:", "tls_insecure": true},
			Want: sdk.ConfigErrors{{Attribute: "cert_warning", Message: `attribute "cert_warning": needs tls = true`},
				{Attribute: "tls_insecure", Message: `attribute "tls_insecure": needs tls = true`}}},
		{Name: "bad certificate range", Values: sdk.Values{"port": 22, "tls": true, "cert_critical": "7::"},
			Want: sdk.ConfigErrors{{Attribute: "cert_critical", Message: `attribute "cert_critical": parsing range "7::": more than one colon`}}},
		{Name: "ca_file missing", Values: sdk.Values{"port": 22, "tls": true, "ca_file": missing},
			Want: sdk.ConfigErrors{{Attribute: "ca_file", Message: fmt.Sprintf(`attribute "ca_file": reading the CA file: open %s: no such file or directory`, missing)}}},
		{Name: "ca_file not PEM", Values: sdk.Values{"port": 22, "tls": true, "ca_file": notPEM},
			Want: sdk.ConfigErrors{{Attribute: "ca_file", Message: fmt.Sprintf(`attribute "ca_file": %s holds no PEM certificate`, notPEM)}}},
		{Name: "every problem at once", Values: sdk.Values{"port": -5, "expect_regexp": "[", "time_warning": "x", "timeout": "-1s"},
			Want: sdk.ConfigErrors{
				e{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got -5`},
				e{Attribute: "expect_regexp", Message: "attribute \"expect_regexp\": invalid regular expression: error parsing regexp: missing closing ]: `[`"},
				e{Attribute: "time_warning", Message: `attribute "time_warning": parsing range "x": end: "x" is not a number`},
				e{Attribute: "timeout", Message: `attribute "timeout": must be positive, got -1s`}}},
	})

	t.Run("unknown attribute", func(t *testing.T) {
		err := checker.Configure(ctx, sdk.Config{ID: "bad", Values: sdk.Values{"port": 22, "prot": 23}})
		var got sdk.ConfigErrors
		if !errors.As(err, &got) || len(got) != 1 || got[0].Attribute != "prot" ||
			!strings.HasPrefix(got[0].Message, `unknown attribute "prot"; this plugin accepts ca_file, cert_critical, cert_warning, expect,`) {
			t.Fatalf("Configure: got %#v", err)
		}
	})

	t.Run("a good config is kept by id", func(t *testing.T) {
		srv := plugintest.Serve(t, "127.0.0.1:0", nil, plugintest.Drain)
		if err := checker.Configure(ctx, sdk.Config{ID: "kept", Values: sdk.Values{"port": srv.Port}}); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "kept"}, Check: "kept", Host: plugintest.Localhost()})
		if err != nil || got.State != check.OK {
			t.Fatalf("Check by id: %v %v %q", err, got.State, got.Output)
		}
	})
}

func TestInfo(t *testing.T) {
	plugintest.CheckInfo(t, New(), "tcp", Version)
}

// TestSampleConfig keeps sample.hcl and README.md in step with the schema.
// The sample's commented settings are examples (tls = true), not defaults,
// and one names a CA file that is not on this machine.
func TestSampleConfig(t *testing.T) {
	plugintest.CheckSample(t, New(), SampleConfig(), plugintest.SampleRules{})
	plugintest.CheckReadme(t, New(), "README.md")
}

// TestExample runs checks.d/examples/plugin-tcp.hcl against a listener
// named by VAKT_LOCAL_TCP_PORT, as the lead's `vakt check checks.d` test
// does.
func TestExample(t *testing.T) {
	srv := plugintest.Serve(t, "127.0.0.1:0", nil, plugintest.Drain)
	t.Setenv("VAKT_LOCAL_TCP_PORT", fmt.Sprint(srv.Port))
	if got := plugintest.ExampleValues(t, Name, schema()).Number("port"); got != float64(srv.Port) {
		t.Fatalf("port = %v, want %d", got, srv.Port)
	}
	got := plugintest.RunExample(t, New())
	want := fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", srv.Port)
	plugintest.WantOutput(t, got, check.OK, want)
}
