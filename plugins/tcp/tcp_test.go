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
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// generous bounds every call; the checks themselves use short timeouts.
const generous = 2 * time.Minute

func localhost() sdk.Host { return sdk.Host{Name: "localhost", Address: "127.0.0.1"} }

func TestCheck(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()

	// Plain servers.
	silent := serve(t, "127.0.0.1:0", nil, drain)
	banner := serve(t, "127.0.0.1:0", nil, func(c net.Conn) {
		_, _ = io.WriteString(c, "SSH-2.0-vakt_test\r\n")
		drain(c)
	})
	pong := serve(t, "127.0.0.1:0", nil, func(c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil && line == "PING\r\n" {
			_, _ = io.WriteString(c, "+PONG ready\r\nsecond line\r\n")
		}
		drain(c)
	})
	hangup := serve(t, "127.0.0.1:0", nil, func(c net.Conn) { _, _ = io.WriteString(c, "220 smtp ready\r\n") })
	mute := serve(t, "127.0.0.1:0", nil, func(net.Conn) {})
	refused := closedPort(t)

	// TLS servers, each with a certificate expiring at a chosen time. Half
	// a day past the whole days keeps the day count away from a boundary.
	now := time.Now()
	in := func(days int) time.Time { return now.Add(time.Duration(days)*24*time.Hour + 12*time.Hour) }
	cert100, cert10, cert3 := newTestCert(t, "vakt test", in(100)), newTestCert(t, "vakt test", in(10)), newTestCert(t, "vakt test", in(3))
	expired := newTestCert(t, "vakt test", now.Add(-50*time.Hour))
	tls100 := serve(t, "127.0.0.1:0", &cert100, drain)
	tls10 := serve(t, "127.0.0.1:0", &cert10, drain)
	tls3 := serve(t, "127.0.0.1:0", &cert3, drain)
	tlsExpired := serve(t, "127.0.0.1:0", &expired, drain)
	tlsBanner := serve(t, "127.0.0.1:0", &cert100, func(c net.Conn) {
		_, _ = io.WriteString(c, "* OK imap ready\r\n")
		drain(c)
	})
	date := func(c testCert) string { return c.cert.NotAfter.UTC().Format(expiryFormat) }

	tests := []struct {
		name   string
		values sdk.Values
		host   sdk.Host
		state  check.State
		output string // {t} stands for the measured seconds
	}{
		{name: "connect", values: sdk.Values{"port": silent.port},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.port)},
		{name: "host attribute over the check's host", values: sdk.Values{"port": silent.port, "host": "127.0.0.1"},
			host:  sdk.Host{Name: "elsewhere", Address: "::1"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.port)},
		{name: "host name when the host has no address", values: sdk.Values{"port": silent.port},
			host:  sdk.Host{Name: "127.0.0.1"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.port)},
		{name: "no host at all", values: sdk.Values{"port": silent.port}, host: sdk.Host{},
			state: check.Unknown, output: "TCP UNKNOWN - no host to connect to: set host, or run the check for a host"},
		{name: "expect a banner", values: sdk.Values{"port": banner.port, "expect": "SSH-"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]", banner.port)},
		{name: "expect a banner by regexp", values: sdk.Values{"port": banner.port, "expect_regexp": `^SSH-2\.0-`},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]", banner.port)},
		{name: "expect and regexp both match", values: sdk.Values{"port": banner.port, "expect": "vakt", "expect_regexp": `_test\r\n$`},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]", banner.port)},
		{name: "send and expect", values: sdk.Values{"port": pong.port, "send": "PING\r\n", "expect": "PONG", "quit": "QUIT\r\n"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [+PONG ready]", pong.port)},
		{name: "mismatch is a warning by default", values: sdk.Values{"port": hangup.port, "expect": "SSH-"},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: 220 smtp ready"},
		{name: "mismatch state chosen", values: sdk.Values{"port": hangup.port, "expect": "SSH-", "expect_mismatch": "critical"},
			state: check.Critical, output: "TCP CRITICAL - Unexpected response from host/socket: 220 smtp ready"},
		{name: "one of two expectations fails", values: sdk.Values{"port": hangup.port, "expect": "220", "expect_regexp": "^SSH"},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: 220 smtp ready"},
		{name: "mismatch on a connection left open ends at the timeout", values: sdk.Values{"port": banner.port, "expect": "nope", "timeout": "3s"},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: SSH-2.0-vakt_test"},
		{name: "max_bytes cuts the response", values: sdk.Values{"port": banner.port, "expect": "SSH-2", "max_bytes": 3},
			state: check.Warning, output: "TCP WARNING - Unexpected response from host/socket: SSH"},
		{name: "no data within the timeout", values: sdk.Values{"port": silent.port, "expect": "x", "timeout": "1s"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - no data received from 127.0.0.1 port %d within 1s", silent.port)},
		{name: "closed without data", values: sdk.Values{"port": mute.port, "expect": "x"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - no data received from 127.0.0.1 port %d: the connection was closed", mute.port)},
		{name: "refused", values: sdk.Values{"port": refused},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - connect to address 127.0.0.1 and port %d: Connection refused", refused)},
		{name: "refused is ok when asked", values: sdk.Values{"port": refused, "refuse": "ok"},
			state: check.OK, output: fmt.Sprintf("TCP OK - connect to address 127.0.0.1 and port %d: Connection refused", refused)},
		{name: "response time warning", values: sdk.Values{"port": silent.port, "time_warning": "@0:"},
			state: check.Warning, output: fmt.Sprintf("TCP WARNING - {t} second response time on 127.0.0.1 port %d", silent.port)},
		{name: "response time critical wins", values: sdk.Values{"port": silent.port, "time_warning": "@0:", "time_critical": "@0:"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - {t} second response time on 127.0.0.1 port %d", silent.port)},
		{name: "response time within thresholds", values: sdk.Values{"port": silent.port, "time_warning": "~:60", "time_critical": "~:120"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", silent.port)},
		{name: "tls", values: sdk.Values{"port": tls100.port, "tls": true, "ca_file": cert100.pemFile},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", tls100.port)},
		{name: "tls certificate far from expiry", values: sdk.Values{"port": tls100.port, "tls": true, "ca_file": cert100.pemFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 100 days (%s)", tls100.port, date(cert100))},
		{name: "tls certificate expires soon", values: sdk.Values{"port": tls10.port, "tls": true, "ca_file": cert10.pemFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.Warning, output: fmt.Sprintf("TCP WARNING - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 10 days (%s)", tls10.port, date(cert10))},
		{name: "tls certificate expires very soon", values: sdk.Values{"port": tls3.port, "tls": true, "ca_file": cert3.pemFile, "cert_warning": "30:", "cert_critical": "7:"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 3 days (%s)", tls3.port, date(cert3))},
		{name: "tls with expect", values: sdk.Values{"port": tlsBanner.port, "tls": true, "ca_file": cert100.pemFile, "expect": "* OK"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d [* OK imap ready]", tlsBanner.port)},
		{name: "tls certificate of an unknown authority", values: sdk.Values{"port": tls100.port, "tls": true},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d failed: certificate 'vakt test' is signed by an unknown authority", tls100.port)},
		{name: "tls insecure accepts it", values: sdk.Values{"port": tls10.port, "tls": true, "tls_insecure": true, "cert_warning": "30:"},
			state: check.Warning, output: fmt.Sprintf("TCP WARNING - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expires in 10 days (%s)", tls10.port, date(cert10))},
		{name: "tls certificate for another name", values: sdk.Values{"port": tls100.port, "tls": true, "ca_file": cert100.pemFile, "tls_server_name": "vakt.invalid"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d failed: certificate 'vakt test' is not valid for vakt.invalid", tls100.port)},
		{name: "tls certificate by its DNS name", values: sdk.Values{"port": tls100.port, "tls": true, "ca_file": cert100.pemFile, "tls_server_name": "localhost"},
			state: check.OK, output: fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", tls100.port)},
		{name: "tls certificate expired", values: sdk.Values{"port": tlsExpired.port, "tls": true, "ca_file": expired.pemFile},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d failed: certificate 'vakt test' expired on %s", tlsExpired.port, date(expired))},
		{name: "tls certificate expired, insecure", values: sdk.Values{"port": tlsExpired.port, "tls": true, "tls_insecure": true, "cert_critical": "0:"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - {t} second response time on 127.0.0.1 port %d, certificate 'vakt test' expired on %s", tlsExpired.port, date(expired))},
		{name: "tls to a server that does not speak it", values: sdk.Values{"port": silent.port, "tls": true, "timeout": "1s"},
			state: check.Critical, output: fmt.Sprintf("TCP CRITICAL - TLS handshake with 127.0.0.1 port %d: timed out after 1s", silent.port)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := tt.host
			if host == (sdk.Host{}) && tt.name != "no host at all" {
				host = localhost()
			}
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "tcp", Host: host})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if got.State != tt.state || !outputPattern(tt.output).MatchString(got.Output) {
				t.Fatalf("got %v %q\nwant %v %q", got.State, got.Output, tt.state, tt.output)
			}
		})
	}
}

func TestCheckIPv6(t *testing.T) {
	if _, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("this machine has no IPv6 loopback: %v", err)
	}
	checker := sdktest.ServeCheck(t, New())
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	srv := serve(t, "[::1]:0", nil, func(c net.Conn) {
		_, _ = io.WriteString(c, "hello over v6\n")
		drain(c)
	})
	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: sdk.Values{"port": srv.port, "expect": "hello"}},
		Check: "tcp6", Host: sdk.Host{Name: "localhost6", Address: "::1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("TCP OK - {t} second response time on ::1 port %d [hello over v6]", srv.port)
	if got.State != check.OK || !outputPattern(want).MatchString(got.Output) {
		t.Fatalf("got %v %q, want OK %q", got.State, got.Output, want)
	}
}

func TestPerfdata(t *testing.T) {
	checker := sdktest.ServeCheck(t, New())
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	cert := newTestCert(t, "vakt test", time.Now().Add(40*24*time.Hour+12*time.Hour))
	plain := serve(t, "127.0.0.1:0", nil, drain)
	secure := serve(t, "127.0.0.1:0", &cert, drain)
	ptr := func(f float64) *float64 { return &f }
	rng := func(s string) *check.Range { r := check.MustRange(s); return &r }

	tests := []struct {
		name   string
		values sdk.Values
		want   []check.Perf // Value of time is not compared
	}{
		{name: "time with thresholds", values: sdk.Values{"port": plain.port, "time_warning": "1", "time_critical": "5", "timeout": "8s"},
			want: []check.Perf{{Label: "time", UOM: "s", Warn: rng("1"), Crit: rng("5"), Min: ptr(0), Max: ptr(8)}}},
		{name: "time without thresholds", values: sdk.Values{"port": plain.port},
			want: []check.Perf{{Label: "time", UOM: "s", Min: ptr(0), Max: ptr(10)}}},
		{name: "tls adds cert_days", values: sdk.Values{"port": secure.port, "tls": true, "ca_file": cert.pemFile, "cert_warning": "30:", "cert_critical": "7:"},
			want: []check.Perf{{Label: "time", UOM: "s", Min: ptr(0), Max: ptr(10)}, {Label: "cert_days", Value: 40, Warn: rng("30:"), Crit: rng("7:")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "tcp", Host: localhost()})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Perfdata) == 0 || got.Perfdata[0].Value <= 0 {
				t.Fatalf("perfdata %v: want a positive time first", got.Perfdata)
			}
			got.Perfdata[0].Value = 0
			if !reflect.DeepEqual(got.Perfdata, tt.want) {
				t.Fatalf("perfdata\n got %s\nwant %s", check.FormatPerfdata(got.Perfdata), check.FormatPerfdata(tt.want))
			}
		})
	}
}

func TestCheckCancelled(t *testing.T) {
	// vakt's own deadline ending the call is an error for vakt to report,
	// not a result of the plugin.
	silent := serve(t, "127.0.0.1:0", nil, drain)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New().Check(ctx, sdk.Request{Config: sdk.Config{Values: mustValues(t, sdk.Values{"port": silent.port, "expect": "x"})}, Host: localhost()})
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
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	notPEM := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	type e = sdk.AttributeError

	tests := []struct {
		name   string
		values sdk.Values
		want   sdk.ConfigErrors
	}{
		{name: "missing port", values: sdk.Values{},
			want: sdk.ConfigErrors{{Attribute: "port", Message: `missing required attribute "port"`}}},
		{name: "port as a string", values: sdk.Values{"port": "22"},
			want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want number, got string`}}},
		{name: "port zero", values: sdk.Values{"port": 0},
			want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got 0`}}},
		{name: "port too large", values: sdk.Values{"port": 70000},
			want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got 70000`}}},
		{name: "port not whole", values: sdk.Values{"port": 22.5},
			want: sdk.ConfigErrors{{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got 22.5`}}},
		{name: "negative max_bytes", values: sdk.Values{"port": 22, "max_bytes": -1},
			want: sdk.ConfigErrors{{Attribute: "max_bytes", Message: `attribute "max_bytes": want a whole number from 1 to 1073741824, got -1`}}},
		{name: "bad regexp", values: sdk.Values{"port": 22, "expect_regexp": "(SSH"},
			want: sdk.ConfigErrors{{Attribute: "expect_regexp", Message: "attribute \"expect_regexp\": invalid regular expression: error parsing regexp: missing closing ): `(SSH`"}}},
		{name: "bad range", values: sdk.Values{"port": 22, "time_warning": "2:1"},
			want: sdk.ConfigErrors{{Attribute: "time_warning", Message: `attribute "time_warning": parsing range "2:1": start 2 is greater than end 1`}}},
		{name: "range not a number", values: sdk.Values{"port": 22, "time_critical": "fast"},
			want: sdk.ConfigErrors{{Attribute: "time_critical", Message: `attribute "time_critical": parsing range "fast": end: "fast" is not a number`}}},
		{name: "bad mismatch state", values: sdk.Values{"port": 22, "expect_mismatch": "maybe"},
			want: sdk.ConfigErrors{{Attribute: "expect_mismatch", Message: `attribute "expect_mismatch": unknown state "maybe": want ok, warning, critical or unknown`}}},
		{name: "bad refuse state", values: sdk.Values{"port": 22, "refuse": ""},
			want: sdk.ConfigErrors{{Attribute: "refuse", Message: `attribute "refuse": unknown state "": want ok, warning, critical or unknown`}}},
		{name: "zero timeout", values: sdk.Values{"port": 22, "timeout": "0s"},
			want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": must be positive, got 0s`}}},
		{name: "timeout not a duration", values: sdk.Values{"port": 22, "timeout": "soon"},
			want: sdk.ConfigErrors{{Attribute: "timeout", Message: `attribute "timeout": invalid duration "soon" (want e.g. 30s, 5m, 1h30m)`}}},
		{name: "tls settings without tls", values: sdk.Values{"port": 22, "cert_warning": "30:", "tls_insecure": true},
			want: sdk.ConfigErrors{{Attribute: "cert_warning", Message: `attribute "cert_warning": needs tls = true`},
				{Attribute: "tls_insecure", Message: `attribute "tls_insecure": needs tls = true`}}},
		{name: "bad certificate range", values: sdk.Values{"port": 22, "tls": true, "cert_critical": "7::"},
			want: sdk.ConfigErrors{{Attribute: "cert_critical", Message: `attribute "cert_critical": parsing range "7::": more than one colon`}}},
		{name: "ca_file missing", values: sdk.Values{"port": 22, "tls": true, "ca_file": missing},
			want: sdk.ConfigErrors{{Attribute: "ca_file", Message: fmt.Sprintf(`attribute "ca_file": reading the CA file: open %s: no such file or directory`, missing)}}},
		{name: "ca_file not PEM", values: sdk.Values{"port": 22, "tls": true, "ca_file": notPEM},
			want: sdk.ConfigErrors{{Attribute: "ca_file", Message: fmt.Sprintf(`attribute "ca_file": %s holds no PEM certificate`, notPEM)}}},
		{name: "every problem at once", values: sdk.Values{"port": -5, "expect_regexp": "[", "time_warning": "x", "timeout": "-1s"},
			want: sdk.ConfigErrors{
				e{Attribute: "port", Message: `attribute "port": want a whole number from 1 to 65535, got -5`},
				e{Attribute: "expect_regexp", Message: "attribute \"expect_regexp\": invalid regular expression: error parsing regexp: missing closing ]: `[`"},
				e{Attribute: "time_warning", Message: `attribute "time_warning": parsing range "x": end: "x" is not a number`},
				e{Attribute: "timeout", Message: `attribute "timeout": must be positive, got -1s`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checker.Configure(ctx, sdk.Config{ID: "bad", Values: tt.values})
			var got sdk.ConfigErrors
			if !errors.As(err, &got) || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Configure:\n got %#v\nwant %#v", err, tt.want)
			}
			// A check with the same inline config is refused the same way.
			_, err = checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: tt.values}, Check: "bad", Host: localhost()})
			if !errors.As(err, &got) || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Check:\n got %#v\nwant %#v", err, tt.want)
			}
		})
	}

	t.Run("unknown attribute", func(t *testing.T) {
		err := checker.Configure(ctx, sdk.Config{ID: "bad", Values: sdk.Values{"port": 22, "prot": 23}})
		var got sdk.ConfigErrors
		if !errors.As(err, &got) || len(got) != 1 || got[0].Attribute != "prot" ||
			!strings.HasPrefix(got[0].Message, `unknown attribute "prot"; this plugin accepts ca_file, cert_critical, cert_warning, expect,`) {
			t.Fatalf("Configure: got %#v", err)
		}
	})

	t.Run("a good config is kept by id", func(t *testing.T) {
		srv := serve(t, "127.0.0.1:0", nil, drain)
		if err := checker.Configure(ctx, sdk.Config{ID: "kept", Values: sdk.Values{"port": srv.port}}); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "kept"}, Check: "kept", Host: localhost()})
		if err != nil || got.State != check.OK {
			t.Fatalf("Check by id: %v %v %q", err, got.State, got.Output)
		}
	})
}

func TestInfo(t *testing.T) {
	info, err := New().Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "tcp" || info.Version != Version || info.Description == "" {
		t.Fatalf("Info: %+v", info)
	}
	if err := info.Schema.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestSampleConfig keeps sample.hcl and README.md in step with the schema:
// the sample's set attributes make a config the plugin accepts, its
// commented ones have the right types, and both documents name every
// attribute and no other.
func TestSampleConfig(t *testing.T) {
	ctx := context.Background()
	s := schema()
	attrs, plugin := sampleConfigBlock(t)
	if plugin != Name {
		t.Errorf("sample.hcl: plugin = %q, want %q", plugin, Name)
	}
	set := toValues(t, s, attrs)
	values, err := s.ValidateValues(set)
	if err != nil {
		t.Fatalf("sample.hcl: %v", err)
	}
	if err := New().Configure(ctx, sdk.Config{ID: "sample", Values: values}); err != nil {
		t.Fatalf("sample.hcl: Configure: %v", err)
	}

	all := toValues(t, s, sampleCommented(t))
	for name, v := range set {
		all[name] = v
	}
	if _, err := s.ValidateValues(all); err != nil {
		t.Fatalf("sample.hcl, commented attributes: %v", err)
	}
	var names []string
	for _, a := range s {
		names = append(names, a.Name)
	}
	var documented []string
	for name := range all {
		documented = append(documented, name)
	}
	sort.Strings(names)
	sort.Strings(documented)
	if !slices.Equal(documented, names) {
		t.Errorf("sample.hcl documents %v, want %v", documented, names)
	}
	readme := readmeAttributes(t)
	sort.Strings(readme)
	if !slices.Equal(readme, names) {
		t.Errorf("README.md documents %v, want %v", readme, names)
	}
}

// TestExample runs checks.d/examples/plugin-tcp.hcl against a listener
// named by VAKT_LOCAL_TCP_PORT, as the lead's `vakt check checks.d` test
// does.
func TestExample(t *testing.T) {
	srv := serve(t, "127.0.0.1:0", nil, drain)
	t.Setenv("VAKT_LOCAL_TCP_PORT", fmt.Sprint(srv.port))
	values := exampleValues(t, schema())
	if values.Number("port") != float64(srv.port) {
		t.Fatalf("port = %v, want %d", values["port"], srv.port)
	}
	checker := sdktest.ServeCheck(t, New())
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "example", Values: values}, Check: "example-plugin-tcp", Host: localhost()})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("TCP OK - {t} second response time on 127.0.0.1 port %d", srv.port)
	if got.State != check.OK || !outputPattern(want).MatchString(got.Output) {
		t.Fatalf("got %v %q, want OK %q", got.State, got.Output, want)
	}
}
