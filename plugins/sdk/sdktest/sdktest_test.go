package sdktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
	"github.com/vakt/vakt/testdata/sdkplugins/testplugin"
)

const generous = 2 * time.Minute

func TestServeCheck(t *testing.T) {
	checker := sdktest.ServeCheck(t, testplugin.NewChecker())
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()

	info, err := checker.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Name != "echo" || info.Version != "1.2.3" || len(info.Schema) != 6 || info.Schema[5].Default != 30*time.Second {
		t.Fatalf("Info: got %#v", info)
	}

	got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "c", Values: sdk.Values{"message": "hi", "tags": []string{"x"}}},
		Check: "in-process", Host: sdk.Host{Name: "h", Address: "::1"}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	warn := check.MustRange("10")
	want := check.Result{Check: "in-process", Host: "h", State: check.Warning, ExitCode: 1, Output: "hi from h (::1)",
		Long:     "config: c\ncheck: in-process\ntimeout: 5s\nverbose: false\ntags: x\nlabels: \ninterval: 30s",
		Perfdata: []check.Perf{{Label: "threshold", Value: 10, Warn: &warn}}, Notes: []string{"echoed"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Check:\n got %#v\nwant %#v", got, want)
	}

	// The inline config had an id, so it is now configured.
	if _, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "c"}, Check: "again", Host: sdk.Host{Name: "h"}}); err != nil {
		t.Fatalf("Check by the id of an inline config: %v", err)
	}

	t.Run("a config without an id is refused", func(t *testing.T) {
		err := checker.Configure(ctx, sdk.Config{Values: sdk.Values{"message": "x"}})
		var ce sdk.ConfigErrors
		if !errors.As(err, &ce) || !reflect.DeepEqual(ce, sdk.ConfigErrors{{Message: "the config has no id"}}) {
			t.Fatalf("Configure: got %#v", err)
		}
	})

	t.Run("a plugin that blocks sees the deadline end its context", func(t *testing.T) {
		_, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "c"}, Check: "b", Host: sdk.Host{Name: "block"}, Timeout: 2 * time.Second})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Check: got %v, want context.DeadlineExceeded", err)
		}
		report, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "c"}, Check: "r", Host: sdk.Host{Name: "cancel-report"}})
		if err != nil {
			t.Fatalf("cancel-report: %v", err)
		}
		if want := "the blocked check had a deadline: true; it saw its context end"; report.Output != want {
			t.Fatalf("cancel-report: got %q, want %q", report.Output, want)
		}
	})
}

func TestServeNotifier(t *testing.T) {
	notifier := sdktest.ServeNotifier(t, testplugin.Notifier{})
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()
	spool := filepath.Join(t.TempDir(), "spool.jsonl")
	n := sdk.Notification{Config: sdk.Config{ID: "s", Values: sdk.Values{"spool": spool}}, ID: "n-1", Check: "web",
		State: check.Warning, Level: check.LevelWarning, Kind: "problem", Output: "slow",
		Recipients: []sdk.Recipient{{Name: "ops", Address: "ops@example.com"}}}
	if err := notifier.Notify(ctx, n); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	data, err := os.ReadFile(spool)
	if err != nil {
		t.Fatal(err)
	}
	var got sdk.Notification
	if err := json.Unmarshal(bytes.TrimSpace(data), &got); err != nil {
		t.Fatalf("spool %q: %v", data, err)
	}
	if !reflect.DeepEqual(got, n) {
		t.Fatalf("notification received:\n got %#v\nwant %#v", got, n)
	}
}

// brokenChecker is a check plugin with a bug, set by its fields.
type brokenChecker struct {
	schema  sdk.Schema
	infoErr error
	result  check.Result
}

func (b brokenChecker) Info(context.Context) (sdk.Info, error) {
	return sdk.Info{Name: "broken", Schema: b.schema}, b.infoErr
}
func (b brokenChecker) Configure(context.Context, sdk.Config) error { return nil }
func (b brokenChecker) Check(context.Context, sdk.Request) (check.Result, error) {
	return b.result, nil
}

func TestBrokenPlugins(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()

	t.Run("a schema with an attribute declared twice", func(t *testing.T) {
		c := sdktest.ServeCheck(t, brokenChecker{schema: sdk.Schema{{Name: "a", Type: sdk.TypeString}, {Name: "a", Type: sdk.TypeBool}}})
		_, err := c.Info(ctx)
		want := `plugin info: invalid config schema: attribute "a" is declared twice`
		if err == nil || err.Error() != want {
			t.Fatalf("Info: got %v, want %q", err, want)
		}
	})

	t.Run("a schema default that cannot be sent", func(t *testing.T) {
		c := sdktest.ServeCheck(t, brokenChecker{schema: sdk.Schema{{Name: "a", Type: sdk.TypeNumber, Default: "three"}}})
		_, err := c.Info(ctx)
		want := `plugin info: the plugin failed: describing the plugin: attribute "a": default: want number, got string`
		if err == nil || err.Error() != want {
			t.Fatalf("Info: got %v, want %q", err, want)
		}
	})

	t.Run("Info fails, so nothing can be configured", func(t *testing.T) {
		c := sdktest.ServeCheck(t, brokenChecker{infoErr: errors.New("no info today")})
		err := c.Configure(ctx, sdk.Config{ID: "x", Values: sdk.Values{}})
		want := `configure "x": the plugin failed: describing the plugin: no info today`
		if err == nil || err.Error() != want {
			t.Fatalf("Configure: got %v, want %q", err, want)
		}
	})

	t.Run("output that is not UTF-8", func(t *testing.T) {
		c := sdktest.ServeCheck(t, brokenChecker{result: check.Result{State: check.OK, Output: "caf\xe9"}})
		got, err := c.Check(ctx, sdk.Request{Config: sdk.Config{Values: sdk.Values{}}, Check: "u", Host: sdk.Host{Name: "h"}})
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		want := check.Result{Check: "u", Host: "h", State: check.OK, Output: "caf\uFFFD",
			Notes: []string{"output had bytes that are not UTF-8; replaced with U+FFFD"}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Check:\n got %#v\nwant %#v", got, want)
		}
	})
}
