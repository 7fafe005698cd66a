package config_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/config"
	"github.com/vakt/vakt/plugins/email"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sms"
	"github.com/vakt/vakt/plugins/webhook"
)

// notifierPlugins are the built-in notifier plugins by plugin name, with
// their sample configurations.
func notifierPlugins() map[string]struct {
	plugin sdk.Notifier
	sample string
} {
	return map[string]struct {
		plugin sdk.Notifier
		sample string
	}{
		"email":   {email.New(), email.SampleConfig()},
		"sms":     {sms.New(), sms.SampleConfig()},
		"webhook": {webhook.New(), webhook.SampleConfig()},
	}
}

// TestNotifierConfigsDecode loads the notifier plugins' sample.hcl files
// and checks.d's notification example as checks.d files, and decodes every
// notifier's config block against its plugin's schema: the notifier block
// the samples show is the one Load reads.
func TestNotifierConfigsDecode(t *testing.T) {
	plugins := notifierPlugins()
	dir := t.TempDir()
	paths := []string{"../../checks.d/examples/notifications.hcl"}
	for name, p := range plugins {
		path := filepath.Join(dir, name+".hcl")
		if err := os.WriteFile(path, []byte(p.sample), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	l := config.NewLoader()
	cfg, diags := l.Load(paths...)
	if len(diags) > 0 {
		var b strings.Builder
		_ = l.WriteDiagnostics(&b, diags)
		t.Fatalf("Load:\n%s", b.String())
	}
	// 3 from the example, one from each sample.
	if len(cfg.Notifiers) != 6 {
		t.Errorf("%d notifiers, want 6", len(cfg.Notifiers))
	}
	for name, n := range cfg.Notifiers {
		t.Run(name, func(t *testing.T) {
			p, ok := plugins[n.Plugin]
			if !ok {
				t.Fatalf("notifier %q uses plugin %q, which is not built in", name, n.Plugin)
			}
			info, err := p.plugin.Info(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			values, diags := n.DecodeConfig(info.Schema)
			if len(diags) > 0 {
				var b strings.Builder
				_ = l.WriteDiagnostics(&b, diags)
				t.Fatalf("DecodeConfig:\n%s", b.String())
			}
			if len(values) == 0 {
				t.Errorf("no values decoded")
			}
		})
	}
}
