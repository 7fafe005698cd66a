package main

import (
	"os"
	"testing"
)

// TestMain lets this test binary stand in for vakt as a plugin process:
// the plugin host starts os.Executable() as `plugin-serve NAME` for the
// built-in plugins, and when `vakt check` runs in-process in a test, that
// executable is this binary. Without this, it would run the tests again.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "plugin-serve" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if dir, err := binDir(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
