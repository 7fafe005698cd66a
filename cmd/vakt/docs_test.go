package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSampleSettings: contrib/vakt.yaml, the settings file the README
// points to, is read as it says.
func TestSampleSettings(t *testing.T) {
	for _, env := range os.Environ() {
		if name, _, _ := strings.Cut(env, "="); strings.HasPrefix(name, "VAKT_") {
			t.Setenv(name, "") // restored after the test
			os.Unsetenv(name)
		}
	}
	got, err := resolveSettings(t, "--config", "../../contrib/vakt.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got.File = ""
	want := settings{ChecksDir: "/etc/vakt/checks.d", PluginDirs: []string{"/usr/lib/vakt/plugins"},
		StateDir: "/var/lib/vakt", Listen: "127.0.0.1:8484", BBListen: "127.0.0.1:1984", APITokens: []string{"change-me"},
		Concurrency: 64, LogLevel: "info", LogFormat: "json",
		MaxPassive: 10_000, MaxPassivePerSource: 2_000, PassiveExpiry: 72 * time.Hour}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings from contrib/vakt.yaml:\n got %+v\nwant %+v", got, want)
	}
}

// TestReadmeExamples: the HCL examples in README.md validate, plugin
// configs included.
func TestReadmeExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no hcl examples")
	}
	bin, err := vaktBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i, b := range blocks {
		writeFile(t, filepath.Join(dir, "readme"+string(rune('a'+i))+".hcl"), string(b[1]))
	}
	if code, stdout, stderr := runBinary(t, bin, "validate", dir); code != 0 {
		t.Errorf("README examples do not validate (exit %d):\n%s%s", code, stdout, stderr)
	}
}
