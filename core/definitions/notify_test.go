package definitions_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vakt/vakt/core/definitions"
)

// TestLoadNotifiers: a notifier block gets its plugin configured; an
// unknown plugin, a config the plugin's schema refuses and one the plugin
// rejects are errors at file:line, as vakt validate shows them.
func TestLoadNotifiers(t *testing.T) {
	const contacts = `
contact "kari" {
  email = "kari@example.com"
}
route "all" {
  notifiers = ["mail"]
  to        = ["kari"]
}
`
	t.Run("configured", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, filepath.Join(root, "notify.hcl"), `
notifier "mail" {
  plugin = "email"
  config {
    host = "smtp.example.com"
    from = "vakt <vakt@example.com>"
  }
}
`+contacts)
		n := load(t, root).Set.Notifications()
		nf, ok := n.Notifiers["mail"]
		if !ok || nf.Plugin != "email" || nf.Instance == nil || nf.Source.Line != 2 ||
			filepath.Base(nf.Source.File) != "notify.hcl" {
			t.Fatalf("notifier mail = %+v, %v", nf, ok)
		}
		if len(n.Routes) != 1 || n.Routes[0].Name != "all" || n.Contacts["kari"].Email != "kari@example.com" || n.Empty() {
			t.Fatalf("notifications = %+v", n)
		}
	})
	t.Run("none", func(t *testing.T) {
		root := t.TempDir()
		writeFile(t, filepath.Join(root, "c.hcl"), `check "x" { command = ["/bin/true"] }`)
		if n := load(t, root).Set.Notifications(); !n.Empty() || n.Periods == nil {
			t.Fatalf("notifications = %+v, want empty with a period set", n)
		}
	})
	for _, tc := range []struct {
		name, notifier, want string
	}{
		{"unknown plugin", `notifier "mail" {
  plugin = "pigeon"
}`, "notify.hcl:2:12: error: Unknown notifier plugin\n" +
			`  2 |   plugin = "pigeon"` + "\n" + `    |            ^^^^^^^^` + "\n" +
			`  Notifier "mail": there is no notifier plugin "pigeon"; vakt has ["email" "sms" "webhook"].`},
		{"schema", `notifier "mail" {
  plugin = "email"
  config {
    from = "vakt <vakt@example.com>"
  }
}`, `notify.hcl:3:10: error: Missing required plugin attribute`},
		{"rejected", `notifier "mail" {
  plugin = "email"
  config {
    host = "smtp.example.com"
    from = "vakt <vakt@example.com>"
    tls  = "sometimes"
  }
}`, `notify.hcl:6:12: error: Notifier plugin rejected the config`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFile(t, filepath.Join(root, "notify.hcl"), tc.notifier+"\n"+contacts)
			res := definitions.Load(context.Background(), definitions.Options{Paths: []string{root}})
			if res.Set != nil || res.Errors() != 1 || !strings.Contains(res.Text, tc.want) {
				t.Fatalf("Load: set %v, %d errors, want one %q:\n%s", res.Set != nil, res.Errors(), tc.want, res.Text)
			}
		})
	}
}
