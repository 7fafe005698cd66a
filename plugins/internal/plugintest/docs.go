package plugintest

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// A built-in plugin documents its configuration three times: sample.hcl
// (SampleConfig) shows a check using it with every attribute, README.md
// has a table of the attributes under "## Configuration", and
// checks.d/examples/plugin-NAME.hcl is a check that runs on a healthy
// machine. The helpers below keep all three true to the plugin's schema,
// reading HCL the way vakt does (core/config).

// SampleRules are the promises a plugin's sample.hcl makes beyond the
// ones every sample keeps (see CheckSample).
type SampleRules struct {
	// ShowsDefaults: each setting of an attribute that has a default,
	// commented or not, shows that default.
	ShowsDefaults bool
	// FullAccepted: the plugin accepts the sample with every commented
	// setting uncommented, not only the schema.
	FullAccepted bool
}

// CheckSample checks a plugin's sample check file, given as text: it is a
// check file holding one check of the plugin with one config block; the
// config as shipped is accepted by the plugin; with every commented
// setting ("# name = value", indented) uncommented, it decodes against the
// schema and names every attribute of the schema and no other; and it
// keeps rules.
func CheckSample(t *testing.T, plugin sdk.Checker, sample string, rules SampleRules) {
	t.Helper()
	ctx := Context(t)
	info, err := plugin.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	served := sdktest.ServeCheck(t, plugin)

	_, shipped := loadConfig(t, "sample.hcl", writeTemp(t, sample), info.Name)
	values := decodeConfig(t, "sample.hcl", shipped, info.Schema)
	if err := served.Configure(ctx, sdk.Config{ID: "sample", Values: values}); err != nil {
		t.Fatalf("sample.hcl: the config as shipped is rejected: %v", err)
	}

	const uncommented = "sample.hcl with every setting uncommented"
	_, full := loadConfig(t, uncommented, writeTemp(t, Uncomment(sample)), info.Name)
	fullValues := decodeConfig(t, uncommented, full, info.Schema)
	if documented, names := configAttributes(t, uncommented, full), schemaNames(info.Schema); !slices.Equal(documented, names) {
		t.Errorf("sample.hcl documents %v, want %v", documented, names)
	}
	if rules.FullAccepted {
		if err := served.Configure(ctx, sdk.Config{ID: "sample-full", Values: fullValues}); err != nil {
			t.Fatalf("sample.hcl: the config with every setting uncommented is rejected: %v", err)
		}
	}
	if rules.ShowsDefaults {
		defaults := schemaDefaults(t, info.Schema, fullValues)
		for _, a := range info.Schema {
			if a.Default != nil && !reflect.DeepEqual(fullValues[a.Name], defaults[a.Name]) {
				t.Errorf("sample.hcl: attribute %q shows %#v, the default is %#v", a.Name, fullValues[a.Name], defaults[a.Name])
			}
		}
	}
}

// Uncomment removes "# " from the indented lines of a sample that start
// with it: its commented settings. Prose, written "## ", stays.
func Uncomment(text string) string {
	return regexp.MustCompile(`(?m)^(\s+)# `).ReplaceAllString(text, "$1")
}

