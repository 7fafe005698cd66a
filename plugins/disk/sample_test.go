package disk

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// TestSampleConfig keeps sample.hcl true: as shipped it is a check file
// whose config block the plugin accepts; with every "# " setting
// uncommented it names every attribute, each with its default where it has
// one, and the plugin accepts that too.
func TestSampleConfig(t *testing.T) {
	p := New().(*Plugin)
	info, err := p.Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	c := sdktest.ServeCheck(t, p)
	shipped := sampleConfigValues(t, p.SampleConfig(), info.Name)
	if err := c.Configure(testContext(t), sdk.Config{ID: "sample", Values: shipped}); err != nil {
		t.Fatalf("the sample as shipped is rejected: %v", err)
	}
	full := sampleConfigValues(t, uncommentSettings(p.SampleConfig()), info.Name)
	if err := c.Configure(testContext(t), sdk.Config{ID: "sample-full", Values: full}); err != nil {
		t.Fatalf("the sample with every setting uncommented is rejected: %v", err)
	}
	defaults, err := info.Schema.ValidateValues(map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	normalized, err := info.Schema.ValidateValues(full)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range info.Schema {
		if _, ok := full[a.Name]; !ok {
			t.Errorf("attribute %q is not in the sample", a.Name)
			continue
		}
		if a.Default != nil && !reflect.DeepEqual(normalized[a.Name], defaults[a.Name]) {
			t.Errorf("attribute %q: the sample shows %#v, the default is %#v", a.Name, normalized[a.Name], defaults[a.Name])
		}
	}
}

// TestShippedExample runs checks.d/examples/plugin-NAME.hcl on this
// machine: it must pass on a healthy one.
func TestShippedExample(t *testing.T) {
	p := New()
	info, err := p.Info(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile("../../checks.d/examples/plugin-" + info.Name + ".hcl")
	if err != nil {
		t.Fatal(err)
	}
	c := sdktest.ServeCheck(t, p)
	values := sampleConfigValues(t, string(text), info.Name)
	if err := c.Configure(testContext(t), sdk.Config{ID: "example", Values: values}); err != nil {
		t.Fatalf("the example is rejected: %v", err)
	}
	got, err := c.Check(testContext(t), sdk.Request{Config: sdk.Config{ID: "example"}, Check: "example", Host: sdk.Host{Name: "localhost"}})
	if err != nil || got.State != check.OK {
		t.Fatalf("the example gives %v %q (long %q), %v; want OK on a healthy machine", got.State, got.Output, got.Long, err)
	}
}

// uncommentSettings removes "# " from the indented setting lines of a
// sample (the "## " lines are prose).
func uncommentSettings(text string) string {
	return regexp.MustCompile(`(?m)^(\s+)# `).ReplaceAllString(text, "$1")
}

// sampleConfigValues parses a sample check file and returns the values of
// its one check's config block, as vakt would pass them to the plugin.
func sampleConfigValues(t *testing.T, text, plugin string) map[string]any {
	t.Helper()
	file, diags := hclsyntax.ParseConfig([]byte(text), "sample.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("sample.hcl: %v", diags)
	}
	content, diags := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "check", LabelNames: []string{"name"}}}})
	if diags.HasErrors() || len(content.Blocks) != 1 {
		t.Fatalf("sample.hcl: want one check block: %v", diags)
	}
	check, diags := content.Blocks[0].Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "plugin", Required: true}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "config"}},
	})
	if diags.HasErrors() || len(check.Blocks) != 1 {
		t.Fatalf("sample.hcl: want plugin and one config block: %v", diags)
	}
	if name, _ := check.Attributes["plugin"].Expr.Value(nil); name.AsString() != plugin {
		t.Fatalf("sample.hcl: plugin = %q, want %q", name.AsString(), plugin)
	}
	attrs, diags := check.Blocks[0].Body.JustAttributes()
	if diags.HasErrors() {
		t.Fatalf("sample.hcl: config: %v", diags)
	}
	values := map[string]any{}
	for name, attr := range attrs {
		v, diags := attr.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("sample.hcl: %s: %v", name, diags)
		}
		gv, err := goValue(v)
		if err != nil {
			t.Fatalf("sample.hcl: %s: %v", name, err)
		}
		values[name] = gv
	}
	return values
}

// goValue converts an HCL value to the Go type of a plugin value.
func goValue(v cty.Value) (any, error) {
	ty := v.Type()
	switch {
	case ty == cty.String:
		return v.AsString(), nil
	case ty == cty.Number:
		f, _ := v.AsBigFloat().Float64()
		return f, nil
	case ty == cty.Bool:
		return v.True(), nil
	case ty.IsTupleType() || ty.IsListType():
		list := []string{}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.Type() != cty.String {
				return nil, fmt.Errorf("a list element of type %s, want string", e.Type().FriendlyName())
			}
			list = append(list, e.AsString())
		}
		return list, nil
	}
	return nil, fmt.Errorf("a value of type %s", ty.FriendlyName())
}
