package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/vakt/vakt/plugins/sdk"
)

// echoSchema is a schema with one attribute of every type.
func echoSchema() sdk.Schema {
	return sdk.Schema{
		{Name: "message", Type: sdk.TypeString, Required: true, Description: "what to print"},
		{Name: "threshold", Type: sdk.TypeNumber, Default: 10.0},
		{Name: "verbose", Type: sdk.TypeBool, Default: false},
		{Name: "tags", Type: sdk.TypeListOfString},
		{Name: "labels", Type: sdk.TypeMapOfString},
		{Name: "interval", Type: sdk.TypeDuration, Default: 30 * time.Second},
	}
}

// loadPluginFile writes src to a file checks.hcl in a temporary folder,
// loads it and returns its checks by ID and the file's path.
func loadPluginFile(t *testing.T, src string) (map[string]*Check, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "checks.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := newTestLoader().Load(path)
	if diags.HasErrors() {
		t.Fatalf("Load: %v", diags)
	}
	checks := map[string]*Check{}
	for _, c := range cfg.Checks {
		checks[c.ID()] = c
	}
	return checks, path
}

// renderDiags writes diagnostics as "line:col: summary: detail", the file
// name left out (it is the one file of the test).
func renderDiags(t *testing.T, file string, diags hcl.Diagnostics) []string {
	t.Helper()
	var out []string
	for _, d := range diags {
		if d.Subject == nil {
			out = append(out, "?: "+d.Summary+": "+d.Detail)
			continue
		}
		if d.Subject.Filename != file {
			t.Errorf("diagnostic %q is in file %q, want %q", d.Summary, d.Subject.Filename, file)
		}
		out = append(out, strings.TrimPrefix(position(*d.Subject), file+":")+": "+d.Summary+": "+d.Detail)
	}
	return out
}

