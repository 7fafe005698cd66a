// Package builtin lists the check and notifier plugins shipped inside the
// vakt binary. vakt runs each check plugin as its own plugin process by
// starting itself as `vakt plugin-serve NAME`, so a built-in check plugin
// is still out of process; the notifier plugins run in process for now.
package builtin

import (
	"sort"

	"github.com/vakt/vakt/plugins/disk"
	"github.com/vakt/vakt/plugins/dns"
	"github.com/vakt/vakt/plugins/email"
	"github.com/vakt/vakt/plugins/http"
	"github.com/vakt/vakt/plugins/load"
	"github.com/vakt/vakt/plugins/memory"
	"github.com/vakt/vakt/plugins/ping"
	"github.com/vakt/vakt/plugins/procs"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/sms"
	"github.com/vakt/vakt/plugins/tcp"
	"github.com/vakt/vakt/plugins/webhook"
)

// Checks returns the built-in check plugins by name, each as a constructor.
func Checks() map[string]func() sdk.Checker {
	return map[string]func() sdk.Checker{
		// One line per plugin, in alphabetical order.
		"disk":   disk.New,
		"dns":    dns.New,
		"http":   http.New,
		"load":   load.New,
		"memory": memory.New,
		"ping":   ping.New,
		"procs":  procs.New,
		"tcp":    tcp.New,
	}
}

// Notifiers returns the built-in notifier plugins by name, each as a
// constructor. For now vakt runs them inside its own process.
func Notifiers() map[string]func() sdk.Notifier {
	return map[string]func() sdk.Notifier{
		"email":   email.New,
		"sms":     sms.New,
		"webhook": webhook.New,
	}
}

// Names returns the names of the built-in check plugins, sorted.
func Names() []string {
	var names []string
	for name := range Checks() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
