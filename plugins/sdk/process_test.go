package sdk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// These tests run the test plugins of testdata/sdkplugins as real processes
// through go-plugin, the way vakt runs plugins.

func wantEchoInfo() sdk.Info {
	return sdk.Info{Name: "echo", Version: "1.2.3", Description: "echoes its request", Schema: sdk.Schema{
		{Name: "message", Type: sdk.TypeString, Required: true, Description: "what to print"},
		{Name: "threshold", Type: sdk.TypeNumber, Default: 10.0, Description: "the warning threshold"},
		{Name: "verbose", Type: sdk.TypeBool, Default: false, Description: "print more"},
		{Name: "tags", Type: sdk.TypeListOfString, Description: "tags to print"},
		{Name: "labels", Type: sdk.TypeMapOfString, Description: "labels to print"},
		{Name: "interval", Type: sdk.TypeDuration, Default: 30 * time.Second, Description: "an interval to print"},
	}}
}

func rangePtr(text string) *check.Range { r := check.MustRange(text); return &r }
func floatPtr(v float64) *float64       { return &v }

func TestCheckPluginProcess(t *testing.T) {
	bin := buildPlugin(t, "echo")
	lines := sdktest.NewLogLines()
	client := startPlugin(t, bin, "echo", zerolog.New(lines))
	checker, err := sdk.DispenseChecker(client)
	if err != nil {
		t.Fatalf("DispenseChecker: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()

	info, err := checker.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if want := wantEchoInfo(); !reflect.DeepEqual(info, want) {
		t.Fatalf("Info:\n got %#v\nwant %#v", info, want)
	}

	t.Run("configure", func(t *testing.T) {
		tests := []struct {
			name   string
			values sdk.Values
			want   error // nil, or the ConfigErrors
		}{
			{"valid", sdk.Values{"message": "hello", "threshold": 5, "tags": []string{"a", "b"},
				"labels": map[string]string{"env": "prod", "dc": "ams"}}, nil},
			{"missing required attribute", sdk.Values{"threshold": 5.0}, sdk.ConfigErrors{
				{Attribute: "message", Message: `missing required attribute "message"`}}},
			{"wrong type and unknown attribute", sdk.Values{"message": "x", "verbose": "yes", "colour": "red"}, sdk.ConfigErrors{
				{Attribute: "colour", Message: `unknown attribute "colour"; this plugin accepts interval, labels, message, tags, threshold, verbose`},
				{Attribute: "verbose", Message: `attribute "verbose": want bool, got string`}}},
			{"bad duration", sdk.Values{"message": "x", "interval": "10 parsecs"}, sdk.ConfigErrors{
				{Attribute: "interval", Message: `attribute "interval": invalid duration "10 parsecs" (want e.g. 30s, 5m, 1h30m)`}}},
			{"rejected by the plugin", sdk.Values{"message": "reject"}, sdk.ConfigErrors{
				{Attribute: "message", Message: `attribute "message": the word "reject" is refused`}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := checker.Configure(ctx, sdk.Config{ID: "cfg-" + tt.name, Values: tt.values})
				if tt.want == nil {
					if err != nil {
						t.Fatalf("Configure: %v", err)
					}
					return
				}
				var got sdk.ConfigErrors
				if !errors.As(err, &got) {
					t.Fatalf("Configure: got %v (%T), want ConfigErrors %v", err, err, tt.want)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("Configure:\n got %#v\nwant %#v", got, tt.want)
				}
			})
		}
	})

	if err := checker.Configure(ctx, sdk.Config{ID: "web", Values: sdk.Values{
		"message": "hello", "threshold": 5, "tags": []string{"a", "b"},
		"labels": map[string]string{"env": "prod", "dc": "ams"},
	}}); err != nil {
		t.Fatalf("Configure web: %v", err)
	}

	t.Run("check", func(t *testing.T) {
		tests := []struct {
			name string
			req  sdk.Request
			want check.Result
		}{
			{"by config id", sdk.Request{Config: sdk.Config{ID: "web"}, Check: "web_check",
				Host: sdk.Host{Name: "db1", Address: "192.0.2.10"}, Timeout: time.Minute},
				check.Result{Check: "web_check", Host: "db1", State: check.Warning, ExitCode: 1,
					Output: "hello from db1 (192.0.2.10)",
					Long: "config: web\ncheck: web_check\ntimeout: 1m0s\nverbose: false\n" +
						"tags: a,b\nlabels: dc=ams,env=prod\ninterval: 30s",
					Perfdata: []check.Perf{{Label: "threshold", Value: 5, Warn: rangePtr("5")}},
					Notes:    []string{"echoed"}}},
			{"inline config with defaults", sdk.Request{Config: sdk.Config{Values: sdk.Values{"message": "inline", "verbose": true}},
				Check: "adhoc", Host: sdk.Host{Name: "db2"}},
				check.Result{Check: "adhoc", Host: "db2", State: check.Warning, ExitCode: 1,
					Output:   "inline from db2 ()",
					Long:     "config: \ncheck: adhoc\ntimeout: 0s\nverbose: true\ntags: \nlabels: \ninterval: 30s",
					Perfdata: []check.Perf{{Label: "threshold", Value: 10, Warn: rangePtr("10")}},
					Notes:    []string{"echoed"}}},
			{"malformed perfdata is skipped with notes", sdk.Request{Config: sdk.Config{ID: "web"}, Check: "p", Host: sdk.Host{Name: "bad-perf"}},
				check.Result{Check: "p", Host: "bad-perf", State: check.OK, ExitCode: 0, Output: "perf",
					Perfdata: []check.Perf{{Label: "good", Value: 1.5, UOM: "s", Warn: rangePtr("2"), Min: floatPtr(1)}},
					Notes: []string{
						`perfdata "=1" skipped: empty label`,
						`perfdata "unit=1p(c)" skipped: unit "p(c)" is not a unit: a unit is letters, digits, %, °, / and _, starting with a letter, % or °`,
						`perfdata "nan=NaN" skipped: value "NaN" is not a number`,
						`perfdata "range=1;;2:1" skipped: critical threshold: parsing range "2:1": start 2 is greater than end 1`,
					}}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := checker.Check(ctx, tt.req)
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("Check:\n got %#v\nwant %#v", got, tt.want)
				}
			})
		}
	})

	t.Run("check errors", func(t *testing.T) {
		tests := []struct {
			name    string
			req     sdk.Request
			wantErr string
			is      error
		}{
			{"state out of range", sdk.Request{Config: sdk.Config{ID: "web"}, Check: "s", Host: sdk.Host{Name: "bad-state"}},
				`check "s" on "bad-state": the plugin returned state 7; a state must be 0 (OK), 1 (WARNING), 2 (CRITICAL) or 3 (UNKNOWN)`, nil},
			{"plugin error", sdk.Request{Config: sdk.Config{ID: "web"}, Check: "f", Host: sdk.Host{Name: "fail"}},
				`check "f" on "fail": the plugin failed: cannot reach the moon`, nil},
			{"config never configured", sdk.Request{Config: sdk.Config{ID: "nope"}, Check: "n", Host: sdk.Host{Name: "db1"}},
				`check "n" on "db1": config is not configured in the plugin: config "nope" was not configured`, sdk.ErrNotConfigured},
			{"inline config missing a required attribute", sdk.Request{Config: sdk.Config{Values: sdk.Values{}}, Check: "i", Host: sdk.Host{Name: "db1"}},
				`check "i" on "db1": missing required attribute "message"`, nil},
			{"no config at all", sdk.Request{Check: "z", Host: sdk.Host{Name: "db1"}},
				`check "z": the request names no config: set Config.ID or Config.Values`, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := checker.Check(ctx, tt.req)
				if err == nil {
					t.Fatalf("Check: got %#v, want error %q", got, tt.wantErr)
				}
				if err.Error() != tt.wantErr {
					t.Fatalf("Check error:\n got %q\nwant %q", err, tt.wantErr)
				}
				if tt.is != nil && !errors.Is(err, tt.is) {
					t.Fatalf("Check error %v is not %v", err, tt.is)
				}
			})
		}
	})

	t.Run("a plugin's log line reaches zerolog tagged with the plugin name", func(t *testing.T) {
		got := lines.WaitFor(t, map[string]any{"message": "check ran", "check": "web_check"})
		want := map[string]any{"level": "info", "plugin": "echo", "logger": "echo", "message": "check ran",
			"check": "web_check", "host": "db1", "text": "hello"}
		got = maps.Clone(got)
		delete(got, "timestamp")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("log line:\n got %v\nwant %v", got, want)
		}
	})

	t.Run("what a plugin prints reaches zerolog too", func(t *testing.T) {
		if _, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "web"}, Check: "p", Host: sdk.Host{Name: "print"}}); err != nil {
			t.Fatalf("Check: %v", err)
		}
		for _, stream := range []string{"stdout", "stderr"} {
			got := lines.WaitFor(t, map[string]any{"stream": stream})
			want := map[string]any{"level": "info", "plugin": "echo", "stream": stream, "message": "printed to " + stream}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("log line:\n got %v\nwant %v", got, want)
			}
		}
	})

	t.Run("the timeout crosses to the plugin as a deadline", func(t *testing.T) {
		_, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "web"}, Check: "b", Host: sdk.Host{Name: "block"}, Timeout: 3 * time.Second})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Check of a blocking plugin: got %v, want context.DeadlineExceeded", err)
		}
		report, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "web"}, Check: "r", Host: sdk.Host{Name: "cancel-report"}})
		if err != nil {
			t.Fatalf("Check cancel-report: %v", err)
		}
		if want := "the blocked check had a deadline: true; it saw its context end"; report.Output != want {
			t.Fatalf("cancel-report: got %q, want %q", report.Output, want)
		}
	})

	t.Run("cancelling the caller's context cancels the plugin's", func(t *testing.T) {
		// Not derived from ctx: the plugin must see no deadline.
		callCtx, cancelCall := context.WithCancel(context.Background())
		defer cancelCall()
		errc := make(chan error, 1)
		go func() {
			_, err := checker.Check(callCtx, sdk.Request{Config: sdk.Config{ID: "web"}, Check: "c", Host: sdk.Host{Name: "block"}})
			errc <- err
		}()
		lines.WaitFor(t, map[string]any{"message": "blocking until cancelled", "check": "c"})
		cancelCall()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Check: got %v, want context.Canceled", err)
		}
		report, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{ID: "web"}, Check: "r", Host: sdk.Host{Name: "cancel-report"}})
		if err != nil {
			t.Fatalf("Check cancel-report: %v", err)
		}
		if want := "the blocked check had a deadline: false; it saw its context end"; report.Output != want {
			t.Fatalf("cancel-report: got %q, want %q", report.Output, want)
		}
		lines.WaitFor(t, map[string]any{"message": "check cancelled", "check": "c", "reason": "context canceled"})
	})
}