func TestDecodePluginConfig(t *testing.T) {
	checks, _ := loadPluginFile(t, `
variable "word" {
  default = "hello"
}
host "web1" {
  address = "192.0.2.10"
  tags    = { env = "prod" }
}
check "full" {
  host   = "web1"
  plugin = "echo"
  config {
    message   = "${var.word} ${host.address}"
    threshold = 5
    verbose   = "true"
    tags      = ["a", 2, host.name]
    labels    = { env = host.tags.env, n = 1 }
    interval  = "1d2h"
  }
}
check "defaults" {
  plugin = "echo"
  config {
    message   = 42
    threshold = "7.5"
    tags      = null
  }
}
check "no-block" {
  plugin = "optional"
}
`)
	tests := []struct {
		id     string
		schema sdk.Schema
		want   sdk.Values
	}{
		{"web1/full", echoSchema(), sdk.Values{
			"message": "hello 192.0.2.10", "threshold": 5.0, "verbose": true,
			"tags": []string{"a", "2", "web1"}, "labels": map[string]string{"env": "prod", "n": "1"},
			"interval": 26 * time.Hour,
		}},
		{"localhost/defaults", echoSchema(), sdk.Values{
			"message": "42", "threshold": 7.5, "verbose": false, "interval": 30 * time.Second,
		}},
		{"localhost/no-block", sdk.Schema{{Name: "port", Type: sdk.TypeNumber, Default: 22.0}},
			sdk.Values{"port": 22.0}},
		{"localhost/no-block", nil, sdk.Values{}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := checks[tt.id]
			if c == nil {
				t.Fatalf("no check %s", tt.id)
			}
			got, diags := c.DecodePluginConfig(tt.schema)
			if len(diags) > 0 {
				t.Fatalf("DecodePluginConfig: %v", diags)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("values:\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestDecodePluginConfigErrors(t *testing.T) {
	checks, file := loadPluginFile(t, `check "types" {
  plugin = "echo"
  config {
    message   = "x"
    verbos    = true
    verbose   = "yes"
    threshold = "ten"
    tags      = "a"
    labels    = ["x"]
    interval  = 30
  }
}
check "missing" {
  plugin = "echo"
  config {
    message = null
    interval = "10 parsecs"
  }
}
check "no-block" {
  plugin = "echo"
}
check "nested" {
  plugin = "echo"
  config {
    message = "x"
    extra {
      a = 1
    }
  }
}
check "expression" {
  plugin = "echo"
  config {
    message = "x"
    threshold = 1 + "a"
  }
}
check "nothing-accepted" {
  plugin = "bare"
  config {
    port = 22
  }
}
`)
	tests := []struct {
		id     string
		schema sdk.Schema
		want   []string
	}{
		{"localhost/types", echoSchema(), []string{
			`5:5: Unsupported plugin attribute: Plugin "echo" has no attribute "verbos"; it accepts interval, labels, message, tags, threshold and verbose. Did you mean "verbose"?`,
			`6:17: Invalid value: verbose must be true or false, not a string.`,
			`7:17: Invalid value: threshold must be a number, not "ten".`,
			`8:17: Invalid value: tags must be a list of strings, like ["a", "b"], not a string.`,
			`9:17: Invalid value: labels must be a map of strings, like { role = "web" }, not a list.`,
			`10:17: Invalid duration: interval needs a unit: write a string like "30s", "5m", "1h30m" or "1d" (a bare number is ambiguous; Nagios counts minutes).`,
		}},
		{"localhost/missing", echoSchema(), []string{
			`17:16: Invalid duration: "10 parsecs" is not a duration: write a number and a unit (s, m, h, d), like "30s", "5m", "1h30m" or "1d".`,
			`15:10: Missing required plugin attribute: Plugin "echo" requires "message" (string: what to print); set it in its config block.`,
		}},
		{"localhost/no-block", echoSchema(), []string{
			`20:1: Missing required plugin attribute: Plugin "echo" requires "message" (string: what to print); set it in a config block, which this check does not have.`,
		}},
		{"localhost/nested", echoSchema(), []string{
			`27:5: Unexpected "extra" block: Blocks are not allowed here.`,
		}},
		{"localhost/expression", echoSchema(), []string{
			`36:21: Invalid operand: Unsuitable value for right operand: a number is required.`,
		}},
		{"localhost/nothing-accepted", nil, []string{
			`42:5: Unsupported plugin attribute: Plugin "bare" has no attribute "port"; it accepts no attributes.`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			c := checks[tt.id]
			if c == nil {
				t.Fatalf("no check %s", tt.id)
			}
			values, diags := c.DecodePluginConfig(tt.schema)
			if values != nil {
				t.Errorf("values = %#v, want nil with errors", values)
			}
			if got := renderDiags(t, file, diags); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("diagnostics:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(tt.want, "\n     "))
			}
		})
	}
}

func TestPluginConfigRange(t *testing.T) {
	checks, file := loadPluginFile(t, `check "a" {
  plugin = "echo"
  config {
    message = "x"
  }
}
check "b" {
  plugin = "echo"
}
`)
	tests := []struct {
		id, attribute, want string
	}{
		{"localhost/a", "message", "4:15"},
		{"localhost/a", "threshold", "3:10"},
		{"localhost/a", "", "3:10"},
		{"localhost/b", "message", "7:1"},
	}
	for _, tt := range tests {
		rng := checks[tt.id].PluginConfigRange(tt.attribute)
		if got := strings.TrimPrefix(position(rng), file+":"); got != tt.want {
			t.Errorf("PluginConfigRange(%q) of %s = %s, want %s", tt.attribute, tt.id, got, tt.want)
		}
	}
}

func TestPluginSHA256(t *testing.T) {
	const digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	checks, file := loadPluginFile(t, `template "pinned" {
  plugin        = "echo"
  plugin_sha256 = "`+strings.ToUpper(digest)+`"
}
check "inherits" {
  template = "pinned"
}
check "own" {
  plugin        = "echo"
  plugin_sha256 = "`+digest+`"
}
check "unpinned" {
  plugin = "echo"
}
`)
	tests := []struct {
		id, want, at string
	}{
		{"localhost/inherits", digest, "3:19"},
		{"localhost/own", digest, "10:19"},
		{"localhost/unpinned", "", ""},
	}
	for _, tt := range tests {
		c := checks[tt.id]
		at := ""
		if c.PluginSHA256Range.Filename != "" {
			at = strings.TrimPrefix(position(c.PluginSHA256Range), file+":")
		}
		if c.PluginSHA256 != tt.want || at != tt.at {
			t.Errorf("%s: PluginSHA256 %q at %q, want %q at %q", tt.id, c.PluginSHA256, at, tt.want, tt.at)
		}
		if got := strings.TrimPrefix(position(c.PluginRange), file+":"); tt.id == "localhost/own" && got != "9:19" {
			t.Errorf("%s: PluginRange at %s, want 9:19", tt.id, got)
		}
	}
}

func TestPluginSHA256Errors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "checks.hcl")
	src := `check "short" {
  plugin        = "echo"
  plugin_sha256 = "abc"
}
check "not-hex" {
  plugin        = "echo"
  plugin_sha256 = "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
}
check "command" {
  command       = ["/bin/true"]
  plugin_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
}
check "list" {
  plugin        = "echo"
  plugin_sha256 = ["a"]
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := newTestLoader().Load(path)
	if cfg != nil {
		t.Errorf("Load returned a Config despite errors")
	}
	want := []string{
		`3:19: Invalid SHA-256: plugin_sha256 must be 64 hex digits, as sha256sum prints them, not "abc".`,
		`7:19: Invalid SHA-256: plugin_sha256 must be 64 hex digits, as sha256sum prints them, not "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".`,
		`11:19: plugin_sha256 without plugin: plugin_sha256 pins a plugin's executable, but check "command" runs a command.`,
		`15:19: Invalid value: plugin_sha256 must be a string, not a list.`,
	}
	if got := renderDiags(t, path, diags); !reflect.DeepEqual(got, want) {
		t.Fatalf("diagnostics:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}
