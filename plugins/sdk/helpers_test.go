package sdk_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/plugins/sdk"
)

// generous is how long a test waits for something that should take
// milliseconds, so that a loaded CI machine does not fail it.
const generous = 2 * time.Minute

// buildPlugin builds the test plugin main testdata/sdkplugins/<name> into
// a temporary directory and returns the executable's path.
func buildPlugin(t *testing.T, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the test plugin: %v", err)
	}
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command(goTool, "build", "-o", bin, "./testdata/sdkplugins/"+name)
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building test plugin %s: %v\n%s", name, err, out)
	}
	return bin
}

// logLines is a zerolog destination that hands every line to a channel,
// so that a test can wait for a log line instead of sleeping.
type logLines struct {
	ch   chan string
	seen []map[string]any // lines already taken off ch, for later waits
}

func newLogLines() *logLines { return &logLines{ch: make(chan string, 4096)} }

// Write never blocks: a line that finds the channel full is dropped (the
// buffer is far larger than any test logs).
func (l *logLines) Write(p []byte) (int, error) {
	select {
	case l.ch <- string(p):
	default:
	}
	return len(p), nil
}

// waitFor returns the first log line, decoded, that has every field of
// want, whether it came before or after earlier waits; it fails the test
// after a generous wait, listing what it saw. Only the test's goroutine
// may call it.
func (l *logLines) waitFor(t *testing.T, want map[string]any) map[string]any {
	t.Helper()
	for _, fields := range l.seen {
		if hasFields(fields, want) {
			return fields
		}
	}
	timeout := time.After(generous)
	for {
		select {
		case line := <-l.ch:
			var fields map[string]any
			if err := json.Unmarshal([]byte(line), &fields); err != nil {
				t.Fatalf("log line is not JSON: %v: %q", err, line)
			}
			l.seen = append(l.seen, fields)
			if hasFields(fields, want) {
				return fields
			}
		case <-timeout:
			var seen []string
			for _, fields := range l.seen {
				seen = append(seen, fmt.Sprint(fields))
			}
			t.Fatalf("no log line with %v; saw:\n%s", want, strings.Join(seen, "\n"))
			return nil
		}
	}
}

func hasFields(fields, want map[string]any) bool {
	for k, v := range want {
		if fields[k] != v {
			return false
		}
	}
	return true
}

// startPlugin starts the executable bin as a plugin named name and returns
// its go-plugin client, killed when the test ends.
func startPlugin(t *testing.T, bin, name string, log zerolog.Logger, args ...string) *plugin.Client {
	t.Helper()
	cfg := sdk.NewClientConfig(exec.Command(bin, args...), log, name)
	cfg.StartTimeout = generous
	client := plugin.NewClient(cfg)
	t.Cleanup(client.Kill)
	return client
}
