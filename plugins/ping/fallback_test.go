package ping

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
)

// childEnv marks the test binary started by TestAutoFallsBack.
const childEnv = "VAKT_PING_TEST_CHILD"

// nobody is the user and group the child runs as.
const nobody = 65534

// TestAutoFallsBack runs a ping with privileged = "auto" as an
// unprivileged user, in a copy of this test binary started as nobody: raw
// sockets are refused, so the plugin must fall back to datagram sockets,
// and say why when those are refused too.
func TestAutoFallsBack(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to start a process as another user; as non-root, TestCheck's privileged cases cover the refusals")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ping.test")
	data, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := dir; d != filepath.Dir(d) && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child test: %v\n%s", err, out)
	}
	got := childResult(t, string(out))

	t.Logf("as nobody: %s", got)
	if groupMayPing(t, nobody) {
		// Fell back to a datagram socket, which worked.
		if want := "OK PING OK - Packet loss = 0%, RTA = "; !strings.HasPrefix(got, want) {
			t.Fatalf("as nobody: got %q, want %q...", got, want)
		}
		return
	}
	want := "UNKNOWN PING UNKNOWN - cannot ping: raw ICMP sockets need root or CAP_NET_RAW, and " +
		"unprivileged ICMP sockets are not allowed for this group (sysctl net.ipv4.ping_group_range)"
	if got != want {
		t.Fatalf("as nobody: got %q, want %q", got, want)
	}
}

// TestMain runs the child's side of TestAutoFallsBack when childEnv is
// set: ping 127.0.0.1 and print the state and output on one line.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "" {
		os.Exit(m.Run())
	}
	values, err := schema().ValidateValues(fast(sdk.Values{"privileged": "auto"}))
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	got, err := New().Check(context.Background(), sdk.Request{Config: sdk.Config{Values: values}, Host: plugintest.Localhost()})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Printf("RESULT %s %s\n", got.State, got.Output)
}

func childResult(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(line, "RESULT "); ok {
			return rest
		}
	}
	t.Fatalf("the child printed no result:\n%s", out)
	return ""
}

// groupMayPing reads net.ipv4.ping_group_range: whether gid may open
// unprivileged ICMP sockets.
func groupMayPing(t *testing.T, gid int) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/sys/net/ipv4/ping_group_range")
	if err != nil {
		return false
	}
	var lo, hi int
	if _, err := fmt.Sscan(string(data), &lo, &hi); err != nil {
		t.Fatalf("ping_group_range %q: %v", data, err)
	}
	return lo <= gid && gid <= hi
}
