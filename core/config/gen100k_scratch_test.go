package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"runtime"
)

func gen(t testing.TB, dir string, hosts, per int) {
	for f := 0; f < 10; f++ {
		var b strings.Builder
		for h := f * hosts / 10; h < (f+1)*hosts/10; h++ {
			fmt.Fprintf(&b, "host \"host%04d\" {\n  address = \"10.0.%d.%d\"\n  tags = { rack = \"r%d\" }\n}\n\n", h, h/250, h%250, h%20)
			for c := 0; c < per; c++ {
				fmt.Fprintf(&b, "check \"check-%03d\" {\n  host     = \"host%04d\"\n  command  = [\"/usr/lib/nagios/plugins/check_dummy\", \"0\", \"check %d on ${host.address}\"]\n  interval = \"5m\"\n  tags     = { kind = \"dummy\" }\n}\n\n", c, h, c)
			}
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.hcl", f)), []byte(b.String()), 0o644)
	}
}

func TestScratch100k(t *testing.T) {
	dir := t.TempDir()
	n := 1000
	if os.Getenv("N") == "10" { n = 100 }
	gen(t, dir, n, 100)
	var ms runtime.MemStats
	runtime.GC(); runtime.ReadMemStats(&ms); before := ms.HeapInuse
	l := NewLoader()
	cfg, diags := l.Load(dir)
	if diags.HasErrors() { t.Fatal(diags) }
	runtime.GC(); runtime.ReadMemStats(&ms)
	t.Logf("%d checks, heap %d MB", len(cfg.Checks), (ms.HeapInuse-before)>>20)
	runtime.KeepAlive(cfg); runtime.KeepAlive(l)
}
