package builtin_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/net/dns/dnsmessage"
	"golang.org/x/net/icmp"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/definitions"
	"github.com/vakt/vakt/core/execute"
	"github.com/vakt/vakt/plugins/builtin"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/internal/tlscert"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
	"github.com/vakt/vakt/testdata/plugins-go/pidwatch"
)

// TestNames keeps the registry in step: every built-in has a constructor
// whose plugin calls itself by its registry name, in sorted order.
func TestNames(t *testing.T) {
	names := builtin.Names()
	want := []string{"disk", "dns", "http", "load", "memory", "ping", "procs", "tcp"}
	if !slices.Equal(names, want) {
		t.Fatalf("Names() = %v, want %v", names, want)
	}
	for name, newChecker := range builtin.Checks() {
		info, err := newChecker().Info(plugintest.Context(t))
		if err != nil || info.Name != name {
			t.Errorf("built-in %q describes itself as %q (%v)", name, info.Name, err)
		}
	}
}

// builtinChecks is a check file with one or two checks of every built-in,
// each against a target on loopback that the test sets up, or against this
// machine (disk, load, memory, procs). The verbs are filled in by
// TestBuiltinsAsPluginProcesses.
const builtinChecks = `
host "loopback" {
  address = "127.0.0.1"
}

check "ping" {
  host   = "loopback"
  plugin = "ping"
  config {
    count    = 3
    interval = "50ms"
    timeout  = "30s"
  }
}

check "tcp" {
  host   = "loopback"
  plugin = "tcp"
  config {
    port   = %[1]d
    expect = "SSH-"
  }
}

check "tcp-tls" {
  host   = "loopback"
  plugin = "tcp"
  config {
    port          = %[2]d
    tls           = true
    ca_file       = %[3]q
    cert_warning  = "30:"
    cert_critical = "7:"
  }
}

check "http" {
  host   = "loopback"
  plugin = "http"
  config {
    url           = "%[4]s/"
    expect_status = ["200"]
    body_regexp   = "^hello"
  }
}

check "https" {
  host   = "loopback"
  plugin = "http"
  config {
    url          = "%[5]s/"
    ca_file      = %[3]q
    cert_warning = "30:"
  }
}

check "dns" {
  host   = "loopback"
  plugin = "dns"
  config {
    name     = "web.vakt.test"
    resolver = %[6]q
    expect   = ["127.0.0.1"]
  }
}

check "disk" {
  plugin = "disk"
  config {
    mounts   = [%[7]q]
    warning  = "100"
    critical = "100"
  }
}

check "load" {
  plugin = "load"
  config {
    warning = ["1000000"]
  }
}

check "memory" {
  plugin = "memory"
  config {
    warning  = "100"
    critical = "100"
  }
}

check "procs" {
  plugin = "procs"
  config {
    cmdline_regexp = %[8]q
    critical       = "1:1"
  }
}
`

