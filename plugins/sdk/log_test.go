package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/rs/zerolog"
)

// decodeLines decodes zerolog's JSON lines.
func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestHCLogger(t *testing.T) {
	var buf bytes.Buffer
	log := NewHCLogger(zerolog.New(&buf).Level(zerolog.DebugLevel), "ping")

	log.Trace("dropped: below debug")
	log.Debug("debug line", "n", 3, "ok", true)
	log.Named("go-plugin").Named("stdio").With("pid", int64(42)).Info("named line", "err", errors.New("boom"), "took", 1500*time.Millisecond)
	log.Warn("odd args", "key")
	log.Error("error line", 7, "non-string key", "plugin", "/usr/lib/vakt/ping", "message", "m")
	log.Log(hclog.Off, "dropped: off")

	want := []map[string]any{
		{"level": "debug", "plugin": "ping", "message": "debug line", "n": 3.0, "ok": true},
		{"level": "info", "plugin": "ping", "logger": "go-plugin.stdio", "message": "named line", "pid": 42.0, "err": "boom", "took": "1.5s"},
		{"level": "warn", "plugin": "ping", "message": "odd args", "EXTRA_VALUE_AT_END": "key"},
		{"level": "error", "plugin": "ping", "message": "error line", "7": "non-string key",
			"hclog_plugin": "/usr/lib/vakt/ping", "hclog_message": "m"},
	}
	if got := decodeLines(t, &buf); !reflect.DeepEqual(got, want) {
		t.Fatalf("lines:\n got %v\nwant %v", got, want)
	}
}

func TestHCLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	log := NewHCLogger(zerolog.New(&buf).Level(zerolog.WarnLevel), "x")
	if log.GetLevel() != hclog.Warn || log.IsInfo() || !log.IsWarn() || !log.IsError() {
		t.Fatalf("level %v, IsInfo %t, IsWarn %t", log.GetLevel(), log.IsInfo(), log.IsWarn())
	}
	child := log.With("a", 1)
	log.SetLevel(hclog.Error)
	child.Warn("dropped: the parent's new level applies")
	child.Error("kept")
	if got := decodeLines(t, &buf); len(got) != 1 || got[0]["message"] != "kept" || got[0]["a"] != 1.0 {
		t.Fatalf("lines: got %v, want only the error line with a=1", got)
	}
	if !reflect.DeepEqual(child.ImpliedArgs(), []any{"a", 1}) || len(log.ImpliedArgs()) != 0 {
		t.Fatalf("implied args: child %v, parent %v", child.ImpliedArgs(), log.ImpliedArgs())
	}
	if got := log.Named("a").ResetNamed("b").Name(); got != "b" {
		t.Fatalf("ResetNamed: name %q, want b", got)
	}
}

func TestHCLoggerStandardWriter(t *testing.T) {
	var buf bytes.Buffer
	log := NewHCLogger(zerolog.New(&buf), "x")
	std := log.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Warn})
	std.Print("first\nsecond")
	want := []map[string]any{
		{"level": "warn", "plugin": "x", "message": "first"},
		{"level": "warn", "plugin": "x", "message": "second"},
	}
	if got := decodeLines(t, &buf); !reflect.DeepEqual(got, want) {
		t.Fatalf("lines:\n got %v\nwant %v", got, want)
	}
}

func TestHCLogLevelMapping(t *testing.T) {
	tests := []struct {
		zl   zerolog.Level
		want string
	}{
		{zerolog.TraceLevel, "trace"}, {zerolog.DebugLevel, "debug"}, {zerolog.InfoLevel, "info"},
		{zerolog.WarnLevel, "warn"}, {zerolog.ErrorLevel, "error"}, {zerolog.FatalLevel, "error"},
		{zerolog.Disabled, "off"},
	}
	for _, tt := range tests {
		if got := hclogLevelName(tt.zl); got != tt.want {
			t.Errorf("hclogLevelName(%v) = %q, want %q", tt.zl, got, tt.want)
		}
	}
}

func TestLoggerOutsideACall(t *testing.T) {
	// Must not panic and must not write anywhere.
	Logger(context.Background()).Error("nowhere")
	if Logger(context.Background()).IsError() {
		t.Fatal("the null logger claims to log errors")
	}
}
