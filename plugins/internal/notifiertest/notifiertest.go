// Package notifiertest holds what the tests of vakt's built-in notifier
// plugins share: running a notifier as a real plugin process (a small main
// package built for the test and started through go-plugin, as vakt starts
// plugins), decoding a plugin's sample.hcl the way vakt decodes a config
// block, and checking that bad configs are rejected attribute by
// attribute, both when configured and when sent inline.
//
// Every helper fails the test it is given on anything unexpected; none
// skips. It is imported by tests only.
package notifiertest

import (
	"errors"
	"os"
	"os/exec"
	"reflect"
	"testing"

	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/rs/zerolog"
	"github.com/zclconf/go-cty/cty"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sdk/sdktest"
)

// StartProcess builds the main package pkg (a path such as
// "./plugins/email/testdata/serve" relative to the module's root), starts
// it as a plugin process through go-plugin with vakt's handshake, and
// returns its notifier as vakt would get it. The plugin's log lines go to
// lines. The process is killed when the test ends.
func StartProcess(t *testing.T, pkg string, lines *sdktest.LogLines) sdk.Notifier {
	t.Helper()
	bin := plugintest.BuildMain(t, pkg)
	cfg := sdk.NewClientConfig(exec.Command(bin), zerolog.New(lines), "notifier")
	cfg.StartTimeout = plugintest.Generous
	client := plugin.NewClient(cfg)
	t.Cleanup(client.Kill)
	n, err := sdk.DispenseNotifier(client)
	if err != nil {
		t.Fatalf("DispenseNotifier: %v", err)
	}
	return n
}

// SampleValues reads the sample file at path: one block
// `notifier "NAME" { plugin = "..." config { ... } }` (the shape vakt's
// notifier blocks will have), whose plugin must be the plugin's name, and
// decodes its config block against the plugin's schema as vakt decodes a
// check's config block (core/config). With uncomment, every commented
// setting is uncommented first (see plugintest.Uncomment). It fails the
// test on any diagnostic.
func SampleValues(t *testing.T, n sdk.Notifier, path string, uncomment bool) sdk.Values {
	t.Helper()
	info, err := n.Info(plugintest.Context(t))
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if uncomment {
		src = []byte(plugintest.Uncomment(string(src)))
	}
	file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %v", path, diags)
	}
	content, diags := file.Body.Content(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "notifier", LabelNames: []string{"name"}}}})
	if diags.HasErrors() || len(content.Blocks) != 1 {
		t.Fatalf("%s: want one notifier block: %v", path, diags)
	}
	inner, diags := content.Blocks[0].Body.Content(&hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "plugin", Required: true}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "config"}},
	})
	if diags.HasErrors() || len(inner.Blocks) != 1 {
		t.Fatalf("%s: want plugin and one config block: %v", path, diags)
	}
	var name string
	if d := hclDecode(inner.Attributes["plugin"], &name); d != nil || name != info.Name {
		t.Fatalf("%s: plugin = %q (%v), want %q", path, name, d, info.Name)
	}
	c := &config.Check{Plugin: name, PluginConfig: inner.Blocks[0].Body, DeclRange: content.Blocks[0].DefRange}
	values, diags := c.DecodePluginConfig(info.Schema)
	if len(diags) > 0 {
		t.Fatalf("%s: config: %v", path, diags)
	}
	return values
}

func hclDecode(a *hcl.Attribute, s *string) error {
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		return diags
	}
	if v.IsNull() || !v.Type().Equals(cty.String) {
		return errors.New("want a string")
	}
	*s = v.AsString()
	return nil
}

// WantRejected checks that n rejects values with exactly the errors want:
// when they are configured under an id, and when a notification carries
// them inline (where the rejection is permanent).
func WantRejected(t *testing.T, n sdk.Notifier, values sdk.Values, want sdk.ConfigErrors) {
	t.Helper()
	ctx := plugintest.Context(t)
	err := n.Configure(ctx, sdk.Config{ID: "bad", Values: values})
	var got sdk.ConfigErrors
	if !errors.As(err, &got) || !reflect.DeepEqual(got, want) {
		t.Fatalf("Configure:\n got %#v\nwant %#v", err, want)
	}
	err = n.Notify(ctx, sdk.Notification{Config: sdk.Config{Values: values}, ID: "bad"})
	got = nil
	if !errors.As(err, &got) || !reflect.DeepEqual(got, want) || !sdk.IsPermanent(err) {
		t.Fatalf("Notify with the config inline:\n got %#v (permanent %v)\nwant %#v, permanent", err, sdk.IsPermanent(err), want)
	}
}