// CheckReadme checks that the table under "## Configuration" in the
// README at path names every attribute of the plugin's schema, one row
// each in the form "| `name` |", and no other.
func CheckReadme(t *testing.T, plugin sdk.Checker, path string) {
	t.Helper()
	info, err := plugin.Info(Context(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(data), "\n## Configuration\n")
	if !found {
		t.Fatalf("%s has no Configuration section", path)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(section, -1) {
		documented = append(documented, m[1])
	}
	sort.Strings(documented)
	if names := schemaNames(info.Schema); !slices.Equal(documented, names) {
		t.Errorf("%s documents %v, want %v", path, documented, names)
	}
}

// ExampleCheck loads checks.d/examples/plugin-NAME.hcl as vakt does, from
// a test running in plugins/NAME, and returns its one check, which must be
// called example-plugin-NAME and use the plugin, with the configuration
// it was loaded into. The file must load without any diagnostic.
func ExampleCheck(t *testing.T, name string) (*config.Config, *config.Check) {
	t.Helper()
	path := filepath.Join("..", "..", "checks.d", "examples", "plugin-"+name+".hcl")
	cfg, c := loadConfig(t, path, path, name)
	if c.Name != "example-plugin-"+name {
		t.Fatalf("%s: the check is called %q, want example-plugin-%s", path, c.Name, name)
	}
	return cfg, c
}

// ExampleValues returns the config block of the plugin's shipped example
// (see ExampleCheck) decoded against schema as vakt decodes it: each value
// of its attribute's type, defaults filled in.
func ExampleValues(t *testing.T, name string, schema sdk.Schema) sdk.Values {
	t.Helper()
	_, c := ExampleCheck(t, name)
	return decodeConfig(t, c.DeclRange.Filename, c, schema)
}

// RunExample runs the plugin's shipped example (see ExampleCheck) once,
// served in-process: its config is configured, then checked by id, for the
// example's host as the configuration has it.
func RunExample(t *testing.T, plugin sdk.Checker) check.Result {
	t.Helper()
	ctx := Context(t)
	info, err := plugin.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	cfg, c := ExampleCheck(t, info.Name)
	values := decodeConfig(t, c.DeclRange.Filename, c, info.Schema)
	served := sdktest.ServeCheck(t, plugin)
	if err := served.Configure(ctx, sdk.Config{ID: "example", Values: values}); err != nil {
		t.Fatalf("the example is rejected: %v", err)
	}
	host := sdk.Host{Name: c.Host}
	if h := cfg.Hosts[c.Host]; h != nil {
		host.Address = h.Address
	}
	got, err := served.Check(ctx, sdk.Request{Config: sdk.Config{ID: "example"}, Check: c.Name, Host: host})
	if err != nil {
		t.Fatalf("the example's check: %v", err)
	}
	return got
}

// writeTemp writes text to a check file in a temporary folder and returns
// its path.
func writeTemp(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sample.hcl")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadConfig loads the check file at path as vakt does and returns its one
// check, which must use plugin and have a config block. Any diagnostic,
// a warning too, fails the test; what is names the file in messages.
func loadConfig(t *testing.T, what, path, plugin string) (*config.Config, *config.Check) {
	t.Helper()
	l := config.NewLoader()
	cfg, diags := l.Load(path)
	if len(diags) > 0 {
		var b strings.Builder
		_ = l.WriteDiagnostics(&b, diags)
		t.Fatalf("%s:\n%s", what, b.String())
	}
	if len(cfg.Checks) != 1 {
		t.Fatalf("%s: want one check, got %d", what, len(cfg.Checks))
	}
	c := cfg.Checks[0]
	if c.Plugin != plugin {
		t.Fatalf("%s: plugin = %q, want %q", what, c.Plugin, plugin)
	}
	// A check without a config block gets an empty body with no position.
	if c.PluginConfig == nil || c.PluginConfig.MissingItemRange().Start.Line < 1 {
		t.Fatalf("%s: the check has no config block", what)
	}
	return cfg, c
}

// decodeConfig decodes the check's config block against schema as vakt
// does, failing the test on any diagnostic; what names the file.
func decodeConfig(t *testing.T, what string, c *config.Check, schema sdk.Schema) sdk.Values {
	t.Helper()
	values, diags := c.DecodePluginConfig(schema)
	if len(diags) > 0 {
		t.Fatalf("%s: config: %v", what, diags)
	}
	return values
}

// configAttributes returns the names the check's config block sets,
// sorted.
func configAttributes(t *testing.T, what string, c *config.Check) []string {
	t.Helper()
	attrs, diags := c.PluginConfig.JustAttributes()
	if diags.HasErrors() {
		t.Fatalf("%s: config: %v", what, diags)
	}
	return slices.Sorted(maps.Keys(attrs))
}

// schemaNames returns the schema's attribute names, sorted.
func schemaNames(schema sdk.Schema) []string {
	names := make([]string, 0, len(schema))
	for _, a := range schema {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	return names
}

// schemaDefaults returns the values the schema fills in when only its
// required attributes are set (taken from values), normalized as the
// schema normalizes values.
func schemaDefaults(t *testing.T, schema sdk.Schema, values sdk.Values) sdk.Values {
	t.Helper()
	required := map[string]any{}
	for _, a := range schema {
		if a.Required {
			required[a.Name] = values[a.Name]
		}
	}
	defaults, err := schema.ValidateValues(required)
	if err != nil {
		t.Fatalf("the schema's defaults: %v", err)
	}
	return defaults
}
