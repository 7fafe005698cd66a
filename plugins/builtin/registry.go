// Package builtin lists the check plugins shipped inside the vakt binary.
// vakt runs each as its own plugin process by starting itself as
// `vakt plugin-serve NAME`, so a built-in plugin is still out of process.
package builtin

import (
	"sort"

	"github.com/vakt/vakt/plugins/sdk"
)

// Checks returns the built-in check plugins by name, each as a constructor.
func Checks() map[string]func() sdk.Checker {
	return map[string]func() sdk.Checker{
		// One line per plugin, in alphabetical order.
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
