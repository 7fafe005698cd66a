package load

import (
	"testing"

	"github.com/vakt/vakt/core/check"
	"github.com/vakt/vakt/plugins/internal/plugintest"
)

func TestInfo(t *testing.T) {
	plugintest.CheckInfo(t, New(), "load", "1.0.0")
}

// TestSampleConfig keeps sample.hcl and README.md true to the schema: as
// shipped the sample is a check the plugin accepts; its commented settings
// show the defaults, and with all of them uncommented it names every
// attribute and the plugin still accepts it.
func TestSampleConfig(t *testing.T) {
	p := New().(*Plugin)
	plugintest.CheckSample(t, p, SampleConfig(), plugintest.SampleRules{ShowsDefaults: true, FullAccepted: true})
	plugintest.CheckReadme(t, p, "README.md")
}

// TestShippedExample runs checks.d/examples/plugin-load.hcl on this
// machine: it must pass on a healthy one.
func TestShippedExample(t *testing.T) {
	if got := plugintest.RunExample(t, New()); got.State != check.OK {
		t.Fatalf("the example gives %v %q (long %q); want OK on a healthy machine", got.State, got.Output, got.Long)
	}
}
