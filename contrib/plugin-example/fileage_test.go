package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

func TestFileAge(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh")
	old := filepath.Join(dir, "old")
	for _, p := range []string{fresh, old} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Two days old: far past the 24h default, so no clock race decides it.
	if err := os.Chtimes(old, time.Now(), time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	checker := sdktest.ServeCheck(t, fileAge{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	tests := []struct {
		path  string
		state check.State
	}{
		{fresh, check.OK},
		{old, check.Critical},
		{filepath.Join(dir, "missing"), check.Critical},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			got, err := checker.Check(ctx, sdk.Request{Config: sdk.Config{Values: sdk.Values{"path": tt.path}}, Host: sdk.Host{Name: "localhost"}})
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if got.State != tt.state {
				t.Fatalf("state %v (%q), want %v", got.State, got.Output, tt.state)
			}
		})
	}

	err := checker.Configure(ctx, sdk.Config{ID: "bad", Values: sdk.Values{"path": fresh, "warning": "2h", "critical": "1h"}})
	want := sdk.ConfigErrors{{Attribute: "warning", Message: `attribute "warning" (2h0m0s) must not be above "critical" (1h0m0s)`}}
	var got sdk.ConfigErrors
	if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
		t.Fatalf("Configure: got %v, want %v", err, want)
	}
}
