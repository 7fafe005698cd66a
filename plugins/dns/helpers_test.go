package dns

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/plugins/sdk"
)

// sampleConfigBlock parses sample.hcl and returns the attributes of its
// check's config block and the check's plugin attribute.
func sampleConfigBlock(t *testing.T) (map[string]hclsyntax.Expression, string) {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(SampleConfig()), "sample.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("sample.hcl: %v", diags)
	}
	body := file.Body.(*hclsyntax.Body)
	if len(body.Blocks) != 1 || body.Blocks[0].Type != "check" {
		t.Fatalf("sample.hcl: want one check block, got %d blocks", len(body.Blocks))
	}
	chk := body.Blocks[0].Body
	plugin, diags := chk.Attributes["plugin"].Expr.Value(nil)
	if diags.HasErrors() || plugin.Type() != cty.String {
		t.Fatalf("sample.hcl: plugin: %v", diags)
	}
	if len(chk.Blocks) != 1 || chk.Blocks[0].Type != "config" {
		t.Fatalf("sample.hcl: want one config block in the check")
	}
	exprs := map[string]hclsyntax.Expression{}
	for name, a := range chk.Blocks[0].Body.Attributes {
		exprs[name] = a.Expr
	}
	return exprs, plugin.AsString()
}

// commentedAttribute is a line such as `    # port = 22` in sample.hcl.
var commentedAttribute = regexp.MustCompile(`(?m)^\s*#\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$`)

// sampleCommented returns the commented attributes of sample.hcl by name,
// each value parsed as an HCL expression.
func sampleCommented(t *testing.T) map[string]hclsyntax.Expression {
	t.Helper()
	out := map[string]hclsyntax.Expression{}
	for _, m := range commentedAttribute.FindAllStringSubmatch(SampleConfig(), -1) {
		expr, diags := hclsyntax.ParseExpression([]byte(m[2]), "sample.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("sample.hcl: commented %s: %v", m[1], diags)
		}
		out[m[1]] = expr
	}
	return out
}

// toValue converts an HCL value to the Go type of an attribute type, as
// vakt converts a config block by the plugin's schema.
func toValue(v cty.Value, typ sdk.AttributeType) (any, error) {
	switch typ {
	case sdk.TypeString, sdk.TypeDuration:
		s, err := convert.Convert(v, cty.String)
		if err != nil {
			return nil, err
		}
		return s.AsString(), nil
	case sdk.TypeNumber:
		n, err := convert.Convert(v, cty.Number)
		if err != nil {
			return nil, err
		}
		f, _ := n.AsBigFloat().Float64()
		return f, nil
	case sdk.TypeBool:
		b, err := convert.Convert(v, cty.Bool)
		if err != nil {
			return nil, err
		}
		return b.True(), nil
	case sdk.TypeListOfString:
		l, err := convert.Convert(v, cty.List(cty.String))
		if err != nil {
			return nil, err
		}
		out := []string{}
		for _, e := range l.AsValueSlice() {
			out = append(out, e.AsString())
		}
		return out, nil
	case sdk.TypeMapOfString:
		m, err := convert.Convert(v, cty.Map(cty.String))
		if err != nil {
			return nil, err
		}
		out := map[string]string{}
		for k, e := range m.AsValueMap() {
			out[k] = e.AsString()
		}
		return out, nil
	}
	return nil, errors.New("unknown attribute type")
}

// toValues evaluates expressions by name and converts them by the schema.
func toValues(t *testing.T, schema sdk.Schema, exprs map[string]hclsyntax.Expression) map[string]any {
	t.Helper()
	out := map[string]any{}
	for name, expr := range exprs {
		a, ok := schema.Attribute(name)
		if !ok {
			t.Errorf("sample.hcl: %s is not in the schema", name)
			continue
		}
		v, diags := expr.Value(nil)
		if diags.HasErrors() {
			t.Errorf("sample.hcl: %s: %v", name, diags)
			continue
		}
		gv, err := toValue(v, a.Type)
		if err != nil {
			t.Errorf("sample.hcl: %s: %v", name, err)
			continue
		}
		out[name] = gv
	}
	return out
}

// readmeAttributes returns the attribute names in README.md's
// configuration table.
func readmeAttributes(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(data), "\n## Configuration\n")
	if !found {
		t.Fatal("README.md has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var names []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\|").FindAllStringSubmatch(section, -1) {
		names = append(names, m[1])
	}
	return names
}

// outputPattern turns an expected output with {t} for the measured seconds
// into an anchored regular expression.
func outputPattern(want string) *regexp.Regexp {
	quoted := regexp.QuoteMeta(want)
	return regexp.MustCompile("^" + strings.ReplaceAll(quoted, regexp.QuoteMeta("{t}"), `[0-9]+\.[0-9]{3}`) + "$")
}

// exampleValues loads checks.d/examples/plugin-NAME.hcl as vakt does and
// returns its one check's config block evaluated and converted by the
// plugin's schema, complete with defaults.
func exampleValues(t *testing.T, schema sdk.Schema) sdk.Values {
	t.Helper()
	path := filepath.Join("..", "..", "checks.d", "examples", "plugin-"+Name+".hcl")
	l := config.NewLoader()
	cfg, diags := l.Load(path)
	if len(diags) > 0 {
		var b strings.Builder
		_ = l.WriteDiagnostics(&b, diags)
		t.Fatalf("%s:\n%s", path, b.String())
	}
	if len(cfg.Checks) != 1 || cfg.Checks[0].Plugin != Name || cfg.Checks[0].Name != "example-plugin-"+Name {
		t.Fatalf("%s: want one check example-plugin-%s of plugin %s", path, Name, Name)
	}
	c := cfg.Checks[0]
	attrs, diags := c.PluginConfig.JustAttributes()
	if diags.HasErrors() {
		t.Fatalf("%s: %v", path, diags)
	}
	exprs := map[string]any{}
	for name, a := range attrs {
		v, diags := a.Expr.Value(c.EvalContext)
		if diags.HasErrors() {
			t.Fatalf("%s: %s: %v", path, name, diags)
		}
		at, ok := schema.Attribute(name)
		if !ok {
			t.Fatalf("%s: %s is not in the schema", path, name)
		}
		gv, err := toValue(v, at.Type)
		if err != nil {
			t.Fatalf("%s: %s: %v", path, name, err)
		}
		exprs[name] = gv
	}
	values, err := schema.ValidateValues(exprs)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return values
}