// TestBuiltinsAsPluginProcesses runs every built-in plugin the way vakt
// does: the checks of a check file, all at once, through the plugin
// runner, each built-in in its own process started as `vakt plugin-serve
// NAME` from a vakt binary built for the test. Each check runs against a
// target on loopback the test sets up (TCP and TLS listeners, HTTP and
// HTTPS servers, a DNS server, ping of 127.0.0.1) or against this machine,
// and its result is compared with the one expected. The plugins' own log
// lines reach the runner's zerolog output tagged with their names, and
// closing the runner leaves none of the processes.
func TestBuiltinsAsPluginProcesses(t *testing.T) {
	vakt := plugintest.BuildMain(t, "./cmd/vakt")

	// The targets.
	cert := plugintest.NewCert(t, "vakt test", time.Now().Add(100*24*time.Hour+12*time.Hour))
	banner := plugintest.Serve(t, "127.0.0.1:0", nil, func(c net.Conn) {
		_, _ = io.WriteString(c, "SSH-2.0-vakt_test\r\n")
		plugintest.Drain(c)
	})
	secure := plugintest.Serve(t, "127.0.0.1:0", &cert, plugintest.Drain)
	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hello") })
	web := httptest.NewServer(hello)
	t.Cleanup(web.Close)
	secureWeb := httptest.NewUnstartedServer(hello)
	secureWeb.TLS = &tls.Config{Certificates: []tls.Certificate{cert.Pair}}
	secureWeb.StartTLS()
	t.Cleanup(secureWeb.Close)
	resolver := plugintest.ServeDNS(t, plugintest.NewDNSZone(
		plugintest.Record("web.vakt.test.", &dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}})))
	disk := t.TempDir()
	marker := fmt.Sprintf("vakt-builtin-test-%d", os.Getpid())
	startMarkedProcess(t, marker)

	root := t.TempDir()
	file := filepath.Join(root, "checks.hcl")
	text := fmt.Sprintf(builtinChecks, banner.Port, secure.Port, cert.PEMFile, web.URL, secureWeb.URL, resolver, disk, marker)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	lines := sdktest.NewLogLines()
	h := execute.NewPluginHost(execute.PluginOptions{
		Log:         zerolog.New(lines).Level(zerolog.DebugLevel),
		ConfigRoots: []string{root},
		SelfExe:     vakt,
		Builtins:    builtin.Names(),
	})
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = h.Close(context.Background())
		}
	})
	loadCtx, cancelLoad := context.WithTimeout(context.Background(), plugintest.Generous)
	defer cancelLoad()
	loadedChecks := definitions.Load(loadCtx, definitions.Options{Paths: []string{root}, Plugins: h})
	if len(loadedChecks.Diagnostics) > 0 {
		t.Fatalf("loading the checks:\n%s", loadedChecks.Text)
	}
	defs := loadedChecks.Set.Checks()

	expires := "certificate 'vakt test' expires in 100 days (" + cert.Cert.NotAfter.UTC().Format(tlscert.DateFormat) + ")"
	size := `[0-9.]+ (B|KiB|MiB|GiB|TiB|PiB|EiB)`
	want := map[string]*regexp.Regexp{
		"ping":    regexp.MustCompile(`^PING OK - Packet loss = 0%, RTA = [0-9]+\.[0-9]{3} ms$`),
		"tcp":     exact(`TCP OK - {t} second response time on 127.0.0.1 port %d [SSH-2.0-vakt_test]`, banner.Port),
		"tcp-tls": exact(`TCP OK - {t} second response time on 127.0.0.1 port %d, %s`, secure.Port, expires),
		"http":    exact(`HTTP OK: HTTP/1.1 200 OK - 5 bytes in {t} second response time`),
		"https":   exact(`HTTP OK: HTTP/1.1 200 OK - %s - 5 bytes in {t} second response time`, expires),
		"dns":     exact(`DNS OK: {t} seconds response time. web.vakt.test A returns 127.0.0.1`),
		"disk":    regexp.MustCompile(`^DISK OK - ` + regexp.QuoteMeta(disk) + ` [0-9]+\.[0-9]% used \(` + size + ` free of ` + size + `\)(, inodes [0-9]+\.[0-9]% used)?$`),
		"load":    regexp.MustCompile(`^LOAD OK - load average: ` + strings.Repeat(`[0-9]+\.[0-9]{2}, `, 2) + `[0-9]+\.[0-9]{2}$`),
		"memory":  regexp.MustCompile(`^MEMORY OK - [0-9]+\.[0-9]% used \(` + size + ` of ` + size + `, ` + size + ` available\)(, no swap|, swap [0-9]+\.[0-9]% used \(` + size + ` of ` + size + `\))$`),
		"procs":   exact(`PROCS OK - 1 process with command line matching %q`, marker),
	}
	if icmpError("ip4:icmp") != nil && icmpError("udp4") != nil {
		// Where this process may open no ICMP socket, the plugin process
		// (the same user) may not either, and says so.
		want["ping"] = exact("PING UNKNOWN - cannot ping: raw ICMP sockets need root or CAP_NET_RAW, and " +
			"unprivileged ICMP sockets are not allowed for this group (sysctl net.ipv4.ping_group_range)")
	}
	if len(defs) != len(want) {
		t.Fatalf("the check file has %d checks, want %d", len(defs), len(want))
	}

	// Every check at once, as the scheduler would run them.
	results := make(chan check.Result, len(defs))
	for _, d := range defs {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), plugintest.Generous)
			defer cancel()
			results <- h.Run(ctx, d.Job)
		}()
	}
	for range defs {
		res := <-results
		t.Run(res.Check, func(t *testing.T) {
			pattern, ok := want[res.Check]
			if !ok {
				t.Fatalf("a result of check %q, which the check file does not have", res.Check)
			}
			wantState := check.OK
			if strings.Contains(pattern.String(), "UNKNOWN") {
				wantState = check.Unknown
			}
			if res.State != wantState || !pattern.MatchString(res.Output) {
				t.Errorf("got %v %q (long %q), want %v matching %s", res.State, res.Output, res.Long, wantState, pattern)
			}
		})
	}

	// Each built-in ran in a process of its own, `vakt plugin-serve NAME`,
	// whose log lines came back tagged with its name.
	pids := map[string]int{}
	for _, name := range builtin.Names() {
		started := lines.WaitFor(t, map[string]any{"message": "plugin started", "plugin": name})
		pid, ok := started["pid"].(float64)
		if !ok || started["path"] != vakt {
			t.Fatalf("plugin %s started as %v", name, started)
		}
		pids[name] = int(pid)
		if got, want := cmdline(t, int(pid)), []string{vakt, "plugin-serve", name}; !slices.Equal(got, want) {
			t.Errorf("plugin %s: process %d runs %q, want %q", name, int(pid), got, want)
		}
		// go-plugin's server logs its address from inside the plugin
		// process; the runner files the line under the plugin's name.
		lines.WaitFor(t, map[string]any{"message": "plugin address", "plugin": name, "level": "debug"})
	}
	if len(pids) != len(builtin.Names()) {
		t.Fatalf("plugin processes %v", pids)
	}

	// Closing the runner ends every one of those processes.
	procs := map[string]pidwatch.Process{}
	for name, pid := range pids {
		procs[name] = pidwatch.Watch(t, pid)
	}
	ctx, cancel := context.WithTimeout(context.Background(), plugintest.Generous)
	defer cancel()
	closed = true
	if err := h.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for name, proc := range procs {
		if !proc.Exited(t) {
			t.Errorf("plugin %s: process %d still runs after Close", name, proc.Pid())
		}
	}
}

// exact turns an expected output, formatted with args, in which {t}
// stands for measured seconds, into an anchored regular expression.
func exact(format string, args ...any) *regexp.Regexp {
	return plugintest.OutputPattern(fmt.Sprintf(format, args...))
}

// icmpError says why an ICMP socket of a kind cannot be opened, or nil.
func icmpError(network string) error {
	c, err := icmp.ListenPacket(network, "127.0.0.1")
	if err != nil {
		return err
	}
	return c.Close()
}

// startMarkedProcess starts a shell that waits for its input, with marker
// as an argument, so that exactly one process's command line holds it; it
// ends when the test ends.
func startMarkedProcess(t *testing.T, marker string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "read line", marker)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a process to count: %v", err)
	}
	t.Cleanup(func() {
		_, _ = io.WriteString(stdin, "done\n")
		_ = stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("the process to count: %v", err)
		}
	})
}

// cmdline returns the arguments of a running process.
func cmdline(t *testing.T, pid int) []string {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatalf("reading the command line of process %d: %v", pid, err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}
