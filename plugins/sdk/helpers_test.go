package sdk_test

import (
	"os/exec"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"
	"github.com/rs/zerolog"

	"github.com/vakt/vakt/plugins/internal/plugintest"
	"github.com/vakt/vakt/plugins/sdk"
)

// generous is how long a test waits for something that should take
// milliseconds, so that a loaded CI machine does not fail it.
const generous = 2 * time.Minute

// buildPlugin builds the test plugin main testdata/sdkplugins/<name> into
// a temporary directory and returns the executable's path.
func buildPlugin(t *testing.T, name string) string {
	t.Helper()
	return plugintest.BuildMain(t, "./testdata/sdkplugins/"+name)
}

// startPlugin starts the executable bin as a plugin named name and returns
// its go-plugin client, killed when the test ends.
func startPlugin(t *testing.T, bin, name string, log zerolog.Logger, args ...string) *plugin.Client {
	t.Helper()
	cfg := sdk.NewClientConfig(exec.Command(bin, args...), log, name)
	cfg.StartTimeout = generous
	client := plugin.NewClient(cfg)
	t.Cleanup(client.Kill)
	return client
}
