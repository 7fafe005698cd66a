// Package builtin lists the check plugins shipped inside the vakt binary.
// vakt runs each as its own plugin process by starting itself as
// `vakt plugin-serve NAME`, so a built-in plugin is still out of process.
package builtin

import (
	"sort"

	"github.com/vakt/vakt/plugins/disk"
	"github.com/vakt/vakt/plugins/dns"
	"github.com/vakt/vakt/plugins/http"
	"github.com/vakt/vakt/plugins/load"
	"github.com/vakt/vakt/plugins/memory"
	"github.com/vakt/vakt/plugins/ping"
	"github.com/vakt/vakt/plugins/procs"
	"github.com/vakt/vakt/plugins/sdk"
	"github.com/vakt/vakt/plugins/tcp"
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

// Names returns the names of the built-in check plugins, sorted.
func Names() []string {
	var names []string
	for name := range Checks() {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