func TestNotifierPluginProcess(t *testing.T) {
	bin := buildPlugin(t, "echo")
	lines := sdktest.NewLogLines()
	client := startPlugin(t, bin, "spool", zerolog.New(lines))
	notifier, err := sdk.DispenseNotifier(client)
	if err != nil {
		t.Fatalf("DispenseNotifier: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	defer cancel()

	info, err := notifier.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	wantInfo := sdk.Info{Name: "spool", Version: "0.1.0", Description: "writes notifications to a file",
		Schema: sdk.Schema{{Name: "spool", Type: sdk.TypeString, Required: true, Description: "file to append notifications to"}}}
	if !reflect.DeepEqual(info, wantInfo) {
		t.Fatalf("Info:\n got %#v\nwant %#v", info, wantInfo)
	}

	spool := filepath.Join(t.TempDir(), "spool.jsonl")
	if err := notifier.Configure(ctx, sdk.Config{ID: "mail", Values: sdk.Values{"spool": spool}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}

	sent := sdk.Notification{
		Config: sdk.Config{ID: "mail"},
		ID:     "n-1", Check: "web", Host: "db1", State: check.Critical, Level: check.LevelError,
		Kind: "problem", Output: "HTTP 500", Long: "line 2\nline 3",
		Time:       time.Date(2026, 5, 6, 18, 38, 1, 500, time.UTC),
		Recipients: []sdk.Recipient{{Name: "oncall", Address: "+4712345678"}, {Name: "desk", Address: "desk@example.com"}},
		Extra:      map[string]string{"escalation": "1"},
	}
	if err := notifier.Notify(ctx, sent); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	data, err := os.ReadFile(spool)
	if err != nil {
		t.Fatalf("reading the spool: %v", err)
	}
	var got sdk.Notification
	if err := json.Unmarshal(bytes.TrimSpace(data), &got); err != nil {
		t.Fatalf("spool line %q: %v", data, err)
	}
	want := sent
	want.Config = sdk.Config{ID: "mail", Values: sdk.Values{"spool": spool}}
	if !got.Time.Equal(want.Time) {
		t.Fatalf("notification time: got %v, want %v", got.Time, want.Time)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("notification the plugin received:\n got %#v\nwant %#v", got, want)
	}
	logged := lines.WaitFor(t, map[string]any{"message": "notifying"})
	if logged["plugin"] != "spool" || logged["notification"] != "n-1" || logged["recipients"] != 2.0 {
		t.Fatalf("notify log line: got %v, want plugin spool, notification n-1, recipients 2", logged)
	}

	tests := []struct {
		name          string
		n             sdk.Notification
		wantErr       string
		wantPermanent bool
	}{
		{"failure to retry", sdk.Notification{Config: sdk.Config{ID: "mail"}, ID: "n-2", Kind: "fail"},
			`notify "n-2": the plugin failed: relay unreachable`, false},
		{"permanent failure", sdk.Notification{Config: sdk.Config{ID: "mail"}, ID: "n-3", Kind: "reject"},
			`notify "n-3": the plugin failed: recipient rejected`, true},
		{"config never configured", sdk.Notification{Config: sdk.Config{ID: "sms"}, ID: "n-4"},
			`notify "n-4": config is not configured in the plugin: config "sms" was not configured`, false},
		{"inline config missing a required attribute", sdk.Notification{Config: sdk.Config{Values: sdk.Values{}}, ID: "n-5"},
			`notify "n-5": missing required attribute "spool"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := notifier.Notify(ctx, tt.n)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("Notify error:\n got %v\nwant %q", err, tt.wantErr)
			}
			if sdk.IsPermanent(err) != tt.wantPermanent {
				t.Fatalf("IsPermanent(%v) = %t, want %t", err, sdk.IsPermanent(err), tt.wantPermanent)
			}
		})
	}
}

func TestPluginHandshakeFailures(t *testing.T) {
	echo := buildPlugin(t, "echo")
	t.Run("wrong protocol version", func(t *testing.T) {
		client := startPlugin(t, buildPlugin(t, "wrongversion"), "wrongversion", zerolog.Nop())
		_, err := sdk.DispenseChecker(client)
		want := "starting the plugin: incompatible API version with plugin. Plugin version: 2, Client versions: [1]"
		if err == nil || err.Error() != want {
			t.Fatalf("DispenseChecker: got %v, want %q", err, want)
		}
	})

	t.Run("plugin expecting another magic cookie", func(t *testing.T) {
		lines := sdktest.NewLogLines()
		client := startPlugin(t, buildPlugin(t, "othercookie"), "othercookie", zerolog.New(lines))
		_, err := sdk.DispenseChecker(client)
		// go-plugin's message goes on with the plugin's path and mode.
		want := "starting the plugin: Unrecognized remote plugin message: \nFailed to read any lines from plugin's stdout\n"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("DispenseChecker: got %v, want an error starting %q", err, want)
		}
		lines.WaitFor(t, map[string]any{"plugin": "othercookie", "level": "debug",
			"message": "This binary is a plugin. These are not meant to be executed directly."})
	})

	t.Run("plugin run directly, without vakt's cookie", func(t *testing.T) {
		cmd := exec.Command(echo)
		cmd.Env = []string{}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Fatalf("running the plugin directly: got %v, want exit status 1", err)
		}
		wantStderr := "This binary is a plugin. These are not meant to be executed directly.\n" +
			"Please execute the program that consumes these plugins, which will\n" +
			"load any plugins automatically\n"
		if stderr.String() != wantStderr || stdout.String() != "" {
			t.Fatalf("running the plugin directly: stdout %q, stderr %q; want no stdout and stderr %q", stdout.String(), stderr.String(), wantStderr)
		}
	})

	t.Run("check plugin dispensed from a notifier-only plugin", func(t *testing.T) {
		client := startPlugin(t, echo, "spool", zerolog.Nop(), "notifier-only")
		checker, err := sdk.DispenseChecker(client)
		if err != nil {
			t.Fatalf("DispenseChecker: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), generous)
		defer cancel()
		_, err = checker.Info(ctx)
		want := "plugin info: the plugin does not serve vakt.plugin.v1.CheckPlugin (is it another kind of plugin?): unknown service vakt.plugin.v1.CheckPlugin"
		if err == nil || err.Error() != want {
			t.Fatalf("Info: got %v, want %q", err, want)
		}
	})
}

// TestLogLevelReachesPlugin checks that the plugin is told vakt's level and
// so does not send lines vakt would drop.
func TestLogLevelReachesPlugin(t *testing.T) {
	cmd := exec.Command("true")
	sdk.NewClientConfig(cmd, zerolog.New(nil).Level(zerolog.WarnLevel), "x")
	if got, want := strings.Join(cmd.Env, " "), sdk.LogLevelEnv+"=warn"; got != want {
		t.Fatalf("plugin env: got %q, want %q", got, want)
	}
}
