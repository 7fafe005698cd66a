package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkLoad loads 1,000 hosts and 20 apply-by-tag checks through a
// template: 10,000 checks.
func BenchmarkLoad(b *testing.B) {
	var src strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&src, "host \"h%d\" {\n  address = \"127.0.0.1\"\n  tags = { group = \"g%d\", port = %d }\n}\n", i, i%2, 1000+i)
	}
	src.WriteString("template \"tcp\" {\n  interval = \"1m\"\n  command = [\"/usr/lib/nagios/plugins/check_tcp\", \"-H\", host.address, \"-p\", host.tags.port]\n}\n")
	for i := range 20 {
		fmt.Fprintf(&src, "check \"c%d\" {\n  template = \"tcp\"\n  host_tags = { group = \"g%d\" }\n}\n", i, i%2)
	}
	path := filepath.Join(b.TempDir(), "big.hcl")
	if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		cfg, diags := NewLoader().Load(path)
		if len(diags) > 0 {
			b.Fatal(diags.Error())
		}
		if len(cfg.Checks) != 10000 {
			b.Fatalf("%d checks, want 10000", len(cfg.Checks))
		}
	}
}
