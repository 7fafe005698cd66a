// Package bigpack writes a large checks.d for the benchmarks of loading
// and validating: hosts spread over team folders and files, each host with
// its own exec checks declared one block each (the shape a converted
// Nagios configuration has), through a template.
package bigpack

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Write writes hosts hosts with perHost checks each under dir: 10 team
// folders, hosts spread over files of 10 hosts each. Every check is an exec
// check of check_dummy whose arguments interpolate the host's address.
func Write(dir string, hosts, perHost int) error {
	const teams, hostsPerFile = 10, 10
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing the pack: %w", err)
	}
	tmpl := `template "dummy" {
  interval       = "5m"
  retry_interval = "1m"
  max_attempts   = 3
  timeout        = "10s"
  tags           = { kind = "dummy" }
}
`
	if err := os.WriteFile(filepath.Join(dir, "templates.hcl"), []byte(tmpl), 0o644); err != nil {
		return fmt.Errorf("writing the pack: %w", err)
	}
	var b strings.Builder
	for first := 0; first < hosts; first += hostsPerFile {
		b.Reset()
		for h := first; h < min(first+hostsPerFile, hosts); h++ {
			fmt.Fprintf(&b, "host \"host%05d\" {\n  address = \"10.%d.%d.%d\"\n  tags    = { rack = \"r%d\" }\n}\n\n",
				h, h>>16&255, h>>8&255, h&255, h%20)
			for c := range perHost {
				fmt.Fprintf(&b, "check \"check-%03d\" {\n  host     = \"host%05d\"\n  template = \"dummy\"\n"+
					"  command  = [\"/usr/lib/nagios/plugins/check_dummy\", \"0\", \"check %d on ${host.address}\"]\n}\n\n", c, h, c)
			}
		}
		team := filepath.Join(dir, fmt.Sprintf("team-%02d", first/hostsPerFile%teams))
		if err := os.MkdirAll(team, 0o755); err != nil {
			return fmt.Errorf("writing the pack: %w", err)
		}
		if err := os.WriteFile(filepath.Join(team, fmt.Sprintf("hosts-%05d.hcl", first)), []byte(b.String()), 0o644); err != nil {
			return fmt.Errorf("writing the pack: %w", err)
		}
	}
	return nil
}
